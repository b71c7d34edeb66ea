//! Cross-sells without a page catalogue take their candidates from the model's orders
//! (partners, per-category and overall popularity) instead of scanning every item. Listing
//! every item as the page's catalogue goes through the plain scan, so the two must agree
//! exactly: on random catalogues with tied popularity, categories with and without
//! interest, negative partner scores, and carts of every size.

use checkout_personalizer::model::{format, Bundle, Cooccur, Head, HeadKind, Surface};
use checkout_personalizer::rank::CrossSellRequest;
use checkout_personalizer::{MemoryStore, Options, Tracker, Value};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn catalogue(rng: &mut Rng) -> Cooccur {
    let n = 20 + rng.below(150) as usize;
    let n_cat = 1 + rng.below(6) as usize;
    let mut c = Cooccur {
        items: (0..n).map(|i| format!("sku{i:04}")).collect(),
        categories: (0..n_cat).map(|k| format!("cat{k}")).collect(),
        ..Cooccur::default()
    };
    for _ in 0..n {
        // Few distinct values: many ties.
        c.popularity.push(rng.below(8) as f64 / 8.0);
        c.category.push(if rng.below(5) == 0 {
            u32::MAX
        } else {
            rng.below(n_cat as u64) as u32
        });
    }
    c.partner_start.push(0);
    for i in 0..n {
        let k = rng.below(6);
        let mut seen = Vec::new();
        for _ in 0..k {
            let p = rng.below(n as u64) as u32;
            if p as usize == i || seen.contains(&p) {
                continue;
            }
            seen.push(p);
            c.partner.push(p);
            // Some negative (an NPMI score can be).
            c.partner_score.push(rng.below(9) as f64 / 4.0 - 0.5);
        }
        c.partner_start.push(c.partner.len() as u32);
    }
    c
}

fn v(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn the_catalogue_orders_give_what_a_full_scan_gives() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..60 {
        let co = catalogue(&mut rng);
        let items = co.items.clone();
        let n_cat = co.categories.len();
        let bundle = Bundle {
            id: "pool".into(),
            version: "1".into(),
            heads: vec![Head {
                name: "co".into(),
                kind: HeadKind::Cooccur(co),
            }],
            cross_sell: Some(Surface {
                cooccur: Some("co".into()),
                ..Surface::default()
            }),
            ..Bundle::default()
        };
        let bytes = format::encode(&bundle);
        let mut t = Tracker::for_replay(MemoryStore::new(), &Options::default(), 1, 1_000);
        t.load_model(&bytes).unwrap();
        // Interest in some categories (views), not in others.
        for k in 0..n_cat {
            for _ in 0..rng.below(3) {
                let i = rng.below(items.len() as u64) as usize;
                let e = format!(
                    r#"{{"type":"view_item","items":[{{"item_id":"{}","item_category":"cat{k}"}}]}}"#,
                    items[i]
                );
                t.track(&v(&e), 2_000).unwrap();
            }
        }
        for cart_size in [0usize, 1, 3, 8] {
            let cart: Vec<String> = (0..cart_size)
                .map(|_| items[rng.below(items.len() as u64) as usize].clone())
                .collect();
            let limit = [1usize, 5, 50][round % 3];
            let ask = |candidates: Option<Vec<String>>| CrossSellRequest {
                items: Some(cart.clone()),
                limit: Some(limit),
                candidates,
            };
            let fast = t.rank_cross_sells(&ask(None), 3_000);
            let scan = t.rank_cross_sells(&ask(Some(items.clone())), 3_000);
            assert_eq!(fast, scan, "round {round}, cart {cart:?}");
            assert!(!fast.items.is_empty() || cart_size >= items.len());
            // Never an item in the cart, never one outside the catalogue, never twice.
            let mut seen = std::collections::BTreeSet::new();
            for r in &fast.items {
                assert!(
                    !cart.contains(&r.id),
                    "round {round}: {} is in the cart",
                    r.id
                );
                assert!(
                    items.contains(&r.id),
                    "round {round}: {} is not in the catalogue",
                    r.id
                );
                assert!(seen.insert(r.id.clone()), "round {round}: {} twice", r.id);
            }
            // Only the page's candidates when it names them.
            let few: Vec<String> = items.iter().step_by(3).cloned().collect();
            let only = t.rank_cross_sells(&ask(Some(few.clone())), 3_000);
            assert!(only
                .items
                .iter()
                .all(|r| few.contains(&r.id) && !cart.contains(&r.id)));
        }
    }
}
