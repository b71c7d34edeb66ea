//! `personalizer ab-report EVENTS.jsonl`: per experiment arm, exposed shoppers, conversions,
//! conversion rate, average order value, the lift against the control arm (variation 0)
//! with a 95 % confidence interval, and a two-proportion z-test p-value. It refuses to name a
//! winner on too little data.
//!
//! Input: the JSON Lines `exportEvents` sends (`user`, `type`, `ts`, `value`, `exposure`).
//! A shopper belongs to the first arm they were exposed to; a conversion is a purchase at or
//! after that exposure.

use crate::{err, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// Fewest exposed shoppers and conversions per arm before a winner may be named.
pub const MIN_EXPOSED: u64 = 200;
pub const MIN_CONVERSIONS: u64 = 20;

#[derive(Debug, Serialize, PartialEq)]
pub struct ArmReport {
    pub arm: String,
    pub variation: u64,
    pub exposed: u64,
    pub conversions: u64,
    pub conversion_rate: f64,
    pub average_order_value: Option<f64>,
    /// Against the control arm (variation 0); `None` for the control itself.
    pub lift: Option<f64>,
    pub lift_ci95: Option<(f64, f64)>,
    pub p_value: Option<f64>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ExperimentReport {
    pub experiment: String,
    pub arms: Vec<ArmReport>,
    pub verdict: String,
}

/// erfc with fractional error below 1.2e-7 (Numerical Recipes' erfcc).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

pub fn report(jsonl: &str) -> Result<Vec<ExperimentReport>> {
    // experiment -> user -> (first exposure ts, arm, variation)
    let mut exposed: BTreeMap<String, BTreeMap<String, (i64, String, u64)>> = BTreeMap::new();
    // user -> purchases (ts, value)
    let mut purchases: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    for (n, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| err(format!("line {}: {e}", n + 1)))?;
        let user = v["user"]
            .as_str()
            .ok_or_else(|| err(format!("line {}: no \"user\"", n + 1)))?
            .to_owned();
        let ts = v["ts"]
            .as_i64()
            .ok_or_else(|| err(format!("line {}: no \"ts\"", n + 1)))?;
        match v["type"].as_str() {
            Some("exposure") => {
                let x = &v["exposure"];
                let (Some(exp), Some(arm)) = (x["experiment"].as_str(), x["arm"].as_str()) else {
                    return Err(err(format!(
                        "line {}: an exposure without experiment and arm",
                        n + 1
                    )));
                };
                let variation = x["variation"].as_u64().unwrap_or(0);
                let slot = exposed
                    .entry(exp.to_owned())
                    .or_default()
                    .entry(user)
                    .or_insert((ts, arm.to_owned(), variation));
                if ts < slot.0 {
                    *slot = (ts, arm.to_owned(), variation);
                }
            }
            Some("purchase") => purchases
                .entry(user)
                .or_default()
                .push((ts, v["value"].as_f64().unwrap_or(0.0))),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (experiment, users) in exposed {
        // arm -> (variation, exposed, conversions, revenue, orders)
        let mut arms: BTreeMap<(u64, String), (u64, u64, f64, u64)> = BTreeMap::new();
        for (user, (ts, arm, variation)) in users {
            let a = arms.entry((variation, arm)).or_default();
            a.0 += 1;
            let after: Vec<&(i64, f64)> = purchases
                .get(&user)
                .map(|p| p.iter().filter(|(t, _)| *t >= ts).collect())
                .unwrap_or_default();
            if !after.is_empty() {
                a.1 += 1;
                a.2 += after.iter().map(|(_, v)| v).sum::<f64>();
                a.3 += after.len() as u64;
            }
        }
        let control = arms.iter().next().map(|((v, _), s)| (*v, s.0, s.1));
        let mut reports = Vec::new();
        for ((variation, arm), (n, c, revenue, orders)) in &arms {
            let p = *c as f64 / (*n).max(1) as f64;
            let (lift, ci, pv) = match control {
                Some((cv, n0, c0)) if cv != *variation && n0 > 0 && *n > 0 => {
                    let p0 = c0 as f64 / n0 as f64;
                    let diff = p - p0;
                    let se = (p * (1.0 - p) / *n as f64 + p0 * (1.0 - p0) / n0 as f64).sqrt();
                    let pooled = (c0 + c) as f64 / (n0 + n) as f64;
                    let se0 =
                        (pooled * (1.0 - pooled) * (1.0 / n0 as f64 + 1.0 / *n as f64)).sqrt();
                    let pv = if se0 > 0.0 {
                        erfc((diff / se0).abs() / std::f64::consts::SQRT_2)
                    } else {
                        1.0
                    };
                    if p0 > 0.0 {
                        (
                            Some(diff / p0),
                            Some(((diff - 1.96 * se) / p0, (diff + 1.96 * se) / p0)),
                            Some(pv),
                        )
                    } else {
                        (None, None, Some(pv))
                    }
                }
                _ => (None, None, None),
            };
            reports.push(ArmReport {
                arm: arm.clone(),
                variation: *variation,
                exposed: *n,
                conversions: *c,
                conversion_rate: p,
                average_order_value: (*orders > 0).then(|| revenue / *orders as f64),
                lift,
                lift_ci95: ci,
                p_value: pv,
            });
        }
        let enough = reports
            .iter()
            .all(|a| a.exposed >= MIN_EXPOSED && a.conversions >= MIN_CONVERSIONS);
        let verdict = if reports.len() < 2 {
            "one arm only: nothing to compare".to_owned()
        } else if !enough {
            format!("not enough data to call a winner (need ≥ {MIN_EXPOSED} exposed and ≥ {MIN_CONVERSIONS} conversions per arm)")
        } else {
            match reports
                .iter()
                .skip(1)
                .filter(|a| a.p_value.is_some_and(|p| p < 0.05))
                .max_by(|a, b| a.conversion_rate.total_cmp(&b.conversion_rate))
            {
                Some(a) if a.lift.unwrap_or(0.0) > 0.0 => {
                    format!("winner: {} (p = {:.4})", a.arm, a.p_value.unwrap_or(1.0))
                }
                Some(a) => format!(
                    "control beats {} (p = {:.4})",
                    a.arm,
                    a.p_value.unwrap_or(1.0)
                ),
                None => "no significant difference at 5 %".to_owned(),
            }
        };
        out.push(ExperimentReport {
            experiment,
            arms: reports,
            verdict,
        });
    }
    Ok(out)
}

pub fn to_text(reports: &[ExperimentReport]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for r in reports {
        let _ = writeln!(s, "experiment {}", r.experiment);
        let _ = writeln!(
            s,
            "  {:<16} {:>8} {:>8} {:>8} {:>9} {:>8} {:>20} {:>8}",
            "arm", "exposed", "conv", "rate", "AOV", "lift", "lift 95% CI", "p"
        );
        for a in &r.arms {
            let _ = writeln!(
                s,
                "  {:<16} {:>8} {:>8} {:>7.2}% {:>9} {:>8} {:>20} {:>8}",
                a.arm,
                a.exposed,
                a.conversions,
                a.conversion_rate * 100.0,
                a.average_order_value
                    .map_or("–".into(), |v| format!("{v:.2}")),
                a.lift
                    .map_or("control".into(), |l| format!("{:+.1}%", l * 100.0)),
                a.lift_ci95.map_or("".into(), |(lo, hi)| format!(
                    "[{:+.1}%, {:+.1}%]",
                    lo * 100.0,
                    hi * 100.0
                )),
                a.p_value.map_or("".into(), |p| format!("{p:.4}")),
            );
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
        }
        s
    }

    #[test]
    fn two_proportion_test_matches_an_independent_computation() {
        // control 100/1000, treatment 130/1000. Python: z = 0.03 / sqrt(.115*.885*(2/1000)),
        // p = math.erfc(abs(z) / math.sqrt(2)) = 0.0354885 (z = 2.10274; CPython 3.11).
        let r = report(&(lines("control", 0, 1000, 100, 0) + &lines("treatment", 1, 1000, 130, 0)))
            .unwrap();
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
        let r =
            report(&(lines("control", 0, 50, 5, 0) + &lines("treatment", 1, 50, 20, 0))).unwrap();
        assert!(
            r[0].verdict.starts_with("not enough data"),
            "{}",
            r[0].verdict
        );
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.959_964 / std::f64::consts::SQRT_2) - 0.05).abs() < 1e-6);
    }
}
