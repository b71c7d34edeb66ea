//! The page's catalogue for cross-sell slots: `[{item_id, item_name?, price?, currency?,
//! url?, image?, item_category?}]`, read leniently (a bad optional field costs that field,
//! a bad id costs the item), and the URL rule for what the slots link to.

use crate::value::Value;

/// Most catalogue items read from the page.
pub const MAX_CATALOG: usize = 5000;

/// One item of the page's catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogItem {
    pub id: String,
    pub name: Option<String>,
    pub price: Option<f64>,
    /// ISO 4217 (three letters, uppercase); anything else (`"€"`) is dropped.
    pub currency: Option<String>,
    pub url: Option<String>,
    pub image: Option<String>,
    pub category: Option<String>,
}

/// Reads the catalogue; items without a usable id are skipped. `None` when `v` is not an
/// array.
pub fn catalog_from_value(v: &Value) -> Option<Vec<CatalogItem>> {
    let Value::List(items) = v else {
        return None;
    };
    let text = |x: &Value, k: &str| match x.field(k) {
        Some(Value::Str(s)) if !s.trim().is_empty() && s.len() <= 2000 => Some(s.trim().to_owned()),
        _ => None,
    };
    let id = |x: &Value, k: &str| match x.field(k) {
        Some(Value::Num(n)) if n.fract() == 0.0 && n.abs() < 1e15 => Some((*n as i64).to_string()),
        _ => text(x, k).filter(|s| s.len() <= crate::event::MAX_ID),
    };
    Some(
        items
            .iter()
            .take(MAX_CATALOG)
            .filter_map(|x| {
                Some(CatalogItem {
                    id: id(x, "item_id").or_else(|| id(x, "id"))?,
                    name: text(x, "item_name").or_else(|| text(x, "name")),
                    price: x
                        .field("price")
                        .and_then(Value::number)
                        .filter(|p| p.is_finite() && p.abs() <= 1e12),
                    currency: text(x, "currency")
                        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
                        .map(|c| c.to_ascii_uppercase()),
                    url: text(x, "url"),
                    image: text(x, "image"),
                    category: text(x, "item_category").or_else(|| text(x, "category")),
                })
            })
            .collect(),
    )
}

/// `http:`/`https:` URLs and relative ones; never `javascript:`, `data:` or other schemes.
pub fn safe_url(u: &str) -> bool {
    let t = u.trim_start();
    if t.is_empty() || t.chars().any(|c| c.is_control()) {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return true;
    }
    // Relative: no scheme before the first '/', '?' or '#'.
    let head = t.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':') && !t.starts_with("//") && !t.starts_with('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Vec<CatalogItem> {
        catalog_from_value(&serde_json::from_str(json).unwrap()).unwrap()
    }

    #[test]
    fn a_bad_field_costs_that_field_and_a_bad_id_the_item() {
        let c = read(
            r#"[{"item_id":"a","price":"2.50","currency":"€"},
                {"item_id":7,"price":"1,99","currency":"eur"},
                {"item_id":"","price":1}, {"price":3}, 5,
                {"id":"b","price":"Infinity","name":"  B  "}]"#,
        );
        let ids: Vec<&str> = c.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["a", "7", "b"]);
        assert_eq!((c[0].price, c[0].currency.as_deref()), (Some(2.5), None));
        assert_eq!((c[1].price, c[1].currency.as_deref()), (None, Some("EUR")));
        assert_eq!((c[2].price, c[2].name.as_deref()), (None, Some("B")));
        assert_eq!(catalog_from_value(&Value::Str("x".into())), None);
    }

    #[test]
    fn a_catalogue_of_thousands_is_read_up_to_the_limit() {
        let items: Vec<Value> = (0..MAX_CATALOG + 10)
            .map(|i| {
                Value::Map(vec![
                    ("item_id".into(), Value::Str(format!("sku-{i}"))),
                    ("price".into(), Value::Num(i as f64)),
                ])
            })
            .collect();
        let c = catalog_from_value(&Value::List(items)).unwrap();
        assert_eq!(c.len(), MAX_CATALOG);
    }

    #[test]
    fn only_web_and_relative_urls() {
        for ok in [
            "https://x.y/p",
            "HTTP://x",
            "/p/1",
            "p/1?q=a:b",
            "#top",
            "?q=1",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:x",
            "data:text/html,x",
            "//evil.example/x",
            "\\\\evil",
            "vbscript:x",
            "",
            "a\u{0}b",
        ] {
            assert!(!safe_url(bad), "{bad}");
        }
    }
}
