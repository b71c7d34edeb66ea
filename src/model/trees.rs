//! Gradient-boosted tree evaluation over a validated `Trees`: XGBoost and LightGBM split
//! semantics bit for bit, margins per output group, and path-based (Saabas) feature
//! contributions. Never sees bytes; never fails (indices were checked by `decode`).

use super::{node, Node, Trees, LANES};

/// LightGBM's `kZeroThreshold`: |x| at or below it counts as zero.
const ZERO_THRESHOLD: f64 = 1e-35;

impl Trees {
    /// Whether record `k` (node `n`) sends `x` left.
    #[inline(always)]
    fn goes_left(&self, k: usize, n: &Node, x: &[f64]) -> bool {
        let v = x.get(n.feature as usize).copied().unwrap_or(f64::NAN);
        let default_left = n.missing & node::DEFAULT_LEFT != 0;
        if n.kind == node::LESS {
            // XGBoost compares in float32; NaN takes the default side.
            return if v.is_nan() {
                default_left
            } else {
                (v as f32) < n.threshold32
            };
        }
        self.goes_left_slow(k, n, v, default_left)
    }

    #[inline(never)]
    fn goes_left_slow(&self, k: usize, n: &Node, v: f64, default_left: bool) -> bool {
        let threshold = self.compiled.threshold.get(k).copied().unwrap_or(0.0);
        let original = self.compiled.original.get(k).copied().unwrap_or(0) as usize;
        match n.kind {
            node::LESS_EQ => {
                let missing = n.missing & !node::DEFAULT_LEFT;
                let v = if v.is_nan() && missing != node::MISSING_NAN {
                    0.0
                } else {
                    v
                };
                if (missing == node::MISSING_ZERO && v.abs() <= ZERO_THRESHOLD)
                    || (missing == node::MISSING_NAN && v.is_nan())
                {
                    default_left
                } else {
                    v <= threshold
                }
            }
            node::CAT_RIGHT => {
                if v.is_nan() {
                    return default_left;
                }
                let v = v as f32;
                // XGBoost: a negative or unrepresentable category goes left, like one
                // beyond the bitset; categories in the set go right.
                if !(0.0..16_777_216.0).contains(&v) {
                    return true;
                }
                !self.in_set(original, v as u32)
            }
            node::CAT_LEFT => {
                // LightGBM: NaN and negative categories go right; the set goes left.
                if v.is_nan() || v <= -1.0 {
                    return false;
                }
                let c = v as i64;
                (0..(1 << 32)).contains(&c) && self.in_set(original, c as u32)
            }
            _ => true,
        }
    }

    #[inline]
    fn in_set(&self, i: usize, code: u32) -> bool {
        let word = (code / 32) as usize;
        let len = self.cat_len.get(i).copied().unwrap_or(0) as usize;
        if word >= len {
            return false;
        }
        let start = self.cat_start.get(i).copied().unwrap_or(0) as usize;
        self.cat_words
            .get(start.saturating_add(word))
            .is_some_and(|w| (w >> (code % 32)) & 1 == 1)
    }

    /// The child of internal record `k` (node `n`) that `x` goes to.
    #[inline(always)]
    fn step(&self, k: usize, n: &Node, x: &[f64]) -> usize {
        // Children sit side by side: no branch on the direction.
        n.left.wrapping_add(u32::from(!self.goes_left(k, n, x))) as usize
    }

    /// The record of the leaf of tree `t` that `x` reaches.
    #[inline]
    pub fn leaf(&self, t: usize, x: &[f64]) -> Option<usize> {
        let nodes = &self.compiled.nodes;
        let mut k = *self.compiled.roots.get(t)? as usize;
        let mut n = nodes.get(k)?;
        while n.kind != node::LEAF {
            k = self.step(k, n, x);
            n = nodes.get(k)?;
        }
        Some(k)
    }

    /// Whether trees `t .. t + LANES` can be walked in step (all numeric `LESS` splits;
    /// for contributions, all in group 0).
    #[inline]
    fn lanes_ok(&self, t: usize, group0: bool) -> bool {
        let want = if group0 {
            super::IN_STEP | super::IN_STEP_GROUP0
        } else {
            super::IN_STEP
        };
        self.compiled
            .in_step
            .get(t)
            .is_some_and(|&f| f & want == want)
    }

    /// Walks trees `t .. t + LANES` (all simple) for `x` in step, as deep as the deepest;
    /// `on_step.step(from, to)` sees every step (a leaf steps to itself). Independent walks
    /// interleaved keep the processor busy while each waits for its next record.
    #[inline(always)]
    fn walk_lanes(&self, t: usize, x: &[f64], on_step: &mut impl Visit) -> [usize; LANES] {
        let c = &*self.compiled;
        let mut k = [usize::MAX; LANES];
        let mut depth = 0;
        for (j, k) in k.iter_mut().enumerate() {
            if let Some(&r) = c.roots.get(t + j) {
                *k = r as usize;
            }
            depth = depth.max(c.depth.get(t + j).copied().unwrap_or(0));
        }
        // The lanes written out one by one (not a loop over the array): each lane's record
        // index stays in a local, and the eight walks are independent. (Destructuring
        // `[usize; LANES]` into eight names stops the build if LANES changes.)
        let nodes = &c.nodes[..];
        let [mut k0, mut k1, mut k2, mut k3, mut k4, mut k5, mut k6, mut k7] = k;
        macro_rules! step {
            ($k:ident) => {
                if let Some(n) = nodes.get($k) {
                    let v = x.get(n.feature as usize).copied().unwrap_or(f64::NAN);
                    let left = if v.is_nan() {
                        n.missing & node::DEFAULT_LEFT != 0
                    } else {
                        (v as f32) < n.threshold32
                    };
                    let next = n.left.wrapping_add(u32::from(!left)) as usize;
                    on_step.step($k, next);
                    $k = next;
                }
            };
        }
        for _ in 0..depth {
            step!(k0);
            step!(k1);
            step!(k2);
            step!(k3);
            step!(k4);
            step!(k5);
            step!(k6);
            step!(k7);
        }
        [k0, k1, k2, k3, k4, k5, k6, k7]
    }

    /// Margins per output group into `out` (length `n_groups`).
    pub fn margins(&self, x: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.base_margin);
        if let Some(p) = &self.compiled.perfect {
            return p.margins(x, out);
        }
        let c = &*self.compiled;
        let mut t = 0;
        while t < c.roots.len() {
            if self.lanes_ok(t, false) {
                let leaves = self.walk_lanes(t, x, &mut Walk);
                for (j, &k) in leaves.iter().enumerate() {
                    self.add_leaf(out, t + j, Some(k));
                }
                t += LANES;
            } else {
                self.add_leaf(out, t, self.leaf(t, x));
                t += 1;
            }
        }
    }

    /// Adds the value of leaf record `leaf` of tree `t` to its group's margin in `out`.
    #[inline(always)]
    fn add_leaf(&self, out: &mut [f64], t: usize, leaf: Option<usize>) {
        let value = leaf.and_then(|k| self.compiled.value.get(k));
        let group = self
            .tree_group
            .get(t)
            .and_then(|&g| out.get_mut(g as usize));
        if let (Some(v), Some(o)) = (value, group) {
            *o += v;
        }
    }

    /// Path-based contributions of each feature to group 0's margin (Saabas): at every
    /// split on the path, the change in expected value is credited to the split feature.
    /// `contrib[f]` for each feature, plus the bias (base margin and root values) returned;
    /// bias + Σ contrib = margin (up to rounding).
    pub fn contributions(&self, x: &[f64], contrib: &mut [f64]) -> f64 {
        let mut bias = [0.0];
        self.contributions_rows(x, x.len(), contrib, &mut bias);
        bias[0]
    }

    /// `contributions` for the rows of `xs` (feature vectors of `width` laid end to end)
    /// into `contrib` (same layout) and `bias` (one per row). Trees in groups, every row
    /// in turn: a group's records stay in cache across the rows.
    pub fn contributions_rows(
        &self,
        xs: &[f64],
        width: usize,
        contrib: &mut [f64],
        bias: &mut [f64],
    ) {
        contrib.iter_mut().for_each(|c| *c = 0.0);
        let base = self.base_margin.first().copied().unwrap_or(0.0);
        bias.iter_mut().for_each(|b| *b = base);
        if width == 0 {
            return;
        }
        if let Some(p) = &self.compiled.perfect {
            let rows = xs.chunks_exact(width).zip(contrib.chunks_exact_mut(width));
            for ((x, contrib), b) in rows.zip(bias.iter_mut()) {
                p.contributions(x, contrib, b);
            }
            return;
        }
        let c = &*self.compiled;
        let (nodes, values) = (&c.nodes, &c.value);
        let value = |k: usize| values.get(k).copied().unwrap_or(0.0);
        let mut t = 0;
        while t < c.roots.len() {
            let rows = xs
                .chunks_exact(width)
                .zip(contrib.chunks_exact_mut(width))
                .zip(bias.iter_mut());
            if self.lanes_ok(t, true) {
                let roots: f64 = (t..t + LANES)
                    .map(|t| c.roots.get(t).map_or(0.0, |&r| value(r as usize)))
                    .sum();
                for ((x, contrib), b) in rows {
                    *b += roots;
                    self.walk_lanes(
                        t,
                        x,
                        &mut Credit {
                            nodes,
                            values,
                            contrib,
                        },
                    );
                }
                t += LANES;
                continue;
            }
            let root = c.roots.get(t).copied().unwrap_or(u32::MAX) as usize;
            if self.tree_group.get(t) == Some(&0) {
                if let (Some(first), Some(&root_value)) = (nodes.get(root), values.get(root)) {
                    for ((x, contrib), b) in rows {
                        *b += root_value;
                        let (mut k, mut n, mut here) = (root, first, root_value);
                        while n.kind != node::LEAF {
                            k = self.step(k, n, x);
                            let (Some(next), Some(&there)) = (nodes.get(k), values.get(k)) else {
                                break;
                            };
                            if let Some(c) = contrib.get_mut(n.feature as usize) {
                                *c += there - here;
                            }
                            (n, here) = (next, there);
                        }
                    }
                }
            }
            t += 1;
        }
    }
}

/// What a walk in step does at each step (`from` record, `to` record). A trait with an
/// always-inlined method rather than a closure: the size-optimised build would otherwise
/// call the closure at every step of every lane.
trait Visit {
    fn step(&mut self, from: usize, to: usize);
}

/// Only the leaves matter (margins).
struct Walk;

impl Visit for Walk {
    #[inline(always)]
    fn step(&mut self, _: usize, _: usize) {}
}

/// Credits each step's change in expected value to the split feature (contributions).
struct Credit<'a> {
    nodes: &'a [Node],
    values: &'a [f64],
    contrib: &'a mut [f64],
}

impl Visit for Credit<'_> {
    #[inline(always)]
    fn step(&mut self, from: usize, to: usize) {
        let f = self
            .nodes
            .get(from)
            .map_or(usize::MAX, |n| n.feature as usize);
        let value = |k: usize| self.values.get(k).copied().unwrap_or(0.0);
        let d = value(to) - value(from);
        if let Some(c) = self.contrib.get_mut(f) {
            *c += d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Link;

    /// One stump per split kind on feature 0: left leaf 1.0, right leaf 2.0.
    fn stump(kind: u8, threshold: f64, missing: u8, cats: &[u32]) -> Trees {
        Trees {
            n_features: 1,
            n_groups: 1,
            link: Link::Identity,
            base_margin: vec![0.0],
            roots: vec![0],
            tree_group: vec![0],
            kind: vec![kind, node::LEAF, node::LEAF],
            feature: vec![0; 3],
            threshold: vec![threshold, 0.0, 0.0],
            left: vec![1, 0, 0],
            right: vec![2, 0, 0],
            missing: vec![missing, 0, 0],
            value: vec![1.5, 1.0, 2.0],
            cat_start: vec![0; 3],
            cat_len: vec![cats.len() as u32, 0, 0],
            cat_words: cats.to_vec(),
            compiled: Default::default(),
        }
    }

    fn side(t: &Trees, x: f64) -> &'static str {
        let mut t = t.clone();
        t.compile();
        let t = &t;
        let mut m = [0.0];
        t.margins(&[x], &mut m);
        if m[0] == 1.0 {
            "L"
        } else {
            "R"
        }
    }

    #[test]
    fn xgboost_numeric_is_strict_less_in_float32() {
        let t = stump(node::LESS, 0.5, 0, &[]);
        assert_eq!(
            [
                side(&t, 0.4),
                side(&t, 0.5),
                side(&t, 0.6),
                side(&t, f64::NAN)
            ],
            ["L", "R", "R", "R"]
        );
        let t = stump(node::LESS, 0.5, node::DEFAULT_LEFT, &[]);
        assert_eq!(side(&t, f64::NAN), "L");
        // 0.1 + 1e-9 rounds to the float32 threshold 0.1f: not less.
        let t = stump(node::LESS, f64::from(0.1f32), 0, &[]);
        assert_eq!(side(&t, 0.1 + 1e-9), "R");
    }

    #[test]
    fn lightgbm_numeric_missing_rules() {
        // None: NaN reads as 0 and is compared.
        let t = stump(
            node::LESS_EQ,
            -1.0,
            node::MISSING_NONE | node::DEFAULT_LEFT,
            &[],
        );
        assert_eq!(
            [side(&t, f64::NAN), side(&t, -1.0), side(&t, -0.5)],
            ["R", "L", "R"]
        );
        // Zero: 0 and NaN take the default side.
        let t = stump(node::LESS_EQ, 5.0, node::MISSING_ZERO, &[]);
        assert_eq!(
            [
                side(&t, 0.0),
                side(&t, f64::NAN),
                side(&t, 1.0),
                side(&t, 6.0)
            ],
            ["R", "R", "L", "R"]
        );
        // NaN: only NaN takes the default; 0 is compared.
        let t = stump(node::LESS_EQ, 5.0, node::MISSING_NAN, &[]);
        assert_eq!(
            [side(&t, f64::NAN), side(&t, 0.0), side(&t, 5.0)],
            ["R", "L", "L"]
        );
    }

    #[test]
    fn categorical_sets() {
        let set = [(1 << 1) | (1 << 3)];
        let xgb = stump(node::CAT_RIGHT, 0.0, node::DEFAULT_LEFT, &set);
        assert_eq!(
            [
                side(&xgb, 1.0),
                side(&xgb, 3.0),
                side(&xgb, 2.0),
                side(&xgb, 40.0),
                side(&xgb, -1.0),
                side(&xgb, f64::NAN)
            ],
            ["R", "R", "L", "L", "L", "L"]
        );
        let lgb = stump(node::CAT_LEFT, 0.0, 0, &set);
        assert_eq!(
            [
                side(&lgb, 1.0),
                side(&lgb, 3.0),
                side(&lgb, 2.0),
                side(&lgb, 40.0),
                side(&lgb, -1.0),
                side(&lgb, f64::NAN),
                side(&lgb, 3.7)
            ],
            ["L", "L", "R", "R", "R", "R", "L"]
        );
    }

    #[test]
    fn contributions_add_up_to_the_margin() {
        let mut t = stump(node::LESS, 0.5, 0, &[]);
        t.compile();
        let mut c = [0.0];
        let bias = t.contributions(&[0.9], &mut c);
        assert_eq!((bias, c[0]), (1.5, 0.5));
        let mut m = [0.0];
        t.margins(&[0.9], &mut m);
        assert_eq!(bias + c[0], m[0]);
    }

    /// Two trees whose file order does not keep siblings together; every row of a batch
    /// must get what it gets alone, and bias + contributions must be its margin.
    #[test]
    fn batch_walks_match_single_walks_on_a_relaid_tree() {
        let mut t = Trees {
            n_features: 2,
            n_groups: 1,
            link: Link::Identity,
            base_margin: vec![0.25],
            roots: vec![0, 5],
            tree_group: vec![0, 0],
            // Tree 0: 0 -> (4, 1); 4 -> (3, 2) on categories. Tree 1: 5 -> (6, 7).
            kind: vec![
                node::LESS,
                node::LEAF,
                node::LEAF,
                node::LEAF,
                node::CAT_RIGHT,
                node::LESS_EQ,
                node::LEAF,
                node::LEAF,
            ],
            feature: vec![0, 0, 0, 0, 1, 1, 0, 0],
            threshold: vec![0.5, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0],
            left: vec![4, 0, 0, 0, 3, 6, 0, 0],
            right: vec![1, 0, 0, 0, 2, 7, 0, 0],
            missing: vec![0, 0, 0, 0, node::DEFAULT_LEFT, node::MISSING_NAN, 0, 0],
            value: vec![1.0, 3.0, -1.0, 0.5, 0.0, 0.2, 0.1, 0.4],
            cat_start: vec![0; 8],
            cat_len: vec![0, 0, 0, 0, 1, 0, 0, 0],
            cat_words: vec![1 << 2],
            ..Trees::default()
        };
        t.compile();
        let rows: [[f64; 2]; 5] = [
            [0.1, 2.0],
            [0.1, 1.0],
            [0.9, f64::NAN],
            [f64::NAN, 3.0],
            [0.4, 2.5],
        ];
        let xs: Vec<f64> = rows.iter().flatten().copied().collect();
        let (mut contrib, mut bias) = (vec![0.0; 10], vec![0.0; 5]);
        t.contributions_rows(&xs, 2, &mut contrib, &mut bias);
        let mut margins = Vec::new();
        for (r, x) in rows.iter().enumerate() {
            let mut one = [0.0; 2];
            let b = t.contributions(x, &mut one);
            assert_eq!(
                (b, &one[..]),
                (bias[r], &contrib[r * 2..r * 2 + 2]),
                "row {r}"
            );
            let mut m = [0.0];
            t.margins(x, &mut m);
            assert!((b + one[0] + one[1] - m[0]).abs() < 1e-12, "row {r}");
            margins.push(m[0]);
        }
        // By hand: tree 0 (x0 < 0.5 -> node 4: category 2, and 2.5 cast to 2, goes right
        // (-1.0), others left (0.5); NaN or x0 >= 0.5 -> 3.0) plus tree 1 (x1 <= 2 -> 0.1,
        // NaN or more -> 0.4).
        assert_eq!(
            margins,
            [
                0.25 - 1.0 + 0.1,
                0.25 + 0.5 + 0.1,
                0.25 + 3.0 + 0.4,
                0.25 + 3.0 + 0.4,
                0.25 - 1.0 + 0.4
            ]
        );
    }

    /// Eleven numeric trees of depths 0 to 3 (eight walked in step, then one by one) agree
    /// with a plain walk of the file's arrays, for values, NaN and both default sides.
    #[test]
    fn trees_walked_in_step_match_a_plain_walk() {
        let mut t = Trees {
            n_features: 3,
            n_groups: 1,
            link: Link::Identity,
            base_margin: vec![-0.5],
            ..Trees::default()
        };
        let push_leaf = |t: &mut Trees| {
            t.kind.push(node::LEAF);
            t.feature.push(0);
            t.threshold.push(0.0);
            t.missing.push(0);
            t.left.push(0);
            t.right.push(0);
        };
        // Tree d: a left spine of `d` splits on features 0, 1, 2, ... (thresholds 0.5),
        // each right child a leaf; leaf values are distinct.
        for d in [0usize, 3, 1, 2, 3, 2, 1, 0, 2, 3, 1] {
            t.roots.push(t.kind.len() as u32);
            t.tree_group.push(0);
            for level in 0..d {
                let me = t.kind.len() as u32;
                t.kind.push(node::LESS);
                t.feature.push((level % 3) as u32);
                t.threshold.push(0.5);
                t.missing.push(if level % 2 == 0 {
                    node::DEFAULT_LEFT
                } else {
                    0
                });
                // Right leaf first in the file, then the next split: children apart.
                t.left.push(me + 2);
                t.right.push(me + 1);
                push_leaf(&mut t);
            }
            push_leaf(&mut t);
        }
        let n = t.kind.len();
        t.value = (0..n).map(|i| (i as f64) * 0.125 - 1.0).collect();
        t.cat_start = vec![0; n];
        t.cat_len = vec![0; n];
        t.compile();
        assert_eq!(t.compiled.depth, [0, 3, 1, 2, 3, 2, 1, 0, 2, 3, 1]);
        let plain = |x: &[f64]| {
            let mut m = t.base_margin[0];
            for &r in &t.roots {
                let mut i = r as usize;
                while t.kind[i] != node::LEAF {
                    let v = x[t.feature[i] as usize];
                    let left = if v.is_nan() {
                        t.missing[i] & node::DEFAULT_LEFT != 0
                    } else {
                        (v as f32) < t.threshold[i] as f32
                    };
                    i = if left { t.left[i] } else { t.right[i] } as usize;
                }
                m += t.value[i];
            }
            m
        };
        let vals = [0.0, 1.0, f64::NAN, 0.5];
        for a in vals {
            for b in vals {
                for c in vals {
                    let x = [a, b, c];
                    let mut m = [0.0];
                    t.margins(&x, &mut m);
                    assert_eq!(m[0], plain(&x), "{x:?}");
                    let mut contrib = [0.0; 3];
                    let bias = t.contributions(&x, &mut contrib);
                    let sum = bias + contrib.iter().sum::<f64>();
                    assert!((sum - m[0]).abs() < 1e-12, "{x:?}: {sum} vs {}", m[0]);
                }
            }
        }
    }
}
