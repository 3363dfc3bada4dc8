//! Scores over time, by segment and side by side, read from the score
//! rollup (which counts per day and per month in the site's time zone, by
//! language and device), not from the responses themselves. A range
//! reads its whole months as months and only the days at its ends as days,
//! so its cost grows with the months and days it covers, not with the
//! responses: `benches/insights.rs` measures them at a million.
//!
//! - `GET /v1/admin/sites/{key}/trend?scale=&granularity=&from=&to=`:
//!   one figure per day, week (from Monday) or month in the site's time
//!   zone, empty ones included;
//! - `GET /v1/admin/sites/{key}/breakdown?scale=&by=&from=&to=`: one figure
//!   per survey, question, language or device (from the rollup), or per
//!   page path or value of an `identify` attribute (`by=attribute&
//!   attribute=plan`), which can take any number of values and so are read
//!   from the responses themselves;
//! - `GET /v1/admin/sites/{key}/compare?scale=&from=&to=[&b_from=&b_to=]`:
//!   two periods, or two slices (`b_survey`, `b_locale`, `b_device`,
//!   `b_page`, `b_attr.NAME`), the difference with its 95% interval and
//!   whether it is significant at 5%.
//!
//! Each also takes a slice: `survey`, `question`, `locale`, `device`, and
//! `page` or `attr.NAME`, which make it read the responses (at most a year).
//! `scale` is `csat`, `nps`, `ces`, `yes_no` or `rating` (a rating needs its
//! `question`: ratings of different lengths do not mix). Dates are days in
//! the site's time zone, both included.

use super::summary::{Figure, fixed};
use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::{ApiQuery, SiteReader};
use crate::stats::buckets::{Bucket, Granularity, buckets};
use crate::stats::compare::{self, Difference};
use crate::store::{
    Dimension, Grain, PeriodSpan, ResponseField, RollupQuery, ScanGroup, ScanQuery, ScoreFilter,
    SegmentCount, Site,
};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use sori_protocol::{DeviceClass, ErrorCode, FieldError, Locale, QuestionKind, Scale, Slug};
use std::collections::BTreeMap;

/// The most buckets one trend may have (a year and a bit of days).
const MAX_BUCKETS: usize = 400;

/// The most days a breakdown by page or attribute reads (it reads the
/// responses themselves).
const MAX_SCAN_DAYS: i32 = 366;

/// The most segments a breakdown lists; the rest are counted in
/// `other_segments`.
const MAX_SEGMENTS: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/sites/{key}/trend", get(trend))
        .route("/v1/admin/sites/{key}/compare", get(compare_route))
        .route("/v1/admin/sites/{key}/breakdown", get(breakdown))
}

fn invalid(field: &str, message: String) -> AppError {
    FieldError::new(field, ErrorCode::Invalid, message).into()
}

fn zone(site: &Site) -> Result<TimeZone, AppError> {
    TimeZone::get(&site.time_zone).map_err(|_| {
        invalid(
            "time_zone",
            format!("the site's time zone '{}' is unknown", site.time_zone),
        )
    })
}

fn date(field: &str, raw: Option<&str>) -> Result<Option<Date>, AppError> {
    raw.map(|d| {
        d.parse()
            .map_err(|_| invalid(field, format!("'{d}' is not a date like 2026-11-24")))
    })
    .transpose()
}

fn slug(field: &str, raw: Option<String>) -> Result<Option<Slug>, AppError> {
    raw.map(|s| Slug::parse(&s).map_err(|why| invalid(field, format!("'{s}' {why}"))))
        .transpose()
}

/// Today in the site's time zone.
fn today(zone: &TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned(zone.clone()).date()
}

/// How a table goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Format {
    Json,
    Csv,
}

/// A table as CSV for a spreadsheet: UTF-8 with a byte order mark, a
/// header row, then one row per bucket or segment.
fn csv_table(name: &str, first: &str, rows: Vec<(String, [String; 5])>) -> Response {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = writer.write_record([first, "n", "score", "ci95_low", "ci95_high", "low_sample"]);
    for (key, figure) in rows {
        let mut record = vec![key];
        record.extend(figure);
        let _ = writer.write_record(&record);
    }
    let body = writer.into_inner().unwrap_or_default();
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `from`–`to` as asked, by default the 30 days up to today in the site's zone.
fn range(zone: &TimeZone, from: Option<&str>, to: Option<&str>) -> Result<(Date, Date), AppError> {
    let to = date("to", to)?.unwrap_or_else(|| today(zone));
    let from = date("from", from)?
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to));
    Ok((from, to))
}

/// The scale asked for; a rating's length comes from its question.
async fn scale_of(
    app: &AppState,
    site: &Site,
    raw: &str,
    slice: &Slice,
) -> Result<Scale, AppError> {
    let (survey, question) = (slice.survey.as_ref(), slice.question.as_ref());
    match raw {
        "csat" => Ok(Scale::Csat),
        "nps" => Ok(Scale::Nps),
        "ces" => Ok(Scale::Ces),
        "yes_no" => Ok(Scale::YesNo),
        "rating" => {
            let question = question.ok_or_else(|| {
                FieldError::new(
                    "question",
                    ErrorCode::Required,
                    "a rating needs its question: ratings of different lengths do not mix",
                )
            })?;
            let surveys = app.store.surveys(&site.key).await?;
            surveys
                .iter()
                .filter(|s| survey.is_none_or(|id| &s.definition.id == id))
                .flat_map(|s| &s.definition.questions)
                .find_map(|q| match q.kind {
                    QuestionKind::Rating { points, .. } if &q.id == question => {
                        Some(Scale::Rating(points))
                    }
                    _ => None,
                })
                .ok_or_else(|| {
                    invalid(
                        "question",
                        format!("no rating question '{question}' on site '{}'", site.key),
                    )
                })
        }
        other => Err(invalid(
            "scale",
            format!("no scale '{other}'; use csat, nps, ces, yes_no or rating"),
        )),
    }
}

/// Which answers a figure counts, besides when: a survey, a question, a
/// language, a class of device, a page, `identify` attributes; each
/// optional. A page or an attribute is not in the rollup: a slice with one
/// is counted from the responses.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct Slice {
    #[serde(skip_serializing_if = "Option::is_none")]
    survey: Option<Slug>,
    #[serde(skip_serializing_if = "Option::is_none")]
    question: Option<Slug>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<Locale>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<DeviceClass>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
}

impl Slice {
    /// From the query's `survey`, `question`, `locale`, `device`, `page`
    /// and `attr.NAME` (or their `prefix`ed names, for a comparison's side
    /// `b`).
    fn of(prefix: &str, raw: &SliceParams) -> Result<Self, AppError> {
        let field = |name: &str| format!("{prefix}{name}");
        let attr = field("attr.");
        let attributes = raw
            .rest
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(&attr)?.to_owned(), v.clone())))
            .collect();
        Ok(Self {
            page: raw.page.clone().filter(|p| !p.is_empty()),
            attributes,
            survey: slug(&field("survey"), raw.survey.clone())?,
            question: slug(&field("question"), raw.question.clone())?,
            locale: raw
                .locale
                .as_deref()
                .map(|l| {
                    Locale::from_code(l).ok_or_else(|| {
                        invalid(&field("locale"), format!("no locale '{l}'; use en or ko"))
                    })
                })
                .transpose()?,
            device: raw
                .device
                .as_deref()
                .map(|d| {
                    DeviceClass::from_name(d).ok_or_else(|| {
                        invalid(
                            &field("device"),
                            format!("no device '{d}'; use desktop, tablet or mobile"),
                        )
                    })
                })
                .transpose()?,
        })
    }

    /// True when the slice is counted from the responses themselves.
    fn needs_scan(&self) -> bool {
        self.page.is_some() || !self.attributes.is_empty()
    }

    /// The responses the slice counts, first saved from day `from` to day
    /// `to` in `zone`; at most [`MAX_SCAN_DAYS`] days of them.
    fn scan(
        &self,
        site: &Site,
        scale: Scale,
        zone: &TimeZone,
        (from, to): (Date, Date),
    ) -> Result<ScanQuery, AppError> {
        if (to - from).get_days() >= MAX_SCAN_DAYS {
            return Err(invalid(
                "from",
                format!(
                    "a figure by page or attribute reads the responses themselves: at most {MAX_SCAN_DAYS} days"
                ),
            ));
        }
        let whole = period(zone, from, to)?;
        Ok(ScanQuery {
            filter: self.filter(site, scale),
            from: time_of(whole.start)?,
            to: time_of(whole.end)?,
            page_path: self.page.clone(),
            attributes: self.attributes.clone(),
        })
    }

    /// The rollup cells of days `from` to `to`, both included; whole
    /// months as months when `months` (the answers are summed over spans no
    /// shorter than a month).
    fn query(
        &self,
        site: &Site,
        scale: Scale,
        (from, to): (Date, Date),
        months: bool,
    ) -> RollupQuery {
        RollupQuery {
            filter: self.filter(site, scale),
            spans: period_spans(from, to, months),
        }
    }

    fn filter(&self, site: &Site, scale: Scale) -> ScoreFilter {
        ScoreFilter {
            site: site.key.clone(),
            scale,
            survey: self.survey.clone(),
            question: self.question.clone(),
            locale: self.locale,
            device: self.device,
        }
    }
}

/// Days `from` to `to`, both included, as runs of rollup periods: only
/// days, or when `months`, the whole months between as months and the days
/// before and after them as days.
fn period_spans(from: Date, to: Date, months: bool) -> Vec<PeriodSpan> {
    // Days `[from, until)`, by number: nothing lies between 20261131 (no
    // day) and 20261201.
    let days = |from: Date, until: i64| PeriodSpan {
        grain: Grain::Day,
        from: Grain::Day.period(from),
        until,
    };
    let after = Grain::Day.period(to) + 1;
    let first_month = if from.day() == 1 {
        Some(from)
    } else {
        from.last_of_month().tomorrow().ok()
    };
    let end_month = to.tomorrow().map(|d| d.first_of_month());
    match (first_month, end_month) {
        (Some(first), Ok(end)) if months && first < end => {
            let mut spans = Vec::with_capacity(3);
            if from < first {
                spans.push(days(from, Grain::Day.period(first)));
            }
            spans.push(PeriodSpan {
                grain: Grain::Month,
                from: Grain::Month.period(first),
                until: Grain::Month.period(end),
            });
            if end <= to {
                spans.push(days(end, after));
            }
            spans
        }
        _ => vec![days(from, after)],
    }
}

/// The slice parameters as they come, shared by the routes; `rest` holds
/// the `attr.NAME` ones (and a comparison's `b_attr.NAME`).
#[derive(Clone, Debug, Default, Deserialize)]
struct SliceParams {
    survey: Option<String>,
    question: Option<String>,
    locale: Option<String>,
    device: Option<String>,
    page: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl SliceParams {
    /// Refuses a parameter the route does not know: any in `rest` but
    /// `attr.NAME` (and `b_attr.NAME` when `b`).
    fn check_rest(&self, known: &str, b: bool) -> Result<(), AppError> {
        let attribute = |k: &str| {
            let name = k
                .strip_prefix("attr.")
                .or_else(|| k.strip_prefix("b_attr.").filter(|_| b));
            name.is_some_and(|n| !n.is_empty())
        };
        match self.rest.keys().find(|k| !attribute(k)) {
            None => Ok(()),
            Some(key) => Err(AppError::Malformed {
                message: format!("unknown parameter '{key}'; this takes {known} and attr.NAME"),
            }),
        }
    }
}

fn empty(scale: Scale) -> Vec<u64> {
    vec![0; usize::from(scale.max() - scale.min()) + 1]
}

/// How many gave each value of `scale` per bucket, from the rollup (or
/// the responses, for a slice by page or attribute).
///
/// The buckets run from day `from` to day `to`; months are read whole only
/// when each bucket is made of whole months, or there is one bucket.
async fn distributions(
    app: &AppState,
    site: &Site,
    scale: Scale,
    slice: &Slice,
    spans: &[Bucket],
    (from, to, granularity): (Date, Date, Granularity),
) -> Result<Vec<Vec<u64>>, AppError> {
    let mut out = vec![empty(scale); spans.len()];
    // Counts by the first day of their period.
    let counts: Vec<(Date, u8, u64)> = if slice.needs_scan() {
        let zone = zone(site)?;
        let scan = slice.scan(site, scale, &zone, (from, to))?;
        app.store
            .scan_counts(&scan, &ScanGroup::Day(zone))
            .await?
            .into_iter()
            .filter_map(|c| Some((c.segment.parse().ok()?, c.value, c.count)))
            .collect()
    } else {
        let months = granularity == Granularity::Month || spans.len() == 1;
        let query = slice.query(site, scale, (from, to), months);
        app.store
            .period_counts(&query)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.grain.first_day(c.period)?, c.value, c.count)))
            .collect()
    };
    for (first, value, count) in counts {
        // The last bucket that starts on or before the period's first day.
        let i = spans.partition_point(|b| b.date <= first);
        let (Some(i), Some(slot)) = (
            i.checked_sub(1),
            value.checked_sub(scale.min()).map(usize::from),
        ) else {
            continue;
        };
        if let Some(cell) = out.get_mut(i).and_then(|d| d.get_mut(slot)) {
            *cell += count;
        }
    }
    Ok(out)
}

/// The buckets of `granularity` from day `from` to day `to`, both included.
fn spans(
    zone: &TimeZone,
    granularity: Granularity,
    from: Date,
    to: Date,
) -> Result<Vec<Bucket>, AppError> {
    let whole = period(zone, from, to)?;
    let spans = buckets(whole.start, whole.end, zone, granularity)
        .map_err(|e| invalid("from", format!("the range cannot be laid out: {e}")))?;
    if spans.len() > MAX_BUCKETS {
        return Err(invalid(
            "from",
            format!(
                "{} buckets asked for; at most {MAX_BUCKETS}: narrow the range or use a longer granularity",
                spans.len()
            ),
        ));
    }
    Ok(spans)
}

/// A bucket's edge as the store takes a time.
fn time_of(at: jiff::Timestamp) -> Result<time::OffsetDateTime, AppError> {
    time::OffsetDateTime::from_unix_timestamp(at.as_second())
        .map_err(|e| invalid("from", format!("the range cannot be laid out: {e}")))
}

/// Days `from` to `to`, both included, as one bucket.
fn period(zone: &TimeZone, from: Date, to: Date) -> Result<Bucket, AppError> {
    let bad = |e: jiff::Error| invalid("from", format!("the range cannot be laid out: {e}"));
    if from > to {
        return Err(invalid("from", format!("from ({from}) is after to ({to})")));
    }
    Ok(Bucket {
        date: from,
        start: from.to_zoned(zone.clone()).map_err(bad)?.timestamp(),
        end: to
            .tomorrow()
            .and_then(|d| d.to_zoned(zone.clone()))
            .map_err(bad)?
            .timestamp(),
    })
}

#[derive(Deserialize)]
struct TrendParams {
    scale: String,
    /// `csv` for the table as CSV.
    format: Option<Format>,
    granularity: Option<Granularity>,
    from: Option<String>,
    to: Option<String>,
    #[serde(flatten)]
    slice: SliceParams,
}

#[derive(Serialize)]
struct Trend {
    site: Slug,
    scale: String,
    granularity: Granularity,
    time_zone: String,
    points: Vec<Point>,
}

#[derive(Serialize)]
struct Point {
    #[serde(flatten)]
    bucket: Bucket,
    #[serde(flatten)]
    figure: Figure,
}

async fn trend(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    ApiQuery(p): ApiQuery<TrendParams>,
) -> Result<Response, AppError> {
    let zone = zone(&site)?;
    p.slice.check_rest(
        "scale, format, granularity, from, to, survey, question, locale, device, page",
        false,
    )?;
    let slice = Slice::of("", &p.slice)?;
    let scale = scale_of(&app, &site, &p.scale, &slice).await?;
    let granularity = p.granularity.unwrap_or(Granularity::Day);
    let to = date("to", p.to.as_deref())?.unwrap_or_else(|| today(&zone));
    // By default a month of days, a quarter of weeks, a year of months.
    let back = match granularity {
        Granularity::Day => jiff::Span::new().days(29),
        Granularity::Week => jiff::Span::new().weeks(12),
        Granularity::Month => jiff::Span::new().months(11),
    };
    let from = match date("from", p.from.as_deref())? {
        Some(from) => from,
        None => granularity
            .start_of(to.checked_sub(back).unwrap_or(to))
            .unwrap_or(to),
    };
    let spans = spans(&zone, granularity, from, to)?;
    let dists = distributions(&app, &site, scale, &slice, &spans, (from, to, granularity)).await?;
    if p.format == Some(Format::Csv) {
        let rows = spans
            .iter()
            .zip(dists)
            .map(|(b, d)| (b.date.to_string(), Figure::of(scale, d).row()))
            .collect();
        return Ok(csv_table(
            &format!("{}-trend-{}", site.key, p.scale),
            "date",
            rows,
        ));
    }
    Ok(Json(Trend {
        site: site.key,
        scale: p.scale,
        granularity,
        time_zone: site.time_zone,
        points: spans
            .into_iter()
            .zip(dists)
            .map(|(bucket, dist)| Point {
                bucket,
                figure: Figure::of(scale, dist),
            })
            .collect(),
    })
    .into_response())
}

#[derive(Deserialize)]
struct CompareParams {
    scale: String,
    from: Option<String>,
    to: Option<String>,
    b_from: Option<String>,
    b_to: Option<String>,
    b_survey: Option<String>,
    b_locale: Option<String>,
    b_device: Option<String>,
    b_page: Option<String>,
    #[serde(flatten)]
    slice: SliceParams,
}

#[derive(Serialize)]
struct Side {
    #[serde(flatten)]
    slice: Slice,
    from: String,
    to: String,
    #[serde(flatten)]
    figure: Figure,
}

#[derive(Serialize)]
struct Comparison {
    site: Slug,
    scale: String,
    a: Side,
    b: Side,
    /// `a` minus `b`.
    difference: Difference,
}

/// The difference of `a` and `b` by the method that fits the scale.
fn difference(scale: Scale, a: &[u64], b: &[u64]) -> Difference {
    match scale {
        Scale::Csat => compare::csat(&fixed(a), &fixed(b)),
        Scale::Nps => compare::nps(&fixed(a), &fixed(b)),
        Scale::Ces => compare::ces_agree(&fixed(a), &fixed(b)),
        Scale::YesNo => compare::proportions(
            a.get(1).copied().unwrap_or(0),
            a.iter().sum(),
            b.get(1).copied().unwrap_or(0),
            b.iter().sum(),
        ),
        Scale::Rating(_) => compare::means(a, b, 1),
    }
}

/// All the answers of `slice` from day `from` to day `to`, as one distribution.
async fn total(
    app: &AppState,
    site: &Site,
    scale: Scale,
    slice: &Slice,
    (from, to): (Date, Date),
) -> Result<Vec<u64>, AppError> {
    // One bucket for the whole period, however long.
    let whole = period(&zone(site)?, from, to)?;
    Ok(distributions(
        app,
        site,
        scale,
        slice,
        &[whole],
        (from, to, Granularity::Day),
    )
    .await?
    .pop()
    .unwrap_or_else(|| empty(scale)))
}

async fn compare_route(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    ApiQuery(p): ApiQuery<CompareParams>,
) -> Result<Json<Comparison>, AppError> {
    let zone = zone(&site)?;
    p.slice.check_rest(
        "scale, from, to, b_from, b_to, survey, question, locale, device, page, b_survey, \
         b_locale, b_device, b_page, b_attr.NAME",
        true,
    )?;
    let a = Slice::of("", &p.slice)?;
    // Side `b` is `a` with whatever its `b_` parameters change.
    let a_params = &p.slice;
    let mut b = Slice::of(
        "b_",
        &SliceParams {
            survey: p.b_survey.clone().or_else(|| a_params.survey.clone()),
            question: a_params.question.clone(),
            locale: p.b_locale.clone().or_else(|| a_params.locale.clone()),
            device: p.b_device.clone().or_else(|| a_params.device.clone()),
            page: p.b_page.clone().or_else(|| a_params.page.clone()),
            rest: a_params.rest.clone(),
        },
    )?;
    for (name, value) in &a.attributes {
        b.attributes
            .entry(name.clone())
            .or_insert_with(|| value.clone());
    }
    let scale = scale_of(&app, &site, &p.scale, &a).await?;
    // By default the last 30 days against the 30 before them. A `b` period
    // not given is as long as `a` and ends the day before it starts, unless
    // `b` is another slice (another survey, language or device), which is
    // then read over the same days.
    let (from, to) = range(&zone, p.from.as_deref(), p.to.as_deref())?;
    let days = (to - from).get_days();
    let another_slice = b != a;
    let b_to = match date("b_to", p.b_to.as_deref())? {
        Some(d) => d,
        None if another_slice => to,
        None => from.yesterday().unwrap_or(from),
    };
    let b_from = match date("b_from", p.b_from.as_deref())? {
        Some(d) => d,
        None if another_slice && p.b_to.is_none() => from,
        None => b_to
            .checked_sub(jiff::Span::new().days(days))
            .unwrap_or(b_to),
    };
    let a_dist = total(&app, &site, scale, &a, (from, to)).await?;
    let b_dist = total(&app, &site, scale, &b, (b_from, b_to)).await?;
    let difference = difference(scale, &a_dist, &b_dist);
    let side = |slice, from: Date, to: Date, dist| Side {
        slice,
        from: from.to_string(),
        to: to.to_string(),
        figure: Figure::of(scale, dist),
    };
    Ok(Json(Comparison {
        site: site.key.clone(),
        scale: p.scale,
        a: side(a, from, to, a_dist),
        b: side(b, b_from, b_to, b_dist),
        difference,
    }))
}

/// What a breakdown splits by: a dimension of the rollup, or a field of
/// the responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum By {
    Survey,
    Question,
    Locale,
    Device,
    Page,
    Attribute,
}

impl By {
    fn name(self) -> &'static str {
        match self {
            By::Survey => "survey",
            By::Question => "question",
            By::Locale => "locale",
            By::Device => "device",
            By::Page => "page",
            By::Attribute => "attribute",
        }
    }
}

#[derive(Deserialize)]
struct BreakdownParams {
    scale: String,
    /// `csv` for the table as CSV.
    format: Option<Format>,
    by: By,
    /// The attribute's name, with `by=attribute`.
    attribute: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(flatten)]
    slice: SliceParams,
}

#[derive(Serialize)]
struct Breakdown {
    site: Slug,
    scale: String,
    by: By,
    #[serde(skip_serializing_if = "Option::is_none")]
    attribute: Option<String>,
    from: String,
    to: String,
    /// Most answers first, at most [`MAX_SEGMENTS`].
    segments: Vec<Segment>,
    /// How many segments with fewer answers were left out.
    other_segments: usize,
}

#[derive(Serialize)]
struct Segment {
    segment: String,
    #[serde(flatten)]
    figure: Figure,
}

async fn breakdown(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    ApiQuery(p): ApiQuery<BreakdownParams>,
) -> Result<Response, AppError> {
    let zone = zone(&site)?;
    p.slice.check_rest(
        "scale, format, by, attribute, from, to, survey, question, locale, device, page",
        false,
    )?;
    let slice = Slice::of("", &p.slice)?;
    let scale = scale_of(&app, &site, &p.scale, &slice).await?;
    let (from, to) = range(&zone, p.from.as_deref(), p.to.as_deref())?;
    period(&zone, from, to)?;
    // The rollup's own dimensions, or a field of the responses.
    let (dimension, field) = match (p.by, &p.attribute) {
        (By::Survey, _) => (Some(Dimension::Survey), ResponseField::Survey),
        (By::Question, _) => (Some(Dimension::Question), ResponseField::Question),
        (By::Locale, _) => (Some(Dimension::Locale), ResponseField::Locale),
        (By::Device, _) => (Some(Dimension::Device), ResponseField::Device),
        (By::Page, _) => (None, ResponseField::PagePath),
        (By::Attribute, Some(name)) if !name.is_empty() => {
            (None, ResponseField::Attribute(name.clone()))
        }
        (By::Attribute, _) => {
            return Err(FieldError::new(
                "attribute",
                ErrorCode::Required,
                "by=attribute needs the attribute's name",
            )
            .into());
        }
    };
    let counts: Vec<SegmentCount> = match dimension {
        Some(dimension) if !slice.needs_scan() => {
            let query = slice.query(&site, scale, (from, to), true);
            app.store.segment_counts(&query, dimension).await?
        }
        _ => {
            let scan = slice.scan(&site, scale, &zone, (from, to))?;
            app.store
                .scan_counts(&scan, &ScanGroup::Field(field))
                .await?
        }
    };
    let mut by_segment: BTreeMap<String, Vec<u64>> = Default::default();
    for count in counts {
        let dist = by_segment
            .entry(count.segment)
            .or_insert_with(|| empty(scale));
        if let Some(cell) = count
            .value
            .checked_sub(scale.min())
            .and_then(|i| dist.get_mut(usize::from(i)))
        {
            *cell += count.count;
        }
    }
    let mut segments: Vec<Segment> = by_segment
        .into_iter()
        .map(|(segment, dist)| Segment {
            segment,
            figure: Figure::of(scale, dist),
        })
        .collect();
    segments.sort_by_key(|s| std::cmp::Reverse(s.figure.n()));
    let other_segments = segments.len().saturating_sub(MAX_SEGMENTS);
    segments.truncate(MAX_SEGMENTS);
    let attribute = p.attribute.filter(|_| p.by == By::Attribute);
    if p.format == Some(Format::Csv) {
        let by = match &attribute {
            Some(name) => name.as_str(),
            None => p.by.name(),
        };
        let rows = segments
            .iter()
            .map(|s| (s.segment.clone(), s.figure.row()))
            .collect();
        return Ok(csv_table(
            &format!("{}-by-{}", site.key, p.by.name()),
            by,
            rows,
        ));
    }
    Ok(Json(Breakdown {
        site: site.key,
        scale: p.scale,
        by: p.by,
        attribute,
        from: from.to_string(),
        to: to.to_string(),
        segments,
        other_segments,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn spans(from: Date, to: Date, months: bool) -> Vec<(Grain, i64, i64)> {
        period_spans(from, to, months)
            .into_iter()
            .map(|s| (s.grain, s.from, s.until))
            .collect()
    }

    #[test]
    fn whole_months_are_read_as_months_and_the_ends_as_days() {
        use Grain::{Day, Month};
        let (from, to) = (date(2026, 1, 20), date(2026, 4, 10));
        assert_eq!(
            spans(from, to, true),
            [
                (Day, 20_260_120, 20_260_201),
                (Month, 202_602, 202_604),
                (Day, 20_260_401, 20_260_411),
            ]
        );
        assert_eq!(spans(from, to, false), [(Day, 20_260_120, 20_260_411)]);
        // Exactly whole months, across a year's end.
        assert_eq!(
            spans(date(2025, 11, 1), date(2026, 1, 31), true),
            [(Month, 202_511, 202_601 + 1)]
        );
        // No whole month inside: days only.
        assert_eq!(
            spans(date(2026, 1, 2), date(2026, 1, 31), true),
            [(Day, 20_260_102, 20_260_132)]
        );
        assert_eq!(
            spans(date(2026, 1, 20), date(2026, 2, 10), true),
            [(Day, 20_260_120, 20_260_211)]
        );
        // One day.
        assert_eq!(
            spans(date(2026, 3, 1), date(2026, 3, 1), true),
            [(Day, 20_260_301, 20_260_302)]
        );
    }
}
