//! Scores over time and side by side, read from the hourly score rollup,
//! never from the responses themselves, so they cost the same at a million
//! responses as at a hundred:
//!
//! - `GET /v1/admin/sites/{key}/trend?scale=&granularity=&from=&to=[&survey=][&question=]`:
//!   one figure per day, week (from Monday) or month in the site's time
//!   zone, empty ones included;
//! - `GET /v1/admin/sites/{key}/compare?scale=&from=&to=[&survey=][&question=][&b_from=&b_to=][&b_survey=]`:
//!   two periods or two surveys, the difference with its 95% interval and
//!   whether it is significant at 5%.
//!
//! `scale` is `csat`, `nps`, `ces`, `yes_no` or `rating` (a rating needs its
//! `question`: ratings of different lengths do not mix). Dates are days in
//! the site's time zone, both included. Sites whose zone is not a whole
//! number of hours from UTC see each hour counted in the day it starts in.

use super::summary::{Figure, fixed};
use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::{ApiQuery, SiteReader};
use crate::stats::buckets::{Bucket, Granularity, buckets};
use crate::stats::compare::{self, Difference};
use crate::store::{HourlyQuery, Site};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use sori_protocol::{ErrorCode, FieldError, QuestionKind, Scale, Slug};

/// The most buckets one trend may have (a year and a bit of days).
const MAX_BUCKETS: usize = 400;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/sites/{key}/trend", get(trend))
        .route("/v1/admin/sites/{key}/compare", get(compare_route))
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

/// The scale asked for; a rating's length comes from its question.
async fn scale_of(
    app: &AppState,
    site: &Site,
    raw: &str,
    survey: Option<&Slug>,
    question: Option<&Slug>,
) -> Result<Scale, AppError> {
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

/// How many gave each value of `scale` per bucket, from the rollup.
async fn distributions(
    app: &AppState,
    site: &Site,
    scale: Scale,
    survey: Option<&Slug>,
    question: Option<&Slug>,
    spans: &[Bucket],
) -> Result<Vec<Vec<u64>>, AppError> {
    let size = usize::from(scale.max() - scale.min()) + 1;
    let mut out = vec![vec![0u64; size]; spans.len()];
    let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
        return Ok(out);
    };
    let counts = app
        .store
        .hourly_counts(&HourlyQuery {
            site: site.key.clone(),
            scale,
            survey: survey.cloned(),
            question: question.cloned(),
            from_hour: first.start.as_second().div_euclid(3600),
            to_hour: (last.end.as_second() + 3599).div_euclid(3600),
        })
        .await?;
    for count in counts {
        let at = count.hour * 3600;
        // The last bucket that starts at or before the hour.
        let i = spans.partition_point(|b| b.start.as_second() <= at);
        let (Some(i), Some(slot)) = (
            i.checked_sub(1),
            count.value.checked_sub(scale.min()).map(usize::from),
        ) else {
            continue;
        };
        if let Some(cell) = out.get_mut(i).and_then(|d| d.get_mut(slot)) {
            *cell += count.count;
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
#[serde(deny_unknown_fields)]
struct TrendParams {
    scale: String,
    granularity: Option<Granularity>,
    from: Option<String>,
    to: Option<String>,
    survey: Option<String>,
    question: Option<String>,
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
) -> Result<Json<Trend>, AppError> {
    let zone = zone(&site)?;
    let survey = slug("survey", p.survey)?;
    let question = slug("question", p.question)?;
    let scale = scale_of(&app, &site, &p.scale, survey.as_ref(), question.as_ref()).await?;
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
    let dists = distributions(
        &app,
        &site,
        scale,
        survey.as_ref(),
        question.as_ref(),
        &spans,
    )
    .await?;
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
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareParams {
    scale: String,
    question: Option<String>,
    survey: Option<String>,
    from: Option<String>,
    to: Option<String>,
    b_survey: Option<String>,
    b_from: Option<String>,
    b_to: Option<String>,
}

#[derive(Serialize)]
struct Side {
    survey: Option<Slug>,
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

async fn compare_route(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    ApiQuery(p): ApiQuery<CompareParams>,
) -> Result<Json<Comparison>, AppError> {
    let zone = zone(&site)?;
    let survey = slug("survey", p.survey)?;
    let b_survey = slug("b_survey", p.b_survey)?.or_else(|| survey.clone());
    let question = slug("question", p.question)?;
    let scale = scale_of(&app, &site, &p.scale, survey.as_ref(), question.as_ref()).await?;
    // By default the last 30 days against the 30 before them; a `b` period
    // not given is as long as `a` and ends the day before it starts, unless
    // `b` is another survey, which is then read over the same days.
    let to = date("to", p.to.as_deref())?.unwrap_or_else(|| today(&zone));
    let from = date("from", p.from.as_deref())?
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to));
    let days = (to - from).get_days();
    let another_survey = b_survey != survey;
    let b_to = match date("b_to", p.b_to.as_deref())? {
        Some(d) => d,
        None if another_survey => to,
        None => from.yesterday().unwrap_or(from),
    };
    let b_from = match date("b_from", p.b_from.as_deref())? {
        Some(d) => d,
        None if another_survey && p.b_to.is_none() => from,
        None => b_to
            .checked_sub(jiff::Span::new().days(days))
            .unwrap_or(b_to),
    };
    let side = |survey: Option<Slug>, from: Date, to: Date| {
        let app = &app;
        let site = &site;
        let zone = &zone;
        let question = question.as_ref();
        async move {
            // One bucket for the whole period, however long.
            let whole = period(zone, from, to)?;
            let total = distributions(app, site, scale, survey.as_ref(), question, &[whole])
                .await?
                .pop()
                .unwrap_or_default();
            Ok::<_, AppError>((survey, from, to, total))
        }
    };
    let (a_survey, a_from, a_to, a) = side(survey, from, to).await?;
    let (b_survey, b_from, b_to, b) = side(b_survey, b_from, b_to).await?;
    let difference = difference(scale, &a, &b);
    let as_side = |survey, from: Date, to: Date, dist| Side {
        survey,
        from: from.to_string(),
        to: to.to_string(),
        figure: Figure::of(scale, dist),
    };
    Ok(Json(Comparison {
        site: site.key.clone(),
        scale: p.scale,
        a: as_side(a_survey, a_from, a_to, a),
        b: as_side(b_survey, b_from, b_to, b),
        difference,
    }))
}
