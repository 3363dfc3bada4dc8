//! Keeping the score rollup honest. The rollup is written in the same
//! transaction as the response rows, so it should always equal what the rows
//! say; `sori-collector check` recomputes it from the rows to prove that, and
//! with `--repair` rewrites it from them.

use super::RolledScore;
use super::StoreError;
use super::rows::corrupt;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// How long a rollup cell's period is. Every answer is counted once at each
/// grain, in the period its response was first saved in, in the site's time
/// zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// Period `YYYYMMDD`.
    Day,
    /// Period `YYYYMM`.
    Month,
    /// Period 0: all time, what the summary reads.
    All,
}

impl Grain {
    pub const ALL: [Grain; 3] = [Grain::Day, Grain::Month, Grain::All];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Month => "month",
            Grain::All => "all",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name() == name)
    }

    /// The period of this grain that `date` falls in.
    pub fn period(self, date: Date) -> i64 {
        let (y, m, d) = (
            i64::from(date.year()),
            i64::from(date.month()),
            i64::from(date.day()),
        );
        match self {
            Grain::Day => y * 10_000 + m * 100 + d,
            Grain::Month => y * 100 + m,
            Grain::All => 0,
        }
    }

    /// The first day of `period` (`None` for [`Grain::All`] or a period
    /// that names no date).
    pub fn first_day(self, period: i64) -> Option<Date> {
        let (y, m, d) = match self {
            Grain::Day => (period / 10_000, period / 100 % 100, period % 100),
            Grain::Month => (period / 100, period % 100, 1),
            Grain::All => return None,
        };
        Date::new(
            i16::try_from(y).ok()?,
            i8::try_from(m).ok()?,
            i8::try_from(d).ok()?,
        )
        .ok()
    }
}

/// One cell of the rollup, named by the table's key (and in its order): the
/// count of one value of one question in one period. The scale is data,
/// not key, as in the table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RollupKey {
    pub site: String,
    pub grain: Grain,
    /// The day, month or 0, as [`Grain::period`] numbers them.
    pub period: i64,
    pub survey: String,
    pub question: String,
    /// The response's language and device class, for breakdowns.
    pub locale: String,
    pub device: String,
    pub value: i64,
}

/// Each site's time zone, which places its answers in days and months.
#[derive(Debug, Default)]
pub(crate) struct Zones(HashMap<String, TimeZone>);

impl Zones {
    /// Adds a site's zone as stored. A zone this build does not know (the
    /// admin API accepts only known ones) counts as UTC rather than lose
    /// the answers.
    pub(crate) fn insert(&mut self, site: String, zone: &str) {
        let zone = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
        self.0.insert(site, zone);
    }

    pub(crate) fn contains(&self, site: &str) -> bool {
        self.0.contains_key(site)
    }

    pub(crate) fn of(&self, site: &str) -> TimeZone {
        self.0.get(site).cloned().unwrap_or(TimeZone::UTC)
    }
}

/// The day, the month and "all time" of a response first saved at `first`,
/// in `zone`.
pub(crate) fn periods(first: time::OffsetDateTime, zone: &TimeZone) -> [(Grain, i64); 3] {
    let date = jiff::Timestamp::from_second(first.unix_timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .date();
    Grain::ALL.map(|g| (g, g.period(date)))
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
            "site {} {} {} survey {} question {} locale {} device {} value {}: rows say {}, rollup has {}",
            k.site,
            k.grain.name(),
            k.period,
            k.survey,
            k.question,
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
    /// The site's time zone.
    pub zone: &'a TimeZone,
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
        first: time::OffsetDateTime,
    ) -> Result<(), StoreError> {
        let scores: Vec<RolledScore> = serde_json::from_str(scores).map_err(corrupt)?;
        self.add_scores(row, &scores, first, 1);
        Ok(())
    }

    /// Adds `delta` to the cells of each score, at every grain, in the
    /// periods of `first` (the response's first save, so every save of one
    /// response lands in the same cells).
    pub(crate) fn add_scores(
        &mut self,
        row: &RowCells<'_>,
        scores: &[RolledScore],
        first: time::OffsetDateTime,
        delta: i64,
    ) {
        for (grain, period) in periods(first, row.zone) {
            for score in scores {
                let key = RollupKey {
                    site: row.site.to_owned(),
                    grain,
                    period,
                    survey: row.survey.to_owned(),
                    question: score.question.as_str().to_owned(),
                    locale: row.locale.to_owned(),
                    device: row.device.to_owned(),
                    value: i64::from(score.value),
                };
                self.add(key, &score.scale, delta);
            }
        }
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
            grain: Grain::Day,
            period: 20_251_124,
            survey: survey.into(),
            question: "csat".into(),
            locale: "en".into(),
            device: "desktop".into(),
            value,
        }
    }

    fn cells_of(zone: &str, times: &[&str]) -> Vec<(Grain, i64, i64)> {
        let zone = TimeZone::get(zone).unwrap();
        let mut cells = Cells::default();
        let scores = r#"[{"question":"csat","scale":"csat","value":4}]"#;
        let row = RowCells {
            site: "acme",
            zone: &zone,
            survey: "s1",
            locale: "en",
            device: "mobile",
        };
        for at in times {
            let at =
                time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                    .unwrap();
            cells.add_response(&row, scores, at).unwrap();
        }
        cells
            .nonzero()
            .map(|(k, scale, n)| {
                assert_eq!((k.value, scale), (4, "csat"));
                assert_eq!((k.locale.as_str(), k.device.as_str()), ("en", "mobile"));
                (k.grain, k.period, n)
            })
            .collect()
    }

    #[test]
    fn rows_add_up_per_day_month_and_all_time_in_the_sites_zone() {
        let times = ["2025-11-24T10:15:00Z", "2025-11-30T15:45:00Z"];
        assert_eq!(
            cells_of("UTC", &times),
            [
                (Grain::Day, 20_251_124, 1),
                (Grain::Day, 20_251_130, 1),
                (Grain::Month, 202_511, 2),
                (Grain::All, 0, 2),
            ]
        );
        // 15:45 UTC on the 30th is 00:45 on 1 December in Seoul.
        assert_eq!(
            cells_of("Asia/Seoul", &times),
            [
                (Grain::Day, 20_251_124, 1),
                (Grain::Day, 20_251_201, 1),
                (Grain::Month, 202_511, 1),
                (Grain::Month, 202_512, 1),
                (Grain::All, 0, 2),
            ]
        );
        // Half an hour off a whole hour: 18:15 UTC is 23:45 in Kolkata, 18:45 is 00:15.
        assert_eq!(
            cells_of(
                "Asia/Kolkata",
                &["2025-11-24T18:15:00Z", "2025-11-24T18:45:00Z"]
            )[..2],
            [(Grain::Day, 20_251_124, 1), (Grain::Day, 20_251_125, 1)]
        );
    }

    #[test]
    fn periods_name_their_first_day() {
        let date = Date::new(2026, 2, 9).unwrap();
        assert_eq!(Grain::Day.period(date), 20_260_209);
        assert_eq!(Grain::Day.first_day(20_260_209), Some(date));
        assert_eq!(Grain::Month.period(date), 202_602);
        assert_eq!(Grain::Month.first_day(202_602), Date::new(2026, 2, 1).ok());
        assert_eq!(Grain::Day.first_day(20_260_230), None);
        assert_eq!(Grain::All.first_day(0), None);
        assert_eq!(Grain::from_name("month"), Some(Grain::Month));
        assert_eq!(Grain::from_name("hour"), None);
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
