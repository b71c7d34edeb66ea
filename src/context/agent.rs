//! What the user agent says: device class, OS and browser family (only the classes leave).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceClass {
    Mobile,
    Tablet,
    Desktop,
    Bot,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Ios,
    Android,
    Windows,
    Macos,
    Linux,
    Chromeos,
    Other,
}

/// The browser family, as payment wallets depend on it (Apple Pay in Safari, Google Pay
/// in Chrome and other Chromium browsers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Safari,
    Chrome,
    Edge,
    Firefox,
    Samsung,
    Opera,
    Other,
}

impl Browser {
    pub const ALL: [Browser; 7] = [
        Browser::Safari,
        Browser::Chrome,
        Browser::Edge,
        Browser::Firefox,
        Browser::Samsung,
        Browser::Opera,
        Browser::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Browser::Safari => "safari",
            Browser::Chrome => "chrome",
            Browser::Edge => "edge",
            Browser::Firefox => "firefox",
            Browser::Samsung => "samsung",
            Browser::Opera => "opera",
            Browser::Other => "other",
        }
    }
}

impl DeviceClass {
    pub fn name(self) -> &'static str {
        match self {
            DeviceClass::Mobile => "mobile",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Desktop => "desktop",
            DeviceClass::Bot => "bot",
            DeviceClass::Unknown => "unknown",
        }
    }
}

impl Os {
    pub fn name(self) -> &'static str {
        match self {
            Os::Ios => "ios",
            Os::Android => "android",
            Os::Windows => "windows",
            Os::Macos => "macos",
            Os::Linux => "linux",
            Os::Chromeos => "chromeos",
            Os::Other => "other",
        }
    }
}

pub fn device_class(ua: &str, viewport_width: Option<f64>, touch: bool) -> DeviceClass {
    let ua_l = ua.to_ascii_lowercase();
    if ["bot", "crawler", "spider", "headlesschrome", "lighthouse"]
        .iter()
        .any(|b| ua_l.contains(b))
    {
        return DeviceClass::Bot;
    }
    if ua_l.contains("ipad")
        || ua_l.contains("tablet")
        || (ua_l.contains("android") && !ua_l.contains("mobile"))
        // iPadOS reports a Mac user agent; touch support gives it away.
        || (ua_l.contains("macintosh") && touch)
    {
        return DeviceClass::Tablet;
    }
    if ua_l.contains("mobi") || ua_l.contains("iphone") || ua_l.contains("ipod") {
        return DeviceClass::Mobile;
    }
    match viewport_width {
        Some(w) if w.is_finite() && w > 0.0 && w < 600.0 => DeviceClass::Mobile,
        Some(w) if w.is_finite() && w > 0.0 && w < 1024.0 && touch => DeviceClass::Tablet,
        _ if ua.is_empty() => DeviceClass::Unknown,
        _ => DeviceClass::Desktop,
    }
}

pub fn os_of(ua: &str) -> Os {
    let ua = ua.to_ascii_lowercase();
    if ua.contains("iphone") || ua.contains("ipad") || ua.contains("ipod") {
        Os::Ios
    } else if ua.contains("android") {
        Os::Android
    } else if ua.contains("cros") {
        Os::Chromeos
    } else if ua.contains("windows") {
        Os::Windows
    } else if ua.contains("mac os") || ua.contains("macintosh") {
        Os::Macos
    } else if ua.contains("linux") {
        Os::Linux
    } else {
        Os::Other
    }
}

/// The browser family from a user agent. Order matters: Edge, Opera and Samsung Internet
/// also say `Chrome` and `Safari`, Chrome also says `Safari`, and every iOS browser is
/// WebKit (`CriOS`, `FxiOS`, `EdgiOS` name the app, whose wallets follow the app).
pub fn browser_of(ua: &str) -> Browser {
    let ua = ua.to_ascii_lowercase();
    let has = |s: &str| ua.contains(s);
    if has("edg/") || has("edga/") || has("edgios/") {
        Browser::Edge
    } else if has("opr/") || has("opt/") || has("opera") {
        Browser::Opera
    } else if has("samsungbrowser/") {
        Browser::Samsung
    } else if has("firefox/") || has("fxios/") {
        Browser::Firefox
    } else if has("chrome/") || has("crios/") || has("chromium/") {
        Browser::Chrome
    } else if has("safari/") && has("version/") {
        Browser::Safari
    } else {
        Browser::Other
    }
}
