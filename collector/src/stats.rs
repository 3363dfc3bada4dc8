//! Scores from counts, each with its n, 95% interval and low-sample flag
//! (DESIGN §5). Pure and synchronous: counts in, scores out.

use serde::Serialize;

/// Below this many answers a figure is flagged as low sample.
pub const LOW_SAMPLE_BELOW: u64 = 30;

/// The normal quantile for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A 95% confidence interval, in the same unit as the score it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// A percentage of answers with its interval. `score` and `ci95` are absent
/// when there are no answers: zero answers have no score, not a score of 0.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proportion {
    pub n: u64,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
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
    fn thirty_answers_are_no_longer_low_sample() {
        assert!(csat(&[0, 0, 0, 29, 0]).low_sample);
        assert!(!csat(&[0, 0, 0, 30, 0]).low_sample);
    }
}
