//! Frequently-bought-together evaluation over a validated `Cooccur`: item lookup, partner
//! aggregation for a cart, and popularity order for cold start. Never fails.

use super::{Cooccur, CooccurOrder};

/// The cart's summed partner scores (`Cooccur::cart_sums`): the items reached, and their
/// sums either alongside (`reached` ascending, `sums[k]` for `reached[k]`) or per catalogue
/// item (`reached` in the order first reached).
pub struct CartSums {
    reached: Vec<usize>,
    sums: Vec<f64>,
    dense: bool,
}

impl CartSums {
    /// The sum for item `i` (0 when no cart item reaches it).
    pub fn get(&self, i: usize) -> f64 {
        let at = if self.dense {
            Some(i)
        } else {
            self.reached.binary_search(&i).ok()
        };
        at.and_then(|at| self.sums.get(at)).copied().unwrap_or(0.0)
    }

    /// The items some cart item reaches.
    pub fn reached(&self) -> &[usize] {
        &self.reached
    }
}

impl Cooccur {
    pub fn index(&self, id: &str) -> Option<usize> {
        self.items.binary_search_by(|i| i.as_str().cmp(id)).ok()
    }

    pub fn category_of(&self, i: usize) -> Option<&str> {
        let k = *self.category.get(i)?;
        self.categories.get(k as usize).map(String::as_str)
    }

    pub fn name_of(&self, i: usize) -> Option<&str> {
        self.names
            .get(i)
            .map(String::as_str)
            .filter(|n| !n.is_empty())
    }

    /// Partners of item `i` with their scores.
    pub fn partners(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (
            self.partner_start[i] as usize,
            self.partner_start[i + 1] as usize,
        );
        self.partner[a..b]
            .iter()
            .zip(&self.partner_score[a..b])
            .map(|(&p, &s)| (p as usize, s))
    }

    /// Summed partner scores of the `cart` items (indices), each sum adding the cart's items
    /// in cart order. A cart that reaches few links (association tables) sorts its pairs; one
    /// that reaches many (a learned table's frequent items have hundreds of partners) adds
    /// into a dense array instead: no sort of every link, one allocation of the catalogue.
    pub fn cart_sums(&self, cart: &[usize]) -> CartSums {
        let n = self.items.len();
        let row = |c: usize| {
            let (a, b) = (self.partner_start.get(c), self.partner_start.get(c + 1));
            a.zip(b).map_or(0, |(a, b)| b.saturating_sub(*a) as usize)
        };
        let links: usize = cart.iter().map(|&c| row(c)).sum();
        if links.saturating_mul(8) < n {
            self.sums_sorted(cart)
        } else {
            self.sums_dense(cart)
        }
    }

    fn sums_sorted(&self, cart: &[usize]) -> CartSums {
        let mut pairs: Vec<(usize, f64)> = cart.iter().flat_map(|&c| self.partners(c)).collect();
        // Stable: a partner's scores stay in cart order.
        crate::sort::sort_by(&mut pairs, |a, b| a.0.cmp(&b.0));
        let (mut reached, mut sums): (Vec<usize>, Vec<f64>) = (Vec::new(), Vec::new());
        for (p, s) in pairs {
            match (reached.last(), sums.last_mut()) {
                (Some(&last), Some(sum)) if last == p => *sum += s,
                _ => {
                    reached.push(p);
                    sums.push(s);
                }
            }
        }
        CartSums {
            reached,
            sums,
            dense: false,
        }
    }

    fn sums_dense(&self, cart: &[usize]) -> CartSums {
        let n = self.items.len();
        let (mut sums, mut seen, mut reached) = (vec![0.0; n], vec![false; n], Vec::new());
        for (p, s) in cart.iter().flat_map(|&c| self.partners(c)) {
            if let (Some(sum), Some(seen)) = (sums.get_mut(p), seen.get_mut(p)) {
                *sum += s;
                if !*seen {
                    *seen = true;
                    reached.push(p);
                }
            }
        }
        CartSums {
            reached,
            sums,
            dense: true,
        }
    }

    /// `cart_sums` as `(item, score)` pairs sorted by item.
    pub fn cart_scores(&self, cart: &[usize]) -> Vec<(usize, f64)> {
        let sums = self.cart_sums(cart);
        let mut reached = sums.reached().to_vec();
        crate::sort::sort_by(&mut reached, Ord::cmp);
        reached.into_iter().map(|i| (i, sums.get(i))).collect()
    }

    /// Builds `order` (call after validation).
    pub fn build_order(&mut self) {
        let pop = &self.popularity;
        let by_pop = |a: &u32, b: &u32| {
            let (a, b) = (*a as usize, *b as usize);
            let (pa, pb) = (pop.get(a).copied(), pop.get(b).copied());
            // Validation keeps popularity finite, so this is the order ranking uses.
            pb.unwrap_or(0.0)
                .partial_cmp(&pa.unwrap_or(0.0))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        };
        let mut by_popularity: Vec<u32> = (0..self.items.len() as u32).collect();
        crate::sort::sort_by(&mut by_popularity, by_pop);
        let n_cat = self.categories.len();
        let mut by_category: Vec<u32> = by_popularity
            .iter()
            .copied()
            .filter(|&i| {
                self.category
                    .get(i as usize)
                    .is_some_and(|&k| (k as usize) < n_cat)
            })
            .collect();
        // Stable by category: each group keeps the popularity order.
        let cat = |i: &u32| self.category.get(*i as usize).copied().unwrap_or(u32::MAX);
        crate::sort::sort_by(&mut by_category, |a, b| cat(a).cmp(&cat(b)));
        let mut category_start = vec![0u32; n_cat + 1];
        for &i in &by_category {
            if let Some(c) = category_start.get_mut(cat(&i) as usize + 1) {
                *c += 1;
            }
        }
        for k in 0..n_cat {
            category_start[k + 1] += category_start[k];
        }
        let ascending = self.partner_start.windows(2).all(|w| {
            self.partner
                .get(w[0] as usize..w[1] as usize)
                .is_some_and(|row| row.windows(2).all(|p| p[0] < p[1]))
        });
        *self.order = CooccurOrder {
            by_popularity,
            by_category,
            category_start,
            ascending,
        };
    }

    /// The score of `j` among `i`'s partners, if it is one.
    pub fn partner_score(&self, i: usize, j: usize) -> Option<f64> {
        let (a, b) = (
            *self.partner_start.get(i)? as usize,
            *self.partner_start.get(i + 1)? as usize,
        );
        let row = self.partner.get(a..b)?;
        let at = if self.order.ascending {
            row.binary_search(&(j as u32)).ok()?
        } else {
            row.iter().position(|&p| p as usize == j)?
        };
        self.partner_score.get(a + at).copied()
    }

    /// The items of category `k`, most popular first.
    pub fn category_items(&self, k: usize) -> &[u32] {
        let o = &*self.order;
        match (o.category_start.get(k), o.category_start.get(k + 1)) {
            (Some(&a), Some(&b)) => o.by_category.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_partners_and_cart_scores() {
        let c = Cooccur {
            items: vec!["a".into(), "b".into(), "c".into()],
            names: vec![],
            category: vec![0, u32::MAX, 0],
            categories: vec!["dairy".into()],
            popularity: vec![0.5, 0.2, 0.1],
            partner_start: vec![0, 2, 3, 3],
            partner: vec![1, 2, 2],
            partner_score: vec![0.5, 0.25, 1.0],
            order: Default::default(),
        };
        assert_eq!(c.index("b"), Some(1));
        assert_eq!(c.index("z"), None);
        assert_eq!(c.category_of(0), Some("dairy"));
        assert_eq!(c.category_of(1), None);
        assert_eq!(c.cart_scores(&[0, 1]), vec![(1, 0.5), (2, 1.25)]);
        // Both ways to sum give the same sums, reached items and cart order of additions.
        for cart in [&[0, 1][..], &[1, 0], &[2], &[], &[0, 0, 1]] {
            let (a, b) = (c.sums_sorted(cart), c.sums_dense(cart));
            assert_eq!(
                (0..3).map(|i| a.get(i)).collect::<Vec<_>>(),
                (0..3).map(|i| b.get(i)).collect::<Vec<_>>()
            );
            let (mut ra, mut rb) = (a.reached().to_vec(), b.reached().to_vec());
            ra.sort_unstable();
            rb.sort_unstable();
            assert_eq!(ra, rb, "{cart:?}");
        }
        let mut c = c;
        c.build_order();
        assert_eq!(c.order.by_popularity, [0, 1, 2]);
        // Lookups bisect ascending lists and scan the others, with the same answers.
        assert!(c.order.ascending);
        let look = |c: &Cooccur| {
            [(0, 2), (0, 1), (0, 0), (1, 2), (2, 0), (9, 0)].map(|(i, j)| c.partner_score(i, j))
        };
        assert_eq!(
            look(&c),
            [Some(0.25), Some(0.5), None, Some(1.0), None, None]
        );
        let mut d = c.clone();
        (d.partner, d.partner_score) = (vec![2, 1, 2], vec![0.25, 0.5, 1.0]);
        d.build_order();
        assert!(!d.order.ascending);
        assert_eq!(look(&d), look(&c));
        assert_eq!(c.category_items(0), [0, 2]);
        assert!(c.category_items(1).is_empty());
    }
}
