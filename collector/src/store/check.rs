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

/// One cell of the rollup, named by the table's key: the count of one value
/// of one question in one hour. The scale is data, not key, as in the table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RollupKey {
    pub site: String,
    pub survey: String,
    pub question: String,
    /// Unix time / 3600 of the response's first save.
    pub hour: i64,
    /// The response's language and device class, for breakdowns.
    pub locale: String,
    pub device: String,
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
            "site {} survey {} question {} hour {} locale {} device {} value {}: rows say {}, rollup has {}",
            k.site,
            k.survey,
            k.question,
            k.hour,
            k.locale,
            k.device,
            k.value,
            self.expected,
            self.stored
        )
    }
}

/// What places a response row's scores in the rollup, besides its time.
pub(crate) struct RowCells<'a> {
    pub site: &'a str,
    pub survey: &'a str,
    pub locale: &'a str,
    pub device: &'a str,
}

/// Rollup cells with their counts (or, for a batch being written, the
/// changes to them), and the scale each was first counted under (what the
/// rollup keeps when it merges into a cell).
#[derive(Debug, Default)]
pub(crate) struct Cells(BTreeMap<RollupKey, (String, i64)>);

impl Cells {
    pub(crate) fn add(&mut self, key: RollupKey, scale: &str, count: i64) {
        self.0.entry(key).or_insert_with(|| (scale.to_owned(), 0)).1 += count;
    }

    /// Adds one response row's scores (`scores` as stored, JSON).
    pub(crate) fn add_response(
        &mut self,
        row: &RowCells<'_>,
        scores: &str,
        received_at: &str,
    ) -> Result<(), StoreError> {
        let scores: Vec<RolledScore> = serde_json::from_str(scores).map_err(corrupt)?;
        let first = time::OffsetDateTime::parse(received_at, &Rfc3339).map_err(corrupt)?;
        for score in scores {
            let key = RollupKey {
                site: row.site.to_owned(),
                survey: row.survey.to_owned(),
                question: score.question.as_str().to_owned(),
                hour: hour_of(first),
                locale: row.locale.to_owned(),
                device: row.device.to_owned(),
                value: i64::from(score.value),
            };
            self.add(key, &score.scale, 1);
        }
        Ok(())
    }

    fn count(&self, key: &RollupKey) -> i64 {
        self.0.get(key).map_or(0, |(_, n)| *n)
    }

    /// The cells whose count is not zero, with their scale.
    pub(crate) fn nonzero(&self) -> impl Iterator<Item = (&RollupKey, &str, i64)> {
        self.0
            .iter()
            .filter(|(_, (_, n))| *n != 0)
            .map(|(k, (scale, n))| (k, scale.as_str(), *n))
    }
}

/// The rollup bucket of a response first saved at `received_at`.
pub(crate) fn hour_of(received_at: time::OffsetDateTime) -> i64 {
    received_at.unix_timestamp().div_euclid(3600)
}

/// Every cell where `stored` differs from `expected`; a missing cell counts as zero.
pub(crate) fn compare(expected: &Cells, stored: &Cells) -> Vec<RollupDrift> {
    let keys: std::collections::BTreeSet<&RollupKey> =
        expected.0.keys().chain(stored.0.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (want, have) = (expected.count(key), stored.count(key));
            (want != have).then(|| RollupDrift {
                key: key.clone(),
                expected: want,
                stored: have,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(survey: &str, value: i64) -> RollupKey {
        RollupKey {
            site: "acme".into(),
            survey: survey.into(),
            question: "csat".into(),
            hour: 490_000,
            locale: "en".into(),
            device: "desktop".into(),
            value,
        }
    }

    #[test]
    fn rows_add_up_per_question_value_and_first_hour() {
        let mut cells = Cells::default();
        let scores = r#"[{"question":"csat","scale":"csat","value":4}]"#;
        let row = RowCells {
            site: "acme",
            survey: "s1",
            locale: "en",
            device: "mobile",
        };
        cells
            .add_response(&row, scores, "2025-11-24T10:15:00Z")
            .unwrap();
        cells
            .add_response(&row, scores, "2025-11-24T10:45:00Z")
            .unwrap();
        let all: Vec<_> = cells.nonzero().collect();
        assert_eq!(all.len(), 1);
        let (k, scale, n) = all[0];
        assert_eq!((k.value, scale, n), (4, "csat", 2));
        assert_eq!((k.locale.as_str(), k.device.as_str()), ("en", "mobile"));
        assert_eq!(k.hour, 1_763_979_300 / 3600);
    }

    #[test]
    fn a_count_the_rows_do_not_explain_is_drift_and_zero_cells_are_not() {
        let mut expected = Cells::default();
        expected.add(key("s1", 4), "csat", 2);
        let mut stored = Cells::default();
        stored.add(key("s1", 4), "csat", 2);
        stored.add(key("s1", 5), "csat", 0);
        assert!(compare(&expected, &stored).is_empty());
        let mut stored = Cells::default();
        stored.add(key("s1", 4), "csat", 3);
        stored.add(key("s2", 4), "csat", -1);
        let drift = compare(&expected, &stored);
        assert_eq!(drift.len(), 2);
        assert_eq!((drift[0].expected, drift[0].stored), (2, 3));
        assert_eq!((drift[1].expected, drift[1].stored), (0, -1));
    }

    #[test]
    fn answers_under_two_scales_in_one_cell_count_together_as_the_table_keeps_them() {
        let mut cells = Cells::default();
        cells.add(key("s1", 4), "csat", 1);
        cells.add(key("s1", 4), "nps", 1);
        assert_eq!(
            cells.nonzero().collect::<Vec<_>>(),
            [(&key("s1", 4), "csat", 2)]
        );
    }
}
