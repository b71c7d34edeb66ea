//! The tracker over `MemoryStore`: consent, erasure (here and in other tabs), identity,
//! retention of every key, the model slot, exposures.

use super::*;
use crate::model::format;
use crate::store::MemoryStore;
use std::rc::Rc;

const T0: i64 = 1_700_000_000_000;
const DAY: i64 = 86_400_000;

fn value(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

fn secret(tab: u32) -> [u8; 16] {
    let mut s = [7u8; 16];
    s[..4].copy_from_slice(&tab.to_le_bytes());
    s
}

fn tracker(store: &Rc<MemoryStore>, tab: u32, consent: Consent) -> Tracker<Rc<MemoryStore>> {
    Tracker::new(
        store.clone(),
        TrackerConfig::default(),
        tab,
        secret(tab),
        consent,
        T0,
    )
}

fn signed_tracker(store: &Rc<MemoryStore>, tab: u32) -> Tracker<Rc<MemoryStore>> {
    let o = Options {
        consent: Consent::Granted,
        public_key: Some("key".into()),
        ..Options::default()
    };
    Tracker::from_options(store.clone(), &o, tab, secret(tab), T0)
}

fn add(t: &mut Tracker<Rc<MemoryStore>>, id: &str, now: i64) {
    let json = format!(r#"{{"type":"add_to_cart","items":[{{"item_id":"{id}","price":2}}]}}"#);
    t.track(&value(&json), now).unwrap();
}

fn keys(store: &MemoryStore) -> Vec<String> {
    store.keys().unwrap()
}

#[test]
fn no_storage_access_before_consent_then_buffer_is_persisted() {
    let store = Rc::new(MemoryStore::new());
    store.fail_with(Some("SecurityError")); // any read or write would be counted
    let mut t = tracker(&store, 1, Consent::Pending);
    for i in 0..50 {
        add(&mut t, &format!("i{i}"), T0 + i);
    }
    t.flush(T0 + 100);
    t.set_consent(Consent::Denied, T0 + 100);
    t.flush(T0 + 100);
    assert_eq!(t.status().stats.write_errors, 0);
    assert_eq!(t.status().memory_reason, Some(MemoryReason::NoConsent));
    store.fail_with(None);
    assert!(store.keys().unwrap().is_empty());
    assert_eq!(t.profile(T0 + 100).cart.quantity, 50);

    t.set_consent(Consent::Granted, T0 + 200);
    assert!(!store.keys().unwrap().is_empty());
    let again = tracker(&store, 2, Consent::Granted);
    assert_eq!(again.journal().len(), 50);
    assert_eq!(again.profile(T0 + 300).cart.quantity, 50);
}

#[test]
fn withdrawing_consent_erases_storage_but_not_this_page() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    add(&mut t, "a", T0);
    t.flush(T0);
    assert!(!store.keys().unwrap().is_empty());
    assert_eq!(t.set_consent(Consent::Denied, T0 + 1), 3);
    assert!(store.keys().unwrap().is_empty());
    add(&mut t, "b", T0 + 2);
    t.flush(T0 + 2);
    assert!(store.keys().unwrap().is_empty());
    assert_eq!(t.profile(T0 + 3).cart.quantity, 2);
}

#[test]
fn forget_leaves_zero_keys_and_an_empty_profile() {
    let store = Rc::new(MemoryStore::new());
    store.set("page:own", "x").unwrap();
    let mut t = tracker(&store, 1, Consent::Granted);
    add(&mut t, "a", T0);
    t.flush(T0);
    assert_eq!(t.forget(T0 + 1), 3);
    assert_eq!(store.keys().unwrap(), ["page:own"]);
    assert_eq!(t.profile(T0 + 1).events, 0);
    assert_eq!(t.events().count(), 0);
    // Consent is still granted: what comes next is stored again (segment, version, id).
    add(&mut t, "b", T0 + 2);
    t.flush(T0 + 2);
    assert_eq!(store.keys().unwrap().len(), 4);
}

#[test]
fn the_pseudonymous_id_is_stored_with_the_first_events_and_forgotten() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    let id = t.user_id().to_owned();
    t.flush(T0);
    assert!(store.keys().unwrap().is_empty(), "no events, no key");
    add(&mut t, "a", T0);
    t.flush(T0);
    let uid = store.get("cp:uid").unwrap().unwrap();
    assert_eq!(uid, format!("{T0};{id}"));
    // The next page view (another tab id) keeps the same identity.
    let next = tracker(&store, 2, Consent::Granted);
    assert_eq!(next.user_id(), id);
    // forget(): gone, and a new, unrelated id from now on.
    t.forget(T0 + 1);
    assert_ne!(t.user_id(), id);
    assert!(store.keys().unwrap().is_empty());
}

#[test]
fn traits_are_stored_with_consent_pseudonymised_and_forgotten() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Pending);
    t.identify(
        &value(r#"{"customer_id":"C-9","traits":{"loyaltyTier":"gold","email":"x@y.de"}}"#),
        T0,
    )
    .unwrap();
    assert!(store.keys().unwrap().is_empty(), "nothing before consent");
    t.set_consent(Consent::Granted, T0);
    let stored = store.get("cp:traits").unwrap().unwrap();
    assert!(!stored.contains("C-9"));
    let next = tracker(&store, 2, Consent::Granted);
    assert_eq!(next.traits().loyalty_tier.as_deref(), Some("gold"));
    assert_eq!(
        next.profile(T0).traits.unwrap().customer,
        t.traits().customer
    );
    t.forget(T0);
    assert_eq!(t.traits(), &crate::traits::Traits::default());
    assert!(store.keys().unwrap().is_empty());
}

#[test]
fn offers_respect_the_frequency_cap_across_page_views() {
    use crate::rank::Offer;
    let store = Rc::new(MemoryStore::new());
    let bytes = include_bytes!("../../tests/fixtures/extras.cpm");
    let offers = [Offer {
        id: "ten_percent".into(),
        kind: None,
        cost: None,
        percent: Some(10.0),
    }];
    let mut shown = 0;
    for tab in 0..4 {
        let mut t = tracker(&store, tab, Consent::Granted);
        t.load_model(bytes).unwrap();
        if tab == 0 {
            add(&mut t, "coat", T0); // a 2.00 cart: 10% fits the 15% budget
        }
        let d = t.choose_offer(&offers, T0 + i64::from(tab));
        // The same page view asking again records nothing more.
        t.choose_offer(&offers, T0 + i64::from(tab));
        t.flush(T0 + i64::from(tab));
        if d.offer.is_some() {
            shown += 1;
        } else {
            assert_eq!(d.reason, "frequencyCap");
        }
    }
    assert_eq!(shown, 2, "frequency_cap = 2 per 7 days");
}

#[test]
fn an_offer_holdout_arm_gets_no_offer() {
    use crate::model::{format, Arm, Experiment};
    use crate::rank::Offer;
    let mut b = format::read(include_bytes!("../../tests/fixtures/extras.cpm")).unwrap();
    b.experiments.push(Experiment {
        key: "offers-holdout".into(),
        seed: "offers-holdout".into(),
        hash_version: 2,
        // Everybody in the holdout (an experiment needs two arms, as in GrowthBook).
        arms: vec![
            Arm {
                name: "holdout".into(),
                weight: 1.0,
                holdout: true,
                head: None,
            },
            Arm {
                name: "offers".into(),
                weight: 0.0,
                holdout: false,
                head: None,
            },
        ],
        ..Experiment::new("offers-holdout", "offers", vec![])
    });
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    t.load_model(&format::encode(&b)).unwrap();
    add(&mut t, "coat", T0);
    let offers = [Offer {
        id: "ten_percent".into(),
        kind: None,
        cost: None,
        percent: Some(10.0),
    }];
    let d = t.choose_offer(&offers, T0);
    assert_eq!((d.offer, d.reason), (None, "holdout"));
    assert_eq!(d.experiment.map(|a| a.arm), Some("holdout".to_owned()));
    // The exposure of the holdout arm is recorded, so its uplift can be measured.
    assert!(t.events().any(|e| e
        .exposure
        .as_ref()
        .is_some_and(|x| x.experiment == "offers-holdout")));
}

#[test]
fn rejected_events_store_nothing() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    let writes = store.writes();
    let err = t
        .track(&value(r#"{"type":"add_to_cart"}"#), T0)
        .unwrap_err();
    assert_eq!(err.to_string(), "event: missing field \"items\"");
    let old = format!(r#"{{"type":"page_view","ts":{}}}"#, T0 - 31 * 86_400_000);
    let err = t.track(&value(&old), T0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "event: \"ts\" is older than the retention period"
    );
    t.flush(T0);
    assert_eq!(store.writes(), writes);
    assert_eq!(t.status().events, 0);
}

#[test]
fn expired_or_bad_models_fall_back_and_a_bad_one_keeps_the_good() {
    use crate::rank::PaymentMethod;
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    let mut b = crate::model::Bundle {
        id: "m".into(),
        version: "1".into(),
        expires_ms: Some(T0 + 1000),
        ..Default::default()
    };
    b.payment = Some(crate::model::Surface::default());
    let bytes = crate::model::format::encode(&b);
    t.load_model(&bytes).unwrap();
    let methods = [
        PaymentMethod {
            id: "b".into(),
            kind: None,
        },
        PaymentMethod {
            id: "a".into(),
            kind: None,
        },
    ];
    assert_eq!(
        t.rank_payment_methods(&methods, T0).fallback,
        Some("noHead")
    );
    let r = t.rank_payment_methods(&methods, T0 + 1000);
    assert_eq!(r.fallback, Some("expired"));
    assert_eq!(
        r.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["b", "a"]
    );
    // A broken download does not replace the model in force.
    assert!(t.load_model(&bytes[..bytes.len() - 3]).is_err());
    assert_eq!(t.model().map(|m| m.bundle().id.as_str()), Some("m"));
    assert!(t
        .load_downloaded_model("/m.cpm", b"junk", None, &Expect::default(), T0)
        .is_err());
    assert_eq!(t.model().map(|m| m.bundle().id.as_str()), Some("m"));
    // A good download is cached (consent granted) and used by the next page view.
    t.load_downloaded_model("/m.cpm", &bytes, None, &Expect::default(), T0)
        .unwrap();
    let none = Expect::default();
    let mut next = tracker(&store, 2, Consent::Granted);
    assert!(next.load_cached_model("/m.cpm", &none, T0));
    assert!(!next.load_cached_model("/other.cpm", &none, T0));
    let mut denied = tracker(&Rc::new(MemoryStore::new()), 3, Consent::Denied);
    denied
        .load_downloaded_model("/m.cpm", &bytes, None, &Expect::default(), T0)
        .unwrap();
    // With a public key configured, nothing unverified is used, cached or not.
    let mut next = signed_tracker(&store, 4);
    assert!(!next.load_cached_model("/m.cpm", &none, T0));
    assert!(next
        .load_model(&bytes)
        .unwrap_err()
        .to_string()
        .starts_with("model: a public key is configured"));
    assert!(next
        .load_downloaded_model("/m.cpm", &bytes, None, &Expect::default(), T0)
        .is_err());
    let signed = format::encode_envelope(&bytes, &[0; 64]);
    let v = VerifiedBundle::attest(signed.clone());
    assert!(next
        .load_downloaded_model("/m.cpm", &signed, Some(&v), &none, T0)
        .is_ok());
    assert!(!denied.load_cached_model("/m.cpm", &none, T0));
}

/// The revalidating download of the bundle the cache already holds is not written
/// again; a changed bundle, or a cache another tab or `forget()` touched, is.
#[test]
fn an_unchanged_download_is_not_cached_twice() {
    let store = Rc::new(MemoryStore::new());
    let bundle = |version: &str| {
        crate::model::format::encode(&crate::model::Bundle {
            id: "m".into(),
            version: version.into(),
            ..Default::default()
        })
    };
    let (v1, v2) = (bundle("1"), bundle("2"));
    let mut first = tracker(&store, 1, Consent::Granted);
    first
        .load_downloaded_model("/m.cpm", &v1, None, &Expect::default(), T0)
        .unwrap();
    assert!(store.get("cp:model").unwrap().is_some());
    // The next page view: cache first, then the same bytes come back from the network.
    let mut t = tracker(&store, 2, Consent::Granted);
    assert!(t.load_cached_model("/m.cpm", &Expect::default(), T0));
    let writes = store.writes();
    t.load_downloaded_model("/m.cpm", &v1, None, &Expect::default(), T0 + 1)
        .unwrap();
    assert_eq!(store.writes(), writes, "same bundle: no write");
    t.load_downloaded_model("/m.cpm", &v2, None, &Expect::default(), T0 + 2)
        .unwrap();
    assert_eq!(store.writes(), writes + 1, "new bundle: written");
    assert_eq!(
        tracker(&store, 3, Consent::Granted)
            .cached_model_bytes("/m.cpm", T0)
            .as_deref(),
        Some(&v2[..])
    );
    t.load_downloaded_model("/m.cpm", &v2, None, &Expect::default(), T0 + 3)
        .unwrap();
    assert_eq!(store.writes(), writes + 1);
    // Another tab replaced the cache: the next download is written again.
    t.on_storage_event(Some("cp:model"), Some("x"), T0 + 4);
    t.load_downloaded_model("/m.cpm", &v2, None, &Expect::default(), T0 + 5)
        .unwrap();
    assert_eq!(store.writes(), writes + 2);
    // forget() empties the cache; the next download fills it again.
    t.forget(T0 + 6);
    assert_eq!(store.get("cp:model").unwrap(), None);
    t.load_downloaded_model("/m.cpm", &v2, None, &Expect::default(), T0 + 7)
        .unwrap();
    assert!(store.get("cp:model").unwrap().is_some());
    // Another URL is another cache entry.
    let writes = store.writes();
    t.load_downloaded_model("/n.cpm", &v2, None, &Expect::default(), T0 + 8)
        .unwrap();
    assert_eq!(store.writes(), writes + 1);
}

#[test]
fn storage_events_from_another_tab_update_the_profile() {
    let store = Rc::new(MemoryStore::new());
    let mut a = tracker(&store, 0xa, Consent::Granted);
    let mut b = tracker(&store, 0xb, Consent::Granted);
    add(&mut b, "from-b", T0 + 1);
    b.flush(T0 + 1);
    let key = "cp:1:j:0000000b";
    let v = store.get(key).unwrap();
    a.on_storage_event(Some(key), v.as_deref(), T0 + 2);
    assert_eq!(a.profile(T0 + 2).cart.items[0].id, "from-b");
    b.forget(T0 + 3);
    a.on_storage_event(Some("cp:meta"), None, T0 + 3);
    assert_eq!(a.profile(T0 + 3).events, 0);
    a.flush(T0 + 4);
    assert!(
        store.keys().unwrap().is_empty(),
        "a does not resurrect erased data"
    );
}

#[test]
fn starting_with_consent_denied_erases_what_an_earlier_page_view_stored() {
    let store = Rc::new(MemoryStore::new());
    store.set("page:own", "x").unwrap();
    let mut t = tracker(&store, 1, Consent::Granted);
    add(&mut t, "a", T0);
    t.identify(
        &value(r#"{"customer_id":"C-1","traits":{"loyaltyTier":"gold"}}"#),
        T0,
    )
    .unwrap();
    t.flush(T0);
    let stored = keys(&store);
    for k in [
        "cp:meta",
        "cp:uid",
        "cp:traits",
        "cp:salt",
        "cp:1:j:00000001",
    ] {
        assert!(stored.iter().any(|s| s == k), "{k} in {stored:?}");
    }
    // The consent tool already says "denied" on the next page view.
    let next = tracker(&store, 2, Consent::Denied);
    assert_eq!(keys(&store), ["page:own"]);
    assert_eq!(next.events().count(), 0);
    // Pending at start touches nothing (no read, no removal).
    let mut t = tracker(&store, 3, Consent::Granted);
    add(&mut t, "b", T0);
    t.flush(T0);
    let before = keys(&store);
    store.fail_with(Some("SecurityError"));
    let _pending = tracker(&store, 4, Consent::Pending);
    store.fail_with(None);
    assert_eq!(keys(&store), before);
}

#[test]
fn erasure_in_one_tab_reaches_every_other_tab() {
    let store = Rc::new(MemoryStore::new());
    let mut a = tracker(&store, 0xa, Consent::Granted);
    let mut b = tracker(&store, 0xb, Consent::Granted);
    add(&mut a, "x", T0);
    a.flush(T0);
    b.identify(&value(r#"{"customer_id":"C-1"}"#), T0).unwrap();
    add(&mut b, "y", T0);
    b.flush(T0);
    let (old_id, old_customer) = (b.user_id().to_owned(), b.traits().customer.clone());
    assert!(old_customer.is_some());

    // forget() in a: the removal of the schema marker reaches b as a storage event.
    a.forget(T0 + 1);
    b.on_storage_event(Some("cp:meta"), None, T0 + 1);
    assert_eq!(b.events().count(), 0);
    assert_eq!(b.profile(T0 + 1).cart.quantity, 0);
    assert_ne!(b.user_id(), old_id, "the forgotten id is not kept");
    assert_eq!(b.traits(), &Traits::default());
    // b keeps working (consent is still granted there), under a new identity only.
    add(&mut b, "z", T0 + 2);
    b.flush(T0 + 2);
    let uid = store.get("cp:uid").unwrap().unwrap();
    assert!(!uid.contains(&old_id), "{uid}");
    assert_eq!(store.get("cp:traits").unwrap(), None);
    assert_eq!(b.kept_data(T0 + 2).events.len(), 1);

    // A withdrawal in a: the erasure and the consent (the web layer broadcasts it) reach b,
    // which then writes nothing more.
    a.set_consent(Consent::Denied, T0 + 3);
    b.on_storage_event(None, None, T0 + 3);
    b.set_consent(Consent::Denied, T0 + 3);
    add(&mut b, "w", T0 + 4);
    b.identify(&value(r#"{"customer_id":"C-1"}"#), T0 + 4)
        .unwrap();
    b.flush(T0 + 4);
    assert!(keys(&store).is_empty(), "{:?}", keys(&store));
}

/// A bundle with a 50/50 experiment on the payment surface (a linear head per arm).
fn experiment_bundle() -> Vec<u8> {
    use crate::model::{Arm, Bundle, Experiment, Surface};
    let b = Bundle {
        id: "exp".into(),
        version: "1".into(),
        payment: Some(Surface::default()),
        experiments: vec![Experiment {
            key: "pay-order".into(),
            seed: "pay-order".into(),
            arms: ["control", "treatment"]
                .iter()
                .map(|n| Arm {
                    name: (*n).into(),
                    weight: 0.5,
                    holdout: false,
                    head: None,
                })
                .collect(),
            ..Experiment::new("pay-order", "payment", vec![])
        }],
        ..Bundle::default()
    };
    format::encode(&b)
}

#[test]
fn one_page_view_shows_one_arm_even_when_consent_brings_the_stored_id() {
    let methods = [PaymentMethod {
        id: "card".into(),
        kind: None,
    }];
    let bundle = experiment_bundle();
    // A stored id (from an earlier page view) whose arm differs from this page's id's arm.
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Pending);
    t.load_model(&bundle).unwrap();
    let page_arm = t.assignment("pay-order").unwrap().arm;
    let other = (0..1000)
        .map(|i| format!("stored{i}"))
        .find(|id| {
            rank::assignment_for(t.model().unwrap(), "pay-order", id)
                .unwrap()
                .arm
                != page_arm
        })
        .unwrap();
    store.set("cp:meta", "1").unwrap();
    store.set("cp:uid", &format!("{T0};{other}")).unwrap();

    let first = t.rank_payment_methods(&methods, T0);
    assert_eq!(first.experiment.as_ref().unwrap().arm, page_arm);
    t.set_consent(Consent::Granted, T0 + 1);
    assert_eq!(t.user_id(), other, "the stored id is adopted");
    let again = t.rank_payment_methods(&methods, T0 + 2);
    assert_eq!(
        again.experiment.unwrap().arm,
        page_arm,
        "one page view, one arm"
    );
    assert_eq!(t.assignment("pay-order").unwrap().arm, page_arm);
    let exposures: Vec<&crate::event::Exposure> =
        t.events().filter_map(|e| e.exposure.as_ref()).collect();
    assert_eq!(exposures.len(), 2, "{exposures:?}");
    assert_eq!(exposures[0].experiment, "pay-order");
    // and one list record: what was offered, under that arm.
    assert_eq!(exposures[1].experiment, crate::event::PAYMENT_LIST);
    assert_eq!(
        (exposures[1].arm.as_str(), &exposures[1].shown[..]),
        (page_arm.as_str(), &["card".to_owned()][..])
    );
    // The next page view hashes the stored id.
    let mut next = tracker(&store, 2, Consent::Granted);
    next.load_model(&bundle).unwrap();
    assert_ne!(next.assignment("pay-order").unwrap().arm, page_arm);
}

#[test]
fn export_data_holds_everything_kept() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    add(&mut t, "a", T0);
    t.identify(
        &value(r#"{"customer_id":"C-1","traits":{"loyaltyTier":"gold"}}"#),
        T0,
    )
    .unwrap();
    let bundle = experiment_bundle();
    t.load_downloaded_model("/m.cpm", &bundle, None, &Expect::default(), T0)
        .unwrap();
    t.flush(T0);
    let ids: Vec<u64> = t.journal().records().map(|(id, _)| id).collect();
    t.mark_exported(&ids, T0);
    let kept = t.kept_data(T0);
    assert_eq!(kept.user_id, Some(t.user_id()));
    assert_eq!(kept.traits.unwrap().loyalty_tier.as_deref(), Some("gold"));
    assert!(kept.traits.unwrap().customer.is_some());
    assert_eq!(kept.events.len(), 1);
    let exported: Vec<String> = ids.iter().map(u64::to_string).collect();
    assert_eq!(kept.exported_ids, exported);
    assert_eq!(kept.model_cache.as_ref().unwrap().url, "/m.cpm");
    let mut stored = kept.stored_keys.clone();
    stored.sort();
    assert_eq!(stored, keys(&store));
    let json = serde_json::to_string(&kept).unwrap();
    assert!(!json.contains("C-1"), "{json}");
}

/// A page view at `T0` that stores every kind of key.
fn store_everything(store: &Rc<MemoryStore>) {
    let mut t = tracker(store, 1, Consent::Granted);
    add(&mut t, "a", T0);
    t.identify(
        &value(r#"{"customer_id":"C-1","traits":{"loyaltyTier":"gold"}}"#),
        T0,
    )
    .unwrap();
    t.load_downloaded_model("/m.cpm", &experiment_bundle(), None, &Expect::default(), T0)
        .unwrap();
    t.flush(T0);
    let ids: Vec<u64> = t.journal().records().map(|(id, _)| id).collect();
    t.mark_exported(&ids, T0);
}

/// A page view that lives to its batched write (the timer, or `pagehide`).
fn page_view(store: &Rc<MemoryStore>, tab: u32, now: i64) -> Tracker<Rc<MemoryStore>> {
    let cfg = TrackerConfig::default();
    let mut t = Tracker::new(store.clone(), cfg, tab, secret(tab), Consent::Granted, now);
    t.flush(now);
    t
}

#[test]
fn every_key_expires_after_the_retention_period() {
    let store = Rc::new(MemoryStore::new());
    store_everything(&store);
    assert_eq!(keys(&store).len(), 7, "{:?}", keys(&store));
    // 29 days later everything is still there.
    let t = page_view(&store, 2, T0 + 29 * DAY);
    assert_eq!(t.traits().loyalty_tier.as_deref(), Some("gold"));
    assert_eq!(t.events().count(), 1);
    // Without that visit, 31 days after it was all written nothing is left.
    let store = Rc::new(MemoryStore::new());
    store_everything(&store);
    let late = page_view(&store, 3, T0 + 31 * DAY);
    assert_eq!(late.events().count(), 0);
    assert_eq!(late.traits(), &Traits::default());
    assert!(keys(&store).is_empty(), "{:?}", keys(&store));
}

#[test]
fn the_id_lives_on_while_it_is_used_the_rest_expires_on_its_own_clock() {
    let store = Rc::new(MemoryStore::new());
    store_everything(&store);
    let id = page_view(&store, 2, T0).user_id().to_owned();
    // A visit on day 29 uses the id (its stamp is refreshed), nothing else is rewritten.
    page_view(&store, 3, T0 + 29 * DAY);
    let t = page_view(&store, 4, T0 + 31 * DAY);
    assert_eq!(t.user_id(), id);
    assert_eq!(keys(&store), ["cp:meta", "cp:uid"]);
    // 30 days after its last use it goes too.
    page_view(&store, 5, T0 + 60 * DAY);
    assert!(keys(&store).is_empty(), "{:?}", keys(&store));
}

#[test]
fn the_customer_pseudonym_is_salted_per_browser_unless_the_shop_salts_it() {
    let who = value(r#"{"customer_id":"42"}"#);
    let pseudonym_in = |store: &Rc<MemoryStore>, tab: u32| {
        let mut t = tracker(store, tab, Consent::Granted);
        t.identify(&who, T0).unwrap();
        t.traits().customer.clone().unwrap()
    };
    let (one, two) = (Rc::new(MemoryStore::new()), Rc::new(MemoryStore::new()));
    let a = pseudonym_in(&one, 1);
    assert_ne!(a, pseudonym_in(&two, 2), "another browser, another salt");
    assert_eq!(a, pseudonym_in(&one, 3), "the same browser keeps its salt");
    // Nobody can hash a guessed id with a public salt and find the shopper.
    for guess in ["checkout-personalizer:cp", "cp", ""] {
        assert_ne!(a, crate::traits::pseudonym(guess, "42"));
    }
    // The shop's own salt (`idSalt`): the same pseudonym everywhere, nothing stored for it.
    let o = Options {
        consent: Consent::Granted,
        id_salt: Some("shop-secret".into()),
        ..Options::default()
    };
    let store = Rc::new(MemoryStore::new());
    let mut t = Tracker::from_options(store.clone(), &o, 5, secret(5), T0);
    t.identify(&who, T0).unwrap();
    assert_eq!(
        t.traits().customer.as_deref(),
        Some(crate::traits::pseudonym("shop-secret", "42").as_str())
    );
    assert_eq!(store.get("cp:salt").unwrap(), None);
    // An id given before consent is pseudonymised with the browser's salt once it is known.
    let mut early = tracker(&one, 6, Consent::Pending);
    early.identify(&who, T0).unwrap();
    early.set_consent(Consent::Granted, T0);
    assert_eq!(early.traits().customer.as_deref(), Some(a.as_str()));
}

#[test]
fn consent_mode_commands_decide_storage_in_order_and_settle_once() {
    let store = Rc::new(MemoryStore::new());
    let cmd = |c: &str| -> Value { serde_json::from_str(c).unwrap() };
    let o = Options {
        consent: Consent::Pending,
        consent_mode: Some(Some("DE".into())),
        ..Options::default()
    };
    let mut t = Tracker::from_options(store.clone(), &o, 1, secret(1), T0);
    // What the page pushed before the module loaded: EU denied, global granted.
    let eu =
        cmd(r#"["consent","default",{"personalization_storage":"denied","region":["DE","FR"]}]"#);
    let global = cmd(
        r#"["consent","default",{"personalization_storage":"granted","analytics_storage":"granted"}]"#,
    );
    assert!(!t.consent_command(&eu, T0));
    assert!(!t.consent_command(&global, T0));
    assert_eq!(
        t.consent(),
        Consent::Pending,
        "nothing decided during the replay"
    );
    t.settle_consent(T0);
    assert_eq!(t.consent(), Consent::Denied);
    add(&mut t, "a", T0);
    t.flush(T0);
    assert!(keys(&store).is_empty());
    // Analytics alone is not personalisation.
    t.consent_command(
        &cmd(r#"["consent","update",{"analytics_storage":"granted"}]"#),
        T0,
    );
    t.flush(T0);
    assert!(keys(&store).is_empty());
    // The shopper grants personalisation in the banner: stored from now on.
    t.consent_command(
        &cmd(r#"["consent","update",{"personalization_storage":"granted"}]"#),
        T0,
    );
    assert_eq!(t.consent(), Consent::Granted);
    assert!(!keys(&store).is_empty());
    // And withdraws it: erased, and the caller is told (to tell the other tabs).
    assert!(t.consent_command(
        &cmd(r#"["consent","update",{"personalization_storage":"denied"}]"#),
        T0
    ));
    assert!(keys(&store).is_empty());
    // A command the module cannot read changes nothing.
    assert!(!t.consent_command(&cmd(r#"["consent","update",null]"#), T0));
    assert_eq!(t.consent(), Consent::Denied);
}

fn sri(bytes: &[u8]) -> String {
    format!(
        "sha256-{}=",
        crate::base64::base64_encode(&crate::sha256::sha256(bytes))
    )
}

#[test]
fn a_bundle_must_be_what_the_page_expects_cached_or_downloaded() {
    let store = Rc::new(MemoryStore::new());
    let bundle = experiment_bundle();
    let good = Expect {
        integrity: Expect::integrity(&sri(&bundle)).unwrap(),
        id: Some("exp".into()),
    };
    let mut t = tracker(&store, 1, Consent::Granted);
    t.load_downloaded_model("/m.cpm", &bundle, None, &good, T0)
        .unwrap();
    // Another bundle planted in the cache by a same-origin script is not used.
    let planted = format::encode(&crate::model::Bundle {
        id: "exp".into(),
        version: "evil".into(),
        ..Default::default()
    });
    let value = crate::storage::model::encode("/m.cpm", T0, &planted).unwrap();
    store.set("cp:model", &value).unwrap();
    let mut next = tracker(&store, 2, Consent::Granted);
    assert!(!next.load_cached_model("/m.cpm", &good, T0));
    assert!(next.model().is_none());
    // Without an integrity string it would have been (the page did not ask).
    assert!(next.load_cached_model("/m.cpm", &Expect::default(), T0));
    // A download that is not the expected bundle is refused and changes nothing.
    let wrong = |sri: &str| Expect {
        integrity: Expect::integrity(sri).unwrap(),
        id: None,
    };
    let mut t = tracker(&Rc::new(MemoryStore::new()), 3, Consent::Granted);
    for e in [
        wrong(&sri(b"another bundle")),
        wrong("sha256-notbase64!"),
        wrong("sha256-AAAA sha512-xyz"),
    ] {
        let err = t
            .load_downloaded_model("/m.cpm", &bundle, None, &e, T0)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "model: integrity mismatch: the bundle was not the one expected"
        );
        assert!(t.model().is_none());
    }
    assert!(Expect::integrity("md5-abc").is_err());
    let other_id = Expect {
        integrity: Vec::new(),
        id: Some("checkout".into()),
    };
    let err = t
        .load_downloaded_model("/m.cpm", &bundle, None, &other_id, T0)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "model: the bundle is \"exp\", not the \"checkout\" the page asked for"
    );
}

#[test]
fn signed_bundles_need_an_expiry_and_never_go_back_in_time() {
    let store = Rc::new(MemoryStore::new());
    let signed = |created: i64, expires: Option<i64>| {
        let b = format::encode(&crate::model::Bundle {
            id: "m".into(),
            version: created.to_string(),
            created_ms: created,
            expires_ms: expires,
            ..Default::default()
        });
        VerifiedBundle::attest(format::encode_envelope(&b, &[0; 64]))
    };
    let none = Expect::default();
    let mut t = signed_tracker(&store, 1);
    let err = t
        .offer_model(Offered::Verified(&signed(T0, None)), &none)
        .unwrap_err();
    assert!(err.to_string().contains("must carry an expiry"), "{err}");
    let far = Some(T0 + 90 * DAY);
    t.offer_model(Offered::Verified(&signed(T0, far)), &none)
        .unwrap();
    // An older bundle, validly signed, replayed by the network: refused.
    let err = t
        .offer_model(Offered::Verified(&signed(T0 - DAY, far)), &none)
        .unwrap_err();
    assert!(
        err.to_string().contains("older than the one in force"),
        "{err}"
    );
    assert_eq!(t.model().unwrap().bundle().version, T0.to_string());
    // The same one again, or a newer one: used.
    t.offer_model(Offered::Verified(&signed(T0, far)), &none)
        .unwrap();
    t.offer_model(Offered::Verified(&signed(T0 + DAY, far)), &none)
        .unwrap();
    // Unsigned bytes are refused outright with a key configured.
    assert!(t
        .load_model(&format::encode(&crate::model::Bundle::default()))
        .is_err());
}

#[test]
fn replayed_events_are_tracked_once() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    let e = |ts: i64, id: &str| {
        value(&format!(
            r#"{{"type":"add_to_cart","ts":{ts},"items":[{{"item_id":"{id}","price":2}}]}}"#
        ))
    };
    t.track(&e(T0, "a"), T0).unwrap();
    t.flush(T0);
    t.track(&e(T0 + 1, "b"), T0 + 1).unwrap(); // not flushed when the instance traps
                                               // A fresh instance restored from storage, and what the page kept replayed into it.
    let mut fresh = tracker(&store, 2, Consent::Granted);
    assert!(
        !fresh.replay(&e(T0, "a"), T0 + 2).unwrap(),
        "already stored"
    );
    assert!(fresh.replay(&e(T0 + 1, "b"), T0 + 2).unwrap());
    assert!(!fresh.replay(&e(T0 + 1, "b"), T0 + 2).unwrap(), "once");
    assert_eq!(fresh.profile(T0 + 2).cart.quantity, 2);
}

#[test]
fn picked_up_events_lose_bad_fields_not_the_event_and_status_counts_them() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    let purchase = value(
        r#"{"event":"purchase","ecommerce":{"value":"42.50","tax":"3.60","currency":"€",
            "items":[{"item_id":"a","price":"1,99"},{"item_id":"b","price":"31.10","quantity":"2"}]}}"#,
    );
    t.track_lenient(&purchase, T0).unwrap();
    t.track_lenient(
        &value(r#"{"event":"add_to_cart","ecommerce":{"items":[{"price":1}]}}"#),
        T0,
    )
    .unwrap_err();
    let p = t.profile(T0);
    assert_eq!(p.orders.total, 1, "the purchase is kept");
    assert_eq!(p.orders.average_value, Some(42.5));
    let s = t.status();
    assert_eq!(s.dropped.get("currency"), Some(&1));
    assert_eq!(s.dropped.get("items[].price"), Some(&1));
    assert_eq!(s.refused, 1);
    // track() itself stays strict: the same purchase is an error naming the field.
    assert_eq!(
        t.track(&purchase, T0).unwrap_err().to_string(),
        "event: \"items[0].price\" must be a finite number (or a decimal string such as \"31.10\")"
    );
}

#[test]
fn ranked_lists_are_recorded_once_per_page_view_and_offered_set() {
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    let m = |ids: &[&str]| -> Vec<PaymentMethod> {
        ids.iter()
            .map(|id| PaymentMethod {
                id: (*id).into(),
                kind: None,
            })
            .collect()
    };
    let mut typed = m(&["card", "paypal", "klarna"]);
    typed[2].kind = Some("bnpl".into());
    t.rank_payment_methods(&typed, T0);
    t.rank_payment_methods(&m(&["klarna", "card", "paypal"]), T0 + 1); // same set again
    t.rank_payment_methods(&m(&["card", "paypal"]), T0 + 2); // the cart changed: klarna went
    t.rank_shipping_options(&m(&["standard", "express"]), T0 + 3);
    let lists: Vec<(String, Vec<String>)> = t
        .events()
        .filter_map(|e| e.exposure.as_ref())
        .map(|x| (x.experiment.clone(), x.shown.clone()))
        .collect();
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        lists,
        [
            (
                "payment_methods".into(),
                owned(&["card", "paypal", "klarna"])
            ),
            ("payment_methods".into(), owned(&["card", "paypal"])),
            ("shipping_options".into(), owned(&["standard", "express"])),
        ]
    );
    // They reach the export as the collector reads them.
    let batch = t.export_batch(10).unwrap();
    let text: String = batch
        .events
        .iter()
        .map(|(_, e)| serde_json::to_string(&e.to_ga4()).unwrap())
        .collect();
    assert!(
        text.contains(r#""exposure":{"experiment":"payment_methods","arm":"","variation":0,"shown":["card","paypal","klarna"],"types":["","","bnpl"]}"#),
        "{text}"
    );
    // Without consent nothing is stored, list records included.
    let denied = Rc::new(MemoryStore::new());
    let mut d = tracker(&denied, 1, Consent::Denied);
    d.rank_payment_methods(&m(&["card"]), T0);
    d.flush(T0 + 1);
    assert_eq!(denied.used(), 0);
}

/// Everything in the store, key and value.
fn contents(store: &MemoryStore) -> Vec<(String, Option<String>)> {
    keys(store)
        .into_iter()
        .map(|k| {
            let v = store.get(&k).unwrap();
            (k, v)
        })
        .collect()
}

#[test]
fn opening_the_journal_on_a_page_view_writes_nothing_until_the_batched_flush() {
    let store = Rc::new(MemoryStore::new());
    // Two earlier page views, each with its own segment (two tabs, or a tab that never
    // got to adopt the other's).
    for (tab, item) in [(1, "a"), (2, "b")] {
        let mut t = tracker(&store, tab, Consent::Pending);
        t.set_consent(Consent::Granted, T0);
        add(&mut t, item, T0 + i64::from(tab));
        t.flush(T0 + 10);
    }
    let before = contents(&store);
    let (writes, segments) = (store.writes(), before.len());
    assert!(segments >= 2, "{before:?}");
    // The next page view restores both and decides from them without a single write.
    let mut t = tracker(&store, 3, Consent::Granted);
    assert_eq!(t.events().count(), 2);
    assert_eq!(t.profile(T0 + 20).cart.items.len(), 2);
    assert_eq!(store.writes(), writes);
    assert_eq!(contents(&store), before);
    assert!(t.pending_write());
    // Its batched write adopts them: one segment (ours) holds both events.
    t.flush(T0 + 1000);
    assert!(!t.pending_write());
    let ours = t.journal().tab();
    let segs: Vec<String> = keys(&store)
        .into_iter()
        .filter(|k| k.contains(":j:"))
        .collect();
    assert_eq!(segs.len(), 1, "{segs:?}");
    assert!(segs[0].ends_with(&format!("{ours:08x}")), "{segs:?}");
    let next = tracker(&store, 4, Consent::Granted);
    assert_eq!(next.events().count(), 2, "nothing lost");
}

#[test]
fn what_opening_drops_or_was_kept_before_consent_is_written_at_once() {
    // A record past the retention period leaves storage when the journal opens, not later.
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 1, Consent::Granted);
    add(&mut t, "old", T0);
    t.flush(T0);
    assert!(keys(&store).iter().any(|k| k.contains(":j:")));
    let late = Tracker::new(
        store.clone(),
        TrackerConfig::default(),
        2,
        secret(2),
        Consent::Granted,
        T0 + 31 * DAY,
    );
    assert_eq!(late.events().count(), 0);
    assert!(
        !keys(&store).iter().any(|k| k.contains(":j:")),
        "{:?}",
        keys(&store)
    );
    // Events tracked while consent was pending are written the moment it is granted.
    let store = Rc::new(MemoryStore::new());
    let mut t = tracker(&store, 3, Consent::Pending);
    add(&mut t, "early", T0);
    t.set_consent(Consent::Granted, T0 + 5);
    assert!(keys(&store).iter().any(|k| k.contains(":j:")));
    assert!(!t.pending_write());
}
