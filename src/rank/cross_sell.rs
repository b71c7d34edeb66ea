//! Cross-sells: up to `limit` items for the cart, never one in it, never one outside the
//! catalogue (the model's items, or the page's candidates).

use super::rules::{apply_pins, apply_rules};
use super::score::{Reason, Scorer};
use super::signals::{Candidate, Signals, Usage};
use super::{
    prepare, Assignment, Decision, Ranked, Ranking, Surface, MAX_CROSS_SELLS, RERANK_POOL,
};
use crate::model::HeadKind;
use crate::sort;

/// What the page asks of `rank_cross_sells`.
#[derive(Debug, Clone, Default)]
pub struct CrossSellRequest {
    /// Cart item ids (defaults to the profile's cart).
    pub items: Option<Vec<String>>,
    pub limit: Option<usize>,
    /// The page's catalogue: only these may be proposed.
    pub candidates: Option<Vec<String>>,
}

struct Pool {
    idx: Option<usize>,
    id: String,
    cooccur: f64,
    affinity: f64,
    popularity: f64,
}

/// Items to offer with the cart. Never one in the cart, never one outside the catalogue.
pub fn rank_cross_sells<'a>(d: &Decision<'a>, req: &'a CrossSellRequest, explain: bool) -> Ranking {
    let limit = req.limit.unwrap_or(5).min(MAX_CROSS_SELLS);
    let cart: Vec<String> = req.items.clone().unwrap_or_else(|| {
        d.signals
            .view
            .cart
            .items
            .iter()
            .map(|l| l.id.clone())
            .collect()
    });
    let in_cart = |id: &str| cart.iter().any(|c| c == id);
    let page_order = |why: &'static str, tag: Option<String>, experiment: Option<Assignment>| {
        let items = req
            .candidates
            .iter()
            .flatten()
            .filter(|c| !in_cart(c))
            .take(limit)
            .map(|id| Ranked {
                id: id.clone(),
                score: 0.0,
                eligible: true,
                reasons: Vec::new(),
                name: None,
                category: None,
            })
            .collect();
        Ranking {
            items,
            fallback: Some(why),
            experiment,
            model: tag,
        }
    };
    let p = match prepare(d, Surface::CrossSell) {
        Ok(p) => p,
        Err(f) => return page_order(f.why, f.tag, f.experiment),
    };
    let model = p.model;
    let surface: crate::model::Surface = p.config.cloned().unwrap_or_default();
    let (assigned, tag, head) = (p.assigned, p.tag, p.head);
    let co = surface
        .cooccur
        .as_deref()
        .and_then(|n| model.head(n))
        .and_then(|h| match &h.kind {
            HeadKind::Cooccur(c) => Some(c),
            _ => None,
        });
    let Some(co) = co else {
        return page_order("noHead", tag, assigned);
    };

    // Candidate pool with co-occurrence, category affinity and popularity.
    let cart_idx: Vec<usize> = cart.iter().filter_map(|id| co.index(id)).collect();
    let sums = co.cart_sums(&cart_idx);
    let reached = sums.reached();
    let score_of = |i: usize| sums.get(i);
    let now = d.signals.now;
    // Affinity per category, once (not per item): in-session interest plus a tenth of
    // historic interest.
    let category_affinity: Vec<f64> = co
        .categories
        .iter()
        .map(|cat| {
            let (session, history) = d.signals.profile.category_interest(cat, now);
            session + history * 0.1
        })
        .collect();
    let affinity = |i: usize| {
        co.category
            .get(i)
            .and_then(|&k| category_affinity.get(k as usize))
            .copied()
            .unwrap_or(0.0)
    };
    // Tiers: bought together, then category affinity, then popularity.
    let key = |cooccur: f64, affinity: f64, popularity: f64| {
        if cooccur > 0.0 {
            (2u8, cooccur)
        } else if affinity > 0.0 {
            (1, affinity * (0.5 + popularity))
        } else {
            (0, popularity)
        }
    };
    // Keep only the best `keep` candidates, without sorting (or copying) the catalogue.
    let keep = RERANK_POOL.max(limit);
    type Cand<'a> = ((u8, f64), Option<usize>, &'a str);
    let mut top: Vec<Cand<'a>> = Vec::with_capacity(keep + 1);
    let mut all: Vec<Cand<'a>> = Vec::new();
    let mut offer = |k: (u8, f64), idx: Option<usize>, id: &'a str| {
        let before = |t: &((u8, f64), Option<usize>, &str)| {
            t.0 .0 > k.0 || (t.0 .0 == k.0 && (t.0 .1 > k.1 || (t.0 .1 == k.1 && t.2 <= id)))
        };
        if top.len() == keep && top.last().is_some_and(&before) {
            return;
        }
        // Listed twice (by the page): an id's catalogue index says who it is, and the
        // catalogue's ids are unique, so only ids it lacks are compared as text.
        let same = |t: &((u8, f64), Option<usize>, &str)| match idx {
            Some(_) => t.1 == idx,
            None => t.1.is_none() && t.2 == id,
        };
        if top.iter().any(same) {
            return;
        }
        let at = top.iter().position(|t| !before(t)).unwrap_or(top.len());
        top.insert(at, (k, idx, id));
        top.truncate(keep);
    };
    match &req.candidates {
        Some(cands) => {
            for id in cands.iter().filter(|id| !in_cart(id)) {
                match co.index(id) {
                    Some(i) => offer(
                        key(score_of(i), affinity(i), co.popularity[i]),
                        Some(i),
                        id.as_str(),
                    ),
                    None => offer((0, 0.0), None, id.as_str()),
                }
            }
        }
        None => {
            // The best `keep` of the whole catalogue, without scanning it: every item the
            // cart's partners reach, then per category with affinity its most popular
            // items, then the most popular items overall (each list skips what an earlier
            // tier or the cart holds). Within a category the key only grows with
            // popularity, so its first `keep` items (and any tied with the last) are all
            // it can contribute; overall popularity is the tier-0 key itself.
            let mut cart_sorted = cart_idx.clone();
            crate::sort::sort_by(&mut cart_sorted, Ord::cmp);
            let in_cart = |i: usize| cart_sorted.binary_search(&i).is_ok();
            let item = |i: usize| co.items.get(i).map_or("", String::as_str);
            let pop = |i: usize| co.popularity.get(i).copied().unwrap_or(0.0);
            for &i in reached {
                let s = score_of(i);
                if s > 0.0 && !in_cart(i) {
                    all.push((key(s, affinity(i), pop(i)), Some(i), item(i)));
                }
            }
            for (k, &a) in category_affinity.iter().enumerate() {
                if a.is_nan() || a <= 0.0 {
                    continue;
                }
                let (mut taken, mut last) = (0, f64::NAN);
                for &i in co.category_items(k) {
                    let i = i as usize;
                    if in_cart(i) || score_of(i) > 0.0 {
                        continue;
                    }
                    let kk = key(0.0, a, pop(i));
                    if taken >= keep && kk.1 != last {
                        break;
                    }
                    all.push((kk, Some(i), item(i)));
                    (taken, last) = (taken + 1, kk.1);
                }
            }
            let mut taken = 0;
            for &i in &co.order.by_popularity {
                let i = i as usize;
                if taken == keep {
                    break;
                }
                if in_cart(i) || score_of(i) > 0.0 || affinity(i) > 0.0 {
                    continue;
                }
                all.push((key(0.0, 0.0, pop(i)), Some(i), item(i)));
                taken += 1;
            }
        }
    }
    // Whole-catalogue candidates are distinct items: the best `keep` by selection, then
    // sorted (a learned table's carts reach hundreds of partners: no insertion per item).
    // The catalogue is sorted by id, so its index orders ties as the id would.
    if !all.is_empty() {
        let order = |a: &Cand<'a>, b: &Cand<'a>| {
            (b.0 .0.cmp(&a.0 .0))
                .then(b.0 .1.total_cmp(&a.0 .1))
                .then(a.1.cmp(&b.1))
        };
        if all.len() > keep {
            all.select_nth_unstable_by(keep - 1, order);
            all.truncate(keep);
        }
        sort::sort_by(&mut all, order);
        top = all;
    }
    let pool: Vec<Pool> = top
        .into_iter()
        .map(|(_, idx, id)| Pool {
            idx,
            id: id.to_owned(),
            cooccur: idx.map_or(0.0, score_of),
            affinity: idx.map_or(0.0, affinity),
            popularity: idx.map_or(0.0, |i| co.popularity[i]),
        })
        .collect();

    let mut scorer = Scorer::new(model, head.as_deref());
    let candidates: Vec<Candidate> = pool
        .iter()
        .enumerate()
        .map(|(order, p)| Candidate {
            id: &p.id,
            usage: Usage::None,
            kind: None,
            position: order,
            price: None,
            category: p.idx.and_then(|i| co.category_of(i)),
            cooccur: Some(p.cooccur),
            popularity: Some(p.popularity),
        })
        .collect();
    let signals: Vec<Signals> = candidates
        .iter()
        .map(|c| d.signals.with_candidate(c))
        .collect();
    // Every candidate is scored; the model's reasons are worked out below, only for the
    // few that are returned.
    let scored: Vec<f64> = if scorer.head.is_some() {
        scorer
            .score_all(&signals, false)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    } else {
        Vec::new()
    };
    struct Kept {
        pool: usize,
        score: f64,
        rule_reasons: Vec<Reason>,
        pin: Option<(usize, i32)>,
    }
    let mut ranked: Vec<Kept> = Vec::new();
    for (n, (p, s)) in pool.iter().zip(&signals).enumerate() {
        let (tier, base) = key(p.cooccur, p.affinity, p.popularity);
        // Without a reranker the tiers order the pool: keep them apart in the score.
        let score = scored
            .get(n)
            .copied()
            .unwrap_or_else(|| f64::from(tier) + base.clamp(0.0, 0.999_999));
        let rules = apply_rules(model, &surface.rules, &model.cross_sell_rules, s, false);
        if rules.eligible {
            let reasons = if explain { rules.reasons } else { Vec::new() };
            ranked.push(Kept {
                pool: n,
                score: score + rules.boost,
                rule_reasons: reasons,
                pin: rules.pin,
            });
        }
    }
    sort::sort_by(&mut ranked, |a, b| b.score.total_cmp(&a.score));
    let pins = ranked
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.pin.map(|(pos, prio)| (i, pos, prio)))
        .collect();
    let mut chosen = apply_pins(ranked, pins);
    chosen.truncate(limit);
    let mut model_reasons = if explain && scorer.head.is_some() {
        let shown: Vec<Signals> = chosen
            .iter()
            .filter_map(|c| candidates.get(c.pool).map(|c| d.signals.with_candidate(c)))
            .collect();
        scorer.score_all(&shown, true)
    } else {
        Vec::new()
    }
    .into_iter();
    let items = chosen
        .into_iter()
        .map(|k| {
            let (n, score, mut reasons) = (k.pool, k.score, k.rule_reasons);
            let p = &pool[n];
            let category = candidates[n].category;
            if explain {
                // Rules first, then why it is in the pool, then the model's nudge.
                reasons.push(if p.cooccur > 0.0 {
                    let i = p.idx.unwrap_or(usize::MAX);
                    // The cart items that brought it here most (at most two, never one
                    // whose learned weight speaks against it): the card and a reasons panel
                    // name the same ones.
                    let mut by: Vec<(f64, usize)> = cart_idx
                        .iter()
                        .filter_map(|&c| {
                            co.partner_score(c, i)
                                .filter(|&s| s > 0.0)
                                .map(|score| (score, c))
                        })
                        .collect();
                    sort::sort_by(&mut by, |a, b| b.0.total_cmp(&a.0));
                    Reason::BoughtWith {
                        items: by
                            .iter()
                            .take(2)
                            .map(|&(_, c)| co.items[c].clone())
                            .collect(),
                    }
                } else if p.affinity > 0.0 {
                    Reason::CategoryAffinity {
                        category: category.unwrap_or_default().to_owned(),
                    }
                } else {
                    Reason::Popular
                });
                if let Some((_, mut m)) = model_reasons.next() {
                    reasons.append(&mut m);
                }
            }
            Ranked {
                id: p.id.clone(),
                score,
                eligible: true,
                reasons,
                name: p.idx.and_then(|i| co.name_of(i)).map(str::to_owned),
                category: category.map(str::to_owned),
            }
        })
        .collect();
    Ranking {
        items,
        fallback: None,
        experiment: assigned,
        model: tag,
    }
}
