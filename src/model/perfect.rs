//! Shallow ensembles laid out as complete binary trees: the fast path for the common case
//! of XGBoost's numeric splits at its default `max_depth` of 6 or less.
//!
//! Every tree becomes 63 split slots and 64 leaf slots in fixed-size arrays; the children
//! of slot `i` are slots `2i + 1` and `2i + 2`. A leaf above the bottom level is padded
//! down to it: the splits below it send everything left and every leaf slot under it holds
//! its value, so each walk takes exactly six steps, whatever the tree's shape. Indices are
//! masked to the arrays' sizes and features are bytes indexing a float32 row of 64 entries
//! (when every feature index is below 64: less to set up per call) or 256, so a step has no
//! bounds check and no branch on its direction; eight trees are walked in step so their
//! loads overlap.
//!
//! The results are those of `trees.rs`'s general walk bit for bit (the same float32
//! comparisons, the same order of additions, lanes of eight trees alike): the tests below
//! compare both on random ensembles and inputs. Built by `Trees::compile` when every tree
//! qualifies; evaluation only, never sees bytes.

use super::{node, Compiled, LANES};

/// Deepest tree laid out here (XGBoost's default `max_depth`).
pub const DEPTH: usize = 6;
/// Split slots per tree (`2^DEPTH - 1`, rounded up to a power of two for the index mask).
const SPLITS: usize = 1 << DEPTH;
/// All slots: splits, then the `2^DEPTH` leaves from slot `2^DEPTH - 1` on.
const SLOTS: usize = 2 << DEPTH;
/// Features a row may have here (a feature index is one byte).
pub const MAX_FEATURES: usize = 256;
/// The row of an ensemble that reads only features below this is this short: setting up a
/// 256-entry row costs more than walking a few trees.
const NARROW: usize = 64;

/// One tree as complete binary tree of depth `DEPTH`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// Split slot `i`: `x[feature[i]] < threshold[i]` (in float32) goes left.
    threshold: [f32; SPLITS],
    feature: [u8; SPLITS],
    /// Bit `i`: a missing (NaN) value goes right at split slot `i`.
    nan_right: u64,
    /// Every slot's value: a split's expected value (for contributions), then the leaves.
    value: [f64; SLOTS],
    /// The margin group the tree adds to.
    group: u32,
}

/// A whole ensemble in complete-tree layout.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Perfect {
    trees: Vec<Tree>,
    /// Every feature index is below `NARROW`: rows of `NARROW` entries.
    narrow: bool,
}

/// A row as the walk reads it: float32 values (XGBoost compares in float32), NaN for a
/// feature the row lacks.
type Row<const N: usize> = [f32; N];

fn row<const N: usize>(x: &[f64]) -> Row<N> {
    // All bits set is a NaN, and a byte pattern: the fill is one `memset`.
    let mut r = [f32::from_bits(u32::MAX); N];
    for (r, &v) in r.iter_mut().zip(x) {
        *r = v as f32;
    }
    r
}

impl Tree {
    /// The slot split slot `i` sends `r` to.
    #[inline(always)]
    fn step<const N: usize>(&self, i: usize, r: &Row<N>) -> usize {
        let i = i & (SPLITS - 1);
        // `N` is a power of two above every feature index of the ensemble (see `build`).
        let v = r[usize::from(self.feature[i]) & (N - 1)];
        let right = if v.is_nan() {
            (self.nan_right >> i) & 1
        } else {
            // Not `v < threshold` (left): the same for a number, as no threshold is NaN.
            u64::from(v >= self.threshold[i])
        };
        2 * i + 1 + right as usize
    }

    #[inline(always)]
    fn value(&self, slot: usize) -> f64 {
        self.value[slot & (SLOTS - 1)]
    }

    #[inline(always)]
    fn feature(&self, slot: usize) -> usize {
        usize::from(self.feature[slot & (SPLITS - 1)])
    }
}

/// What a walk does at each step (`from` slot, `to` slot) of lane `tree`.
trait Visit {
    fn step(&mut self, tree: &Tree, from: usize, to: usize);
}

struct Leaves;

impl Visit for Leaves {
    #[inline(always)]
    fn step(&mut self, _: &Tree, _: usize, _: usize) {}
}

/// Credits each step's change in expected value to the split's feature.
struct Credit<'a, const N: usize>(&'a mut [f64; N]);

impl<const N: usize> Visit for Credit<'_, N> {
    #[inline(always)]
    fn step(&mut self, tree: &Tree, from: usize, to: usize) {
        self.0[tree.feature(from) & (N - 1)] += tree.value(to) - tree.value(from);
    }
}

impl Perfect {
    /// The layout of `c`, when every tree is at most `DEPTH` deep, splits only with
    /// XGBoost's numeric `LESS`, and reads features below `MAX_FEATURES`.
    pub fn build(c: &Compiled, tree_group: &[u32]) -> Option<Perfect> {
        let mut trees = Vec::with_capacity(c.roots.len());
        for (t, &root) in c.roots.iter().enumerate() {
            if usize::from(*c.depth.get(t)?) > DEPTH {
                return None;
            }
            let mut tree = Tree {
                threshold: [f32::INFINITY; SPLITS],
                feature: [0; SPLITS],
                nan_right: 0,
                value: [0.0; SLOTS],
                group: *tree_group.get(t)?,
            };
            // The record each slot holds, level by level: a leaf record above the bottom
            // fills its whole subtree.
            let mut record = [0usize; SLOTS];
            record[0] = root as usize;
            for slot in 0..SLOTS - 1 {
                let k = record[slot];
                let n = c.nodes.get(k)?;
                tree.value[slot] = *c.value.get(k)?;
                if slot >= SPLITS - 1 {
                    if n.kind != node::LEAF {
                        return None;
                    }
                    continue;
                }
                let children = if n.kind == node::LEAF {
                    // Padding: +inf sends every number left and NaN too (bit clear);
                    // both children hold the leaf, so either way is right.
                    [k, k]
                } else {
                    if n.kind != node::LESS
                        || n.feature as usize >= MAX_FEATURES
                        || n.threshold32.is_nan()
                    {
                        return None;
                    }
                    tree.threshold[slot] = n.threshold32;
                    tree.feature[slot] = n.feature as u8;
                    if n.missing & node::DEFAULT_LEFT == 0 {
                        tree.nan_right |= 1 << slot;
                    }
                    [n.left as usize, n.left as usize + 1]
                };
                record[2 * slot + 1] = children[0];
                record[2 * slot + 2] = children[1];
            }
            trees.push(tree);
        }
        let narrow = c
            .nodes
            .iter()
            .all(|n| n.kind == node::LEAF || (n.feature as usize) < NARROW);
        Some(Perfect { trees, narrow })
    }

    /// Walks `LANES` trees in step from their roots to their leaf slots (`DEPTH` steps),
    /// the lanes written out one by one so that each index stays in a local.
    #[inline(always)]
    fn walk_lanes<const N: usize>(
        lanes: &[Tree; LANES],
        r: &Row<N>,
        visit: &mut impl Visit,
    ) -> [usize; LANES] {
        let [t0, t1, t2, t3, t4, t5, t6, t7] = lanes;
        let (mut k0, mut k1, mut k2, mut k3, mut k4, mut k5, mut k6, mut k7) =
            (0, 0, 0, 0, 0, 0, 0, 0);
        macro_rules! step {
            ($t:ident, $k:ident) => {
                let next = $t.step($k, r);
                visit.step($t, $k, next);
                $k = next;
            };
        }
        for _ in 0..DEPTH {
            step!(t0, k0);
            step!(t1, k1);
            step!(t2, k2);
            step!(t3, k3);
            step!(t4, k4);
            step!(t5, k5);
            step!(t6, k6);
            step!(t7, k7);
        }
        [k0, k1, k2, k3, k4, k5, k6, k7]
    }

    /// One tree's walk, for the trees after the last full set of lanes.
    #[inline(always)]
    fn walk_one<const N: usize>(tree: &Tree, r: &Row<N>, visit: &mut impl Visit) -> usize {
        let mut k = 0;
        for _ in 0..DEPTH {
            let next = tree.step(k, r);
            visit.step(tree, k, next);
            k = next;
        }
        k
    }

    /// Adds every tree's leaf for `x` to its group's entry of `out`, tree by tree.
    pub fn margins(&self, x: &[f64], out: &mut [f64]) {
        if self.narrow {
            self.margins_in::<NARROW>(x, out);
        } else {
            self.margins_in::<MAX_FEATURES>(x, out);
        }
    }

    #[inline(always)]
    fn margins_in<const N: usize>(&self, x: &[f64], out: &mut [f64]) {
        let r = row::<N>(x);
        let mut add = |tree: &Tree, leaf: usize| {
            if let Some(o) = out.get_mut(tree.group as usize) {
                *o += tree.value(leaf);
            }
        };
        let mut lanes = self.trees.chunks_exact(LANES);
        for lane in lanes.by_ref() {
            if let Ok(lane) = <&[Tree; LANES]>::try_from(lane) {
                let leaves = Self::walk_lanes(lane, &r, &mut Leaves);
                for (tree, &leaf) in lane.iter().zip(&leaves) {
                    add(tree, leaf);
                }
            }
        }
        for tree in lanes.remainder() {
            let leaf = Self::walk_one(tree, &r, &mut Leaves);
            add(tree, leaf);
        }
    }

    /// Path-based contributions to group 0's margin for `x` added into `contrib` (one entry
    /// per feature) and the root values of group 0's trees into `bias`: eight trees in step
    /// wherever the next eight all add to group 0, else one by one (as `trees.rs` does).
    pub fn contributions(&self, x: &[f64], contrib: &mut [f64], bias: &mut f64) {
        if self.narrow {
            self.contributions_in::<NARROW>(x, contrib, bias);
        } else {
            self.contributions_in::<MAX_FEATURES>(x, contrib, bias);
        }
    }

    #[inline(always)]
    fn contributions_in<const N: usize>(&self, x: &[f64], contrib: &mut [f64], bias: &mut f64) {
        let r = row::<N>(x);
        let mut acc = [0.0; N];
        for (a, &c) in acc.iter_mut().zip(contrib.iter()) {
            *a = c;
        }
        let mut t = 0;
        while let Some(tree) = self.trees.get(t) {
            let lane = self
                .trees
                .get(t..t + LANES)
                .and_then(|l| <&[Tree; LANES]>::try_from(l).ok());
            match lane {
                Some(lane) if lane.iter().all(|t| t.group == 0) => {
                    *bias += lane.iter().map(|t| t.value(0)).sum::<f64>();
                    Self::walk_lanes(lane, &r, &mut Credit(&mut acc));
                    t += LANES;
                }
                _ => {
                    if tree.group == 0 {
                        *bias += tree.value(0);
                        Self::walk_one(tree, &r, &mut Credit(&mut acc));
                    }
                    t += 1;
                }
            }
        }
        for (c, &a) in contrib.iter_mut().zip(acc.iter()) {
            *c = a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Link, Trees};

    /// A seeded generator (xorshift64*): the same ensembles on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Split points the inputs also take (exactly, or one float32 step either side).
    const CUTS: [f64; 5] = [-1.5, 0.0, 0.1, 0.5, 3.0];

    /// A random ensemble of `n_trees` trees at most `max_depth` deep (leaves at every
    /// level), over `n_features` features, adding to `n_groups` groups.
    fn ensemble(
        rng: &mut Rng,
        n_trees: usize,
        max_depth: u32,
        n_features: u32,
        n_groups: u32,
    ) -> Trees {
        let mut t = Trees {
            n_features,
            n_groups,
            link: Link::Identity,
            base_margin: (0..n_groups).map(|g| 0.25 * f64::from(g)).collect(),
            ..Trees::default()
        };
        fn node(t: &mut Trees, rng: &mut Rng, depth_left: u32) -> u32 {
            let i = t.kind.len();
            let leaf = depth_left == 0 || rng.below(4) == 0;
            t.kind.push(if leaf { node::LEAF } else { node::LESS });
            t.feature.push(rng.below(u64::from(t.n_features)) as u32);
            t.threshold
                .push(CUTS[rng.below(CUTS.len() as u64) as usize]);
            t.missing.push(if rng.below(2) == 0 {
                node::DEFAULT_LEFT
            } else {
                0
            });
            t.value.push((rng.below(2001) as f64 - 1000.0) / 997.0);
            t.left.push(0);
            t.right.push(0);
            for v in [&mut t.cat_start, &mut t.cat_len] {
                v.push(0);
            }
            if !leaf {
                let l = node(t, rng, depth_left - 1);
                let r = node(t, rng, depth_left - 1);
                (t.left[i], t.right[i]) = (l, r);
            }
            i as u32
        }
        for k in 0..n_trees {
            let root = node(&mut t, rng, max_depth);
            t.roots.push(root);
            t.tree_group.push(k as u32 % n_groups);
        }
        t.compile();
        t
    }

    fn input(rng: &mut Rng, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| {
                let c = CUTS[rng.below(CUTS.len() as u64) as usize];
                match rng.below(8) {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    2 => f64::NEG_INFINITY,
                    // Rounds to the float32 cut: equal in XGBoost's comparison.
                    3 => c + 1e-12,
                    4 => f64::from(f32::from_bits((c as f32).to_bits().wrapping_add(1))),
                    5 => f64::from(f32::from_bits((c as f32).to_bits().wrapping_sub(1))),
                    _ => c,
                }
            })
            .collect()
    }

    fn general(t: &Trees) -> Trees {
        let mut g = t.clone();
        g.compiled.perfect = None;
        g
    }

    #[test]
    fn complete_trees_score_as_the_general_walk_bit_for_bit() {
        let mut rng = Rng(0x5eed_2026);
        // Ensembles with wide rows (a feature at 64 or above) and with narrow ones.
        let mut widths = [0; 2];
        for case in 0..300 {
            let n_trees = 1 + rng.below(30) as usize;
            let n_features = 1 + rng.below(if case % 10 == 0 { 256 } else { 12 }) as u32;
            let n_groups = if case % 5 == 0 { 3 } else { 1 };
            let depth = 1 + rng.below(6) as u32;
            let t = ensemble(&mut rng, n_trees, depth, n_features, n_groups);
            let p = t.compiled.perfect.as_ref().expect("every case qualifies");
            widths[usize::from(p.narrow)] += 1;
            let g = general(&t);
            let width = n_features as usize;
            let rows = 1 + rng.below(5) as usize;
            let xs = input(&mut rng, rows * width);
            for x in xs.chunks_exact(width) {
                let (mut a, mut b) = (vec![0.0; n_groups as usize], vec![0.0; n_groups as usize]);
                t.margins(x, &mut a);
                g.margins(x, &mut b);
                assert_eq!(a.map_bits(), b.map_bits(), "case {case} margins of {x:?}");
                // A row shorter than the features: the rest is missing.
                let short = &x[..width / 2];
                t.margins(short, &mut a);
                g.margins(short, &mut b);
                assert_eq!(a.map_bits(), b.map_bits(), "case {case} short row");
            }
            let (mut ca, mut cb) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
            let (mut ba, mut bb) = (vec![0.0; rows], vec![0.0; rows]);
            t.contributions_rows(&xs, width, &mut ca, &mut ba);
            g.contributions_rows(&xs, width, &mut cb, &mut bb);
            assert_eq!(ca.map_bits(), cb.map_bits(), "case {case} contributions");
            assert_eq!(ba.map_bits(), bb.map_bits(), "case {case} bias");
            // And the contributions add up to group 0's margin.
            if n_groups == 1 {
                for (r, x) in xs.chunks_exact(width).enumerate() {
                    let mut m = [0.0];
                    t.margins(x, &mut m);
                    let sum = bb[r] + cb[r * width..(r + 1) * width].iter().sum::<f64>();
                    assert!((sum - m[0]).abs() < 1e-9, "case {case}: {sum} vs {}", m[0]);
                }
            }
        }
        assert!(
            widths[0] > 5 && widths[1] > 5,
            "both row widths tested: {widths:?}"
        );
    }

    trait Bits {
        fn map_bits(&self) -> Vec<u64>;
    }

    impl Bits for Vec<f64> {
        fn map_bits(&self) -> Vec<u64> {
            self.iter().map(|v| v.to_bits()).collect()
        }
    }

    #[test]
    fn only_shallow_numeric_trees_on_the_first_256_features_qualify() {
        let mut rng = Rng(7);
        let deep = ensemble(&mut rng, 40, 12, 5, 1);
        let depth = deep.compiled.depth.iter().copied().max().unwrap_or(0);
        assert_eq!(deep.compiled.perfect.is_some(), usize::from(depth) <= DEPTH);
        assert!(depth as usize > DEPTH, "the seed grows a deep tree");

        let mut t = ensemble(&mut rng, 9, 6, 4, 1);
        assert!(t.compiled.perfect.is_some());
        let inner = t.kind.iter().position(|&k| k == node::LESS).unwrap();
        let mut lgb = t.clone();
        lgb.kind[inner] = node::LESS_EQ;
        lgb.compile();
        assert!(
            lgb.compiled.perfect.is_none(),
            "LightGBM's splits take the general walk"
        );
        t.n_features = 300;
        t.feature[inner] = 256;
        t.compile();
        assert!(
            t.compiled.perfect.is_none(),
            "feature 256 needs the general walk"
        );
    }
}
