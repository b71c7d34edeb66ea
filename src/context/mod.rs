//! The page context of one page view: device, locale, country guess, local time, traffic source.
//!
//! `PageSignals` is what the web layer reads from `navigator`, `window` and `document`;
//! `Context::derive` turns it into coarse classes. Only the classes are exposed, and none of
//! it is ever stored: the user agent, the referrer and the page URL are read, classified and
//! dropped (minimisation). Pure: no JS, no storage.

mod agent;

pub use agent::*;
use serde::Serialize;

/// Raw signals from the browser. Every field may be missing (Node, workers, privacy modes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageSignals {
    pub user_agent: String,
    pub viewport_width: Option<f64>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    /// `Date.prototype.getTimezoneOffset()`: minutes to add to local time to get UTC.
    pub tz_offset_min: Option<f64>,
    pub referrer: Option<String>,
    /// `location.href` of the page; only its host and campaign parameters are looked at.
    pub page_url: Option<String>,
    /// `maxTouchPoints > 0`.
    pub touch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrafficSource {
    Direct,
    Internal,
    Search,
    Social,
    Email,
    Paid,
    Referral,
}

impl TrafficSource {
    pub fn name(self) -> &'static str {
        match self {
            TrafficSource::Direct => "direct",
            TrafficSource::Internal => "internal",
            TrafficSource::Search => "search",
            TrafficSource::Social => "social",
            TrafficSource::Email => "email",
            TrafficSource::Paid => "paid",
            TrafficSource::Referral => "referral",
        }
    }
}

/// The derived context exposed in `profile().context`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    pub device: DeviceClass,
    pub os: Os,
    pub browser: Browser,
    pub locale: Option<String>,
    pub language: Option<String>,
    /// ISO 3166-1 alpha-2, from the locale's region or else the time zone.
    pub country: Option<String>,
    pub time_zone: Option<String>,
    /// 0–23, in the shopper's local time.
    pub local_hour: u8,
    /// 0 = Monday … 6 = Sunday, in the shopper's local time.
    pub weekday: u8,
    pub traffic_source: TrafficSource,
}

impl Context {
    pub fn derive(s: &PageSignals, now_ms: i64) -> Context {
        let locale = s.language.as_deref().and_then(normalise_locale);
        let language = locale
            .as_deref()
            .map(|l| l.split('-').next().unwrap_or(l).to_owned());
        let country = locale.as_deref().and_then(region_of).or_else(|| {
            s.time_zone
                .as_deref()
                .and_then(country_of_zone)
                .map(str::to_owned)
        });
        let offset = s
            .tz_offset_min
            .filter(|m| m.is_finite() && m.abs() <= 18.0 * 60.0)
            .unwrap_or(0.0) as i64;
        let (local_hour, weekday) = local_time(now_ms, offset);
        Context {
            device: device_class(&s.user_agent, s.viewport_width, s.touch),
            os: os_of(&s.user_agent),
            browser: browser_of(&s.user_agent),
            locale,
            language,
            country,
            time_zone: s.time_zone.clone().filter(|z| z.len() <= 64),
            local_hour,
            weekday,
            traffic_source: traffic_source(s.referrer.as_deref(), s.page_url.as_deref()),
        }
    }
}

/// These enums serialize as their `name()`: one spelling for JS, features and rules.
macro_rules! serialize_by_name {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    )*};
}
pub(crate) use serialize_by_name;

serialize_by_name!(DeviceClass, Os, Browser, TrafficSource);

/// Fields the page (or the demo's debug panel) sets explicitly, over what was derived:
/// a server-side geo-IP country, a known device class, a fixed clock for tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextOverride {
    pub country: Option<String>,
    pub device: Option<DeviceClass>,
    pub os: Option<Os>,
    pub browser: Option<Browser>,
    pub language: Option<String>,
    pub traffic_source: Option<TrafficSource>,
    pub local_hour: Option<u8>,
    pub weekday: Option<u8>,
}

impl ContextOverride {
    /// Reads `{country?, device?, os?, browser?, language?, trafficSource?, localHour?, weekday?}`.
    pub fn from_value(
        v: &crate::value::Value,
    ) -> Result<ContextOverride, crate::config::ConfigError> {
        use crate::value::Value;
        let bad = |k: &str, what: &str| {
            crate::config::ConfigError(format!("context \"{k}\" must be {what}"))
        };
        let Value::Map(entries) = v else {
            return Err(crate::config::ConfigError(
                "context must be an object".into(),
            ));
        };
        let mut o = ContextOverride::default();
        for (k, v) in entries {
            if matches!(v, Value::Null) {
                continue;
            }
            let text = || match v {
                Value::Str(s) => Some(s.as_str()),
                _ => None,
            };
            let small = |max: f64| match v {
                Value::Num(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= max => Some(*n as u8),
                _ => None,
            };
            match k.as_str() {
                "country" => {
                    let c = text()
                        .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()));
                    o.country = Some(
                        c.ok_or_else(|| bad(k, "an ISO 3166-1 alpha-2 code"))?
                            .to_ascii_uppercase(),
                    );
                }
                "device" => {
                    let all = [
                        DeviceClass::Mobile,
                        DeviceClass::Tablet,
                        DeviceClass::Desktop,
                        DeviceClass::Bot,
                        DeviceClass::Unknown,
                    ];
                    o.device = Some(
                        all.into_iter()
                            .find(|d| Some(d.name()) == text())
                            .ok_or_else(|| bad(k, "mobile, tablet, desktop, bot or unknown"))?,
                    );
                }
                "os" => {
                    let all = [
                        Os::Ios,
                        Os::Android,
                        Os::Windows,
                        Os::Macos,
                        Os::Linux,
                        Os::Chromeos,
                        Os::Other,
                    ];
                    o.os = Some(
                        all.into_iter()
                            .find(|d| Some(d.name()) == text())
                            .ok_or_else(|| {
                                bad(k, "ios, android, windows, macos, linux, chromeos or other")
                            })?,
                    );
                }
                "browser" => {
                    o.browser = Some(
                        Browser::ALL
                            .into_iter()
                            .find(|d| Some(d.name()) == text())
                            .ok_or_else(|| {
                                bad(k, "safari, chrome, edge, firefox, samsung, opera or other")
                            })?,
                    );
                }
                "language" => {
                    // A locale (`en_US`, `de-DE`) gives its language; anything else (`C`,
                    // empty, 300 characters) is refused here and never reaches `Intl`.
                    let l = text().and_then(normalise_locale).map(|l| {
                        l.split_once('-')
                            .map_or(l.clone(), |(lang, _)| lang.to_owned())
                    });
                    o.language = Some(l.ok_or_else(|| bad(k, "an ISO 639 code"))?);
                }
                "trafficSource" => {
                    let all = [
                        TrafficSource::Direct,
                        TrafficSource::Internal,
                        TrafficSource::Search,
                        TrafficSource::Social,
                        TrafficSource::Email,
                        TrafficSource::Paid,
                        TrafficSource::Referral,
                    ];
                    o.traffic_source = Some(
                        all.into_iter()
                            .find(|d| Some(d.name()) == text())
                            .ok_or_else(|| bad(k, "a traffic source"))?,
                    );
                }
                "localHour" => {
                    o.local_hour =
                        Some(small(23.0).ok_or_else(|| bad(k, "a whole number from 0 to 23"))?)
                }
                "weekday" => {
                    o.weekday =
                        Some(small(6.0).ok_or_else(|| bad(k, "a whole number from 0 to 6"))?)
                }
                _ => {
                    return Err(crate::config::ConfigError(format!(
                        "unknown context field \"{}\"",
                        k.chars().take(40).collect::<String>()
                    )))
                }
            }
        }
        Ok(o)
    }

    /// `self` with every field `other` sets replaced.
    pub fn merged(&self, other: &ContextOverride) -> ContextOverride {
        ContextOverride {
            country: other.country.clone().or(self.country.clone()),
            device: other.device.or(self.device),
            os: other.os.or(self.os),
            browser: other.browser.or(self.browser),
            language: other.language.clone().or(self.language.clone()),
            traffic_source: other.traffic_source.or(self.traffic_source),
            local_hour: other.local_hour.or(self.local_hour),
            weekday: other.weekday.or(self.weekday),
        }
    }

    pub fn apply(&self, c: &mut Context) {
        if let Some(x) = &self.country {
            c.country = Some(x.clone());
        }
        if let Some(x) = self.device {
            c.device = x;
        }
        if let Some(x) = self.os {
            c.os = x;
        }
        if let Some(x) = self.browser {
            c.browser = x;
        }
        if let Some(x) = &self.language {
            c.language = Some(x.clone());
        }
        if let Some(x) = self.traffic_source {
            c.traffic_source = x;
        }
        if let Some(x) = self.local_hour {
            c.local_hour = x;
        }
        if let Some(x) = self.weekday {
            c.weekday = x;
        }
    }
}

/// Local hour (0–23) and weekday (0 = Monday) at `now_ms` for a `getTimezoneOffset()` value.
pub fn local_time(now_ms: i64, tz_offset_min: i64) -> (u8, u8) {
    let local_min = now_ms.div_euclid(60_000) - tz_offset_min;
    let day = local_min.div_euclid(1440);
    let hour = local_min.rem_euclid(1440) / 60;
    // 1970-01-01 was a Thursday (weekday 3 when Monday is 0).
    let weekday = (day + 3).rem_euclid(7);
    (hour as u8, weekday as u8)
}

/// `de_de`, `DE-de` → `de-DE`; anything that is not `ll` or `ll-RR` (ignoring script) → None.
fn normalise_locale(tag: &str) -> Option<String> {
    let mut parts = tag.trim().split(['-', '_']);
    let lang = parts.next()?;
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = lang.to_ascii_lowercase();
    for p in parts {
        if p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()) {
            out.push('-');
            out.push_str(&p.to_ascii_uppercase());
            break;
        }
    }
    Some(out)
}

fn region_of(locale: &str) -> Option<String> {
    locale
        .split_once('-')
        .map(|(_, r)| r.to_owned())
        .filter(|r| r.len() == 2)
}

/// The country of an IANA time zone, for the zones shoppers most often report.
pub fn country_of_zone(zone: &str) -> Option<&'static str> {
    const ZONES: &[(&str, &str)] = &[
        ("Europe/Amsterdam", "NL"),
        ("Europe/Andorra", "AD"),
        ("Europe/Athens", "GR"),
        ("Europe/Belgrade", "RS"),
        ("Europe/Berlin", "DE"),
        ("Europe/Bratislava", "SK"),
        ("Europe/Brussels", "BE"),
        ("Europe/Bucharest", "RO"),
        ("Europe/Budapest", "HU"),
        ("Europe/Copenhagen", "DK"),
        ("Europe/Dublin", "IE"),
        ("Europe/Helsinki", "FI"),
        ("Europe/Istanbul", "TR"),
        ("Europe/Kiev", "UA"),
        ("Europe/Kyiv", "UA"),
        ("Europe/Lisbon", "PT"),
        ("Europe/Ljubljana", "SI"),
        ("Europe/London", "GB"),
        ("Europe/Luxembourg", "LU"),
        ("Europe/Madrid", "ES"),
        ("Europe/Moscow", "RU"),
        ("Europe/Oslo", "NO"),
        ("Europe/Paris", "FR"),
        ("Europe/Prague", "CZ"),
        ("Europe/Riga", "LV"),
        ("Europe/Rome", "IT"),
        ("Europe/Sofia", "BG"),
        ("Europe/Stockholm", "SE"),
        ("Europe/Tallinn", "EE"),
        ("Europe/Vienna", "AT"),
        ("Europe/Vilnius", "LT"),
        ("Europe/Warsaw", "PL"),
        ("Europe/Zagreb", "HR"),
        ("Europe/Zurich", "CH"),
        ("America/New_York", "US"),
        ("America/Chicago", "US"),
        ("America/Denver", "US"),
        ("America/Phoenix", "US"),
        ("America/Los_Angeles", "US"),
        ("America/Anchorage", "US"),
        ("Pacific/Honolulu", "US"),
        ("America/Toronto", "CA"),
        ("America/Vancouver", "CA"),
        ("America/Mexico_City", "MX"),
        ("America/Sao_Paulo", "BR"),
        ("America/Argentina/Buenos_Aires", "AR"),
        ("America/Bogota", "CO"),
        ("America/Lima", "PE"),
        ("America/Santiago", "CL"),
        ("Asia/Shanghai", "CN"),
        ("Asia/Chongqing", "CN"),
        ("Asia/Urumqi", "CN"),
        ("Asia/Hong_Kong", "HK"),
        ("Asia/Taipei", "TW"),
        ("Asia/Tokyo", "JP"),
        ("Asia/Seoul", "KR"),
        ("Asia/Singapore", "SG"),
        ("Asia/Kolkata", "IN"),
        ("Asia/Calcutta", "IN"),
        ("Asia/Jakarta", "ID"),
        ("Asia/Bangkok", "TH"),
        ("Asia/Manila", "PH"),
        ("Asia/Ho_Chi_Minh", "VN"),
        ("Asia/Kuala_Lumpur", "MY"),
        ("Asia/Dubai", "AE"),
        ("Asia/Riyadh", "SA"),
        ("Asia/Jerusalem", "IL"),
        ("Australia/Sydney", "AU"),
        ("Australia/Melbourne", "AU"),
        ("Australia/Brisbane", "AU"),
        ("Australia/Perth", "AU"),
        ("Pacific/Auckland", "NZ"),
        ("Africa/Johannesburg", "ZA"),
        ("Africa/Lagos", "NG"),
        ("Africa/Cairo", "EG"),
        ("Africa/Nairobi", "KE"),
    ];
    ZONES.iter().find(|(z, _)| *z == zone).map(|(_, c)| *c)
}

/// The host of an absolute http(s) URL, lowercased, without `www.` and port.
fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    let host = host.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_owned())
}

fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then_some(v)
    })
}

pub fn traffic_source(referrer: Option<&str>, page_url: Option<&str>) -> TrafficSource {
    if let Some(url) = page_url {
        if query_param(url, "gclid").is_some()
            || query_param(url, "fbclid").is_some() && query_param(url, "utm_medium").is_some()
            || query_param(url, "msclkid").is_some()
        {
            return TrafficSource::Paid;
        }
        match query_param(url, "utm_medium").map(|m| m.to_ascii_lowercase()) {
            Some(m)
                if ["cpc", "ppc", "paid", "paidsearch", "display", "cpm"].contains(&m.as_str()) =>
            {
                return TrafficSource::Paid
            }
            Some(m) if m == "email" || m == "newsletter" => return TrafficSource::Email,
            Some(m) if m == "social" || m == "social-media" => return TrafficSource::Social,
            _ => {}
        }
    }
    let Some(ref_host) = referrer.filter(|r| !r.is_empty()).and_then(host_of) else {
        return TrafficSource::Direct;
    };
    if page_url.and_then(host_of).is_some_and(|h| h == ref_host) {
        return TrafficSource::Internal;
    }
    let first = ref_host.split('.').next().unwrap_or("");
    const SEARCH: &[&str] = &[
        "google",
        "bing",
        "duckduckgo",
        "yahoo",
        "baidu",
        "yandex",
        "ecosia",
        "qwant",
        "naver",
    ];
    const SOCIAL: &[&str] = &[
        "facebook",
        "instagram",
        "t",
        "x",
        "twitter",
        "linkedin",
        "pinterest",
        "reddit",
        "tiktok",
        "youtube",
        "lm",
        "l",
    ];
    const EMAIL: &[&str] = &["mail", "outlook", "webmail"];
    if EMAIL.contains(&first) {
        TrafficSource::Email
    } else if SEARCH.iter().any(|s| ref_host.split('.').any(|p| p == *s)) {
        TrafficSource::Search
    } else if SOCIAL.contains(&first)
        || SOCIAL
            .iter()
            .any(|s| ref_host.starts_with(&format!("{s}.com")))
    {
        TrafficSource::Social
    } else {
        TrafficSource::Referral
    }
}
#[cfg(test)]
mod tests;
