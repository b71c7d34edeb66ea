//! Journal behaviour over `MemoryStore`: restore, bounds, retention, faults, two tabs.

use super::*;
use crate::event::{EventType, Item};
use crate::store::MemoryStore;
use std::rc::Rc;

/// One tab: a journal and its storage gate, opened as the tracker opens them.
struct Tab {
    storage: Storage<Rc<MemoryStore>>,
    j: Journal,
}

impl Tab {
    fn open(&mut self, now: i64) {
        let opened = self.storage.open();
        self.j.count_discarded(opened.discarded);
        self.j.restore(&self.storage, now);
        self.j.flush(&self.storage, now);
    }
    fn flush(&mut self, now: i64) {
        self.j.flush(&self.storage, now);
    }
    fn memory_reason(&self) -> Option<MemoryReason> {
        self.storage.memory_reason()
    }
    fn fault(&self) -> Option<MemoryReason> {
        self.storage.fault()
    }
}

impl std::ops::Deref for Tab {
    type Target = Journal;
    fn deref(&self) -> &Journal {
        &self.j
    }
}

impl std::ops::DerefMut for Tab {
    fn deref_mut(&mut self) -> &mut Journal {
        &mut self.j
    }
}

const T0: i64 = 1_700_000_000_000;
const DAY: i64 = 86_400_000;

fn ev(ts: i64, id: &str) -> Event {
    let mut e = Event::new(EventType::ViewItem, ts);
    e.items.push(Item {
        id: id.into(),
        name: None,
        category: None,
        brand: None,
        price: Some(1.0),
        quantity: 1,
    });
    e
}

fn with_config(store: &Rc<MemoryStore>, cfg: JournalConfig, tab: u32) -> Tab {
    Tab {
        storage: Storage::new(store.clone(), &cfg.namespace),
        j: Journal::new(cfg, tab),
    }
}

fn journal(store: &Rc<MemoryStore>, tab: u32) -> Tab {
    with_config(store, JournalConfig::default(), tab)
}

fn ids(j: &Journal) -> Vec<String> {
    j.events().map(|e| e.items[0].id.clone()).collect()
}

#[test]
fn nothing_touches_the_store_before_open() {
    let store = Rc::new(MemoryStore::new());
    store.fail_with(Some("SecurityError")); // any access would be recorded as a fault
    let mut j = journal(&store, 1);
    j.append(ev(T0, "a"));
    j.flush(T0);
    assert_eq!(j.memory_reason(), Some(MemoryReason::NoConsent));
    assert_eq!(j.stats().write_errors, 0);
    store.fail_with(None);
    assert!(store.keys().unwrap().is_empty());
}

#[test]
fn persists_and_restores_across_instances() {
    let store = Rc::new(MemoryStore::new());
    let mut a = journal(&store, 1);
    a.open(T0);
    a.append(ev(T0, "a"));
    a.append(ev(T0 + 1, "b"));
    a.flush(T0);
    assert!(!a.dirty());
    assert_eq!(store.get("cp:meta").unwrap().as_deref(), Some("1"));

    let mut b = journal(&store, 2);
    b.open(T0 + 10);
    assert_eq!(ids(&b), ["a", "b"]);
    assert_eq!(b.stats().restored, 2);
    // b adopted a's segment: one segment is left, b's.
    let keys = store.keys().unwrap();
    assert_eq!(keys, ["cp:1:j:00000002", "cp:meta"]);
}

#[test]
fn bounds_evict_oldest_first_and_count() {
    let store = Rc::new(MemoryStore::new());
    let cfg = JournalConfig {
        max_events: 3,
        ..JournalConfig::default()
    };
    let mut j = with_config(&store, cfg, 1);
    j.open(T0);
    for (i, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        j.append(ev(T0 + i as i64, id));
    }
    assert_eq!(ids(&j), ["c", "d", "e"]);
    assert_eq!(j.stats().evicted, 2);

    let cfg = JournalConfig {
        max_chars: 200,
        ..JournalConfig::default()
    };
    let mut j = with_config(&store, cfg, 2);
    for i in 0..20 {
        j.append(ev(T0 + i, &format!("item-{i}")));
    }
    assert!(j.chars() <= 200);
    assert_eq!(j.len() as u64 + j.stats().evicted, 20);
    assert_eq!(ids(&j).last().map(String::as_str), Some("item-19"));
}

#[test]
fn retention_drops_old_events_on_load() {
    let store = Rc::new(MemoryStore::new());
    let mut a = journal(&store, 1);
    a.open(T0);
    a.append(ev(T0, "old"));
    a.append(ev(T0 + 20 * DAY, "new"));
    a.flush(T0 + 20 * DAY);
    let mut b = journal(&store, 2);
    b.open(T0 + 31 * DAY);
    assert_eq!(ids(&b), ["new"]);
    assert_eq!(b.stats().expired, 1);
}

#[test]
fn corrupt_and_foreign_values_are_discarded_and_counted() {
    let store = Rc::new(MemoryStore::new());
    let mut a = journal(&store, 1);
    a.open(T0);
    a.append(ev(T0, "a"));
    a.append(ev(T0 + 1, "b"));
    a.flush(T0);
    // Damage one record of a's segment, and plant junk under our prefix and beside it.
    let key = "cp:1:j:00000001";
    let seg = store.get(key).unwrap().unwrap();
    let (head, tail) = seg.split_once(',').unwrap();
    store
        .set(key, &format!("{head},{}", &tail[..tail.len() - 3]))
        .unwrap();
    store.set("cp:1:j:nothex!!", "c1;zzzz").unwrap();
    store.set("cp:1:other", "{\"x\":1}").unwrap();
    store.set("unrelated", "keep me").unwrap();

    let mut b = journal(&store, 2);
    b.open(T0);
    assert_eq!(ids(&b), ["a"]);
    assert_eq!(b.stats().discarded, 3);
    let keys = store.keys().unwrap();
    assert_eq!(keys, ["cp:1:j:00000002", "cp:meta", "unrelated"]);

    // A meta value that is not a version is discarded; a newer version is left alone.
    store.set("cp:meta", "garbage").unwrap();
    let mut c = journal(&store, 3);
    c.open(T0);
    assert_eq!(c.fault(), None);
    assert_eq!(ids(&c), ["a"]);

    store.set("cp:meta", "2").unwrap();
    let before = store.keys().unwrap();
    let mut d = journal(&store, 4);
    d.open(T0);
    d.append(ev(T0, "z"));
    d.flush(T0);
    assert_eq!(d.memory_reason(), Some(MemoryReason::NewerSchema(2)));
    assert_eq!(store.keys().unwrap(), before);
    assert_eq!(store.get("cp:meta").unwrap().as_deref(), Some("2"));
}

#[test]
fn quota_evicts_then_degrades_to_memory() {
    // Room for a few records only: the oldest go, the newest stay stored.
    let store = Rc::new(MemoryStore::with_quota(400));
    let mut j = journal(&store, 1);
    j.open(T0);
    for i in 0..12 {
        j.append(ev(T0 + i, &format!("i{i}")));
        j.flush(T0 + i);
    }
    assert_eq!(j.fault(), None);
    assert!(j.stats().quota_errors > 0 && j.stats().evicted > 0);
    assert_eq!(ids(&j).last().map(String::as_str), Some("i11"));
    let mut fresh = journal(&store, 2);
    fresh.open(T0 + 100);
    assert_eq!(ids(&fresh), ids(&j));

    // A store that is already full: the journal keeps working in memory and says why.
    let full = Rc::new(MemoryStore::with_quota(40));
    full.set("page-data", "0123456789012345678901234").unwrap();
    let mut j = journal(&full, 1);
    j.open(T0);
    j.append(ev(T0, "a"));
    j.flush(T0);
    assert_eq!(j.memory_reason(), Some(MemoryReason::QuotaExhausted));
    assert_eq!(full.keys().unwrap(), ["page-data"]);
}

#[test]
fn throwing_store_degrades_to_memory() {
    let store = Rc::new(MemoryStore::new());
    store.fail_with(Some("SecurityError"));
    let mut j = journal(&store, 1);
    j.open(T0);
    j.append(ev(T0, "a"));
    j.flush(T0);
    assert_eq!(
        j.memory_reason(),
        Some(MemoryReason::Unavailable("SecurityError".into()))
    );
    assert_eq!(ids(&j), ["a"]);
}

#[test]
fn two_tabs_never_lose_each_others_events() {
    let store = Rc::new(MemoryStore::new());
    let mut a = journal(&store, 0xa);
    let mut b = journal(&store, 0xb);
    a.open(T0);
    b.open(T0); // b adopts a's (empty) segment
                // Interleaved writes, with no storage events delivered at all.
    for i in 0..5 {
        a.append(ev(T0 + 2 * i, &format!("a{i}")));
        a.flush(T0);
        b.append(ev(T0 + 2 * i + 1, &format!("b{i}")));
        b.flush(T0);
    }
    let mut c = journal(&store, 0xc);
    c.open(T0 + 100);
    assert_eq!(
        ids(&c),
        ["a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4"]
    );

    // c adopted (removed) a's and b's segments; they still rewrite what they own.
    a.append(ev(T0 + 50, "a5"));
    a.flush(T0 + 50);
    let mut d = journal(&store, 0xd);
    d.open(T0 + 100);
    assert_eq!(d.len(), 11, "{:?}", ids(&d));
}

#[test]
fn storage_events_merge_and_erase() {
    let store = Rc::new(MemoryStore::new());
    let mut a = journal(&store, 0xa);
    let mut b = journal(&store, 0xb);
    a.open(T0);
    b.open(T0);
    b.append(ev(T0 + 1, "from-b"));
    b.flush(T0 + 1);
    let key = "cp:1:j:0000000b";
    let value = store.get(key).unwrap().unwrap();
    assert!(a.merge_external(&value, T0 + 2));
    assert!(
        !a.merge_external(&value, T0 + 2),
        "merging twice adds nothing"
    );
    assert_eq!(ids(&a), ["from-b"]);
    assert!(!a.merge_external("garbage", T0));
    // Another tab adopted our segment: what we flushed is its now, and we no longer
    // rewrite it; what we add later is ours again.
    a.append(ev(T0 + 3, "mine"));
    a.flush(T0 + 3);
    a.adopted_elsewhere();
    store.remove("cp:1:j:0000000a").unwrap();
    a.append(ev(T0 + 4, "later"));
    a.flush(T0 + 4);
    let mut c = journal(&store, 0xc);
    c.open(T0 + 5);
    assert_eq!(ids(&c), ["from-b", "later"]);
}

#[test]
fn erase_removes_every_key_of_ours_only() {
    let store = Rc::new(MemoryStore::new());
    store.set("cpx:meta", "1").unwrap();
    store.set("cp:2:future", "x").unwrap();
    let mut a = journal(&store, 1);
    a.open(T0);
    a.append(ev(T0, "a"));
    a.flush(T0);
    assert_eq!(a.storage.erase(), 3);
    a.j.forget_store();
    assert_eq!(store.keys().unwrap(), ["cpx:meta"]);
    // Closed again: nothing is written until the next open.
    a.flush(T0);
    assert_eq!(store.keys().unwrap(), ["cpx:meta"]);
    a.open(T0);
    assert_eq!(
        store.keys().unwrap().len(),
        3,
        "the kept event is written again"
    );
}
