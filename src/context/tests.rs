use super::*;

const IPHONE: &str =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
const ANDROID_PHONE: &str =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36";
const ANDROID_TAB: &str =
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 Chrome/120 Safari/537.36";
const MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15";
const WIN: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36";

#[test]
fn device_classes() {
    for (ua, width, touch, want) in [
        (IPHONE, Some(390.0), true, DeviceClass::Mobile),
        (ANDROID_PHONE, None, true, DeviceClass::Mobile),
        (ANDROID_TAB, Some(1200.0), true, DeviceClass::Tablet),
        (MAC, Some(1024.0), true, DeviceClass::Tablet),
        (MAC, Some(1440.0), false, DeviceClass::Desktop),
        (WIN, Some(500.0), false, DeviceClass::Mobile),
        (WIN, Some(1920.0), false, DeviceClass::Desktop),
        ("Googlebot/2.1", None, false, DeviceClass::Bot),
        ("", None, false, DeviceClass::Unknown),
    ] {
        assert_eq!(device_class(ua, width, touch), want, "{ua} {width:?}");
    }
    assert_eq!(os_of(IPHONE), Os::Ios);
    assert_eq!(os_of(ANDROID_TAB), Os::Android);
    assert_eq!(os_of(MAC), Os::Macos);
    assert_eq!(os_of(WIN), Os::Windows);
}

#[test]
fn browser_families_from_real_user_agents() {
    for (ua, want) in [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", Browser::Safari),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1", Browser::Chrome),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15", Browser::Firefox),
        (MAC, Browser::Safari),
        (WIN, Browser::Chrome),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67", Browser::Edge),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", Browser::Firefox),
        ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", Browser::Samsung),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0", Browser::Opera),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0]", Browser::Other),
        ("", Browser::Other),
    ] {
        assert_eq!(browser_of(ua), want, "{ua}");
    }
}

#[test]
fn locale_and_country() {
    let ctx = |lang: Option<&str>, tz: Option<&str>| {
        Context::derive(
            &PageSignals {
                language: lang.map(Into::into),
                time_zone: tz.map(Into::into),
                ..Default::default()
            },
            0,
        )
    };
    let c = ctx(Some("de_de"), Some("Europe/Vienna"));
    assert_eq!(
        (
            c.locale.as_deref(),
            c.language.as_deref(),
            c.country.as_deref()
        ),
        (Some("de-DE"), Some("de"), Some("DE"))
    );
    assert_eq!(
        ctx(Some("nl"), Some("Europe/Amsterdam")).country.as_deref(),
        Some("NL")
    );
    assert_eq!(ctx(Some("zh-Hans-CN"), None).country.as_deref(), Some("CN"));
    assert_eq!(ctx(Some("en"), Some("Mars/Base")).country, None);
    assert_eq!(ctx(Some("???"), None).locale, None);
}

#[test]
fn local_hour_and_weekday() {
    // 2023-11-14T22:13:20Z was a Tuesday.
    let now = 1_700_000_000_000;
    assert_eq!(local_time(now, 0), (22, 1));
    // Berlin in winter: getTimezoneOffset() = -60 → 23:13 Tuesday.
    assert_eq!(local_time(now, -60), (23, 1));
    // Tokyo (-540) → 07:13 Wednesday; New York (300) → 17:13 Tuesday.
    assert_eq!(local_time(now, -540), (7, 2));
    assert_eq!(local_time(now, 300), (17, 1));
    assert_eq!(local_time(0, 0), (0, 3));
    assert_eq!(local_time(-1, 0), (23, 2));
}

#[test]
fn traffic_sources() {
    let page = Some("https://shop.example/checkout?x=1");
    for (referrer, url, want) in [
        (None, page, TrafficSource::Direct),
        (Some(""), page, TrafficSource::Direct),
        (Some("https://www.google.de/"), page, TrafficSource::Search),
        (Some("https://duckduckgo.com/"), page, TrafficSource::Search),
        (
            Some("https://l.facebook.com/l.php"),
            page,
            TrafficSource::Social,
        ),
        (Some("https://t.co/abc"), page, TrafficSource::Social),
        (Some("https://mail.google.com/"), page, TrafficSource::Email),
        (
            Some("https://outlook.live.com/"),
            page,
            TrafficSource::Email,
        ),
        (
            Some("https://blog.example.org/post"),
            page,
            TrafficSource::Referral,
        ),
        (
            Some("https://shop.example/cart"),
            page,
            TrafficSource::Internal,
        ),
        (
            None,
            Some("https://shop.example/?gclid=abc"),
            TrafficSource::Paid,
        ),
        (
            None,
            Some("https://shop.example/?utm_medium=email"),
            TrafficSource::Email,
        ),
        (
            Some("https://news.site/"),
            Some("https://shop.example/?utm_medium=cpc"),
            TrafficSource::Paid,
        ),
    ] {
        assert_eq!(traffic_source(referrer, url), want, "{referrer:?} {url:?}");
    }
}
