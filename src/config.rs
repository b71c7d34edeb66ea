//! `ConfigError`: a bad option, from the constructor, `setContext` or `setConsent`.
//!
//! A leaf on purpose: options, context and consent all report through it, and none of them
//! may depend on another for it.

use std::fmt;

/// A bad option. Displays as `config: …` (a stable, area-prefixed message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "config: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}
