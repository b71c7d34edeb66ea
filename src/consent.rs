//! Consent: whether this module may use the browser's storage.
//!
//! `Consent` is the page's answer; everything that reads or writes storage asks the
//! storage gate (`storage::Storage`), which only opens with `Consent::Granted`.
//! `ConsentMode` derives that answer from Google Consent Mode commands.

use crate::config::ConfigError;
use crate::value::Value;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Consent {
    Granted,
    Denied,
    Pending,
}

impl Consent {
    pub fn parse(s: &str) -> Result<Consent, ConfigError> {
        match s {
            "granted" => Ok(Consent::Granted),
            "denied" => Ok(Consent::Denied),
            "pending" => Ok(Consent::Pending),
            _ => Err(ConfigError(format!(
                "consent must be 'granted', 'denied' or 'pending', got \"{}\"",
                s.chars().take(40).collect::<String>()
            ))),
        }
    }
}

/// Google Consent Mode as gtag keeps it, read from the page's `dataLayer`: the combined
/// state of `personalization_storage` and `analytics_storage` after every `default` and
/// `update` command, in order.
///
/// - A `default` applies to the visitor when it has no `region`, or when one of its
///   regions (ISO 3166-2: `ES`, `US-CA`) matches the visitor's. A region-specific default
///   wins over a global one, a subdivision (`US-CA`) over its country (`US`); between equal
///   ones the later wins. When the visitor's region is unknown, the strictest applicable
///   default counts (a region-scoped `denied` beats a global `granted`).
/// - An `update` overrides the defaults (later updates override earlier ones).
/// - Personalisation storage follows `personalization_storage`. Only while that type was
///   never set does it follow `analytics_storage`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsentMode {
    /// The visitor's region, uppercase (`DE`, `US-CA`), if known.
    region: Option<String>,
    personalization: TypeState,
    analytics: TypeState,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct TypeState {
    /// `(rank, granted)` of the default in force: rank 1 global, 2 country, 3 subdivision.
    default: Option<(u8, bool)>,
    /// Unknown region: the strictest region-scoped default seen.
    regional_denied: bool,
    update: Option<bool>,
}

impl TypeState {
    fn state(&self, region_known: bool) -> Option<bool> {
        if let Some(u) = self.update {
            return Some(u);
        }
        let d = self.default.map(|(_, g)| g);
        if !region_known && self.regional_denied {
            return Some(false);
        }
        d
    }

    fn was_set(&self, region_known: bool) -> bool {
        self.state(region_known).is_some()
    }
}

impl ConsentMode {
    /// `region`: the visitor's ISO 3166-2 region or country (e.g. from geo-IP), if known.
    pub fn new(region: Option<&str>) -> ConsentMode {
        ConsentMode {
            region: region
                .map(|r| r.trim().to_ascii_uppercase())
                .filter(|r| !r.is_empty() && r.len() <= 10),
            ..ConsentMode::default()
        }
    }

    /// One `dataLayer` entry. Returns whether it was a consent command (anything else,
    /// including malformed commands, is ignored and never an error).
    pub fn apply(&mut self, entry: &Value) -> bool {
        let Value::List(args) = entry else {
            return false;
        };
        if !matches!(args.first(), Some(Value::Str(s)) if s == "consent") {
            return false;
        }
        let kind = match args.get(1) {
            Some(Value::Str(s)) => s.as_str(),
            _ => return false,
        };
        let Some(params @ Value::Map(_)) = args.get(2) else {
            return false;
        };
        let granted = |key: &str| match params.field(key) {
            Some(Value::Str(s)) if s == "granted" => Some(true),
            Some(Value::Str(s)) if s == "denied" => Some(false),
            _ => None,
        };
        let p = granted("personalization_storage");
        let a = granted("analytics_storage");
        match kind {
            "default" => {
                let rank = match self.rank_of(params.field("region")) {
                    Some(r) => r,
                    None => return true,
                };
                for (t, v) in [(&mut self.personalization, p), (&mut self.analytics, a)] {
                    let Some(v) = v else { continue };
                    match rank {
                        Rank::Applies(r) => {
                            if t.default.is_none_or(|(old, _)| r >= old) {
                                t.default = Some((r, v));
                            }
                        }
                        Rank::Unknown => t.regional_denied |= !v,
                    }
                }
                true
            }
            "update" => {
                for (t, v) in [(&mut self.personalization, p), (&mut self.analytics, a)] {
                    if let Some(v) = v {
                        t.update = Some(v);
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// How a default's `region` list relates to the visitor: `None` when it does not apply.
    fn rank_of(&self, regions: Option<&Value>) -> Option<Rank> {
        let list: Vec<&str> = match regions {
            None => return Some(Rank::Applies(1)),
            Some(Value::Str(s)) => vec![s.as_str()],
            Some(Value::List(l)) => l
                .iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            Some(_) => return None,
        };
        if list.is_empty() {
            return Some(Rank::Applies(1));
        }
        let Some(mine) = &self.region else {
            return Some(Rank::Unknown);
        };
        let country = mine.split('-').next().unwrap_or("");
        list.iter()
            .filter_map(|r| {
                let r = r.trim().to_ascii_uppercase();
                if r == *mine {
                    Some(if r.contains('-') { 3 } else { 2 })
                } else if r == country {
                    Some(2)
                } else {
                    None
                }
            })
            .max()
            .map(Rank::Applies)
    }

    /// Personalisation storage consent, if the commands so far say anything about it.
    pub fn state(&self) -> Option<Consent> {
        let known = self.region.is_some();
        let v = if self.personalization.was_set(known) {
            self.personalization.state(known)
        } else {
            self.analytics.state(known)
        };
        v.map(|g| if g { Consent::Granted } else { Consent::Denied })
    }
}

enum Rank {
    Applies(u8),
    /// Region-scoped, and the visitor's region is unknown.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs gtag commands (as `dataLayer` holds them) and returns the state.
    fn run(region: Option<&str>, commands: &[&str]) -> Option<Consent> {
        let mut m = ConsentMode::new(region);
        for c in commands {
            let v: Value = serde_json::from_str(c).unwrap();
            m.apply(&v);
        }
        m.state()
    }

    use Consent::{Denied, Granted};

    #[test]
    fn personalisation_follows_its_own_type_and_analytics_only_until_it_is_set() {
        let deny_all = r#"["consent","default",{"ad_storage":"denied","analytics_storage":"denied","personalization_storage":"denied"}]"#;
        // Analytics granted, personalisation still denied: no storage (the reported bug).
        assert_eq!(
            run(
                None,
                &[
                    deny_all,
                    r#"["consent","update",{"analytics_storage":"granted"}]"#
                ]
            ),
            Some(Denied)
        );
        assert_eq!(
            run(
                None,
                &[
                    deny_all,
                    r#"["consent","update",{"personalization_storage":"granted"}]"#
                ]
            ),
            Some(Granted)
        );
        // A page that never mentions personalization_storage: analytics_storage decides.
        assert_eq!(
            run(
                None,
                &[
                    r#"["consent","default",{"analytics_storage":"denied"}]"#,
                    r#"["consent","update",{"analytics_storage":"granted"}]"#
                ]
            ),
            Some(Granted)
        );
        // Partial updates leave the other types as they were.
        assert_eq!(
            run(
                None,
                &[
                    deny_all,
                    r#"["consent","update",{"personalization_storage":"granted"}]"#,
                    r#"["consent","update",{"ad_storage":"granted"}]"#
                ]
            ),
            Some(Granted)
        );
        assert_eq!(run(None, &[]), None);
        assert_eq!(
            run(None, &[r#"["consent","default",{"ad_storage":"granted"}]"#]),
            None
        );
    }

    #[test]
    fn regions_as_google_documents_them() {
        // Google's pattern: deny for EEA regions first, then grant everywhere else.
        let eu = r#"["consent","default",{"personalization_storage":"denied","region":["AT","BE","DE","ES","FR","IT","NL"]}]"#;
        let global = r#"["consent","default",{"personalization_storage":"granted"}]"#;
        assert_eq!(run(Some("DE"), &[eu, global]), Some(Denied));
        assert_eq!(
            run(Some("de"), &[global, eu]),
            Some(Denied),
            "order does not matter"
        );
        assert_eq!(run(Some("US"), &[eu, global]), Some(Granted));
        assert_eq!(
            run(Some("ES-MD"), &[eu, global]),
            Some(Denied),
            "a subdivision's country"
        );
        // Unknown region: the strictest applicable default.
        assert_eq!(run(None, &[eu, global]), Some(Denied));
        // A subdivision wins over its country, whatever the order.
        let us = r#"["consent","default",{"personalization_storage":"granted","region":["US"]}]"#;
        let ca = r#"["consent","default",{"personalization_storage":"denied","region":["US-CA"]}]"#;
        assert_eq!(run(Some("US-CA"), &[ca, us]), Some(Denied));
        assert_eq!(run(Some("US-NY"), &[ca, us]), Some(Granted));
        // An update applies everywhere.
        let grant = r#"["consent","update",{"personalization_storage":"granted"}]"#;
        assert_eq!(run(Some("DE"), &[eu, global, grant]), Some(Granted));
        assert_eq!(run(None, &[eu, global, grant]), Some(Granted));
    }

    #[test]
    fn malformed_commands_are_ignored_never_errors() {
        for c in [
            r#"["consent","update",null]"#,
            r#"["consent","update"]"#,
            r#"["consent",null,{}]"#,
            r#"["consent","default",{"personalization_storage":"granted","region":5}]"#,
            r#"["consent","update",{"personalization_storage":"yes"}]"#,
            r#"["config","G-XXXX"]"#,
            r#"{"event":"gtm.js"}"#,
            r#"{"0":"consent","1":"update"}"#,
        ] {
            assert_eq!(run(Some("DE"), &[c]), None, "{c}");
        }
    }
}
