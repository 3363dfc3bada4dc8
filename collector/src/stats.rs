//! Scores from counts, each with its n, 95% interval and low-sample flag.
//! Pure and synchronous: counts in, scores out.
//!
//! [`compare`] sets two such figures side by side (segments or periods), and
//! [`buckets`] cuts time into the site's local days, weeks and months for trends.

pub mod buckets;
pub mod compare;

use serde::Serialize;

/// Below this many answers a figure is flagged as low sample.
pub const LOW_SAMPLE_BELOW: u64 = 30;

/// The normal quantile for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A 95% confidence interval, in the same unit as the score it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    #[serde(serialize_with = "two_decimals")]
    pub low: f64,
    #[serde(serialize_with = "two_decimals")]
    pub high: f64,
}

/// Figures go out with two decimals: more digits are noise at these sample
/// sizes, and a reader should see the number the API gave.
fn two_decimals<S: serde::Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((value * 100.0).round() / 100.0)
}

/// `two_decimals` for a figure that may be absent.
pub fn two_decimals_or_none<S: serde::Serializer>(
    value: &Option<f64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.serialize_some(&((v * 100.0).round() / 100.0)),
        None => s.serialize_none(),
    }
}

/// A percentage of answers with its interval. `score` and `ci95` are absent
/// when there are no answers: zero answers have no score, not a score of 0.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proportion {
    pub n: u64,
    #[serde(serialize_with = "two_decimals_or_none")]
    pub score: Option<f64>,
    pub ci95: Option<Interval>,
    pub low_sample: bool,
}

/// The Wilson score interval for `successes` out of `n`, as fractions (0–1).
/// Unlike the textbook p ± z·se it stays inside 0–1 and behaves at small n,
/// where most satisfaction figures live.
pub fn wilson(successes: u64, n: u64) -> Option<Interval> {
    if n == 0 || successes > n {
        return None;
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let center = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    Some(Interval {
        low: (center - half).max(0.0),
        high: (center + half).min(1.0),
    })
}

/// A share of `n` as a percentage with its Wilson interval in percent.
pub fn proportion(successes: u64, n: u64) -> Proportion {
    let ci = wilson(successes, n);
    Proportion {
        n,
        score: ci.map(|_| 100.0 * successes as f64 / n as f64),
        ci95: ci.map(|i| Interval {
            low: 100.0 * i.low,
            high: 100.0 * i.high,
        }),
        low_sample: n < LOW_SAMPLE_BELOW,
    }
}

/// CSAT: the percentage of 1–5 answers in the top two boxes (4 and 5).
/// `counts[i]` is how many answered `i + 1`.
pub fn csat(counts: &[u64; 5]) -> Proportion {
    let n = counts.iter().sum();
    proportion(counts[3] + counts[4], n)
}

/// NPS: % promoters (9–10) minus % detractors (0–6), from −100 to 100.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Nps {
    pub n: u64,
    #[serde(serialize_with = "two_decimals_or_none")]
    pub score: Option<f64>,
    /// From the trinomial variance of (promoter − detractor), clamped to ±100.
    pub ci95: Option<Interval>,
    pub low_sample: bool,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
}

/// `counts[i]` is how many answered `i` (0–10).
pub fn nps(counts: &[u64; 11]) -> Nps {
    let n: u64 = counts.iter().sum();
    let detractors: u64 = counts[..=6].iter().sum();
    let passives = counts[7] + counts[8];
    let promoters = counts[9] + counts[10];
    let (score, ci95) = if n == 0 {
        (None, None)
    } else {
        let n_f = n as f64;
        let mean = promoters as f64 / n_f - detractors as f64 / n_f;
        let se = nps_variance(promoters, detractors, n).sqrt();
        let interval = Interval {
            low: (100.0 * (mean - Z95 * se)).max(-100.0),
            high: (100.0 * (mean + Z95 * se)).min(100.0),
        };
        (Some(100.0 * mean), Some(interval))
    };
    Nps {
        n,
        score,
        ci95,
        low_sample: n < LOW_SAMPLE_BELOW,
        promoters,
        passives,
        detractors,
    }
}

/// The variance of an NPS as a fraction (−1 to 1), for `n` > 0 answers.
/// Each answer scores +1, 0 or −1; the variance of that score is
/// p + d − (p − d)² (trinomial), and the mean's variance divides it by n.
fn nps_variance(promoters: u64, detractors: u64, n: u64) -> f64 {
    let n_f = n as f64;
    let (p, d) = (promoters as f64 / n_f, detractors as f64 / n_f);
    (p + d - (p - d) * (p - d)).max(0.0) / n_f
}

/// CES: % who agree it was easy (5–7 of 1–7), with the Wilson interval, and the mean.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ces {
    #[serde(flatten)]
    pub agree: Proportion,
    #[serde(serialize_with = "two_decimals_or_none")]
    pub mean: Option<f64>,
}

/// `counts[i]` is how many answered `i + 1` (1–7).
pub fn ces(counts: &[u64; 7]) -> Ces {
    let n: u64 = counts.iter().sum();
    Ces {
        agree: proportion(counts[4..].iter().sum(), n),
        mean: mean(counts, 1),
    }
}

/// The mean answer, where `counts[i]` answered `first + i`.
pub fn mean(counts: &[u64], first: u64) -> Option<f64> {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let total: u64 = counts.iter().zip(first..).map(|(c, v)| c * v).sum();
    Some(total as f64 / n as f64)
}

/// What a mean of answers needs for a comparison: how many, the mean and the
/// sample variance (divided by n − 1). The mean is absent without answers, the
/// variance with fewer than two: one answer says nothing about the spread.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Moments {
    pub n: u64,
    #[serde(serialize_with = "two_decimals_or_none")]
    pub mean: Option<f64>,
    #[serde(serialize_with = "two_decimals_or_none")]
    pub variance: Option<f64>,
}

/// [`Moments`] of the answers, where `counts[i]` answered `first + i`, as for [`mean`].
pub fn moments(counts: &[u64], first: u64) -> Moments {
    let n: u64 = counts.iter().sum();
    let mean = mean(counts, first);
    let variance = mean.filter(|_| n >= 2).map(|m| {
        let squares: f64 = counts
            .iter()
            .zip(first..)
            .map(|(&c, v)| c as f64 * (v as f64 - m).powi(2))
            .sum();
        squares / (n - 1) as f64
    });
    Moments { n, mean, variance }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn figures_go_out_with_two_decimals() {
        // 2 of 3 satisfied: 66.666…% with a Wilson interval of many digits.
        let json = serde_json::to_value(csat(&[1, 0, 0, 1, 1])).unwrap();
        assert_eq!(json["score"], serde_json::json!(66.67));
        for bound in ["low", "high"] {
            let v = json["ci95"][bound].as_f64().unwrap();
            assert_eq!((v * 100.0).round() / 100.0, v, "{bound}: {v}");
        }
        assert_eq!(
            serde_json::to_value(csat(&[0; 5])).unwrap()["score"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn wilson_for_8_of_10_matches_the_hand_computed_interval() {
        // p = 0.8, z²/n = 0.3841459: centre 0.7167401, half-width 0.2265777.
        let i = wilson(8, 10).unwrap();
        assert!(
            close(i.low, 0.490_162_5) && close(i.high, 0.943_317_8),
            "{i:?}"
        );
    }

    #[test]
    fn wilson_for_a_single_success_reaches_one_but_not_zero() {
        // With p = 1 the lower bound reduces to 1 / (1 + z²) = 1 / 4.8414588.
        let i = wilson(1, 1).unwrap();
        assert!(close(i.low, 0.206_549_3) && close(i.high, 1.0), "{i:?}");
    }

    #[test]
    fn wilson_for_no_successes_starts_at_zero() {
        let i = wilson(0, 20).unwrap();
        // With p = 0 the upper bound reduces to (z²/n) / (1 + z²/n) = 0.1920729 / 1.1920729.
        assert!(close(i.low, 0.0) && close(i.high, 0.161_125_2), "{i:?}");
    }

    #[test]
    fn wilson_has_no_interval_without_answers() {
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }

    #[test]
    fn csat_is_100_when_the_only_answer_is_a_4() {
        let s = csat(&[0, 0, 0, 1, 0]);
        assert_eq!((s.n, s.score, s.low_sample), (1, Some(100.0), true));
        let ci = s.ci95.unwrap();
        assert!(
            close(ci.low / 100.0, 0.206_549_3) && close(ci.high, 100.0),
            "{ci:?}"
        );
    }

    #[test]
    fn csat_counts_only_fours_and_fives_as_satisfied() {
        // 2 + 3 satisfied of 1 + 1 + 3 + 2 + 3 = 10 answers.
        let s = csat(&[1, 1, 3, 2, 3]);
        assert_eq!((s.n, s.score), (10, Some(50.0)));
    }

    #[test]
    fn csat_of_no_answers_has_no_score_and_is_low_sample() {
        let s = csat(&[0; 5]);
        assert_eq!((s.n, s.score, s.ci95, s.low_sample), (0, None, None, true));
    }

    #[test]
    fn nps_is_minus_100_when_every_answer_is_a_detractor() {
        let mut counts = [0; 11];
        counts[3] = 12;
        let s = nps(&counts);
        assert_eq!((s.score, s.detractors, s.promoters), (Some(-100.0), 12, 0));
        let ci = s.ci95.unwrap();
        assert!(close(ci.low, -100.0) && close(ci.high, -100.0), "{ci:?}");
    }

    #[test]
    fn nps_matches_the_hand_computed_score_and_interval() {
        // 5 promoters, 3 passives, 2 detractors: p = 0.5, d = 0.2, NPS = 30.
        // Variance p + d − (p − d)² = 0.61; se = √(0.061) = 0.2469818.
        let mut counts = [0; 11];
        (counts[10], counts[8], counts[0]) = (5, 3, 2);
        let s = nps(&counts);
        assert_eq!((s.n, s.promoters, s.passives, s.detractors), (10, 5, 3, 2));
        assert!(close(s.score.unwrap(), 30.0));
        let half = 100.0 * Z95 * 0.061_f64.sqrt(); // 48.4075
        let ci = s.ci95.unwrap();
        assert!(
            close(ci.low, 30.0 - half) && close(ci.high, 30.0 + half),
            "{ci:?}"
        );
        assert!((ci.low - -18.41).abs() < 0.01, "{ci:?}");
    }

    #[test]
    fn nps_of_no_answers_has_no_score() {
        let s = nps(&[0; 11]);
        assert_eq!((s.score, s.ci95, s.low_sample), (None, None, true));
    }

    #[test]
    fn ces_counts_five_to_seven_as_agreeing_and_reports_the_mean() {
        // Answers 2, 5, 6, 7: three of four agree; mean 20 / 4 = 5.
        let s = ces(&[0, 1, 0, 0, 1, 1, 1]);
        assert_eq!(
            (s.agree.n, s.agree.score, s.mean),
            (4, Some(75.0), Some(5.0))
        );
        assert_eq!(ces(&[0; 7]).mean, None);
    }

    #[test]
    fn moments_give_the_sample_variance() {
        // Counts, first value, expected n, mean and variance.
        type Case = (&'static [u64], u64, u64, Option<f64>, Option<f64>);
        let cases: [Case; 5] = [
            // Answers 1 and 5: mean 3, variance ((1−3)² + (5−3)²) / (2 − 1) = 8.
            (&[1, 0, 0, 0, 1], 1, 2, Some(3.0), Some(8.0)),
            // Answers 2, 4, 5, 7: mean 18 / 4 = 4.5;
            // squares 6.25 + 0.25 + 0.25 + 6.25 = 13, variance 13 / 3 = 4.333….
            (&[0, 1, 0, 1, 1, 0, 1], 1, 4, Some(4.5), Some(13.0 / 3.0)),
            // Answers 0, 0, 10 on a 0-based scale: mean 10 / 3;
            // squares 2·(10/3)² + (20/3)² = 600 / 9, variance (600 / 9) / 2 = 33.333….
            (
                &[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                0,
                3,
                Some(10.0 / 3.0),
                Some(100.0 / 3.0),
            ),
            // One answer: a mean but no spread.
            (&[0, 0, 1], 1, 1, Some(3.0), None),
            (&[0, 0, 0], 1, 0, None, None),
        ];
        for (counts, first, n, mean, variance) in cases {
            let m = moments(counts, first);
            assert_eq!(m.n, n, "{counts:?}");
            for (got, want) in [(m.mean, mean), (m.variance, variance)] {
                match (got, want) {
                    (Some(g), Some(w)) => assert!(close(g, w), "{counts:?}: {m:?}"),
                    (g, w) => assert_eq!(g, w, "{counts:?}: {m:?}"),
                }
            }
        }
    }

    #[test]
    fn thirty_answers_are_no_longer_low_sample() {
        assert!(csat(&[0, 0, 0, 29, 0]).low_sample);
        assert!(!csat(&[0, 0, 0, 30, 0]).low_sample);
    }
}
