//! Two segments or periods side by side: the difference a − b between two
//! figures of one kind, with its 95% interval and whether it is significant
//! at 5%, i.e. whether that interval leaves out 0. Pure and synchronous.
//!
//! By convention `a` is the figure being looked at (this period, this
//! segment) and `b` the one it is compared with, so a positive difference
//! means `a` scores higher.

use super::{
    Interval, LOW_SAMPLE_BELOW, Moments, Z95, moments, nps_variance, two_decimals_or_none, wilson,
};
use serde::Serialize;

/// a − b in the score's own unit: percentage points for shares, NPS points
/// for NPS, the scale's unit for means. Without an answer on either side
/// there is no difference, and without an interval nothing is significant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    #[serde(serialize_with = "two_decimals_or_none")]
    pub a: Option<f64>,
    #[serde(serialize_with = "two_decimals_or_none")]
    pub b: Option<f64>,
    #[serde(serialize_with = "two_decimals_or_none")]
    pub difference: Option<f64>,
    pub ci95: Option<Interval>,
    /// Decided on the unrounded interval: a bound that serializes as 0.00
    /// can still be on the other side of 0.
    pub significant: bool,
    pub n_a: u64,
    pub n_b: u64,
    /// Either side has fewer than [`LOW_SAMPLE_BELOW`] answers.
    pub low_sample: bool,
}

impl Difference {
    fn new(n_a: u64, n_b: u64, a: Option<f64>, b: Option<f64>, ci95: Option<Interval>) -> Self {
        Self {
            a,
            b,
            difference: a.zip(b).map(|(a, b)| a - b),
            ci95,
            significant: ci95.is_some_and(|i| i.low > 0.0 || i.high < 0.0),
            n_a,
            n_b,
            low_sample: n_a.min(n_b) < LOW_SAMPLE_BELOW,
        }
    }
}

/// The difference between two shares, in percentage points, with Newcombe's
/// hybrid score interval (Newcombe 1998, method 10). It is built from each
/// side's Wilson interval, so like them it stays inside ±100 and behaves at
/// small n and at 0% or 100%, where p ± z·se of the difference does not.
pub fn proportions(successes_a: u64, n_a: u64, successes_b: u64, n_b: u64) -> Difference {
    let share =
        |successes: u64, n: u64| wilson(successes, n).map(|ci| (successes as f64 / n as f64, ci));
    let (a, b) = (share(successes_a, n_a), share(successes_b, n_b));
    let ci95 = a.zip(b).map(|((p1, w1), (p2, w2))| {
        let d = p1 - p2;
        Interval {
            low: 100.0 * (d - (p1 - w1.low).hypot(w2.high - p2)).max(-1.0),
            high: 100.0 * (d + (w1.high - p1).hypot(p2 - w2.low)).min(1.0),
        }
    });
    Difference::new(
        n_a,
        n_b,
        a.map(|(p, _)| 100.0 * p),
        b.map(|(p, _)| 100.0 * p),
        ci95,
    )
}

/// CSAT (top two boxes of 1–5) of `a` against `b`, as for [`super::csat`].
pub fn csat(a: &[u64; 5], b: &[u64; 5]) -> Difference {
    let top_two = |c: &[u64; 5]| (c[3] + c[4], c.iter().sum());
    let ((sa, na), (sb, nb)) = (top_two(a), top_two(b));
    proportions(sa, na, sb, nb)
}

/// The CES agree-share (5–7 of 1–7) of `a` against `b`, as for [`super::ces`].
pub fn ces_agree(a: &[u64; 7], b: &[u64; 7]) -> Difference {
    let agree = |c: &[u64; 7]| (c[4..].iter().sum(), c.iter().sum());
    let ((sa, na), (sb, nb)) = (agree(a), agree(b));
    proportions(sa, na, sb, nb)
}

/// The difference between two NPS, in NPS points. The two sides are
/// independent, so the variance of the difference is the sum of each NPS's
/// trinomial variance; the interval is d ± z·√(var_a + var_b), clamped to the
/// ±200 a difference of two NPS can reach.
pub fn nps(a: &[u64; 11], b: &[u64; 11]) -> Difference {
    let (sa, sb) = (super::nps(a), super::nps(b));
    let variance = |s: &super::Nps| {
        (s.n > 0).then(|| 100.0 * 100.0 * nps_variance(s.promoters, s.detractors, s.n))
    };
    let ci95 = sa
        .score
        .zip(sb.score)
        .zip(variance(&sa).zip(variance(&sb)))
        .map(|((a, b), (va, vb))| {
            let half = Z95 * (va + vb).sqrt();
            Interval {
                low: (a - b - half).max(-200.0),
                high: (a - b + half).min(200.0),
            }
        });
    Difference::new(sa.n, sb.n, sa.score, sb.score, ci95)
}

/// The difference between two means, in the scale's unit, with Welch's
/// t-interval: d ± t·√(s²_a/n_a + s²_b/n_b), t at 97.5% with the
/// Welch–Satterthwaite degrees of freedom. Unlike the pooled t-test it does
/// not assume both sides spread alike, which two periods or segments need not.
///
/// No interval when a side has fewer than two answers (no variance), nor when
/// neither side varies at all: the degrees of freedom are then 0/0, and a
/// handful of identical answers per side is no evidence of a sure difference.
pub fn welch(a: &Moments, b: &Moments) -> Difference {
    Difference::new(a.n, b.n, a.mean, b.mean, welch_interval(a, b))
}

fn welch_interval(a: &Moments, b: &Moments) -> Option<Interval> {
    let (ma, va, mb, vb) = (a.mean?, a.variance?, b.mean?, b.variance?);
    if a.n < 2 || b.n < 2 {
        return None;
    }
    // The squared standard error of each mean.
    let (ea, eb) = (va / a.n as f64, vb / b.n as f64);
    let se2 = ea + eb;
    if se2 <= 0.0 || se2.is_nan() {
        return None;
    }
    let df = se2 * se2 / (ea * ea / (a.n - 1) as f64 + eb * eb / (b.n - 1) as f64);
    let half = t_quantile(0.975, df)? * se2.sqrt();
    let d = ma - mb;
    Some(Interval {
        low: d - half,
        high: d + half,
    })
}

/// Means of two answer distributions (`counts[i]` answered `first + i`, as for
/// [`super::mean`]) compared with [`welch`]: a CES mean, a rating mean.
pub fn means(a: &[u64], b: &[u64], first: u64) -> Difference {
    welch(&moments(a, first), &moments(b, first))
}

/// The `p`-quantile of Student's t distribution with `df` degrees of freedom:
/// the t with P(T ≤ t) = p. `df` need not be whole (Welch's seldom is) and
/// may be infinite (the normal distribution). None unless 0 < p < 1 and df > 0.
///
/// It inverts the distribution function exactly rather than approximating
/// the quantile: P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t²), the
/// regularized incomplete beta function by its continued fraction, solved for
/// t by bisection. Past [`T_EXACT_DF`] degrees of freedom the continued
/// fraction loses digits (x is too close to 1), so the quantile is carried on
/// from there by the first term of the Cornish–Fisher expansion,
/// t ≈ z + (z³ + z) / (4·df), whose next term is below 1e-11 there.
/// Against mpmath, for df from 0.3 to 1e12 and p up to 0.995, the result is
/// within 1e-10 relative, mostly far closer.
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0 && df > 0.0) {
        return None;
    }
    // The distribution is symmetric: find the upper tail's quantile. Both
    // `p` and `1 − p` are exact for the side taken.
    let (tail, sign) = if p > 0.5 { (1.0 - p, 1.0) } else { (p, -1.0) };
    if tail == 0.5 {
        return Some(0.0);
    }
    if df > T_EXACT_DF {
        let t0 = t_quantile_exact(tail, T_EXACT_DF)?;
        let slope = (t0 * t0 * t0 + t0) / 4.0;
        return Some(sign * (t0 - slope * (1.0 / T_EXACT_DF - 1.0 / df)));
    }
    t_quantile_exact(tail, df).map(|t| sign * t)
}

/// Up to this many degrees of freedom [`t_quantile`] inverts the exact
/// distribution function.
pub const T_EXACT_DF: f64 = 1e7;

/// The t > 0 with P(T > t) = `tail` (0 < tail < 1/2), by bisection: the
/// upper tail falls steadily from 1/2 at t = 0, so a bracket never fails.
fn t_quantile_exact(tail: f64, df: f64) -> Option<f64> {
    let (mut low, mut high) = (0.0_f64, 1.0_f64);
    while t_upper_tail(high, df) > tail {
        low = high;
        high *= 2.0;
        if !high.is_finite() {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            break;
        }
        if t_upper_tail(mid, df) > tail {
            low = mid;
        } else {
            high = mid;
        }
    }
    Some(0.5 * (low + high))
}

/// P(T > t) for t ≥ 0.
fn t_upper_tail(t: f64, df: f64) -> f64 {
    let denom = df + t * t;
    // Both x and 1 − x directly: at large df, x is close to 1 and 1 − x
    // computed from it would keep few digits.
    0.5 * incomplete_beta(df / 2.0, 0.5, df / denom, t * t / denom)
}

/// The regularized incomplete beta function I_x(a, b), given x and y = 1 − x
/// (both, for precision), by the continued fraction of Numerical Recipes
/// (§6.4), which converges fast for x < (a + 1) / (a + b + 2); past that,
/// I_x(a, b) = 1 − I_y(b, a).
fn incomplete_beta(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if y <= 0.0 {
        return 1.0;
    }
    let ln_x = if x > 0.5 { (-y).ln_1p() } else { x.ln() };
    let ln_y = if y > 0.5 { (-x).ln_1p() } else { y.ln() };
    // x^a · y^b / B(a, b), in logarithms: each part alone can overflow.
    let front = (a * ln_x + b * ln_y - ln_beta(a, b)).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, y) / b
    }
}

/// The continued fraction for I_x(a, b), by the modified Lentz method.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), without subtracting two
/// huge logarithms when one argument is large (df/2 at large df): there
/// ln Γ(big) − ln Γ(big + small) comes from Stirling's series term by term.
fn ln_beta(a: f64, b: f64) -> f64 {
    let (small, big) = if a < b { (a, b) } else { (b, a) };
    if big < STIRLING_FROM {
        return ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    }
    // (big − ½)·ln big − (big + small − ½)·ln(big + small) + small, rearranged.
    let leading = -(big - 0.5) * (small / big).ln_1p() - small * (big + small).ln() + small;
    ln_gamma(small) + leading + stirling_tail(big) - stirling_tail(big + small)
}

/// Stirling's series is used from here on; below, Γ's recurrence shifts up.
const STIRLING_FROM: f64 = 10.0;

/// ln Γ(z) for z > 0: Stirling's series at z ≥ 10, where its terms up to
/// z⁻¹⁵ leave an error below 1e-17; smaller z are shifted up with
/// Γ(z) = Γ(z + k) / (z (z + 1) … (z + k − 1)).
fn ln_gamma(z: f64) -> f64 {
    let (mut z, mut product) = (z, 1.0);
    while z < STIRLING_FROM {
        product *= z;
        z += 1.0;
    }
    (z - 0.5) * z.ln() - z + 0.5 * (2.0 * std::f64::consts::PI).ln() + stirling_tail(z)
        - product.ln()
}

/// ln Γ(z) − [(z − ½) ln z − z + ½ ln 2π] for z ≥ 10: Σ B₂ₖ / (2k (2k − 1) z²ᵏ⁻¹).
fn stirling_tail(z: f64) -> f64 {
    const TERMS: [f64; 8] = [
        1.0 / 12.0,
        -1.0 / 360.0,
        1.0 / 1260.0,
        -1.0 / 1680.0,
        1.0 / 1188.0,
        -691.0 / 360_360.0,
        1.0 / 156.0,
        -3617.0 / 122_400.0,
    ];
    let z2 = z * z;
    let mut power = z;
    let mut sum = 0.0;
    for term in TERMS {
        sum += term / power;
        power *= z2;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() < tolerance
    }

    /// (a, b, difference, low, high) in the score's unit.
    type Expected = (f64, f64, f64, f64, f64);

    /// Checks a difference against what is expected, to 1e-6.
    #[track_caller]
    fn check(d: &Difference, want: Expected, significant: bool) {
        let (a, b, diff, low, high) = want;
        let ci = d.ci95.expect("an interval");
        for (got, want) in [
            (d.a.unwrap_or(f64::NAN), a),
            (d.b.unwrap_or(f64::NAN), b),
            (d.difference.unwrap_or(f64::NAN), diff),
            (ci.low, low),
            (ci.high, high),
        ] {
            assert!(close(got, want, 1e-6), "{got} ≠ {want}: {d:?}");
        }
        assert_eq!(d.significant, significant, "{d:?}");
    }

    // Expected values below were computed independently of this code, with
    // mpmath at 30 digits, from the formulas each comment spells out.

    #[test]
    fn t_quantile_matches_the_printed_table_to_three_decimals() {
        // (df, t at 97.5%) as printed in t tables; ∞ is the normal's 1.960.
        let table = [
            (1.0, 12.706),
            (2.0, 4.303),
            (5.0, 2.571),
            (10.0, 2.228),
            (30.0, 2.042),
            (100.0, 1.984),
            (f64::INFINITY, 1.960),
        ];
        for (df, want) in table {
            let t = t_quantile(0.975, df).unwrap();
            assert!(close(t, want, 0.0005), "df {df}: {t}");
        }
    }

    #[test]
    fn t_quantile_matches_precise_values() {
        // (p, df, t): mpmath, solving I_{df/(df+t²)}(df/2, 1/2) / 2 = 1 − p.
        // df 1 and 2 also have closed forms: tan(π·0.475) = 12.7062047361747
        // and √(2 / (0.05 · 1.95) − 2) = √18.5128205 = 4.30265272974946.
        let cases = [
            (0.975, 1.0, 12.706_204_736_174_7),
            (0.975, 2.0, 4.302_652_729_749_46),
            (0.975, 3.0, 3.182_446_305_283_71),
            (0.975, 5.0, 2.570_581_835_636_32),
            (0.975, 10.0, 2.228_138_851_986_27),
            (0.975, 30.0, 2.042_272_456_301_24),
            (0.975, 100.0, 1.983_971_518_523_55),
            (0.975, 1000.0, 1.962_339_080_826_41),
            (0.975, 1e6, 1.959_966_356_814_11),
            // Whole df or not: Welch's seldom are.
            (0.975, 0.5, 164.557_673_480_489),
            (0.975, 2.5, 3.574_654_842_003_68),
            (0.975, 7.5, 2.333_039_626_864_97),
            (0.95, 3.0, 2.353_363_434_801_82),
            (0.999, 4.0, 7.173_182_219_782_31),
            // ∞: the normal quantile, Z95.
            (0.975, f64::INFINITY, 1.959_963_984_540_05),
        ];
        for (p, df, want) in cases {
            let t = t_quantile(p, df).unwrap();
            assert!(close(t, want, 1e-9 * want), "p {p}, df {df}: {t}");
            let lower = t_quantile(1.0 - p, df).unwrap();
            assert!(
                close(lower, -want, 1e-9 * want),
                "p {}, df {df}: {lower}",
                1.0 - p
            );
        }
    }

    #[test]
    fn t_quantile_is_continuous_where_the_method_changes() {
        // Just below and above T_EXACT_DF the two methods must agree.
        let below = t_quantile(0.975, T_EXACT_DF).unwrap();
        let above = t_quantile(0.975, T_EXACT_DF * (1.0 + 1e-9)).unwrap();
        assert!(close(below, above, 1e-12), "{below} {above}");
        // mpmath at df = 1e7: 1.959964221767…; at 1e9: 1.959963986912….
        assert!(close(below, 1.959_964_221_767, 1e-9), "{below}");
        let far = t_quantile(0.975, 1e9).unwrap();
        assert!(close(far, 1.959_963_986_912, 1e-9), "{far}");
    }

    #[test]
    fn t_quantile_refuses_what_has_no_quantile() {
        assert_eq!(t_quantile(0.5, 3.0), Some(0.0));
        for (p, df) in [
            (0.0, 3.0),
            (1.0, 3.0),
            (0.975, 0.0),
            (0.975, -1.0),
            (f64::NAN, 3.0),
        ] {
            assert_eq!(t_quantile(p, df), None, "p {p}, df {df}");
        }
        assert_eq!(t_quantile(0.975, f64::NAN), None);
    }

    #[test]
    fn proportions_match_newcombes_published_examples() {
        // Newcombe (1998), Table II, method 10, as fractions there. With Wilson
        // limits (l, u) per side: low = d − √((p1 − l1)² + (u2 − p2)²),
        // high = d + √((u1 − p1)² + (p2 − l2)²).
        let cases = [
            // 56/70 − 48/80: p1 0.8, p2 0.6; Wilson (0.6918336, 0.8769526) and
            // (0.4904547, 0.7003817); low 0.2 − √(0.1081664² + 0.1003817²)
            // = 0.0524315, high 0.2 + √(0.0769526² + 0.1095453²) = 0.3338727.
            // Published: 0.0524 to 0.3339. Significant.
            (
                (56, 70, 48, 80),
                (80.0, 60.0, 20.0, 5.243_147, 33.387_265),
                true,
            ),
            // 9/10 − 3/10: Wilson (0.5958500, 0.9821238) and (0.1077913,
            // 0.6032219). Published 0.1705 to 0.8090. Significant.
            (
                (9, 10, 3, 10),
                (90.0, 30.0, 60.0, 17.052_272, 80.901_797),
                true,
            ),
            // 5/56 − 0/29: Wilson (0.0387421, 0.1925600) and (0, 0.1169698).
            // Published −0.0381 to 0.1926. Not significant.
            (
                (5, 56, 0, 29),
                (8.928_571, 0.0, 8.928_571, -3.813_715, 19.256_001),
                false,
            ),
            // 0/10 − 0/20: d = 0; low = −u2 = −0.1611252, high = u1 = 0.2775328.
            // Published −0.1611 to 0.2775. Not significant.
            (
                (0, 10, 0, 20),
                (0.0, 0.0, 0.0, -16.112_516, 27.753_280),
                false,
            ),
            // 10/10 − 0/20: low = 1 − √((1 − 0.7224672)² + 0.1611252²) = 0.6790860,
            // high = 1 (both other terms 0). Published 0.6791 to 1.0000.
            (
                (10, 10, 0, 20),
                (100.0, 0.0, 100.0, 67.908_604, 100.0),
                true,
            ),
        ];
        for ((sa, na, sb, nb), want, significant) in cases {
            let d = proportions(sa, na, sb, nb);
            check(&d, want, significant);
            assert_eq!((d.n_a, d.n_b), (na, nb));
        }
    }

    #[test]
    fn csat_and_ces_agree_compare_their_shares() {
        // CSAT: 4 + 52 of 70 satisfied … 56/70; 18 + 30 of 80 … 48/80, as above.
        let d = csat(&[4, 5, 5, 4, 52], &[10, 10, 12, 18, 30]);
        check(&d, (80.0, 60.0, 20.0, 5.243_147, 33.387_265), true);
        // CES: 9 of 10 agree (5–7) against 3 of 10.
        let d = ces_agree(&[0, 0, 0, 1, 3, 3, 3], &[2, 2, 2, 1, 1, 1, 1]);
        check(&d, (90.0, 30.0, 60.0, 17.052_272, 80.901_797), true);
    }

    #[test]
    fn a_side_without_answers_has_no_difference() {
        for d in [
            proportions(0, 0, 3, 10),
            proportions(3, 10, 0, 0),
            nps(&[0; 11], &[1; 11]),
            means(&[0; 7], &[1; 7], 1),
        ] {
            assert_eq!(
                (d.difference, d.ci95, d.significant),
                (None, None, false),
                "{d:?}"
            );
            assert!(d.low_sample);
        }
        let d = proportions(0, 0, 3, 10);
        assert_eq!((d.a, d.b, d.n_a, d.n_b), (None, Some(30.0), 0, 10));
    }

    #[test]
    fn proportions_refuse_more_successes_than_answers() {
        let d = proportions(11, 10, 3, 10);
        assert_eq!((d.a, d.ci95, d.significant), (None, None, false));
    }

    /// NPS counts from (promoters, passives, detractors), answering 10, 8 and 0.
    fn nps_counts(promoters: u64, passives: u64, detractors: u64) -> [u64; 11] {
        let mut counts = [0; 11];
        (counts[10], counts[8], counts[0]) = (promoters, passives, detractors);
        counts
    }

    #[test]
    fn nps_differences_match_hand_computed_intervals() {
        let cases = [
            // 50/30/20 of 100 (NPS 30) − 30/30/40 of 100 (NPS −10): d = 40.
            // var_a = (0.5 + 0.2 − 0.3²) / 100 = 0.0061,
            // var_b = (0.3 + 0.4 − 0.1²) / 100 = 0.0069;
            // half = 100 · 1.959964 · √0.013 = 22.347028. Significant.
            (
                (50, 30, 20),
                (30, 30, 40),
                (30.0, -10.0, 40.0, 17.652_972, 62.347_028),
                true,
            ),
            // 5/3/2 of 10 (NPS 30) − 4/3/3 of 10 (NPS 10): d = 20.
            // var_a = (0.5 + 0.2 − 0.09) / 10 = 0.061, var_b = (0.4 + 0.3 − 0.01) / 10
            // = 0.069; half = 100 · 1.959964 · √0.13 = 70.667506. Not significant.
            (
                (5, 3, 2),
                (4, 3, 3),
                (30.0, 10.0, 20.0, -50.667_506, 90.667_506),
                false,
            ),
            // 1 promoter (NPS 100, var 0) − 1 promoter and 1 detractor (NPS 0,
            // var (0.5 + 0.5 − 0) / 2 = 0.5): half = 100 · 1.959964 · √0.5
            // = 138.590382, so 100 ± 138.59 is clamped at 200 above.
            (
                (1, 0, 0),
                (1, 0, 1),
                (100.0, 0.0, 100.0, -38.590_382, 200.0),
                false,
            ),
        ];
        for ((pa, qa, da), (pb, qb, db), want, significant) in cases {
            let d = nps(&nps_counts(pa, qa, da), &nps_counts(pb, qb, db));
            check(&d, want, significant);
        }
    }

    #[test]
    fn nps_difference_reaches_200_at_most() {
        // 40 promoters against 40 detractors: no spread on either side, so the
        // interval is the point 200, as a single NPS of all detractors is −100.
        let d = nps(&nps_counts(40, 0, 0), &nps_counts(0, 0, 40));
        check(&d, (100.0, -100.0, 200.0, 200.0, 200.0), true);
        assert!(!d.low_sample);
    }

    #[test]
    fn welch_differences_match_hand_computed_intervals() {
        let cases = [
            // CES 1–7. a: 2×4, 6×5, 8×6, 4×7 → n 20, mean 114 / 20 = 5.7,
            // s² = 16.2 / 19 = 0.8526316. b: 1, 2×2, 3×3, 6×4, 5×5, 2×6, 7 →
            // n 20, mean 82 / 20 = 4.1, s² = 41.8 / 19 = 2.2.
            // se² = 0.0426316 + 0.11 = 0.1526316, se = 0.3906809;
            // df = se⁴ / (0.0426316² / 19 + 0.11² / 19) = 31.804068, t = 2.0374256;
            // 1.6 ± 0.7959833. Significant.
            (
                [0, 0, 0, 2, 6, 8, 4],
                [1, 2, 3, 6, 5, 2, 1],
                (5.7, 4.1, 1.6, 0.804_016_697, 2.395_983_303),
                true,
            ),
            // a: 2, 4, 5, 7 → mean 4.5, s² = 13 / 3; b: 3, 4, 5 → mean 4, s² = 1.
            // se² = 1.0833333 + 0.3333333 = 1.4166667, se = 1.1902381;
            // df = se⁴ / (1.0833333² / 3 + 0.3333333² / 2) = 4.4922280,
            // t = 2.6604840; 0.5 ± 3.1666094. Not significant.
            (
                [0, 1, 0, 1, 1, 0, 1],
                [0, 0, 1, 1, 1, 0, 0],
                (4.5, 4.0, 0.5, -2.666_609_399, 3.666_609_399),
                false,
            ),
            // a: 5, 5 → s² = 0; b: 4, 4, 4, 7 → mean 4.75, s² = 6.75 / 3 = 2.25.
            // se² = 2.25 / 4, se = 0.75; df = (n_b − 1) = 3 exactly, t = 3.1824463;
            // 0.25 ± 2.3868347. Not significant.
            (
                [0, 0, 0, 0, 2, 0, 0],
                [0, 0, 0, 3, 0, 0, 1],
                (5.0, 4.75, 0.25, -2.136_834_729, 2.636_834_729),
                false,
            ),
        ];
        for (a, b, want, significant) in cases {
            let d = means(&a, &b, 1);
            check(&d, want, significant);
            assert!(d.low_sample);
        }
    }

    #[test]
    fn welch_needs_two_answers_and_some_spread() {
        // One answer on a side: a difference, but no variance, so no interval.
        let d = means(&[0, 0, 1], &[1, 1, 1], 1);
        assert_eq!(
            (d.difference, d.ci95, d.significant),
            (Some(1.0), None, false)
        );
        // Neither side varies: Welch's degrees of freedom are 0/0.
        let d = means(&[0, 0, 5], &[5, 0, 0], 1);
        assert_eq!(
            (d.difference, d.ci95, d.significant),
            (Some(2.0), None, false)
        );
        // Moments made by hand that claim a variance for one answer.
        let odd = Moments {
            n: 1,
            mean: Some(3.0),
            variance: Some(1.0),
        };
        assert_eq!(welch(&odd, &moments(&[1, 1, 1], 1)).ci95, None);
    }

    #[test]
    fn welch_takes_moments_from_anywhere() {
        // The same first case as above from its moments alone.
        let a = Moments {
            n: 20,
            mean: Some(5.7),
            variance: Some(16.2 / 19.0),
        };
        let b = Moments {
            n: 20,
            mean: Some(4.1),
            variance: Some(2.2),
        };
        check(
            &welch(&a, &b),
            (5.7, 4.1, 1.6, 0.804_016_697, 2.395_983_303),
            true,
        );
    }

    #[test]
    fn differences_go_out_with_two_decimals() {
        let json = serde_json::to_value(proportions(56, 70, 48, 80)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "a": 80.0, "b": 60.0, "difference": 20.0,
                "ci95": {"low": 5.24, "high": 33.39},
                "significant": true, "n_a": 70, "n_b": 80, "low_sample": false,
            })
        );
        let json = serde_json::to_value(proportions(0, 0, 1, 3)).unwrap();
        assert_eq!(json["difference"], serde_json::Value::Null);
        assert_eq!(json["b"], serde_json::json!(33.33));
    }
}
