//! Every key this module writes, for one namespace, and the table that documents them.
//!
//! Nothing else builds a key: the journal, the identity, the model cache and the export log
//! ask `Keys`. `TABLE` is what README.md's privacy section shows (a test keeps the two
//! equal), so a privacy officer can audit what is stored without reading code.

/// The stored-data schema version (`ns:meta`).
pub const SCHEMA_VERSION: u32 = 1;

/// The keys of one namespace (`ns`: letters, digits, `_`, `-`; validated by the options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    ns: String,
}

/// What a key of our namespace is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Meta,
    /// A journal segment of schema 1, of this tab (`u32` as 8 hex digits).
    Segment(u32),
    Uid,
    Salt,
    Traits,
    Exported,
    Model,
    /// Under our schema-1 prefix (`ns:1:`), but nothing this version writes: damage.
    Other,
    /// Under our prefix, but of another schema (`ns:2:…`): left alone, erased by `forget()`.
    Foreign,
}

impl Keys {
    pub fn new(namespace: &str) -> Keys {
        Keys {
            ns: namespace.to_owned(),
        }
    }

    pub fn namespace(&self) -> &str {
        &self.ns
    }

    fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.ns)
    }

    pub fn meta(&self) -> String {
        self.key("meta")
    }

    pub fn uid(&self) -> String {
        self.key("uid")
    }

    pub fn salt(&self) -> String {
        self.key("salt")
    }

    pub fn traits(&self) -> String {
        self.key("traits")
    }

    pub fn exported(&self) -> String {
        self.key("exported")
    }

    pub fn model(&self) -> String {
        self.key("model")
    }

    /// This tab's journal segment.
    pub fn segment(&self, tab: u32) -> String {
        format!("{}:{SCHEMA_VERSION}:j:{tab:08x}", self.ns)
    }

    /// Whether `key` is in our namespace (any schema version, any kind).
    pub fn is_ours(&self, key: &str) -> bool {
        key.strip_prefix(self.ns.as_str())
            .is_some_and(|rest| rest.starts_with(':'))
    }

    /// What `key` is (`None`: not ours).
    pub fn kind(&self, key: &str) -> Option<Kind> {
        let rest = key.strip_prefix(self.ns.as_str())?.strip_prefix(':')?;
        Some(match rest {
            "meta" => Kind::Meta,
            "uid" => Kind::Uid,
            "salt" => Kind::Salt,
            "traits" => Kind::Traits,
            "exported" => Kind::Exported,
            "model" => Kind::Model,
            _ if !rest.starts_with("1:") => Kind::Foreign,
            _ => rest
                .strip_prefix("1:j:")
                .filter(|tab| tab.len() == 8 && tab.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|tab| u32::from_str_radix(tab, 16).ok())
                .map_or(Kind::Other, Kind::Segment),
        })
    }
}

#[cfg(test)]
/// One row of the storage table: key (for namespace `ns`), content, written when, expires
/// when, erased by.
pub struct Row {
    pub key: &'static str,
    pub content: &'static str,
    pub written: &'static str,
    pub expires: &'static str,
    pub erased: &'static str,
}

#[cfg(test)]
/// Every key, as README.md's "What is stored" table shows it. Nothing is written before
/// personalisation consent; `forget()`, consent withdrawal (here or in another tab) and
/// starting with consent denied remove every key of the namespace.
pub const TABLE: &[Row] = &[
    Row {
        key: "ns:meta",
        content: "schema version (`1`)",
        written: "with the first other key",
        expires: "with the last other key",
        erased: "forget, withdrawal, denied at start",
    },
    Row {
        key: "ns:1:j:<tab>",
        content: "events of one page view: type, time, items (id, name, category, brand, price, quantity), value, currency, payment and shipping choice, coupon, experiment exposures, ranked payment and shipping lists (ids shown, their types, arm)",
        written: "batched after `track()`, on `pagehide` and when hidden",
        expires: "each event `retentionDays` after it happened; bounded by `maxEvents`/`maxBytes`",
        erased: "forget, withdrawal, denied at start",
    },
    Row {
        key: "ns:uid",
        content: "random pseudonymous browser id (experiments, exports)",
        written: "with the first stored event or trait, refreshed daily while in use",
        expires: "`retentionDays` after its last use",
        erased: "forget (a new, unrelated id follows), withdrawal, denied at start",
    },
    Row {
        key: "ns:salt",
        content: "random per-browser secret for the customer pseudonym (unless `idSalt` is set)",
        written: "with the first stored customer pseudonym",
        expires: "with `ns:traits`",
        erased: "forget, withdrawal, denied at start",
    },
    Row {
        key: "ns:traits",
        content: "`identify()` traits: loggedIn, loyaltyTier, customerSince, preferredLanguage, b2b, and the customer id's salted SHA-256 pseudonym",
        written: "on `identify()`",
        expires: "`retentionDays` after the last `identify()`",
        erased: "forget, withdrawal, denied at start",
    },
    Row {
        key: "ns:exported",
        content: "record ids already sent by `exportEvents`",
        written: "after a delivered export batch",
        expires: "ids leave with their events; the key `retentionDays` after the last export",
        erased: "forget, withdrawal, denied at start",
    },
    Row {
        key: "ns:model",
        content: "the last good model bundle, its URL and download time (no shopper data)",
        written: "after a verified download that differs from the cached copy",
        expires: "`retentionDays` after the download",
        erased: "forget, withdrawal, denied at start",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_kinds_agree() {
        let k = Keys::new("cp");
        for (key, kind) in [
            (k.meta(), Kind::Meta),
            (k.uid(), Kind::Uid),
            (k.salt(), Kind::Salt),
            (k.traits(), Kind::Traits),
            (k.exported(), Kind::Exported),
            (k.model(), Kind::Model),
            (k.segment(0xab), Kind::Segment(0xab)),
            ("cp:1:j:nothex!!".into(), Kind::Other),
            ("cp:1:other".into(), Kind::Other),
            ("cp:2:future".into(), Kind::Foreign),
        ] {
            assert_eq!(k.kind(&key), Some(kind), "{key}");
            assert!(k.is_ours(&key));
        }
        assert_eq!(k.segment(0xab), "cp:1:j:000000ab");
        for foreign in ["cpx:meta", "cp", "xcp:meta", "meta"] {
            assert_eq!(k.kind(foreign), None, "{foreign}");
            assert!(!k.is_ours(foreign));
        }
    }

    /// README.md shows the table as it is here.
    #[test]
    fn the_readme_shows_every_row() {
        let readme = include_str!("../../README.md");
        for r in TABLE {
            let line = format!(
                "| `{}` | {} | {} | {} | {} |",
                r.key, r.content, r.written, r.expires, r.erased
            );
            assert!(readme.contains(&line), "README.md lacks the row:\n{line}");
        }
    }
}
