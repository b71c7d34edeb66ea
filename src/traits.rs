//! What the storefront knows about the shopper: `identify({customer_id?, traits})`.
//!
//! Only whitelisted traits are kept (`loggedIn`, `loyaltyTier`, `customerSince`,
//! `preferredLanguage`, `b2b`); anything else is dropped. A `customer_id` is never kept
//! raw: it becomes `sha256(salt + ":" + id)` (hex, first 32 digits) before anything else
//! sees it. Traits feed feature sources (`trait.*`), segments and rules; the tracker stores
//! them (with consent) and `forget()` clears them. Pure.

use crate::event::personal_data;
use crate::value::Value;
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Traits {
    /// Pseudonym of the customer id (never the id itself).
    pub customer: Option<String>,
    pub logged_in: Option<bool>,
    pub loyalty_tier: Option<String>,
    /// ms since the epoch.
    pub customer_since: Option<i64>,
    pub preferred_language: Option<String>,
    pub b2b: Option<bool>,
}

pub fn pseudonym(salt: &str, customer_id: &str) -> String {
    let digest = crate::sha256::sha256(format!("{salt}:{customer_id}").as_bytes());
    crate::sha256::hex(&digest[..16])
}

/// A bad argument to `identify()`. Messages are stable: `identify: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraitsError(pub String);

impl std::fmt::Display for TraitsError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "identify: {}", self.0)
    }
}

impl std::error::Error for TraitsError {}

fn bad(field: &str, what: &str) -> TraitsError {
    TraitsError(format!("\"{field}\" must be {what}"))
}

impl Traits {
    /// Reads `{customer_id?, traits?: {...}}` over the current traits (given fields replace).
    /// Also returns the raw customer id given, for the caller to keep in memory only (the
    /// pseudonym is recomputed if the salt changes within the page view). A customer id that
    /// looks like personal data (an e-mail address, a card number) is refused: a shop must
    /// pass its own customer number.
    pub fn merged_from(
        &self,
        v: &Value,
        salt: &str,
    ) -> Result<(Traits, Option<String>), TraitsError> {
        let Value::Map(_) = v else {
            return Err(TraitsError("expects an object".into()));
        };
        let mut t = self.clone();
        let raw = match v.field("customer_id") {
            None => None,
            Some(Value::Str(s)) if !s.trim().is_empty() && s.len() <= 200 => {
                Some(s.trim().to_owned())
            }
            Some(Value::Num(n)) if n.fract() == 0.0 && n.abs() < 1e15 => {
                Some((*n as i64).to_string())
            }
            Some(_) => return Err(bad("customer_id", "a string or a whole number")),
        };
        if let Some(id) = &raw {
            if let Some(what) = personal_data(id) {
                return Err(TraitsError(format!(
                    "\"customer_id\" looks like personal data ({what}): pass the shop's customer number instead"
                )));
            }
            t.customer = Some(pseudonym(salt, id));
        }
        let Some(traits) = v.field("traits") else {
            return Ok((t, raw));
        };
        let Value::Map(entries) = traits else {
            return Err(bad("traits", "an object"));
        };
        let text = |k: &str, v: &Value, max: usize| match v {
            Value::Str(s)
                if !s.trim().is_empty() && s.len() <= max && personal_data(s).is_none() =>
            {
                Ok(s.trim().to_owned())
            }
            _ => Err(bad(
                k,
                &format!("a short text (at most {max} bytes, no personal data)"),
            )),
        };
        for (k, v) in entries {
            if matches!(v, Value::Null) {
                continue;
            }
            match k.as_str() {
                "loggedIn" => t.logged_in = Some(matches!(v, Value::Bool(true))),
                "b2b" => t.b2b = Some(matches!(v, Value::Bool(true))),
                "loyaltyTier" => t.loyalty_tier = Some(text(k, v, 40)?.to_ascii_lowercase()),
                "preferredLanguage" => {
                    t.preferred_language = Some(text(k, v, 12)?.to_ascii_lowercase())
                }
                "customerSince" => match v {
                    Value::Num(n) if n.is_finite() && *n >= 0.0 && *n <= 9e15 => {
                        t.customer_since = Some(*n as i64)
                    }
                    _ => return Err(bad(k, "a timestamp in milliseconds")),
                },
                // Minimisation: other traits (names, e-mail, addresses, …) are not kept.
                _ => {}
            }
        }
        Ok((t, raw))
    }

    /// These traits, with `other`'s where these have none.
    pub fn or(self, other: Traits) -> Traits {
        Traits {
            customer: self.customer.or(other.customer),
            logged_in: self.logged_in.or(other.logged_in),
            loyalty_tier: self.loyalty_tier.or(other.loyalty_tier),
            customer_since: self.customer_since.or(other.customer_since),
            preferred_language: self.preferred_language.or(other.preferred_language),
            b2b: self.b2b.or(other.b2b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn whitelist_pseudonym_and_round_trip() {
        let (t, raw) = Traits::default()
            .merged_from(&v(r#"{"customer_id":"C-123","traits":{"loggedIn":true,"loyaltyTier":"Gold","email":"a@b.de","name":"Ann","customerSince":1700000000000}}"#), "salt")
            .unwrap();
        assert_eq!(raw.as_deref(), Some("C-123"));
        assert_eq!(
            t.customer.as_deref(),
            Some(pseudonym("salt", "C-123").as_str())
        );
        assert_ne!(
            pseudonym("salt", "C-123"),
            pseudonym("other", "C-123"),
            "the salt matters"
        );
        assert_eq!(t.loyalty_tier.as_deref(), Some("gold"));
        assert_eq!(t.logged_in, Some(true));
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains("Ann") && !json.contains("a@b.de"), "{json}");
        let err = Traits::default()
            .merged_from(&v(r#"{"traits":{"loyaltyTier":"x@y.com"}}"#), "s")
            .unwrap_err();
        assert!(err.to_string().starts_with("identify: \"loyaltyTier\""));
    }

    #[test]
    fn a_customer_id_that_is_personal_data_is_refused() {
        for id in [
            r#""ann.smith@example.com""#,
            r#""4111 1111 1111 1111""#,
            "378282246310005",
        ] {
            let err = Traits::default()
                .merged_from(&v(&format!(r#"{{"customer_id":{id}}}"#)), "s")
                .unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("identify: \"customer_id\" looks like personal data"),
                "{id}: {err}"
            );
        }
        assert!(Traits::default()
            .merged_from(&v(r#"{"customer_id":"C-1234567"}"#), "s")
            .is_ok());
    }
}
