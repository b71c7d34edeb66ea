//! Frequently-bought-together evaluation over a validated `Cooccur`: item lookup, partner
//! aggregation for a cart, and popularity order for cold start. Never fails.

use super::Cooccur;

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

    /// Summed partner scores of every item co-bought with the `cart` items (indices),
    /// into `scores` (one slot per item, reset first). Returns how many items got a score.
    pub fn score_cart(&self, cart: &[usize], scores: &mut Vec<f64>) -> usize {
        scores.clear();
        scores.resize(self.items.len(), 0.0);
        let mut hits = 0;
        for &c in cart {
            for (p, s) in self.partners(c) {
                if scores[p] == 0.0 {
                    hits += 1;
                }
                scores[p] += s;
            }
        }
        hits
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
        };
        assert_eq!(c.index("b"), Some(1));
        assert_eq!(c.index("z"), None);
        assert_eq!(c.category_of(0), Some("dairy"));
        assert_eq!(c.category_of(1), None);
        let mut s = Vec::new();
        assert_eq!(c.score_cart(&[0, 1], &mut s), 2);
        assert_eq!(s, vec![0.0, 0.5, 1.25]);
    }
}
