//! EASE^R item-to-item weights (Steck, "Embarrassingly Shallow Autoencoders for Sparse
//! Data", WWW 2019) over the top-N items of a `Counts`.
//!
//! `XᵀX` is the count table: its diagonal is how many baskets hold an item, the rest how
//! many hold a pair, so baskets and a warehouse's pre-aggregated tables give the same fit.
//! With `P = (XᵀX + λI)⁻¹` the weights are `B = I − P·diag(1/diag P)`, i.e.
//! `B[i][j] = −P[i][j] / P[j][j]` off the diagonal and 0 on it. The inverse comes from
//! faer's Cholesky factorisation (measured against nalgebra's on a 2,000-item Gram matrix on
//! this 2-core machine: 0.32 s against 5.11 s). Each item keeps its largest weights by size
//! (`top_k` on average, more for frequent items), negative ones included: a negative sum pushes a candidate out of the bought-together tier.
//!
//! `choose_lambda` picks λ on a validation split of the baskets (HR@5 of the kept weights,
//! every item of a validation basket hidden in turn), on at most `AUTO_ITEMS` items so that
//! the search costs less than the final fit.

use crate::cooccur::Counts;
use crate::{err, Result};
use faer::linalg::solvers::DenseSolveCore;
use faer::{Mat, Side};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    pub lambda: f64,
    pub max_items: usize,
    pub top_k: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lambda: 10.0,
            max_items: 10_000,
            top_k: 30,
        }
    }
}

/// The λ values `choose_lambda` tries: decades first, then half a decade either side of
/// the best.
const DECADES: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];

/// λ is chosen on at most this many items (the most frequent): each try inverts an N×N
/// matrix, and the weights of the frequent items decide λ.
pub const AUTO_ITEMS: usize = 4_000;

/// Every item keeps at least this many weights (or `top_k`, if smaller).
const MIN_PARTNERS: usize = 5;

/// And at most this many times `top_k`: a cart of frequent items then reaches a bounded
/// number of candidates (what `rankCrossSells` spends its time on).
const CAP: usize = 4;

/// Weights of the top-N items: `partners[i]` holds `(j, B[i][j])` for the largest
/// `|B[i][j]|`, both indices into `items`; `top_k` per item on average (see `fit`).
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub items: Vec<String>,
    pub partners: Vec<Vec<(u32, f64)>>,
}

/// The `max` most frequent items, most frequent first (ties by id).
pub fn top_items(counts: &Counts, max: usize) -> Vec<&str> {
    let mut items: Vec<(&str, u64)> = counts.items.iter().map(|(k, &n)| (k.as_str(), n)).collect();
    items.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    items.truncate(max);
    items.into_iter().map(|(k, _)| k).collect()
}

pub fn fit(counts: &Counts, o: &Options) -> Result<Fit> {
    if !(o.lambda.is_finite() && o.lambda >= 0.0) {
        return Err(err(format!("ease: lambda must be ≥ 0, not {}", o.lambda)));
    }
    let items = top_items(counts, o.max_items);
    let n = items.len();
    if n == 0 {
        return Err(err("ease: no items"));
    }
    let index: HashMap<&str, usize> = items.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut g = Mat::<f64>::zeros(n, n);
    for (i, id) in items.iter().enumerate() {
        g[(i, i)] = counts.items[*id] as f64 + o.lambda;
    }
    for ((a, b), &nab) in &counts.pairs {
        if let (Some(&i), Some(&j)) = (index.get(a.as_str()), index.get(b.as_str())) {
            g[(i, j)] = nab as f64;
            g[(j, i)] = nab as f64;
        }
    }
    let p = g
        .llt(Side::Lower)
        .map_err(|_| err("ease: the Gram matrix is not positive definite; use a larger --lambda"))?
        .inverse();
    drop(g);
    let diag: Vec<f64> = (0..n).map(|j| p[(j, j)]).collect();
    // The table's budget is `top_k` weights per item on average, shared in proportion to
    // √(baskets holding the item), between 5 and `CAP` × `top_k`: frequent items are in
    // more carts, so their rows decide more rankings (on the Instacart validation split,
    // √-shared rows averaging 30 did as well as 50 for every item; the cap cost 0.001 of
    // HR@5 there and cut a 10k-item `rankCrossSells` p50 by about 40 %).
    let root: Vec<f64> = items
        .iter()
        .map(|id| (counts.items[*id] as f64).sqrt())
        .collect();
    let total: f64 = root.iter().sum();
    let budget = (o.top_k * n) as f64;
    let mut row: Vec<(u32, f64)> = Vec::with_capacity(n);
    let partners = (0..n)
        .map(|i| {
            let k = ((budget * root[i] / total).round() as usize)
                .max(o.top_k.min(MIN_PARTNERS))
                .min(o.top_k.saturating_mul(CAP))
                .min(n - 1);
            row.clear();
            row.extend(
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| (j as u32, -p[(i, j)] / diag[j]))
                    .filter(|&(_, w)| w != 0.0 && w.is_finite()),
            );
            let by_size = |a: &(u32, f64), b: &(u32, f64)| {
                b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
            };
            if row.len() > k && k > 0 {
                row.select_nth_unstable_by(k - 1, by_size);
            }
            row.truncate(k);
            row.sort_unstable_by(by_size);
            row.clone()
        })
        .collect();
    Ok(Fit {
        items: items.into_iter().map(str::to_owned).collect(),
        partners,
    })
}

/// One basket per entry, ids deduplicated.
pub type Baskets = Vec<Vec<String>>;

/// Baskets from the CSV that `Counts::from_csv` reads (one per line).
pub fn baskets_from_csv(text: &str) -> Baskets {
    text.lines()
        .map(|line| {
            let mut b: Vec<String> = line
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            b.sort_unstable();
            b.dedup();
            b
        })
        .filter(|b| !b.is_empty())
        .collect()
}

/// HR@5 of `fit` on leave-one-out queries from `held_out`: the candidates with a positive
/// summed weight first (by sum), then by popularity in `counts`, as the module ranks them
/// without categories.
pub fn hit_rate_at_5(fit: &Fit, counts: &Counts, held_out: &[Vec<String>]) -> f64 {
    let index: HashMap<&str, usize> = fit
        .items
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut popular: Vec<(&str, u64)> =
        counts.items.iter().map(|(k, &n)| (k.as_str(), n)).collect();
    popular.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let (mut hits, mut queries) = (0usize, 0usize);
    let mut sum = vec![0.0f64; fit.items.len()];
    for basket in held_out.iter().filter(|b| b.len() >= 2) {
        for hidden in basket {
            let cart: Vec<&str> = basket
                .iter()
                .map(String::as_str)
                .filter(|x| x != hidden)
                .collect();
            let mut touched = Vec::new();
            for c in cart.iter().filter_map(|c| index.get(c)) {
                for &(j, w) in &fit.partners[*c] {
                    if sum[j as usize] == 0.0 {
                        touched.push(j as usize);
                    }
                    sum[j as usize] += w;
                }
            }
            let mut scored: Vec<(f64, &str)> = touched
                .iter()
                .filter(|&&j| sum[j] > 0.0)
                .map(|&j| (sum[j], fit.items[j].as_str()))
                .filter(|(_, id)| !cart.contains(id))
                .collect();
            scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            let mut top: Vec<&str> = scored.into_iter().take(5).map(|(_, id)| id).collect();
            for (id, _) in &popular {
                if top.len() == 5 {
                    break;
                }
                if !cart.contains(id) && !top.contains(id) {
                    top.push(id);
                }
            }
            for j in touched {
                sum[j] = 0.0;
            }
            hits += usize::from(top.contains(&hidden.as_str()));
            queries += 1;
        }
    }
    hits as f64 / queries.max(1) as f64
}

/// λ with the best validation HR@5 (ties: the larger λ), and every `(λ, HR@5)` tried. One
/// basket in ten (the same ones on every run) is held out; the rest are counted.
pub fn choose_lambda(baskets: &[Vec<String>], o: &Options) -> Result<(f64, Vec<(f64, f64)>)> {
    let (mut train, mut held_out) = (Counts::default(), Vec::new());
    for (k, b) in baskets.iter().enumerate() {
        if k % 10 == 9 {
            held_out.push(b.clone());
        } else {
            train.add_basket(b.iter().map(String::as_str));
        }
    }
    if held_out.iter().all(|b| b.len() < 2) || train.baskets == 0 {
        return Err(err(
            "ease: too few baskets to choose lambda (give --lambda L)",
        ));
    }
    let mut tried: Vec<(f64, f64)> = Vec::new();
    let try_lambda = |lambda: f64, tried: &mut Vec<(f64, f64)>| -> Result<f64> {
        let f = fit(
            &train,
            &Options {
                lambda,
                max_items: o.max_items.min(AUTO_ITEMS),
                ..*o
            },
        )?;
        let hr = hit_rate_at_5(&f, &train, &held_out);
        tried.push((lambda, hr));
        Ok(hr)
    };
    for l in DECADES {
        try_lambda(l, &mut tried)?;
    }
    let best = |t: &[(f64, f64)]| {
        t.iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)))
            .map_or(o.lambda, |(l, _)| l)
    };
    let b = best(&tried);
    for l in [b / 10f64.sqrt(), b * 10f64.sqrt()] {
        try_lambda(l, &mut tried)?;
    }
    tried.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok((best(&tried), tried))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dense EASE by hand on three items, against the closed form through faer.
    #[test]
    fn weights_are_the_closed_form() {
        let counts = Counts::from_csv("a,b\na,b\na,c\nb\n");
        // XᵀX + λI with λ = 1, items in frequency order a(3), b(3), c(1).
        let f = fit(
            &counts,
            &Options {
                lambda: 1.0,
                max_items: 10,
                top_k: 10,
            },
        )
        .unwrap();
        assert_eq!(f.items, ["a", "b", "c"]);
        // G = [[4,2,1],[2,4,0],[1,0,2]]; det = 4·8 − 2·4 + 1·(−4) = 20.
        // P = adj(G)/20: P = [[8,−4,−4],[−4,7,2],[−4,2,12]] / 20.
        let p = [[8.0, -4.0, -4.0], [-4.0, 7.0, 2.0], [-4.0, 2.0, 12.0]];
        for (i, row) in f.partners.iter().enumerate() {
            assert_eq!(row.len(), 2);
            for &(j, w) in row {
                let j = j as usize;
                let want = -p[i][j] / p[j][j];
                assert!((w - want).abs() < 1e-12, "B[{i}][{j}] = {w}, want {want}");
            }
        }
        // Kept by size: b's partners are a (4/8 = 0.5) then c (−2/12).
        assert_eq!(f.partners[1][0].0, 0);
    }

    #[test]
    fn top_k_and_max_items_bound_the_table() {
        let counts = Counts::from_csv("a,b,c,d\na,b\na,c\nb,d\na\n");
        let f = fit(
            &counts,
            &Options {
                lambda: 2.0,
                max_items: 3,
                top_k: 1,
            },
        )
        .unwrap();
        assert_eq!(f.items, ["a", "b", "c"]);
        assert!(f.partners.iter().all(|p| p.len() == 1));
        // Item 0 is in every basket, the others in few: it gets the larger share of a
        // budget of 6 per item on average, every item at least 5.
        let mut text = String::new();
        for k in 0..60 {
            text += &format!("i00,i{:02},i{:02}\n", 1 + k % 29, 1 + (k * 7) % 29);
        }
        let f = fit(
            &Counts::from_csv(&text),
            &Options {
                lambda: 1.0,
                max_items: 100,
                top_k: 6,
            },
        )
        .unwrap();
        let lens: Vec<usize> = f.partners.iter().map(Vec::len).collect();
        assert_eq!(f.items[0], "i00");
        assert!(lens[0] > 6 && lens[0] <= 6 * CAP, "{lens:?}");
        assert!(lens[1..].iter().all(|&l| (5..=6).contains(&l)), "{lens:?}");
        let total: usize = lens.iter().sum();
        assert!(total.abs_diff(6 * 30) <= 30, "{total}");
    }

    #[test]
    fn bad_lambda_and_empty_input_are_errors() {
        let counts = Counts::from_csv("a,b\n");
        for l in [f64::NAN, -1.0] {
            let o = Options {
                lambda: l,
                ..Options::default()
            };
            assert!(fit(&counts, &o)
                .unwrap_err()
                .to_string()
                .starts_with("ease: lambda"));
        }
        assert!(fit(&Counts::default(), &Options::default()).is_err());
        assert!(choose_lambda(&baskets_from_csv("a,b\n"), &Options::default()).is_err());
    }

    /// Two groups of items that are bought together: λ is chosen from the grid and the fit
    /// recommends within the group.
    #[test]
    fn lambda_is_chosen_on_held_out_baskets() {
        let mut text = String::new();
        for k in 0..200 {
            let g = if k % 2 == 0 {
                ["a", "b", "c"]
            } else {
                ["x", "y", "z"]
            };
            text += &format!("{},{}\n", g[k % 3], g[(k + 1) % 3]);
        }
        let baskets = baskets_from_csv(&text);
        let (lambda, tried) = choose_lambda(&baskets, &Options::default()).unwrap();
        assert_eq!(tried.len(), DECADES.len() + 2);
        assert!(tried.iter().any(|&(l, _)| l == lambda));
        let counts = Counts::from_csv(&text);
        let f = fit(
            &counts,
            &Options {
                lambda,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(hit_rate_at_5(&f, &counts, &baskets) > 0.99);
    }

    /// An EASE bundle in the module: it ranks by the summed shipped weights, and a reason
    /// names only cart items whose weight speaks for the item.
    #[test]
    fn the_module_ranks_by_the_shipped_weights_and_names_true_reasons() {
        use checkout_personalizer::model::HeadKind;
        use checkout_personalizer::rank::score::Reason;
        use checkout_personalizer::rank::CrossSellRequest;
        use checkout_personalizer::{MemoryStore, Options as TrackerOptions, Tracker};
        let mut text = String::new();
        for k in 0..300 {
            // Topics {a,b,c} and {x,y,z}; "m" goes with both; "s" only with "x".
            let t = if k % 3 == 0 {
                ["a", "b", "c"]
            } else {
                ["x", "y", "z"]
            };
            let m = if k % 5 == 0 { ",m" } else { "" };
            text += &format!("{},{}{m}\n", t[(k / 3) % 3], t[(k / 3 + 1) % 3]);
            if k % 4 == 0 {
                text += "s,x\n";
            }
        }
        let counts = Counts::from_csv(&text);
        let o = crate::cooccur::Options {
            ease: Some(Options {
                lambda: 2.0,
                ..Options::default()
            }),
            ..crate::cooccur::Options::default()
        };
        let head = crate::cooccur::build(&counts, &crate::cooccur::Catalog::default(), &o).unwrap();
        let mut bundle = crate::single_head(
            "e",
            checkout_personalizer::model::Head {
                name: "co".into(),
                kind: HeadKind::Cooccur(head),
            },
            None,
        );
        bundle.cross_sell = Some(checkout_personalizer::model::Surface {
            cooccur: Some("co".into()),
            ..Default::default()
        });
        let bytes = crate::encode_checked(&bundle).unwrap();
        let mut t = Tracker::for_replay(MemoryStore::new(), &TrackerOptions::default(), 1, 0);
        let HeadKind::Cooccur(co) = &t.load_model(&bytes).unwrap().bundle().heads[0].kind else {
            panic!("not a cooccur head")
        };
        let co = co.clone();
        for cart in [&["a"][..], &["a", "x"], &["a", "m"], &["s", "b"]] {
            let cart_idx: Vec<usize> = cart.iter().map(|c| co.index(c).unwrap()).collect();
            let mut sums: Vec<(f64, &str)> = co
                .cart_scores(&cart_idx)
                .into_iter()
                .filter(|&(i, s)| s > 0.0 && !cart_idx.contains(&i))
                .map(|(i, s)| (s, co.items[i].as_str()))
                .collect();
            sums.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(q.1)));
            let r = t.rank_cross_sells(
                &CrossSellRequest {
                    items: Some(cart.iter().map(|s| (*s).to_owned()).collect()),
                    limit: Some(3),
                    candidates: None,
                },
                1,
            );
            let got: Vec<&str> = r.items.iter().map(|i| i.id.as_str()).collect();
            let want: Vec<&str> = sums.iter().take(3).map(|s| s.1).collect();
            assert_eq!(got, want, "{cart:?}");
            if cart == ["a"] {
                assert!(got[..2].iter().all(|g| ["b", "c"].contains(g)), "{got:?}");
            }
            for item in &r.items {
                let j = co.index(&item.id).unwrap();
                for reason in &item.reasons {
                    if let Reason::BoughtWith { items } = reason {
                        assert!(!items.is_empty());
                        for c in items {
                            let w = co.partners(co.index(c).unwrap()).find(|p| p.0 == j);
                            assert!(w.is_some_and(|w| w.1 > 0.0), "{c} named for {}", item.id);
                        }
                    }
                }
            }
        }
    }
}
