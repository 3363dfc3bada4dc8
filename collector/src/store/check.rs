//! Keeping the score rollup honest. The rollup is written in the same
//! transaction as the response rows, so it should always equal what the rows
//! say; `sori-collector check` recomputes it from the rows to prove that, and
//! with `--repair` rewrites it from them.

use super::RolledScore;
use super::StoreError;
use super::rows::corrupt;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use time::format_description::well_known::Rfc3339;

/// One cell of the rollup: the count of one value of one question in one hour.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RollupKey {
    pub site: String,
    pub survey: String,
    pub question: String,
    pub scale: String,
    /// Unix time / 3600 of the response's first save.
    pub hour: i64,
    pub value: i64,
}

/// A cell whose stored count is not what the rows add up to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RollupDrift {
    #[serde(flatten)]
    pub key: RollupKey,
    pub expected: i64,
    pub stored: i64,
}

/// What a check found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RollupCheck {
    /// Response rows read.
    pub responses: u64,
    /// Non-zero cells the rows add up to.
    pub cells: u64,
    pub drift: Vec<RollupDrift>,
    /// True when the rollup was rewritten from the rows.
    pub repaired: bool,
}

impl RollupCheck {
    pub fn is_clean(&self) -> bool {
        self.drift.is_empty()
    }
}

impl fmt::Display for RollupDrift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = &self.key;
        write!(
            f,
            "site {} survey {} question {} ({}) hour {} value {}: rows say {}, rollup has {}",
            k.site, k.survey, k.question, k.scale, k.hour, k.value, self.expected, self.stored
        )
    }
}

/// The rollup bucket of a response first saved at `received_at`.
pub(crate) fn hour_of(received_at: time::OffsetDateTime) -> i64 {
    received_at.unix_timestamp().div_euclid(3600)
}

/// Adds one response row's scores (`scores` as stored, JSON) to `cells`.
pub(crate) fn add_row(
    cells: &mut BTreeMap<RollupKey, i64>,
    site: &str,
    survey: &str,
    scores: &str,
    received_at: &str,
) -> Result<(), StoreError> {
    let scores: Vec<RolledScore> = serde_json::from_str(scores).map_err(corrupt)?;
    let first = time::OffsetDateTime::parse(received_at, &Rfc3339).map_err(corrupt)?;
    for score in scores {
        let key = RollupKey {
            site: site.to_owned(),
            survey: survey.to_owned(),
            question: score.question.as_str().to_owned(),
            scale: score.scale,
            hour: hour_of(first),
            value: i64::from(score.value),
        };
        *cells.entry(key).or_insert(0) += 1;
    }
    Ok(())
}

/// Every cell where `stored` differs from `expected`; a missing cell counts as zero.
pub(crate) fn compare(
    expected: &BTreeMap<RollupKey, i64>,
    stored: &BTreeMap<RollupKey, i64>,
) -> Vec<RollupDrift> {
    let mut drift = Vec::new();
    for (key, &want) in expected {
        let have = stored.get(key).copied().unwrap_or(0);
        if have != want {
            drift.push(RollupDrift {
                key: key.clone(),
                expected: want,
                stored: have,
            });
        }
    }
    for (key, &have) in stored {
        if have != 0 && !expected.contains_key(key) {
            drift.push(RollupDrift {
                key: key.clone(),
                expected: 0,
                stored: have,
            });
        }
    }
    drift.sort_by(|a, b| a.key.cmp(&b.key));
    drift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(survey: &str, value: i64) -> RollupKey {
        RollupKey {
            site: "acme".into(),
            survey: survey.into(),
            question: "csat".into(),
            scale: "csat".into(),
            hour: 490_000,
            value,
        }
    }

    #[test]
    fn rows_add_up_per_question_value_and_first_hour() {
        let mut cells = BTreeMap::new();
        let scores = r#"[{"question":"csat","scale":"csat","value":4}]"#;
        add_row(&mut cells, "acme", "s1", scores, "2025-11-24T10:15:00Z").unwrap();
        add_row(&mut cells, "acme", "s1", scores, "2025-11-24T10:45:00Z").unwrap();
        assert_eq!(cells.len(), 1);
        let (k, n) = cells.iter().next().unwrap();
        assert_eq!((k.value, *n), (4, 2));
        assert_eq!(k.hour, 1_763_979_300 / 3600);
    }

    #[test]
    fn a_count_the_rows_do_not_explain_is_drift_and_zero_cells_are_not() {
        let expected = BTreeMap::from([(key("s1", 4), 2)]);
        let stored = BTreeMap::from([(key("s1", 4), 2), (key("s1", 5), 0)]);
        assert!(compare(&expected, &stored).is_empty());
        let stored = BTreeMap::from([(key("s1", 4), 3), (key("s2", 4), -1)]);
        let drift = compare(&expected, &stored);
        assert_eq!(drift.len(), 2);
        assert_eq!((drift[0].expected, drift[0].stored), (2, 3));
        assert_eq!((drift[1].expected, drift[1].stored), (0, -1));
    }
}
