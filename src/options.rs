//! The constructor options of `Personalizer`, read from a plain object.
//!
//! Unknown option names are refused (a misspelt `consent` must not silently leave the
//! default in force); every number is range-checked. The `now` clock is a JS function and
//! is handled by the web layer; everything else is decided here. Pure.

use crate::config::ConfigError;
use crate::consent::Consent;
use crate::context::ContextOverride;
use crate::journal::JournalConfig;
use crate::profile::ProfileConfig;
use crate::value::Value;

/// The journal's and the profile's configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackerConfig {
    pub journal: JournalConfig,
    pub profile: ProfileConfig,
}

impl TrackerConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let ns = &self.journal.namespace;
        if ns.is_empty()
            || ns.len() > 32
            || !ns
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(ConfigError(
                "namespace must be 1 to 32 letters, digits, '_' or '-'".into(),
            ));
        }
        if self.journal.max_events == 0 || self.journal.max_chars < 1024 {
            return Err(ConfigError(
                "maxEvents must be at least 1 and maxBytes at least 1024".into(),
            ));
        }
        if self.journal.retention_ms <= 0 {
            return Err(ConfigError("retentionDays must be positive".into()));
        }
        let p = &self.profile;
        if p.session_timeout_ms <= 0
            || !(p.short_half_life_ms > 0.0 && p.short_half_life_ms.is_finite())
            || !(p.long_half_life_ms > 0.0 && p.long_half_life_ms.is_finite())
        {
            return Err(ConfigError(
                "session timeout and half-lives must be positive".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    /// `window.localStorage`, falling back to memory when it is missing or throws.
    Local,
    /// Memory only: nothing outlives the page.
    Memory,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub tracker: TrackerConfig,
    pub consent: Consent,
    pub storage: StorageKind,
    /// Delay between a `track()` and the batched write, in ms.
    pub flush_delay_ms: u32,
    /// The page's own user id for experiments (e.g. its GrowthBook id).
    pub user_id: Option<String>,
    /// Context fields set by the page over what is derived.
    pub context: ContextOverride,
    /// Base64 of the raw P-256 public key bundles must be signed with (`personalizer keygen`).
    pub public_key: Option<String>,
    /// Salt of the customer-id pseudonym (default: per namespace).
    pub id_salt: Option<String>,
    /// Follow Google Consent Mode in the page's `dataLayer` (`consentMode: true` or
    /// `{region}`): `Some(region)`, the visitor's ISO 3166-2 region if the page knows it.
    pub consent_mode: Option<Option<String>>,
    /// How long after navigation start the DOM wiring may still apply a list's first
    /// decision (`decisionDeadlineMs`); past it the page keeps its own order.
    pub decision_deadline_ms: u32,
}

/// `decisionDeadlineMs` by default (see BENCHMARKS.md, "page experience").
pub const DEFAULT_DECISION_DEADLINE_MS: u32 = 150;

impl Default for Options {
    fn default() -> Self {
        Options {
            tracker: TrackerConfig::default(),
            consent: Consent::Pending,
            storage: StorageKind::Local,
            flush_delay_ms: 1000,
            user_id: None,
            context: ContextOverride::default(),
            public_key: None,
            id_salt: None,
            consent_mode: None,
            decision_deadline_ms: DEFAULT_DECISION_DEADLINE_MS,
        }
    }
}

/// Option names the web layer reads itself (functions cannot be plain values).
pub const FUNCTION_OPTIONS: &[&str] = &["now"];

impl Options {
    /// Reads the options object's plain entries (`now` excluded).
    pub fn from_entries(entries: &[(String, Value)]) -> Result<Options, ConfigError> {
        let mut o = Options::default();
        for (key, value) in entries {
            if matches!(value, Value::Null) {
                continue;
            }
            let bad = |what: &str| ConfigError(format!("\"{key}\" must be {what}"));
            // The range is spelt out as text: formatting floats costs KBs of wasm.
            let num = |lo: f64, hi: f64, range: &str| match value {
                Value::Num(n) if n.is_finite() && *n >= lo && *n <= hi => Ok(*n),
                _ => Err(bad(&format!("a number from {range}"))),
            };
            let j = &mut o.tracker.journal;
            let p = &mut o.tracker.profile;
            match key.as_str() {
                "namespace" => match value {
                    Value::Str(s) => j.namespace = s.clone(),
                    _ => return Err(bad("a string")),
                },
                "consent" => match value {
                    Value::Str(s) => o.consent = Consent::parse(s)?,
                    _ => return Err(bad("'granted', 'denied' or 'pending'")),
                },
                "storage" => match value {
                    Value::Str(s) if s == "local" => o.storage = StorageKind::Local,
                    Value::Str(s) if s == "memory" => o.storage = StorageKind::Memory,
                    _ => return Err(bad("'local' or 'memory'")),
                },
                "maxEvents" => j.max_events = num(1.0, 100_000.0, "1 to 100000")? as usize,
                "maxBytes" => j.max_chars = num(1024.0, 4_000_000.0, "1024 to 4000000")? as usize,
                "retentionDays" => {
                    j.retention_ms = (num(0.001, 3650.0, "0.001 to 3650")? * 86_400_000.0) as i64
                }
                "sessionTimeoutMinutes" => {
                    p.session_timeout_ms = (num(1.0, 1440.0, "1 to 1440")? * 60_000.0) as i64
                }
                "intentHalfLifeMinutes" => {
                    p.short_half_life_ms = num(0.1, 1440.0, "0.1 to 1440")? * 60_000.0
                }
                "historyHalfLifeDays" => {
                    p.long_half_life_ms = num(0.01, 3650.0, "0.01 to 3650")? * 86_400_000.0
                }
                "flushDelayMs" => o.flush_delay_ms = num(0.0, 60_000.0, "0 to 60000")? as u32,
                "decisionDeadlineMs" => {
                    o.decision_deadline_ms = num(0.0, 60_000.0, "0 to 60000")? as u32
                }
                "userId" => match value {
                    Value::Str(s) if !s.is_empty() && s.len() <= 200 => o.user_id = Some(s.clone()),
                    Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                        o.user_id = Some((*n as i64).to_string())
                    }
                    _ => return Err(bad("a string of 1 to 200 characters")),
                },
                "context" => o.context = ContextOverride::from_value(value)?,
                "consentMode" => match value {
                    Value::Bool(false) => o.consent_mode = None,
                    Value::Bool(true) => o.consent_mode = Some(None),
                    Value::Map(_) => match value.field("region") {
                        None => o.consent_mode = Some(None),
                        Some(Value::Str(r))
                            if (2..=10).contains(&r.len())
                                && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
                        {
                            o.consent_mode = Some(Some(r.clone()))
                        }
                        Some(_) => {
                            return Err(bad(
                                "true, false or {region} with an ISO 3166-2 region such as 'DE' or 'US-CA'",
                            ))
                        }
                    },
                    _ => {
                        return Err(bad(
                            "true, false or {region} with an ISO 3166-2 region such as 'DE' or 'US-CA'",
                        ))
                    }
                },
                "idSalt" => match value {
                    Value::Str(s) if !s.is_empty() && s.len() <= 200 => o.id_salt = Some(s.clone()),
                    _ => return Err(bad("a string of 1 to 200 characters")),
                },
                "publicKey" => match value {
                    Value::Str(s)
                        if crate::base64::base64_decode(s.trim_end_matches('='))
                            .is_some_and(|k| k.len() == 65 && k[0] == 4) =>
                    {
                        o.public_key = Some(s.trim_end_matches('=').to_owned())
                    }
                    _ => {
                        return Err(bad(
                            "the base64 of a raw P-256 public key (personalizer keygen)",
                        ))
                    }
                },
                _ => {
                    return Err(ConfigError(format!(
                        "unknown option \"{}\"",
                        key.chars().take(40).collect::<String>()
                    )))
                }
            }
        }
        o.tracker.validate()?;
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Result<Options, String> {
        let v: Value = serde_json::from_str(json).unwrap();
        let Value::Map(entries) = v else { panic!() };
        Options::from_entries(&entries).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_overrides() {
        let o = check("{}").unwrap();
        assert_eq!(o, Options::default());
        assert_eq!(o.consent, Consent::Pending, "privacy by default");
        let o = check(
            r#"{"namespace":"shop_1","consent":"granted","storage":"memory",
            "maxEvents":50,"retentionDays":7,"sessionTimeoutMinutes":15,"flushDelayMs":0}"#,
        )
        .unwrap();
        assert_eq!(o.tracker.journal.namespace, "shop_1");
        assert_eq!(o.consent, Consent::Granted);
        assert_eq!(o.storage, StorageKind::Memory);
        assert_eq!(o.tracker.journal.max_events, 50);
        assert_eq!(o.tracker.journal.retention_ms, 7 * 86_400_000);
        assert_eq!(o.tracker.profile.session_timeout_ms, 15 * 60_000);
        assert_eq!(o.flush_delay_ms, 0);
        assert!(check(r#"{"consent":null}"#).is_ok());
    }

    #[test]
    fn refuses_bad_options_by_name() {
        for (json, msg) in [
            (
                r#"{"consnet":"granted"}"#,
                "config: unknown option \"consnet\"",
            ),
            (
                r#"{"consent":"yes"}"#,
                "config: consent must be 'granted', 'denied' or 'pending', got \"yes\"",
            ),
            (
                r#"{"consent":true}"#,
                "config: \"consent\" must be 'granted', 'denied' or 'pending'",
            ),
            (
                r#"{"storage":"session"}"#,
                "config: \"storage\" must be 'local' or 'memory'",
            ),
            (
                r#"{"namespace":"a:b"}"#,
                "config: namespace must be 1 to 32 letters, digits, '_' or '-'",
            ),
            (
                r#"{"namespace":""}"#,
                "config: namespace must be 1 to 32 letters, digits, '_' or '-'",
            ),
            (
                r#"{"maxEvents":0}"#,
                "config: \"maxEvents\" must be a number from 1 to 100000",
            ),
            (
                r#"{"maxBytes":"big"}"#,
                "config: \"maxBytes\" must be a number from 1024 to 4000000",
            ),
        ] {
            assert_eq!(check(json).unwrap_err(), msg, "{json}");
        }
    }
}
