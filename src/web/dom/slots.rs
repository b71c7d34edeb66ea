//! The slots that render into reserved space: cross-sell cards from the `<template>` and
//! the catalogue, and messages.

use super::*;

/// The inline catalogue's script element, if the page has one.
pub(super) fn inline_catalog(root: &Element) -> Option<Element> {
    query_all(
        root,
        r#"script[type="application/json"][data-personalize="catalog"]"#,
    )
    .into_iter()
    .next()
}

/// Reads a catalogue's JSON text (up to `MAX_CATALOG` items).
pub(super) fn parse_catalog(text: &str) -> Option<Vec<CatalogItem>> {
    let v = json_parse(text).ok()?;
    let v = crate::web::convert::to_value_with(&v, MAX_CATALOG).ok()?;
    catalog_from_value(&v)
}

/// A price in the shopper's locale and the item's currency; a plain `2.50 EUR` when `Intl`
/// refuses either (an unknown currency, a locale it cannot read).
pub(super) fn format_price(price: f64, currency: Option<&str>, locale: Option<&str>) -> String {
    let locales = js_sys::Array::new();
    if let Some(l) = locale {
        locales.push(&JsValue::from_str(l));
    }
    let opts = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&opts, &k.into(), v);
    if let Some(c) = currency {
        let _ = set("style", &"currency".into());
        let _ = set("currency", &c.into());
    } else {
        let _ = set("minimumFractionDigits", &2.into());
    }
    let intl = number_format(&locales, &opts)
        .ok()
        .and_then(|f| {
            let format = js_sys::Reflect::get(&f, &"format".into()).ok()?;
            format
                .dyn_into::<js_sys::Function>()
                .ok()?
                .call1(&f, &JsValue::from_f64(price))
                .ok()
        })
        .and_then(|v| v.as_string());
    intl.unwrap_or_else(|| {
        let plain = js_sys::Number::from(price)
            .to_fixed(2)
            .map(String::from)
            .unwrap_or_default();
        match currency {
            Some(c) => format!("{plain} {c}"),
            None => plain,
        }
    })
}

impl DomState {
    /// Reads the inline catalogue again when the page changed its text.
    pub(super) fn refresh_catalog(&self) {
        if self.catalog_set_by_call.get() {
            return;
        }
        let Some(script) = inline_catalog(&self.root) else {
            return;
        };
        let text = script.text_content().unwrap_or_default();
        if self.catalog_text.borrow().as_deref() == Some(text.as_str()) {
            return;
        }
        match parse_catalog(&text) {
            Some(items) => *self.catalog.borrow_mut() = items,
            None => web_sys::console::warn_1(
                &"checkout-personalizer: the inline catalogue is not a JSON array; ignored".into(),
            ),
        }
        *self.catalog_text.borrow_mut() = Some(text);
    }

    pub(super) fn fill_cross_sells(&self, inner: &Inner, m: &mut Managed, why: Why) {
        let slot = m.el.clone();
        let Some(template) = query_all(&slot, "template")
            .into_iter()
            .next()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTemplateElement>().ok())
        else {
            return;
        };
        let catalog = self.catalog.borrow();
        let now = inner.now();
        let Some(mut t) = inner.try_tracker() else {
            return;
        };
        let in_cart: Vec<String> = t
            .profile(now)
            .cart
            .items
            .iter()
            .map(|l| l.id.clone())
            .collect();
        // Shown cards whose item went into the cart say so (the slot itself may not move).
        for card in query_all(&slot, "[data-personalize-item]") {
            let id = attr(&card, "data-personalize-item").unwrap_or_default();
            set_attr_if_changed(
                &card,
                "data-personalize-in-cart",
                in_cart.contains(&id).then_some("true"),
            );
        }
        if m.phase == Phase::Shown && (why != Why::Asked || !m.movable()) {
            return;
        }
        let limit = attr(&slot, "data-limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(5)
            .min(crate::rank::MAX_CROSS_SELLS);
        let req = CrossSellRequest {
            items: None,
            limit: Some(limit),
            candidates: (!catalog.is_empty())
                .then(|| catalog.iter().map(|c| c.id.clone()).collect()),
        };
        let ranking = t.rank_cross_sells(&req, now);
        let locale = t.locale(now);
        drop(t);
        let name_of = |id: &str| -> String {
            catalog
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.name.clone())
                .or_else(|| {
                    ranking
                        .items
                        .iter()
                        .find(|r| r.id == id)
                        .and_then(|r| r.name.clone())
                })
                .unwrap_or_else(|| id.to_owned())
        };
        // What the slot shows: ids and reasons. Re-render only when it changes.
        let signature: String = ranking
            .items
            .iter()
            .map(|r| format!("{}\u{1f}{}", r.id, reason_text(&r.reasons, &name_of)))
            .collect::<Vec<_>>()
            .join("\u{1e}");
        let shown = query_all(&slot, "[data-personalize-item]");
        m.phase = Phase::Shown;
        if attr(&slot, "data-personalize-rendered").as_deref() == Some(signature.as_str())
            && shown.is_empty() == ranking.items.is_empty()
        {
            return;
        }
        for old in shown {
            old.remove();
        }
        let _ = slot.set_attribute("data-personalize-rendered", &signature);
        for r in &ranking.items {
            let item = catalog.iter().find(|c| c.id == r.id);
            let Ok(fragment) = template.content().clone_node_with_deep(true) else {
                continue;
            };
            let Ok(fragment) = fragment.dyn_into::<web_sys::DocumentFragment>() else {
                continue;
            };
            let elements = fragment.children();
            let tops: Vec<Element> = (0..elements.length())
                .filter_map(|i| elements.item(i))
                .collect();
            for top in &tops {
                fill_card(top, r, item, &name_of, locale.as_deref());
            }
            let _ = slot.append_child(&fragment);
        }
        let _ = slot.set_attribute(
            "data-personalize-state",
            ranking.fallback.unwrap_or("ranked"),
        );
    }
}

/// One card of a cross-sell slot, from the template's `[data-field]`s.
pub(super) fn fill_card(
    top: &Element,
    r: &crate::rank::Ranked,
    item: Option<&CatalogItem>,
    name_of: &dyn Fn(&str) -> String,
    locale: Option<&str>,
) {
    let _ = top.set_attribute("data-personalize-item", &r.id);
    let _ = top.set_attribute("data-item-id", &r.id);
    let mut fields = query_all(top, "[data-field]");
    if top.has_attribute("data-field") {
        fields.push(top.clone());
    }
    let link = |f: &Element, name: &str, url: Option<&str>| match url.filter(|u| safe_url(u)) {
        Some(u) => {
            let _ = f.set_attribute(name, u);
        }
        None => {
            let _ = f.remove_attribute(name);
        }
    };
    for f in fields {
        match attr(&f, "data-field").as_deref() {
            Some("name") => f.set_text_content(Some(&name_of(&r.id))),
            Some("price") => {
                let p = item.and_then(|i| i.price);
                let currency = item.and_then(|i| i.currency.as_deref());
                f.set_text_content(Some(
                    &p.map(|p| format_price(p, currency, locale))
                        .unwrap_or_default(),
                ));
            }
            Some("category") => f.set_text_content(Some(
                item.and_then(|i| i.category.as_deref())
                    .or(r.category.as_deref())
                    .unwrap_or(""),
            )),
            Some("reason") => f.set_text_content(Some(&reason_text(&r.reasons, name_of))),
            Some("url") => link(&f, "href", item.and_then(|i| i.url.as_deref())),
            Some("image") => link(&f, "src", item.and_then(|i| i.image.as_deref())),
            _ => {}
        }
    }
    // Buttons in the template track the item they belong to.
    for b in query_all(top, "[data-track]") {
        let _ = b.set_attribute("data-item-id", &r.id);
        if let Some(n) = item.and_then(|i| i.name.as_deref()) {
            let _ = b.set_attribute("data-item-name", n);
        }
        if let Some(c) = item.and_then(|i| i.category.as_deref()) {
            let _ = b.set_attribute("data-item-category", c);
        }
        if let Some(p) = item.and_then(|i| i.price) {
            // A JS number's own text: no float formatting in the wasm.
            let text = js_sys::Number::from(p)
                .to_string_with_radix(10)
                .map(String::from)
                .unwrap_or_default();
            let _ = b.set_attribute("data-item-price", &text);
        }
        if let Some(c) = item.and_then(|i| i.currency.as_deref()) {
            if !b.has_attribute("data-currency") {
                let _ = b.set_attribute("data-currency", c);
            }
        }
    }
}

/// `[data-personalize-message="<slot>"]` elements get their slot's message as text (or are
/// emptied when none applies); once shown, a message changes only while nobody touches it.
pub(super) fn fill_messages(inner: &Inner, s: &DomState, why: Why) {
    let els = query_all(&s.root, "[data-personalize-message]");
    if els.is_empty() {
        return;
    }
    let slots: Vec<String> = els
        .iter()
        .filter_map(|e| attr(e, "data-personalize-message"))
        .collect();
    let now = inner.now();
    let Some(t) = inner.try_tracker() else { return };
    let chosen = t.choose_messages(&slots, now);
    drop(t);
    let mut managed = s.managed.borrow_mut();
    for e in els {
        let Some(slot) = attr(&e, "data-personalize-message") else {
            continue;
        };
        let m = Managed::find_or_add(&mut managed, &e);
        if m.phase == Phase::Shown && (why != Why::Asked || !m.movable()) {
            continue;
        }
        m.phase = Phase::Shown;
        let chosen = chosen.iter().find(|c| c.slot == slot);
        set_text_if_changed(&e, chosen.and_then(|c| c.text.as_deref()).unwrap_or(""));
        set_attr_if_changed(&e, "data-message-id", chosen.and_then(|c| c.id.as_deref()));
        set_attr_if_changed(&e, "data-personalize-state", Some("ranked"));
    }
}
