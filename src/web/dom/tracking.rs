//! Auto-tracking: `[data-track]` clicks and choices in the managed lists become events.

use super::*;

pub(super) fn on_click(inner: &Rc<Inner>, e: &web_sys::Event) {
    let Some(el) = closest(e, "[data-track]") else {
        return;
    };
    let Some(kind) = attr(&el, "data-track") else {
        return;
    };
    let mut fields = vec![("type".to_owned(), Value::Str(kind))];
    if let Some(id) = attr(&el, "data-item-id") {
        let mut item = vec![("item_id".to_owned(), Value::Str(id))];
        for (a, k) in [
            ("data-item-name", "item_name"),
            ("data-item-category", "item_category"),
            ("data-item-brand", "item_brand"),
        ] {
            if let Some(v) = attr(&el, a) {
                item.push((k.to_owned(), Value::Str(v)));
            }
        }
        for (a, k) in [
            ("data-item-price", "price"),
            ("data-item-quantity", "quantity"),
        ] {
            if let Some(v) = attr(&el, a).and_then(|v| number(&v)) {
                item.push((k.to_owned(), Value::Num(v)));
            }
        }
        fields.push(("items".to_owned(), Value::List(vec![Value::Map(item)])));
    }
    if let Some(c) = attr(&el, "data-currency") {
        fields.push(("currency".to_owned(), Value::Str(c)));
    }
    if let Some(p) = attr(&el, "data-payment-method") {
        fields.push(("payment_type".to_owned(), Value::Str(p)));
    }
    inner.track_quietly(&Value::Map(fields), inner.now());
}

pub(super) fn on_change(inner: &Rc<Inner>, e: &web_sys::Event) {
    let checked = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_none_or(|i| i.type_() != "radio" && i.type_() != "checkbox" || i.checked());
    if !checked {
        return;
    }
    for (marker, id_attr, _, choice) in LISTS {
        let Some(el) = closest(e, &format!("[data-personalize=\"{marker}\"] [{id_attr}]")) else {
            continue;
        };
        let Some(id) = attr(&el, id_attr) else {
            continue;
        };
        let (kind, field) = match choice {
            Choice::Payment => ("select_payment_method", "payment_type"),
            Choice::Shipping => ("add_shipping_info", "shipping_tier"),
        };
        let v = Value::Map(vec![
            ("type".to_owned(), Value::Str(kind.into())),
            (field.to_owned(), Value::Str(id)),
        ]);
        inner.track_quietly(&v, inner.now());
        return;
    }
}
