//! Time buckets for trends: days, weeks and months as the site's people live
//! them, in its IANA time zone, not UTC's. A bucket is its first local day and
//! the UTC span `[start, end)` it covers, so responses stored as instants can
//! be counted into it. Pure: the time zone comes in, nothing is read.
//!
//! Local days are not all 24 hours: across a daylight-saving change a New York
//! day lasts 23 or 25, and the week and month holding it one hour less or
//! more. Each bucket runs from the first instant of its first local day to the
//! first instant of the next bucket's, so consecutive buckets meet exactly.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// How long a trend's buckets are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    /// ISO weeks: Monday to Sunday.
    Week,
    Month,
}

impl Granularity {
    /// The first day of the bucket holding `date`: the day itself, the Monday
    /// of its week, or the 1st of its month.
    ///
    /// Errors only at the ends of the calendar `jiff` knows (years ±9999).
    pub fn start_of(self, date: Date) -> Result<Date, jiff::Error> {
        match self {
            Granularity::Day => Ok(date),
            Granularity::Week => {
                let since_monday = date.weekday().to_monday_zero_offset();
                date.checked_sub(i64::from(since_monday).days())
            }
            Granularity::Month => Ok(date.first_of_month()),
        }
    }

    /// The first day of the bucket after the one holding `date`.
    pub fn next_start(self, date: Date) -> Result<Date, jiff::Error> {
        let start = self.start_of(date)?;
        match self {
            Granularity::Day => start.tomorrow(),
            Granularity::Week => start.checked_add(1.week()),
            Granularity::Month => start.checked_add(1.month()),
        }
    }
}

/// One bucket of a trend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The bucket's first local day, e.g. `2026-06-01` for June 2026 or for
    /// the week from Monday 1 June.
    #[serde(serialize_with = "display")]
    pub date: Date,
    /// The first instant of that day in the site's time zone (included).
    #[serde(serialize_with = "display")]
    pub start: Timestamp,
    /// The first instant of the next bucket (excluded).
    #[serde(serialize_with = "display")]
    pub end: Timestamp,
}

/// Dates as `2026-06-01`, instants as RFC 3339 in UTC (`2026-05-31T15:00:00Z`).
fn display<T: std::fmt::Display, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

impl Bucket {
    /// The bucket of `granularity` that holds the local day `date` in `tz`.
    pub fn holding(
        date: Date,
        tz: &TimeZone,
        granularity: Granularity,
    ) -> Result<Self, jiff::Error> {
        let date = granularity.start_of(date)?;
        Ok(Self {
            date,
            start: first_instant(date, tz)?,
            end: first_instant(granularity.next_start(date)?, tz)?,
        })
    }

    /// Whether `instant` falls in `[start, end)`.
    pub fn contains(&self, instant: Timestamp) -> bool {
        self.start <= instant && instant < self.end
    }

    /// How long the bucket lasts, in seconds.
    pub fn seconds(&self) -> i64 {
        self.end.as_second() - self.start.as_second()
    }
}

/// The first instant of the local day `date` in `tz`. Usually local midnight;
/// where a change skips midnight (Chile moves clocks from 00:00 to 01:00) it
/// is the end of the gap, where a change repeats it the first of the two.
/// That is `jiff`'s "compatible" reading of a civil time, which
/// `Date::to_zoned` uses.
fn first_instant(date: Date, tz: &TimeZone) -> Result<Timestamp, jiff::Error> {
    Ok(date.to_zoned(tz.clone())?.timestamp())
}

/// The first local day of the bucket that holds `instant` in `tz`.
pub fn bucket_date(
    instant: Timestamp,
    tz: &TimeZone,
    granularity: Granularity,
) -> Result<Date, jiff::Error> {
    granularity.start_of(instant.to_zoned(tz.clone()).date())
}

/// The bucket that holds `instant` in `tz`.
pub fn bucket(
    instant: Timestamp,
    tz: &TimeZone,
    granularity: Granularity,
) -> Result<Bucket, jiff::Error> {
    Bucket::holding(instant.to_zoned(tz.clone()).date(), tz, granularity)
}

/// The consecutive buckets that cover `[from, to)`: from the one holding
/// `from` to the one holding the last instant before `to`, each `end` the next
/// `start`, empty ones included so a trend shows them as gaps. Empty when
/// `from` is not before `to`.
///
/// The list grows with the range (one bucket per day for days): a caller
/// taking the range from a request should bound it first.
pub fn buckets(
    from: Timestamp,
    to: Timestamp,
    tz: &TimeZone,
    granularity: Granularity,
) -> Result<Vec<Bucket>, jiff::Error> {
    let mut out = Vec::new();
    if from >= to {
        return Ok(out);
    }
    let mut current = bucket(from, tz, granularity)?;
    while current.start < to {
        let next = Bucket::holding(granularity.next_start(current.date)?, tz, granularity)?;
        out.push(std::mem::replace(&mut current, next));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    // Expected dates and instants below were worked out by hand from the
    // zones' rules and checked with Python's zoneinfo (the system's tz
    // database), not with this code. New York is UTC−5 (EST) and UTC−4 (EDT):
    // in 2026 it springs forward on Sunday 8 March at 02:00 and falls back on
    // Sunday 1 November at 02:00. Seoul is UTC+9 all year. Santiago is UTC−4
    // and UTC−3 (summer), changing at local midnight: forward on Sunday
    // 6 September 2026 (00:00 becomes 01:00), back on Sunday 5 April 2026
    // (24:00 on Saturday becomes 23:00).

    const NY: &str = "America/New_York";
    const SEOUL: &str = "Asia/Seoul";
    const SANTIAGO: &str = "America/Santiago";

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn instants_near_local_midnight_land_on_the_right_day() {
        let cases = [
            // 04:59:59Z = 23:59:59 EST on the 7th; 05:00Z = 00:00 EST on the 8th.
            (NY, "2026-03-08T04:59:59Z", date(2026, 3, 7)),
            (NY, "2026-03-08T05:00:00Z", date(2026, 3, 8)),
            // After the change, midnight is 04:00Z: 03:59:59Z = 23:59:59 EDT on the 8th.
            (NY, "2026-03-09T03:59:59Z", date(2026, 3, 8)),
            (NY, "2026-03-09T04:00:00Z", date(2026, 3, 9)),
            // Midnight before the fall-back is 04:00Z (EDT) …
            (NY, "2026-11-01T03:59:59Z", date(2026, 10, 31)),
            (NY, "2026-11-01T04:00:00Z", date(2026, 11, 1)),
            // … both 01:30s of 1 November (05:30Z EDT, 06:30Z EST) are that day …
            (NY, "2026-11-01T05:30:00Z", date(2026, 11, 1)),
            (NY, "2026-11-01T06:30:00Z", date(2026, 11, 1)),
            // … and the next midnight is 05:00Z (EST).
            (NY, "2026-11-02T04:59:59Z", date(2026, 11, 1)),
            (NY, "2026-11-02T05:00:00Z", date(2026, 11, 2)),
            // Seoul: 15:00Z is the next day's 00:00 KST.
            (SEOUL, "2026-05-31T14:59:59Z", date(2026, 5, 31)),
            (SEOUL, "2026-05-31T15:00:00Z", date(2026, 6, 1)),
            (SEOUL, "2026-05-31T15:30:00Z", date(2026, 6, 1)),
        ];
        for (zone, instant, want) in cases {
            let got = bucket_date(at(instant), &tz(zone), Granularity::Day).unwrap();
            assert_eq!(got, want, "{zone} {instant}");
            let b = bucket(at(instant), &tz(zone), Granularity::Day).unwrap();
            assert!(
                b.date == want && b.contains(at(instant)),
                "{zone} {instant}: {b:?}"
            );
        }
    }

    #[test]
    fn days_last_23_or_25_hours_when_the_clocks_change() {
        // (zone, day, start, end, hours).
        #[rustfmt::skip]
        let cases = [
            (NY, date(2026, 3, 7), "2026-03-07T05:00:00Z", "2026-03-08T05:00:00Z", 24),
            // 00:00 EST to 00:00 EDT: 05:00Z to 04:00Z, one hour short.
            (NY, date(2026, 3, 8), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23),
            (NY, date(2026, 3, 9), "2026-03-09T04:00:00Z", "2026-03-10T04:00:00Z", 24),
            // 00:00 EDT to 00:00 EST: 04:00Z to 05:00Z, one hour long.
            (NY, date(2026, 11, 1), "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25),
            (SEOUL, date(2026, 6, 1), "2026-05-31T15:00:00Z", "2026-06-01T15:00:00Z", 24),
            // Santiago skips its midnight: the day starts at 01:00 −03 = 04:00Z
            // (where 00:00 −04 would have been) and ends at 00:00 −03 = 03:00Z.
            (SANTIAGO, date(2026, 9, 6), "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z", 23),
            // Saturday 4 April repeats its last hour: 00:00 −03 = 03:00Z to
            // Sunday's 00:00 −04 = 04:00Z.
            (SANTIAGO, date(2026, 4, 4), "2026-04-04T03:00:00Z", "2026-04-05T04:00:00Z", 25),
        ];
        for (zone, day, start, end, hours) in cases {
            let b = Bucket::holding(day, &tz(zone), Granularity::Day).unwrap();
            let want = Bucket {
                date: day,
                start: at(start),
                end: at(end),
            };
            assert_eq!(b, want, "{zone} {day}");
            assert_eq!(b.seconds(), hours * 3600, "{zone} {day}");
        }
    }

    #[test]
    fn weeks_start_on_monday_and_hold_the_change() {
        // (zone, instant, Monday, start, end, hours).
        #[rustfmt::skip]
        let cases = [
            // Sunday 8 March 12:00Z (08:00 EDT) is in the week from Monday 2 March:
            // 00:00 EST on the 2nd (05:00Z) to 00:00 EDT on the 9th (04:00Z),
            // 7 · 24 − 1 = 167 hours.
            (NY, "2026-03-08T12:00:00Z", date(2026, 3, 2), "2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z", 167),
            // The last second of that Sunday, and the first of the next Monday.
            (NY, "2026-03-09T03:59:59Z", date(2026, 3, 2), "2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z", 167),
            (NY, "2026-03-09T04:00:00Z", date(2026, 3, 9), "2026-03-09T04:00:00Z", "2026-03-16T04:00:00Z", 168),
            // Sunday 1 November is in the week from Monday 26 October:
            // 04:00Z (EDT) to 2 November 05:00Z (EST), 7 · 24 + 1 = 169 hours.
            (NY, "2026-11-01T12:00:00Z", date(2026, 10, 26), "2026-10-26T04:00:00Z", "2026-11-02T05:00:00Z", 169),
            // Friday 1 January 2027 is in the ISO week from Monday 28 December 2026.
            (NY, "2027-01-01T17:00:00Z", date(2026, 12, 28), "2026-12-28T05:00:00Z", "2027-01-04T05:00:00Z", 168),
            // 31 May 15:30Z is 00:30 on Monday 1 June in Seoul: that week,
            // from 31 May 15:00Z to 7 June 15:00Z. A second before 15:00Z is
            // still Sunday 31 May, in the week from Monday 25 May.
            (SEOUL, "2026-05-31T15:30:00Z", date(2026, 6, 1), "2026-05-31T15:00:00Z", "2026-06-07T15:00:00Z", 168),
            (SEOUL, "2026-05-31T14:59:59Z", date(2026, 5, 25), "2026-05-24T15:00:00Z", "2026-05-31T15:00:00Z", 168),
        ];
        for (zone, instant, monday, start, end, hours) in cases {
            let b = bucket(at(instant), &tz(zone), Granularity::Week).unwrap();
            let want = Bucket {
                date: monday,
                start: at(start),
                end: at(end),
            };
            assert_eq!(b, want, "{zone} {instant}");
            assert_eq!(b.seconds(), hours * 3600, "{zone} {instant}");
            assert!(b.contains(at(instant)));
        }
    }

    #[test]
    fn months_follow_the_local_calendar() {
        // (zone, instant, 1st of the month, start, end, hours).
        #[rustfmt::skip]
        let cases = [
            // March in New York: 1 March 00:00 EST (05:00Z) to 1 April 00:00 EDT
            // (04:00Z), 31 · 24 − 1 = 743 hours.
            (NY, "2026-03-15T12:00:00Z", date(2026, 3, 1), "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z", 743),
            // November: 04:00Z (EDT) to 1 December 05:00Z (EST), 30 · 24 + 1 = 721.
            (NY, "2026-11-20T12:00:00Z", date(2026, 11, 1), "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z", 721),
            // 1 January 2026 04:59:59Z is still 31 December 2025 in New York.
            (NY, "2026-01-01T04:59:59Z", date(2025, 12, 1), "2025-12-01T05:00:00Z", "2026-01-01T05:00:00Z", 744),
            // 31 May 15:30Z is 1 June 00:30 in Seoul: June, from 31 May 15:00Z
            // to 30 June 15:00Z, 30 · 24 = 720 hours.
            (SEOUL, "2026-05-31T15:30:00Z", date(2026, 6, 1), "2026-05-31T15:00:00Z", "2026-06-30T15:00:00Z", 720),
        ];
        for (zone, instant, first, start, end, hours) in cases {
            let b = bucket(at(instant), &tz(zone), Granularity::Month).unwrap();
            let want = Bucket {
                date: first,
                start: at(start),
                end: at(end),
            };
            assert_eq!(b, want, "{zone} {instant}");
            assert_eq!(b.seconds(), hours * 3600, "{zone} {instant}");
        }
    }

    #[test]
    fn ranges_are_covered_by_consecutive_buckets() {
        // (zone, granularity, from, to, first days of the buckets expected).
        let cases: [(&str, Granularity, &str, &str, &[Date]); 5] = [
            // 7 March 07:00 EST to 9 March 20:00 EDT: three days, the middle one 23 h.
            (
                NY,
                Granularity::Day,
                "2026-03-07T12:00:00Z",
                "2026-03-10T00:00:00Z",
                &[date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)],
            ),
            // `to` is excluded: April starts at exactly 1 April 04:00Z.
            (
                NY,
                Granularity::Month,
                "2026-02-15T00:00:00Z",
                "2026-04-01T04:00:00Z",
                &[date(2026, 2, 1), date(2026, 3, 1)],
            ),
            // One second more reaches into April.
            (
                NY,
                Granularity::Month,
                "2026-02-15T00:00:00Z",
                "2026-04-01T04:00:01Z",
                &[date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)],
            ),
            // 15 June 00:00Z is 09:00 on Monday 15 June in Seoul: a third week begins.
            (
                SEOUL,
                Granularity::Week,
                "2026-05-31T15:30:00Z",
                "2026-06-15T00:00:00Z",
                &[date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15)],
            ),
            // Within one day, one bucket.
            (
                SEOUL,
                Granularity::Day,
                "2026-05-31T15:30:00Z",
                "2026-05-31T16:00:00Z",
                &[date(2026, 6, 1)],
            ),
        ];
        for (zone, granularity, from, to, want) in cases {
            let got = buckets(at(from), at(to), &tz(zone), granularity).unwrap();
            let dates: Vec<Date> = got.iter().map(|b| b.date).collect();
            assert_eq!(dates, want, "{zone} {granularity:?} {from} {to}");
            assert!(got[0].contains(at(from)), "{got:?}");
            assert!(got.windows(2).all(|w| w[0].end == w[1].start), "{got:?}");
            let last = &got[got.len() - 1];
            assert!(last.start < at(to) && at(to) <= last.end, "{got:?}");
            for b in &got {
                assert_eq!(*b, Bucket::holding(b.date, &tz(zone), granularity).unwrap());
            }
        }
    }

    #[test]
    fn the_days_of_a_range_across_the_spring_change_have_their_own_lengths() {
        let got = buckets(
            at("2026-03-07T12:00:00Z"),
            at("2026-03-10T00:00:00Z"),
            &tz(NY),
            Granularity::Day,
        )
        .unwrap();
        let hours: Vec<i64> = got.iter().map(|b| b.seconds() / 3600).collect();
        assert_eq!(hours, [24, 23, 24]);
    }

    #[test]
    fn an_empty_or_reversed_range_has_no_buckets() {
        let seoul = tz(SEOUL);
        let t = at("2026-05-31T15:30:00Z");
        assert_eq!(buckets(t, t, &seoul, Granularity::Day).unwrap(), []);
        assert_eq!(
            buckets(at("2026-06-30T00:00:00Z"), t, &seoul, Granularity::Month).unwrap(),
            []
        );
    }

    #[test]
    fn granularity_reads_and_writes_snake_case() {
        for (g, name) in [
            (Granularity::Day, "day"),
            (Granularity::Week, "week"),
            (Granularity::Month, "month"),
        ] {
            assert_eq!(serde_json::to_value(g).unwrap(), serde_json::json!(name));
            let back: Granularity = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(back, g);
        }
        assert!(serde_json::from_value::<Granularity>(serde_json::json!("Week")).is_err());
    }

    #[test]
    fn buckets_go_out_as_a_local_date_and_utc_instants() {
        let b = bucket(at("2026-05-31T15:30:00Z"), &tz(SEOUL), Granularity::Month).unwrap();
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            serde_json::json!({
                "date": "2026-06-01",
                "start": "2026-05-31T15:00:00Z",
                "end": "2026-06-30T15:00:00Z",
            })
        );
    }
}
