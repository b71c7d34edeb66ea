//! The statistics `ab-report` uses, to double precision: the normal, Student t and
//! chi-square tails (through the regularised incomplete gamma and beta functions, as in
//! Numerical Recipes §6.2–6.4), Welch's t-test, the chi-square goodness-of-fit test and the
//! log-ratio interval for a relative lift. Checked against scipy and statsmodels in
//! `eval/abreport_check.py` and in the tests below.

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// ln Γ(x), x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let s = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |s, (i, c)| s + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

/// The regularised upper incomplete gamma function Q(a, x).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        // Series for P.
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * front
    } else {
        // Continued fraction for Q (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        front * h
    }
}

/// The regularised incomplete beta function I_x(a, b).
pub fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..3000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        // The even and the odd step of the fraction, each a modified Lentz update.
        let mut step = |aa: f64| {
            d = 1.0 + aa * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + aa / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            d * c
        };
        h *= step(m * (b - m) * x / ((qam + m2) * (a + m2)));
        let del = step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Two-sided p-value of a standard normal statistic.
pub fn normal_p(z: f64) -> f64 {
    // erfc(|z|/√2) = Q(1/2, z²/2).
    gamma_q(0.5, z * z / 2.0)
}

/// Two-sided p-value of a Student t statistic with `df` degrees of freedom.
pub fn student_p(t: f64, df: f64) -> f64 {
    beta_i(df / 2.0, 0.5, df / (df + t * t))
}

/// Upper tail of the chi-square distribution.
pub fn chi2_p(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
}

/// Mean and sample variance (n − 1) of `n` values given their sum and sum of squares.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: f64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn add(&mut self, x: f64) {
        self.n += 1.0;
        self.sum += x;
        self.sum_sq += x * x;
    }
    pub fn mean(&self) -> f64 {
        self.sum / self.n
    }
    pub fn variance(&self) -> f64 {
        if self.n < 2.0 {
            return f64::NAN;
        }
        ((self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1.0)).max(0.0)
    }
}

/// Welch's unequal-variance t-test (scipy's `ttest_ind(equal_var=False)`): the two-sided
/// p-value, or `None` when undefined (fewer than two values in an arm, no variance).
pub fn welch_p(a: &Moments, b: &Moments) -> Option<f64> {
    if a.n < 2.0 || b.n < 2.0 {
        return None;
    }
    let (va, vb) = (a.variance() / a.n, b.variance() / b.n);
    let se2 = va + vb;
    if se2.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let t = (b.mean() - a.mean()) / se2.sqrt();
    let df = se2 * se2 / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    Some(student_p(t, df))
}

/// The pooled two-proportion z-test (statsmodels' `proportions_ztest`): `None` when no
/// test is defined (no conversions anywhere, or all converted).
pub fn two_proportion_p(c0: f64, n0: f64, c1: f64, n1: f64) -> Option<f64> {
    let pooled = (c0 + c1) / (n0 + n1);
    let se = (pooled * (1.0 - pooled) * (1.0 / n0 + 1.0 / n1)).sqrt();
    if se.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    Some(normal_p((c1 / n1 - c0 / n0) / se))
}

/// Relative lift `m1/m0 − 1` with a 95 % interval on the log of the ratio of two
/// independent means (the delta method on `ln m1 − ln m0`, variance
/// `v1/(n1·m1²) + v0/(n0·m0²)` with `v` the per-unit variances; for proportions this is
/// Katz's interval for a risk ratio). Asymmetric, never below −100 %, and consistent with
/// the two-proportion test where "difference over p₀" is not. `None` when either mean is 0
/// (no ratio, or no interval for it).
pub fn relative_lift(
    m0: f64,
    v0: f64,
    n0: f64,
    m1: f64,
    v1: f64,
    n1: f64,
) -> Option<(f64, f64, f64)> {
    let positive = |x: f64| x.partial_cmp(&0.0) == Some(std::cmp::Ordering::Greater);
    if !(positive(m0) && positive(m1) && positive(n0) && positive(n1)) {
        return None;
    }
    let var = v1 / (n1 * m1 * m1) + v0 / (n0 * m0 * m0);
    let log = (m1 / m0).ln();
    let half = Z95 * var.sqrt();
    Some((
        m1 / m0 - 1.0,
        (log - half).exp() - 1.0,
        (log + half).exp() - 1.0,
    ))
}

/// Chi-square goodness of fit of `observed` counts against `weights` (normalised here):
/// the statistic and its p-value (scipy's `chisquare`). `None` with fewer than two arms.
pub fn srm(observed: &[f64], weights: &[f64]) -> Option<(f64, f64)> {
    let total: f64 = observed.iter().sum();
    let wsum: f64 = weights.iter().sum();
    if observed.len() < 2
        || observed.len() != weights.len()
        || total.is_nan()
        || total <= 0.0
        || wsum.is_nan()
        || wsum <= 0.0
    {
        return None;
    }
    let mut chi2 = 0.0;
    for (o, w) in observed.iter().zip(weights) {
        let e = total * w / wsum;
        if e <= 0.0 {
            if *o > 0.0 {
                return Some((f64::INFINITY, 0.0));
            }
            continue;
        }
        chi2 += (o - e) * (o - e) / e;
    }
    Some((chi2, chi2_p(chi2, observed.len() as f64 - 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    // Reference values from scipy 1.17 (scipy.stats.norm.sf, t.sf, chi2.sf, special.gammaln),
    // written out so the native tests need no Python; eval/abreport_check.py checks the
    // whole report against scipy/statsmodels.
    #[test]
    fn tails_match_scipy() {
        assert!(close(ln_gamma(0.5), 0.572_364_942_924_7, 1e-14));
        assert!(
            close(ln_gamma(101.3), 365.122_871_424_025_96, 1e-14),
            "{}",
            ln_gamma(101.3)
        );
        assert!(close(normal_p(1.959_963_984_540_054), 0.05, 1e-12));
        assert!(close(normal_p(2.102_74), 0.035_488_503_435_455_51, 1e-10));
        assert!(close(normal_p(6.0), 1.973_175_290_075_389e-9, 1e-10));
        // 2 * t.sf(2.0, 10) = 0.07338803477074...
        assert!(close(student_p(2.0, 10.0), 0.073_388_034_770_740_37, 1e-10));
        assert!(close(student_p(1.0, 1.0), 0.5, 1e-12));
        // chi2.sf(3.84145882069412, 1) = 0.05; chi2.sf(10, 3) = 0.018566135463043...
        assert!(close(chi2_p(3.841_458_820_694_124, 1.0), 0.05, 1e-10));
        assert!(close(chi2_p(10.0, 3.0), 0.018_566_135_463_043_25, 1e-10));
    }

    #[test]
    fn undefined_tests_are_none() {
        assert_eq!(two_proportion_p(0.0, 100.0, 0.0, 100.0), None);
        assert_eq!(relative_lift(0.0, 0.0, 100.0, 0.1, 0.09, 100.0), None);
        let one = Moments {
            n: 1.0,
            sum: 3.0,
            sum_sq: 9.0,
        };
        assert_eq!(welch_p(&one, &one), None);
        assert_eq!(srm(&[10.0], &[1.0]), None);
    }

    /// SplitMix64: a seeded, dependency-free generator for the simulations.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
        fn binomial(&mut self, n: u32, p: f64) -> f64 {
            (0..n).filter(|_| self.next() < p).count() as f64
        }
    }

    /// How often the 95 % interval of the relative lift holds the true lift, in `reps`
    /// simulated experiments of `n` shoppers per arm.
    fn coverage(p0: f64, p1: f64, n: u32, reps: u32, seed: u64) -> f64 {
        let mut rng = Rng(seed);
        let truth = p1 / p0 - 1.0;
        let nf = f64::from(n);
        let mut held = 0;
        for _ in 0..reps {
            let (c0, c1) = (rng.binomial(n, p0), rng.binomial(n, p1));
            let (q0, q1) = (c0 / nf, c1 / nf);
            if let Some((_, lo, hi)) =
                relative_lift(q0, q0 * (1.0 - q0), nf, q1, q1 * (1.0 - q1), nf)
            {
                held += u32::from(lo <= truth && truth <= hi);
            }
        }
        f64::from(held) / f64::from(reps)
    }

    #[test]
    fn the_lift_interval_keeps_its_coverage_in_simulation() {
        // The case: 3.0 % against 3.6 %, 5,000 shoppers per arm. 4,000 seeded
        // replicates estimate the coverage to ±0.7 % (two standard errors).
        let c = coverage(0.030, 0.036, 5_000, 4_000, 7);
        eprintln!("coverage at 3.0 % vs 3.6 %, 5k per arm: {c}");
        assert!((0.94..=0.96).contains(&c), "coverage {c}");
        // A smaller, lower-rate experiment (about 20 conversions per arm).
        let c = coverage(0.010, 0.012, 2_000, 4_000, 11);
        eprintln!("coverage at 1.0 % vs 1.2 %, 2k per arm: {c}");
        assert!((0.935..=0.965).contains(&c), "coverage {c}");
    }
}
