//! Purchase baskets → a frequently-bought-together head.
//!
//! Counts item and pair frequencies over baskets (one per line, comma-separated item ids,
//! duplicates within a basket counted once), keeps pairs seen in at least `min_support`
//! baskets, scores each partner of `a` with the chosen association measure shrunk towards 0
//! for rare pairs (`n_ab / (n_ab + shrink)`), and keeps the `top_k` best per item, rounded
//! to the bundle's 8 bits per score (`model::format::snap`). Also
//! builds the same head from pre-aggregated pair and item counts (a warehouse's output).
//! With `ease` set, the top-N items get learned weights instead (`crate::ease`).

use crate::{err, Result};
use checkout_personalizer::model::{self, Cooccur};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Score {
    /// P(b | a).
    Confidence,
    /// P(a, b) / (P(a) P(b)).
    Lift,
    /// n_ab / sqrt(n_a n_b).
    Cosine,
    /// log(lift) / -log(P(a, b)), in [-1, 1].
    Npmi,
}

impl Score {
    pub fn parse(s: &str) -> Result<Score> {
        match s {
            "confidence" => Ok(Score::Confidence),
            "lift" => Ok(Score::Lift),
            "cosine" => Ok(Score::Cosine),
            "npmi" => Ok(Score::Npmi),
            _ => Err(err(format!(
                "unknown score \"{s}\" (confidence, lift, cosine, npmi)"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub min_support: u64,
    pub top_k: usize,
    pub score: Score,
    pub shrink: f64,
    /// Learned weights for the top-N items instead of the association measure (which the
    /// other items keep).
    pub ease: Option<crate::ease::Options>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_support: 2,
            top_k: 20,
            score: Score::Confidence,
            shrink: 5.0,
            ease: None,
        }
    }
}

/// Item and pair counts.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub baskets: u64,
    pub items: HashMap<String, u64>,
    /// Unordered pairs, `a < b`.
    pub pairs: HashMap<(String, String), u64>,
}

impl Counts {
    pub fn add_basket<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        let mut basket: Vec<&str> = items
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        basket.sort_unstable();
        basket.dedup();
        if basket.is_empty() {
            return;
        }
        self.baskets += 1;
        for (i, a) in basket.iter().enumerate() {
            *self.items.entry((*a).to_owned()).or_default() += 1;
            for b in &basket[i + 1..] {
                *self
                    .pairs
                    .entry(((*a).to_owned(), (*b).to_owned()))
                    .or_default() += 1;
            }
        }
    }

    /// One basket per line, comma-separated ids.
    pub fn from_csv(text: &str) -> Counts {
        let mut c = Counts::default();
        for line in text.lines() {
            c.add_basket(line.split(','));
        }
        c
    }
}

/// Item metadata for cold start: category and display name per item id.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    pub category: HashMap<String, String>,
    pub name: HashMap<String, String>,
}

pub fn build(counts: &Counts, catalog: &Catalog, o: &Options) -> Result<Cooccur> {
    if counts.baskets == 0 {
        return Err(err("cooccur: no baskets"));
    }
    let mut items: Vec<&String> = counts.items.keys().collect();
    items.sort();
    let index: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let n = counts.baskets as f64;
    let freq: Vec<f64> = items.iter().map(|i| counts.items[*i] as f64).collect();
    let mut partners: Vec<Vec<(u32, f64)>> = vec![Vec::new(); items.len()];
    for ((a, b), &nab) in &counts.pairs {
        if nab < o.min_support {
            continue;
        }
        let (Some(&ia), Some(&ib)) = (index.get(a.as_str()), index.get(b.as_str())) else {
            continue;
        };
        let nab = nab as f64;
        let shrink = nab / (nab + o.shrink);
        for (x, y) in [(ia, ib), (ib, ia)] {
            let s = match o.score {
                Score::Confidence => nab / freq[x],
                Score::Lift => nab * n / (freq[x] * freq[y]),
                Score::Cosine => nab / (freq[x] * freq[y]).sqrt(),
                Score::Npmi => {
                    let pab = nab / n;
                    if pab >= 1.0 {
                        1.0
                    } else {
                        (pab / ((freq[x] / n) * (freq[y] / n))).ln() / -pab.ln()
                    }
                }
            };
            partners[x].push((y as u32, s * shrink));
        }
    }
    // EASE rows are kept whole (their sizes are `ease::fit`'s budget); the others are cut
    // to `top_k` below.
    let mut learned = vec![false; items.len()];
    if let Some(e) = &o.ease {
        let f = crate::ease::fit(counts, e)?;
        for (row, id) in f.partners.into_iter().zip(&f.items) {
            learned[index[id.as_str()]] = true;
            partners[index[id.as_str()]] = row
                .into_iter()
                .map(|(j, w)| (index[f.items[j as usize].as_str()] as u32, w))
                .collect();
        }
    }
    let mut c = Cooccur::default();
    let mut categories: Vec<String> = catalog.category.values().cloned().collect();
    categories.sort();
    categories.dedup();
    c.partner_start.push(0);
    for (i, id) in items.iter().enumerate() {
        let p = &mut partners[i];
        if !learned[i] {
            p.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            p.truncate(o.top_k);
        }
        // Shipped in the bundle's compact layout: ascending, 8 bits a score (what rounds to
        // 0 is left out).
        p.sort_by_key(|&(q, _)| q);
        let mut scores: Vec<f64> = p.iter().map(|&(_, s)| s).collect();
        model::format::snap(&mut scores);
        for (&(q, _), s) in p.iter().zip(scores) {
            if s != 0.0 {
                c.partner.push(q);
                c.partner_score.push(s);
            }
        }
        c.partner_start.push(c.partner.len() as u32);
        c.items.push((*id).clone());
        c.popularity.push(freq[i] / n);
        c.category.push(
            catalog
                .category
                .get(*id)
                .and_then(|cat| categories.binary_search(cat).ok())
                .map_or(u32::MAX, |k| k as u32),
        );
    }
    if !catalog.name.is_empty() {
        c.names = items
            .iter()
            .map(|id| catalog.name.get(*id).cloned().unwrap_or_default())
            .collect();
    }
    c.categories = categories;
    Ok(c)
}

/// Reads a catalogue CSV with a header: the first column is the item id; `category_col`
/// and `name_col` name the other columns used (missing columns are simply not used).
pub fn read_catalog(text: &str, category_col: &str, name_col: &str) -> Result<Catalog> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| err("catalog: empty file"))?
        .split(',')
        .map(str::trim)
        .collect();
    let cat = header.iter().position(|h| *h == category_col);
    let name = header.iter().position(|h| *h == name_col);
    if cat.is_none() && name.is_none() {
        return Err(err(format!(
            "catalog: no column \"{category_col}\" or \"{name_col}\" in {header:?}"
        )));
    }
    let mut c = Catalog::default();
    for line in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let Some(id) = cells.first().filter(|s| !s.is_empty()) else {
            continue;
        };
        if let Some(v) = cat.and_then(|i| cells.get(i)).filter(|v| !v.is_empty()) {
            c.category.insert((*id).to_owned(), (*v).to_owned());
        }
        if let Some(v) = name.and_then(|i| cells.get(i)).filter(|v| !v.is_empty()) {
            c.name.insert((*id).to_owned(), (*v).to_owned());
        }
    }
    Ok(c)
}

/// Pre-aggregated counts: `PAIRS.csv` rows `item_a,item_b,count` and `ITEMS.csv` rows
/// `item,count`, an optional header each, plus the number of baskets.
pub fn counts_from_tables(pairs: &str, items: &str, baskets: u64) -> Result<Counts> {
    let mut c = Counts {
        baskets,
        ..Counts::default()
    };
    for (i, line) in items.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        match (cells.first(), cells.get(1).map(|n| n.parse::<u64>())) {
            (Some(id), Some(Ok(n))) if !id.is_empty() => {
                c.items.insert((*id).to_owned(), n);
            }
            _ if i == 0 => {} // header
            _ => return Err(err(format!("items table: bad line {}: {line}", i + 1))),
        }
    }
    for (i, line) in pairs.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        match (
            cells.first(),
            cells.get(1),
            cells.get(2).map(|n| n.parse::<u64>()),
        ) {
            (Some(a), Some(b), Some(Ok(n))) if !a.is_empty() && !b.is_empty() && a != b => {
                let key = if a < b {
                    ((*a).to_owned(), (*b).to_owned())
                } else {
                    ((*b).to_owned(), (*a).to_owned())
                };
                *c.pairs.entry(key).or_default() += n;
            }
            _ if i == 0 => {}
            _ => return Err(err(format!("pairs table: bad line {}: {line}", i + 1))),
        }
    }
    if c.baskets == 0 {
        return Err(err(
            "cooccur: the number of baskets must be given (--baskets N)",
        ));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_scores() {
        let counts = Counts::from_csv("milk,bread\nmilk,bread,milk\nmilk,eggs\nbread\n\n");
        assert_eq!(counts.baskets, 4);
        assert_eq!(counts.items["milk"], 3);
        assert_eq!(counts.pairs[&("bread".into(), "milk".into())], 2);
        let o = Options {
            min_support: 1,
            top_k: 5,
            score: Score::Confidence,
            shrink: 0.0,
            ease: None,
        };
        let c = build(&counts, &Catalog::default(), &o).unwrap();
        assert_eq!(c.items, ["bread", "eggs", "milk"]);
        let milk = c.index("milk").unwrap();
        let partners: Vec<(&str, f64)> = c
            .partners(milk)
            .map(|(p, s)| (c.items[p].as_str(), s))
            .collect();
        // 2/3 and 1/3 on the row's grid of 2^-7 (127 · 2^-7 ≥ 2/3).
        assert_eq!(partners, [("bread", 85.0 / 128.0), ("eggs", 43.0 / 128.0)]);
        assert_eq!(c.popularity[milk], 0.75);
        let o = Options {
            min_support: 2,
            ..o
        };
        let c = build(&counts, &Catalog::default(), &o).unwrap();
        assert_eq!(c.partners(c.index("milk").unwrap()).count(), 1);
    }

    #[test]
    fn tables_give_the_same_counts_as_baskets() {
        let baskets = "a,b\na,b,c\nc\n";
        let direct = Counts::from_csv(baskets);
        let tables = counts_from_tables(
            "item_a,item_b,n\na,b,2\na,c,1\nb,c,1\n",
            "item,n\na,2\nb,2\nc,2\n",
            3,
        )
        .unwrap();
        assert_eq!(direct.items, tables.items);
        assert_eq!(direct.pairs, tables.pairs);
    }

    /// The warehouse path (pair and item tables) and the baskets give the same EASE head;
    /// items outside the top N keep their association partners.
    #[test]
    fn ease_from_tables_equals_ease_from_baskets() {
        let baskets = "a,b,c\na,b\na,c\nb,c,d\na,b,d\ne,a\n";
        let direct = Counts::from_csv(baskets);
        let mut pairs = String::from("item_a,item_b,n\n");
        for ((a, b), n) in &direct.pairs {
            pairs += &format!("{b},{a},{n}\n"); // either order: the table is unordered
        }
        let items: String = direct
            .items
            .iter()
            .map(|(k, n)| format!("{k},{n}\n"))
            .collect();
        let tables = counts_from_tables(&pairs, &items, direct.baskets).unwrap();
        let o = Options {
            min_support: 1,
            ease: Some(crate::ease::Options {
                lambda: 0.5,
                max_items: 4,
                top_k: 20,
            }),
            ..Options::default()
        };
        let (x, y) = (
            build(&direct, &Catalog::default(), &o).unwrap(),
            build(&tables, &Catalog::default(), &o).unwrap(),
        );
        assert_eq!(x, y);
        let fit = crate::ease::fit(&direct, o.ease.as_ref().unwrap()).unwrap();
        assert_eq!(fit.items, ["a", "b", "c", "d"]);
        // a's partners are its EASE weights, in the bundle's item indices.
        let a: Vec<(&str, f64)> = x
            .partners(x.index("a").unwrap())
            .map(|(p, s)| (x.items[p].as_str(), s))
            .collect();
        let mut want: Vec<(&str, f64)> = fit.partners[0]
            .iter()
            .map(|&(j, w)| (fit.items[j as usize].as_str(), w))
            .collect();
        want.sort_by(|p, q| p.0.cmp(q.0));
        let mut snapped: Vec<f64> = want.iter().map(|w| w.1).collect();
        model::format::snap(&mut snapped);
        let want: Vec<(&str, f64)> = want
            .iter()
            .zip(snapped)
            .filter(|(_, s)| *s != 0.0)
            .map(|(w, s)| (w.0, s))
            .collect();
        assert!(want.len() >= 2, "{want:?}");
        assert_eq!(a, want);
        // e (outside the top 4) keeps confidence: bought once, always with a.
        let e: Vec<(&str, f64)> = x
            .partners(x.index("e").unwrap())
            .map(|(p, s)| (x.items[p].as_str(), s))
            .collect();
        assert_eq!(e, [("a", 85.0 / 512.0)]); // 1/6 on the grid of 2^-9
    }

    /// An EASE row is shipped whole, larger than `top_k` for a frequent item and with its
    /// negative weights, not cut like an association row.
    #[test]
    fn ease_rows_are_not_cut_to_top_k() {
        let mut text = String::new();
        for k in 0..40 {
            text += &format!("a,i{},i{}\n", k % 9, (k * 4 + 1) % 9);
        }
        let counts = Counts::from_csv(&text);
        let e = crate::ease::Options {
            lambda: 1.0,
            max_items: 100,
            top_k: 2,
        };
        let o = Options {
            min_support: 1,
            top_k: 2,
            ease: Some(e),
            ..Options::default()
        };
        let c = build(&counts, &Catalog::default(), &o).unwrap();
        let fit = crate::ease::fit(&counts, &e).unwrap();
        assert_eq!(fit.items[0], "a");
        let a: Vec<f64> = c.partners(c.index("a").unwrap()).map(|p| p.1).collect();
        assert!(a.len() > 2, "{a:?}");
        assert_eq!(a.len(), fit.partners[0].len());
        let negative = fit.partners.iter().flatten().any(|p| p.1 < 0.0);
        let shipped_negative = (0..c.items.len()).any(|i| c.partners(i).any(|p| p.1 < 0.0));
        assert!(negative && shipped_negative);
    }
}
