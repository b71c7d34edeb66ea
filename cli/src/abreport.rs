//! `personalizer ab-report EVENTS.jsonl`: per experiment arm, exposed shoppers,
//! conversions, conversion rate, revenue per exposed shopper and average order value, each
//! against the control arm (variation 0); a sample-ratio-mismatch check; and a verdict that
//! refuses to name a winner on too little data or a broken split.
//!
//! Input: the JSON Lines `exportEvents` sends, read by `exports::read` (resent batches
//! count once). A shopper belongs to the first arm they were exposed to (or is left out,
//! with `exclude_multiple`, when exposed to more than one); a conversion is a purchase at
//! or after that exposure, worth its `value` (or its items' sum).
//!
//! Statistics (`stats`): conversion rates by the pooled two-proportion z-test
//! (statsmodels' `proportions_ztest`); the relative lift's 95 % interval on the log of the
//! ratio of means (delta method; Katz's interval for proportions), which keeps its coverage
//! where "difference over p₀" does not (a test simulates it); revenue per shopper and AOV by Welch's t-test; the
//! split by a chi-square goodness of fit against the experiment's weights (flagged below
//! p = 0.001, as GrowthBook does).

use crate::exports::{self, Line};
use crate::stats::{self, Moments};
use crate::{err, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Fewest exposed shoppers and conversions per arm before a winner may be named.
pub const MIN_EXPOSED: u64 = 200;
pub const MIN_CONVERSIONS: u64 = 20;
/// A split this unlikely under the configured weights is a broken experiment.
pub const SRM_P: f64 = 0.001;

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Leave out shoppers exposed to more than one arm (otherwise: their first arm).
    pub exclude_multiple: bool,
    /// Configured weights by experiment key, one per variation (from the bundle); without
    /// them the split is checked against equal weights over the arms seen.
    pub weights: BTreeMap<String, Vec<f64>>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ArmReport {
    pub arm: String,
    pub variation: u64,
    pub exposed: u64,
    pub conversions: u64,
    pub conversion_rate: f64,
    pub orders: u64,
    pub revenue: f64,
    pub revenue_per_shopper: f64,
    pub average_order_value: Option<f64>,
    /// Against the control arm (variation 0); `None` for the control itself, or when
    /// either arm has no conversions (no ratio, or no interval for it).
    pub lift: Option<f64>,
    pub lift_ci95: Option<(f64, f64)>,
    /// Two-proportion z-test; `None` where no test is defined.
    pub p_value: Option<f64>,
    pub revenue_per_shopper_lift: Option<f64>,
    pub revenue_per_shopper_ci95: Option<(f64, f64)>,
    /// Welch's t-test of revenue per exposed shopper against the control.
    pub revenue_per_shopper_p: Option<f64>,
    /// Welch's t-test of order values against the control.
    pub average_order_value_p: Option<f64>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct SampleRatio {
    /// The weights the split was checked against, by variation.
    pub expected_weights: Vec<f64>,
    /// Whether they came from the bundle (otherwise equal weights were assumed).
    pub configured: bool,
    pub chi2: f64,
    pub p_value: f64,
    pub mismatch: bool,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ExperimentReport {
    pub experiment: String,
    pub arms: Vec<ArmReport>,
    pub sample_ratio: Option<SampleRatio>,
    /// Shoppers exposed to more than one arm (kept in their first, or excluded).
    pub multiple_exposures: u64,
    pub multiple_excluded: bool,
    pub warnings: Vec<String>,
    pub verdict: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    /// Resent lines dropped (the same user, batch and record seen before).
    pub duplicates_dropped: usize,
    pub experiments: Vec<ExperimentReport>,
}

/// erfc(x) (kept for callers; `stats::normal_p` is the same to double precision).
pub fn erfc(x: f64) -> f64 {
    if x >= 0.0 {
        stats::gamma_q(0.5, x * x)
    } else {
        2.0 - stats::gamma_q(0.5, x * x)
    }
}

/// One shopper in one experiment: first exposure, its arm, and every arm seen.
struct Exposed {
    ts: i64,
    arm: String,
    variation: u64,
    variations: BTreeSet<u64>,
}

#[derive(Default)]
struct Arm {
    exposed: u64,
    conversions: u64,
    per_shopper: Moments,
    orders: Moments,
}

pub fn report(jsonl: &str, options: &Options) -> Result<Report> {
    let (lines, duplicates_dropped) = exports::read(jsonl)?;
    let mut exposed: BTreeMap<String, BTreeMap<String, Exposed>> = BTreeMap::new();
    let mut purchases: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    for l in &lines {
        let ts = l
            .ts()
            .ok_or_else(|| err(format!("line {}: no \"ts\"", l.n)))?;
        let user = l
            .str("user")
            .ok_or_else(|| err(format!("line {}: no \"user\"", l.n)))?;
        match l.kind() {
            Some("exposure") => exposure(l, user, ts, &mut exposed)?,
            Some("purchase") => purchases
                .entry(user.to_owned())
                .or_default()
                .push((ts, l.purchase_value())),
            _ => {}
        }
    }
    let experiments = exposed
        .into_iter()
        .map(|(experiment, users)| experiment_report(experiment, users, &purchases, options))
        .collect();
    Ok(Report {
        duplicates_dropped,
        experiments,
    })
}

fn exposure(
    l: &Line,
    user: &str,
    ts: i64,
    exposed: &mut BTreeMap<String, BTreeMap<String, Exposed>>,
) -> Result<()> {
    let x = l.fields.get("exposure").cloned().unwrap_or_default();
    // A ranked list's record (what was offered, for training) is not an experiment.
    if x["shown"].as_array().is_some_and(|s| !s.is_empty()) {
        return Ok(());
    }
    let (Some(exp), Some(arm)) = (x["experiment"].as_str(), x["arm"].as_str()) else {
        return Err(err(format!(
            "line {}: an exposure without experiment and arm",
            l.n
        )));
    };
    let variation = x["variation"].as_u64().unwrap_or(0);
    let slot = exposed
        .entry(exp.to_owned())
        .or_default()
        .entry(user.to_owned())
        .or_insert_with(|| Exposed {
            ts,
            arm: arm.to_owned(),
            variation,
            variations: BTreeSet::new(),
        });
    slot.variations.insert(variation);
    if ts < slot.ts {
        (slot.ts, slot.arm, slot.variation) = (ts, arm.to_owned(), variation);
    }
    Ok(())
}

fn experiment_report(
    experiment: String,
    users: BTreeMap<String, Exposed>,
    purchases: &BTreeMap<String, Vec<(i64, f64)>>,
    options: &Options,
) -> ExperimentReport {
    let multiple_exposures = users.values().filter(|u| u.variations.len() > 1).count() as u64;
    let mut arms: BTreeMap<(u64, String), Arm> = BTreeMap::new();
    for (user, x) in &users {
        if options.exclude_multiple && x.variations.len() > 1 {
            continue;
        }
        let a = arms.entry((x.variation, x.arm.clone())).or_default();
        a.exposed += 1;
        let after: Vec<f64> = purchases
            .get(user)
            .map(|p| {
                p.iter()
                    .filter(|(t, _)| *t >= x.ts)
                    .map(|(_, v)| *v)
                    .collect()
            })
            .unwrap_or_default();
        if !after.is_empty() {
            a.conversions += 1;
        }
        a.per_shopper.add(after.iter().sum());
        for v in after {
            a.orders.add(v);
        }
    }
    let mut warnings = Vec::new();
    if multiple_exposures > 0 {
        warnings.push(format!(
            "{multiple_exposures} shoppers were exposed to more than one arm ({})",
            if options.exclude_multiple {
                "excluded"
            } else {
                "counted in their first arm; --exclude-multiple leaves them out"
            }
        ));
    }
    let control = arms
        .iter()
        .next()
        .filter(|((v, _), _)| *v == 0)
        .map(|(_, a)| a);
    if control.is_none() {
        warnings.push("no control arm (variation 0) was exposed: nothing to compare".into());
    }
    let reports: Vec<ArmReport> = arms
        .iter()
        .map(|((variation, arm), a)| {
            arm_report(arm, *variation, a, control.filter(|_| *variation != 0))
        })
        .collect();
    let sample_ratio = sample_ratio(&experiment, &arms, options);
    if let Some(s) = &sample_ratio {
        if !s.configured {
            warnings.push(
                "split checked against equal weights (pass the bundle for its configured weights)"
                    .into(),
            );
        }
    }
    let small: Vec<&str> = reports
        .iter()
        .filter(|a| a.exposed < MIN_EXPOSED || a.conversions < MIN_CONVERSIONS)
        .map(|a| a.arm.as_str())
        .collect();
    if !small.is_empty() {
        warnings.push(format!(
            "too few shoppers for a verdict in {} (need ≥ {MIN_EXPOSED} exposed and ≥ {MIN_CONVERSIONS} conversions per arm)",
            small.join(", ")
        ));
    }
    let verdict = verdict(
        &reports,
        &sample_ratio,
        !small.is_empty() || control.is_none(),
    );
    ExperimentReport {
        experiment,
        arms: reports,
        sample_ratio,
        multiple_exposures,
        multiple_excluded: options.exclude_multiple,
        warnings,
        verdict,
    }
}

fn arm_report(arm: &str, variation: u64, a: &Arm, control: Option<&Arm>) -> ArmReport {
    let n = a.exposed as f64;
    let p = a.conversions as f64 / n.max(1.0);
    let mut r = ArmReport {
        arm: arm.to_owned(),
        variation,
        exposed: a.exposed,
        conversions: a.conversions,
        conversion_rate: p,
        orders: a.orders.n as u64,
        revenue: a.per_shopper.sum,
        revenue_per_shopper: a.per_shopper.sum / n.max(1.0),
        average_order_value: (a.orders.n > 0.0).then(|| a.orders.mean()),
        lift: None,
        lift_ci95: None,
        p_value: None,
        revenue_per_shopper_lift: None,
        revenue_per_shopper_ci95: None,
        revenue_per_shopper_p: None,
        average_order_value_p: None,
    };
    let Some(c) = control else { return r };
    let n0 = c.exposed as f64;
    let p0 = c.conversions as f64 / n0.max(1.0);
    r.p_value = stats::two_proportion_p(c.conversions as f64, n0, a.conversions as f64, n);
    if let Some((lift, lo, hi)) = stats::relative_lift(p0, p0 * (1.0 - p0), n0, p, p * (1.0 - p), n)
    {
        r.lift = Some(lift);
        r.lift_ci95 = Some((lo, hi));
    }
    let (s0, s1) = (&c.per_shopper, &a.per_shopper);
    if s0.n >= 2.0 && s1.n >= 2.0 {
        if let Some((lift, lo, hi)) = stats::relative_lift(
            s0.mean(),
            s0.variance(),
            s0.n,
            s1.mean(),
            s1.variance(),
            s1.n,
        ) {
            r.revenue_per_shopper_lift = Some(lift);
            r.revenue_per_shopper_ci95 = Some((lo, hi));
        }
    }
    r.revenue_per_shopper_p = stats::welch_p(s0, s1);
    r.average_order_value_p = stats::welch_p(&c.orders, &a.orders);
    r
}

fn sample_ratio(
    experiment: &str,
    arms: &BTreeMap<(u64, String), Arm>,
    options: &Options,
) -> Option<SampleRatio> {
    let (weights, configured) = match options.weights.get(experiment) {
        Some(w) => (w.clone(), true),
        None => {
            let k = arms.keys().map(|(v, _)| *v).max()? as usize + 1;
            (vec![1.0 / k as f64; k], false)
        }
    };
    let mut observed = vec![0.0; weights.len()];
    for ((v, _), a) in arms {
        // An arm the configuration does not have: a split nothing can explain.
        let slot = observed.get_mut(*v as usize)?;
        *slot += a.exposed as f64;
    }
    let (chi2, p_value) = stats::srm(&observed, &weights)?;
    Some(SampleRatio {
        expected_weights: weights,
        configured,
        chi2,
        p_value,
        mismatch: p_value < SRM_P,
    })
}

fn verdict(reports: &[ArmReport], srm: &Option<SampleRatio>, too_little: bool) -> String {
    if let Some(s) = srm.as_ref().filter(|s| s.mismatch) {
        return format!(
            "sample ratio mismatch (p = {:.2e}): the split is broken, do not trust this result",
            s.p_value
        );
    }
    if reports.len() < 2 {
        return "one arm only: nothing to compare".to_owned();
    }
    if too_little {
        return format!("not enough data to call a winner (need ≥ {MIN_EXPOSED} exposed and ≥ {MIN_CONVERSIONS} conversions per arm)");
    }
    match reports
        .iter()
        .skip(1)
        .filter(|a| a.p_value.is_some_and(|p| p < 0.05))
        .max_by(|a, b| a.conversion_rate.total_cmp(&b.conversion_rate))
    {
        Some(a) if a.conversion_rate > reports[0].conversion_rate => {
            format!("winner: {} (p = {:.4})", a.arm, a.p_value.unwrap_or(1.0))
        }
        Some(a) => format!(
            "control beats {} (p = {:.4})",
            a.arm,
            a.p_value.unwrap_or(1.0)
        ),
        None => "no significant difference at 5 %".to_owned(),
    }
}

pub fn to_text(report: &Report) -> String {
    use std::fmt::Write;
    let pct = |x: f64| format!("{:+.1}%", x * 100.0);
    let ci = |c: Option<(f64, f64)>| {
        c.map_or(String::new(), |(lo, hi)| {
            format!("[{}, {}]", pct(lo), pct(hi))
        })
    };
    let p = |p: Option<f64>| p.map_or("–".into(), |p| format!("{p:.4}"));
    let mut s = String::new();
    if report.duplicates_dropped > 0 {
        let _ = writeln!(
            s,
            "{} resent lines dropped (same user, batch and record)",
            report.duplicates_dropped
        );
    }
    for r in &report.experiments {
        let _ = writeln!(s, "experiment {}", r.experiment);
        let _ = writeln!(
            s,
            "  {:<16} {:>8} {:>7} {:>7} {:>8} {:>20} {:>8} {:>9} {:>8} {:>9} {:>8}",
            "arm",
            "exposed",
            "conv",
            "rate",
            "lift",
            "lift 95% CI",
            "p",
            "rev/shop",
            "p",
            "AOV",
            "p"
        );
        for a in &r.arms {
            let lift = match (a.variation, a.lift) {
                (0, _) => "control".to_owned(),
                (_, Some(l)) => pct(l),
                (_, None) => "n/a".to_owned(),
            };
            let _ = writeln!(
                s,
                "  {:<16} {:>8} {:>7} {:>6.2}% {:>8} {:>20} {:>8} {:>9.2} {:>8} {:>9} {:>8}",
                a.arm,
                a.exposed,
                a.conversions,
                a.conversion_rate * 100.0,
                lift,
                ci(a.lift_ci95),
                if a.variation == 0 {
                    String::new()
                } else {
                    p(a.p_value)
                },
                a.revenue_per_shopper,
                if a.variation == 0 {
                    String::new()
                } else {
                    p(a.revenue_per_shopper_p)
                },
                a.average_order_value
                    .map_or("–".into(), |v| format!("{v:.2}")),
                if a.variation == 0 {
                    String::new()
                } else {
                    p(a.average_order_value_p)
                },
            );
        }
        if let Some(sr) = &r.sample_ratio {
            let _ = writeln!(
                s,
                "  split: chi² = {:.2}, p = {:.4}{}",
                sr.chi2,
                sr.p_value,
                if sr.mismatch {
                    "  SAMPLE RATIO MISMATCH"
                } else {
                    ""
                }
            );
        }
        for w in &r.warnings {
            let _ = writeln!(s, "  ! {w}");
        }
        let _ = writeln!(s, "  → {}", r.verdict);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(arm: &str, variation: u32, users: u32, converters: u32, offset: u32) -> String {
        let mut s = String::new();
        for u in 0..users {
            let user = format!("{arm}-{}", u + offset);
            s += &format!("{{\"user\":\"{user}\",\"type\":\"exposure\",\"ts\":100,\"exposure\":{{\"experiment\":\"e\",\"arm\":\"{arm}\",\"variation\":{variation}}}}}\n");
            if u < converters {
                s += &format!(
                    "{{\"user\":\"{user}\",\"type\":\"purchase\",\"ts\":200,\"value\":40}}\n"
                );
            }
            // A purchase before the exposure does not count.
            s += &format!("{{\"user\":\"{user}\",\"type\":\"purchase\",\"ts\":50,\"value\":99}}\n");
            // The module's record of the ranked payment list is not an experiment.
            s += &format!("{{\"user\":\"{user}\",\"type\":\"exposure\",\"ts\":101,\"exposure\":{{\"experiment\":\"payment_methods\",\"arm\":\"{arm}\",\"variation\":{variation},\"shown\":[\"card\",\"paypal\"]}}}}\n");
        }
        s
    }

    #[test]
    fn two_proportion_test_matches_an_independent_computation() {
        // control 100/1000, treatment 130/1000. Python: z = 0.03 / sqrt(.115*.885*(2/1000)),
        // p = math.erfc(abs(z) / math.sqrt(2)) = 0.0354885 (z = 2.10274; CPython 3.11).
        let r = report(
            &(lines("control", 0, 1000, 100, 0) + &lines("treatment", 1, 1000, 130, 0)),
            &Options::default(),
        )
        .unwrap();
        let r = &r.experiments;
        assert_eq!(r.len(), 1, "list records are not experiments");
        let t = &r[0].arms[1];
        assert_eq!((t.exposed, t.conversions), (1000, 130));
        assert!((t.lift.unwrap() - 0.30).abs() < 1e-12);
        let z: f64 = 0.03 / (0.115f64 * 0.885 * 0.002).sqrt();
        assert!((z - 2.102_74_f64).abs() < 1e-4, "{z}");
        assert!(
            (t.p_value.unwrap() - 0.035_488_45).abs() < 1e-6,
            "{:?}",
            t.p_value
        );
        assert_eq!(t.average_order_value, Some(40.0));
        assert!(
            r[0].verdict.starts_with("winner: treatment"),
            "{}",
            r[0].verdict
        );
        let (lo, hi) = t.lift_ci95.unwrap();
        assert!(lo > 0.0 && hi > lo);
    }

    #[test]
    fn refuses_to_call_a_winner_on_little_data() {
        let r = report(
            &(lines("control", 0, 50, 5, 0) + &lines("treatment", 1, 50, 20, 0)),
            &Options::default(),
        )
        .unwrap();
        let r = &r.experiments;
        assert!(
            r[0].verdict.starts_with("not enough data"),
            "{}",
            r[0].verdict
        );
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.959_964 / std::f64::consts::SQRT_2) - 0.05).abs() < 1e-6);
    }
}
