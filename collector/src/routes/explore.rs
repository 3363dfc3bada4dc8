//! Every answer, readable, for the people who act on them:
//!
//! - `GET /v1/admin/sites/{key}/responses`: newest first, each answer in
//!   readable form (choice labels in the response's language, "Other" text,
//!   free text), filtered and paged by cursor;
//! - `GET /v1/admin/sites/{key}/responses/{response}`: one response;
//! - `GET /v1/admin/sites/{key}/responses.csv`: the same filter as CSV, one
//!   row per response and one column per question, streamed.
//!
//! Filters: `survey`, `from` and `to` (dates in the site's time zone, both
//! included), `band` (`negative`, `neutral`, `positive`: any scored answer
//! in it), `locale`, `device`, `page` (a path, or a prefix ending in `*`),
//! `attr.NAME=VALUE` (an `identify` attribute), and `q` (words in the free
//! text or "Other" text). The database narrows by the first six; the rest
//! are checked on what it returns.

use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::{ApiQuery, ResponseParam, Segment, SiteReader};
use crate::store::{ListedResponse, ResponseQuery, Site, Stamp, StoreError, StoredResponse};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sori_protocol::{
    DeviceClass, ErrorCode, FieldError, Locale, QuestionKind, ResponseId, Scale, Slug,
    SurveyDefinition,
};
use std::collections::{BTreeMap, HashMap};

/// Responses per page unless `limit` says otherwise, and the most it may say.
const PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;
/// Rows read from the database per round while filling a page or a CSV.
const BATCH: u32 = 500;
/// Rows a page may read past without a match before it answers with what
/// it has and a cursor to go on from, so a rare match cannot hold a
/// request for the whole table.
const MAX_SCANNED: usize = 20_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/sites/{key}/responses", get(list))
        .route("/v1/admin/sites/{key}/responses.csv", get(csv))
        .route("/v1/admin/sites/{key}/responses/{response}", get(one))
}

#[derive(Deserialize)]
struct Params {
    survey: Option<String>,
    from: Option<String>,
    to: Option<String>,
    band: Option<Band>,
    locale: Option<String>,
    device: Option<String>,
    page: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
    /// `attr.NAME`; anything else is refused.
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

/// Where a score sits on its scale: CSAT 1–2, NPS 0–6, CES 1–3 and a
/// rating in its lowest 40% are negative; CSAT 4–5, NPS 9–10, CES 5–7 and
/// a rating in its top 20% positive; yes is positive, no negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Band {
    Negative,
    Neutral,
    Positive,
}

fn band_of(scale: Scale, value: i64) -> Band {
    let (negative_to, positive_from) = match scale {
        Scale::Csat => (2, 4),
        Scale::Nps => (6, 9),
        Scale::Ces => (3, 5),
        Scale::YesNo => (0, 1),
        Scale::Rating(points) => {
            let p = i64::from(points);
            (p * 2 / 5, (p * 4 + 4) / 5)
        }
    };
    if value <= negative_to {
        Band::Negative
    } else if value >= positive_from {
        Band::Positive
    } else {
        Band::Neutral
    }
}

/// A filter, checked: what the store narrows by and what is left for us.
struct Filter {
    query: ResponseQuery,
    band: Option<Band>,
    attributes: BTreeMap<String, String>,
    words: Vec<String>,
}

fn invalid(field: &str, message: String) -> AppError {
    FieldError::new(field, ErrorCode::Invalid, message).into()
}

/// The first instant of `date` (YYYY-MM-DD) in the site's time zone,
/// `days` days later.
fn day_start(
    site: &Site,
    field: &str,
    date: &str,
    days: i64,
) -> Result<time::OffsetDateTime, AppError> {
    let bad = || invalid(field, format!("'{date}' is not a date like 2026-11-24"));
    let date: jiff::civil::Date = date.parse().map_err(|_| bad())?;
    let zone = jiff::tz::TimeZone::get(&site.time_zone).map_err(|_| {
        invalid(
            "time_zone",
            format!("the site's time zone '{}' is unknown", site.time_zone),
        )
    })?;
    let start = date
        .checked_add(jiff::Span::new().days(days))
        .and_then(|d| d.to_zoned(zone))
        .map_err(|_| bad())?;
    time::OffsetDateTime::from_unix_timestamp(start.timestamp().as_second()).map_err(|_| bad())
}

impl Filter {
    fn of(site: &Site, p: Params, default_limit: u32) -> Result<Self, AppError> {
        let survey = p
            .survey
            .map(|s| {
                Slug::parse(&s).map_err(|why| invalid("survey", format!("survey '{s}' {why}")))
            })
            .transpose()?;
        let from = p
            .from
            .as_deref()
            .map(|d| day_start(site, "from", d, 0))
            .transpose()?;
        // `to` is a day included: the range ends where the next day starts.
        let to =
            p.to.as_deref()
                .map(|d| day_start(site, "to", d, 1))
                .transpose()?;
        let locale = p
            .locale
            .map(|l| {
                Locale::from_code(&l)
                    .ok_or_else(|| invalid("locale", format!("no locale '{l}'; use en or ko")))
            })
            .transpose()?;
        let device = p
            .device
            .map(|d| {
                DeviceClass::from_name(&d).ok_or_else(|| {
                    invalid(
                        "device",
                        format!("no device '{d}'; use desktop, tablet or mobile"),
                    )
                })
            })
            .transpose()?;
        let before = p
            .cursor
            .map(|c| {
                c.split_once('~')
                    .and_then(|(at, id)| Some((Stamp::parse(at).ok()?, id.to_owned())))
                    .ok_or_else(|| {
                        invalid(
                            "cursor",
                            "pass back the next_cursor of a page as it came".into(),
                        )
                    })
            })
            .transpose()?;
        let limit = match p.limit {
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=MAX_PAGE).contains(l))
                .ok_or_else(|| invalid("limit", format!("limit is 1 to {MAX_PAGE}")))?,
            None => default_limit,
        };
        let mut attributes = BTreeMap::new();
        for (key, value) in p.rest {
            match key.strip_prefix("attr.") {
                Some(name) if !name.is_empty() => {
                    attributes.insert(name.to_owned(), value);
                }
                _ => {
                    return Err(AppError::Malformed {
                        message: format!(
                            "unknown parameter '{key}'; filters are survey, from, to, band, locale, \
                             device, page, q and attr.NAME"
                        ),
                    });
                }
            }
        }
        let words: Vec<String> =
            p.q.unwrap_or_default()
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
        // The longest word narrows the database's first pass, when it can
        // be matched there as the collector matches it: lower-cased alike
        // (letters without case, or ASCII ones) and written the same way
        // in the stored JSON (no quote or backslash).
        let contains = words
            .iter()
            .filter(|w: &&String| {
                w.chars().all(|c| {
                    (c.is_ascii() || c.to_lowercase().eq(c.to_uppercase()))
                        && c != '"'
                        && c != '\\'
                        && !c.is_control()
                })
            })
            .max_by_key(|w| w.chars().count())
            .cloned();
        Ok(Self {
            query: ResponseQuery {
                site: site.key.clone(),
                survey,
                from,
                to,
                locale,
                device,
                page_path: p.page,
                before,
                contains,
                limit,
            },
            band: p.band,
            attributes,
            words,
        })
    }

    fn keeps(&self, response: &StoredResponse, readable: &[Readable]) -> bool {
        let attributes_match = self
            .attributes
            .iter()
            .all(|(k, v)| response.attributes.get(k) == Some(v));
        let band_matches = self
            .band
            .is_none_or(|band| readable.iter().any(|a| a.band == Some(band)));
        let words_match = self.words.is_empty() || {
            let written: String = readable
                .iter()
                .filter_map(|a| a.written.as_deref())
                .collect::<Vec<_>>()
                .join("\n")
                .to_lowercase();
            self.words.iter().all(|w| written.contains(w))
        };
        attributes_match && band_matches && words_match
    }
}

/// One answer as a person reads it.
#[derive(Clone, Debug, Serialize)]
struct Readable {
    question: String,
    prompt: String,
    kind: String,
    /// The value as stored: a score, true/false, a choice id, ids, text.
    value: Value,
    /// The value in words, in the response's language.
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    other: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    band: Option<Band>,
    /// What the respondent typed (free text and "Other"), for search.
    #[serde(skip)]
    written: Option<String>,
}

#[derive(Serialize)]
struct Shown {
    id: ResponseId,
    /// When it first arrived, in the site's time zone.
    received_at: String,
    survey: Slug,
    survey_version: u32,
    finished: bool,
    locale: Locale,
    device: DeviceClass,
    page_path: String,
    user_id: Option<String>,
    attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    faq_article: Option<Slug>,
    answers: Vec<Readable>,
}

#[derive(Serialize)]
struct Page {
    responses: Vec<Shown>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
}

/// The survey versions answers are read against, fetched once each.
struct Definitions<'a> {
    app: &'a AppState,
    site: Slug,
    known: HashMap<(Slug, u32), Option<SurveyDefinition>>,
}

impl<'a> Definitions<'a> {
    fn new(app: &'a AppState, site: &Slug) -> Self {
        Self {
            app,
            site: site.clone(),
            known: HashMap::new(),
        }
    }

    async fn get(
        &mut self,
        survey: &Slug,
        version: u32,
    ) -> Result<Option<&SurveyDefinition>, AppError> {
        let key = (survey.clone(), version);
        if !self.known.contains_key(&key) {
            let found = self
                .app
                .store
                .survey_version(&self.site, survey, version)
                .await?
                .map(|s| s.definition);
            self.known.insert(key.clone(), found);
        }
        Ok(self.known.get(&key).and_then(Option::as_ref))
    }
}

fn words_for(locale: Locale) -> (&'static str, &'static str, &'static str) {
    match locale {
        Locale::Ko => ("예", "아니요", "기타"),
        _ => ("Yes", "No", "Other"),
    }
}

/// Each answer of `response` in words, against the survey version it answered.
fn readable(response: &StoredResponse, def: Option<&SurveyDefinition>) -> Vec<Readable> {
    let locale = response.locale;
    let (yes, no, other_word) = words_for(locale);
    let answers = response.answers.as_array().cloned().unwrap_or_default();
    answers
        .iter()
        .map(|answer| {
            let id = answer["question"].as_str().unwrap_or("").to_owned();
            let value = answer["value"].clone();
            let other = answer["other"].as_str().map(str::to_owned);
            let question = def.and_then(|d| d.questions.iter().find(|q| q.id.as_str() == id));
            let label = |choice: &str| -> String {
                if choice == sori_protocol::question::OTHER {
                    return match &other {
                        Some(text) => format!("{other_word}: {text}"),
                        None => other_word.to_owned(),
                    };
                }
                question
                    .and_then(|q| q.kind.choices().iter().find(|c| c.id.as_str() == choice))
                    .map_or_else(|| choice.to_owned(), |c| c.label.get(locale).to_owned())
            };
            let (text, written) = match &value {
                Value::Bool(b) => ((if *b { yes } else { no }).to_owned(), None),
                Value::Number(n) => (n.to_string(), None),
                Value::String(s) => match question.map(|q| &q.kind) {
                    Some(QuestionKind::SingleChoice { .. }) => (label(s), None),
                    _ => (s.clone(), Some(s.clone())),
                },
                Value::Array(items) => (
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(label)
                        .collect::<Vec<_>>()
                        .join(", "),
                    other.clone(),
                ),
                _ => (value.to_string(), None),
            };
            let band = question.and_then(|q| {
                let scale = match q.kind {
                    QuestionKind::YesNo => Some(Scale::YesNo),
                    _ => q.kind.scale(),
                }?;
                let score = match &value {
                    Value::Bool(b) => i64::from(*b),
                    v => v.as_i64()?,
                };
                Some(band_of(scale, score))
            });
            Readable {
                question: id,
                prompt: question
                    .map(|q| q.prompt.get(locale).to_owned())
                    .unwrap_or_default(),
                kind: question
                    .map(|q| kind_name(&q.kind))
                    .unwrap_or_default()
                    .to_owned(),
                value,
                text,
                other,
                band,
                written,
            }
        })
        .collect()
}

fn kind_name(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Csat => "csat",
        QuestionKind::Nps => "nps",
        QuestionKind::Ces => "ces",
        QuestionKind::Rating { .. } => "rating",
        QuestionKind::YesNo => "yes_no",
        QuestionKind::SingleChoice { .. } => "single_choice",
        QuestionKind::MultiChoice { .. } => "multi_choice",
        QuestionKind::Text { .. } => "text",
    }
}

/// An RFC 3339 UTC time as the site's local time.
fn local_time(site: &Site, utc: &str) -> String {
    let local = utc
        .parse::<jiff::Timestamp>()
        .ok()
        .zip(jiff::tz::TimeZone::get(&site.time_zone).ok())
        .map(|(t, zone)| {
            t.to_zoned(zone)
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        });
    local.unwrap_or_else(|| utc.to_owned())
}

fn shown(site: &Site, listed: ListedResponse, answers: Vec<Readable>) -> Shown {
    let r = listed.response;
    Shown {
        id: listed.id,
        received_at: local_time(site, &r.received_at),
        survey: r.survey,
        survey_version: r.survey_version,
        finished: r.finished,
        locale: r.locale,
        device: r.device,
        page_path: r.page_path,
        user_id: r.user_id,
        attributes: r.attributes,
        faq_article: r.faq_article,
        answers,
    }
}

/// Reads from the store in batches, keeping what the filter keeps, until
/// `want` are found, the rows run out, or [`MAX_SCANNED`] were read. The
/// cursor is where to go on from, when there may be more.
async fn fill(
    app: &AppState,
    filter: &mut Filter,
    want: usize,
    definitions: &mut Definitions<'_>,
) -> Result<(Vec<(ListedResponse, Vec<Readable>)>, Option<String>), AppError> {
    let mut kept = Vec::new();
    let mut scanned = 0;
    loop {
        filter.query.limit = BATCH.min(
            u32::try_from(want.saturating_sub(kept.len()))
                .unwrap_or(BATCH)
                .max(1),
        );
        // Filters applied here thin the batch: read more than is missing.
        if filter.band.is_some() || !filter.attributes.is_empty() || !filter.words.is_empty() {
            filter.query.limit = BATCH;
        }
        let batch = app.store.responses_page(&filter.query).await?;
        let full = batch.len() == filter.query.limit as usize;
        for listed in batch {
            scanned += 1;
            let at = Stamp::parse(&listed.response.received_at)
                .map_err(|e| StoreError::Corrupt(format!("received_at: {e}")))?;
            filter.query.before = Some((at, listed.id.to_string()));
            let def = definitions
                .get(&listed.response.survey, listed.response.survey_version)
                .await?;
            let answers = readable(&listed.response, def);
            if filter.keeps(&listed.response, &answers) {
                kept.push((listed, answers));
                if kept.len() == want {
                    return Ok((kept, cursor_of(&filter.query)));
                }
            }
        }
        if !full {
            return Ok((kept, None));
        }
        if scanned >= MAX_SCANNED {
            return Ok((kept, cursor_of(&filter.query)));
        }
    }
}

fn cursor_of(query: &ResponseQuery) -> Option<String> {
    query.before.as_ref().map(|(at, id)| format!("{at}~{id}"))
}

async fn list(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Json<Page>, AppError> {
    let mut filter = Filter::of(&site, params, PAGE)?;
    let want = filter.query.limit as usize;
    let mut definitions = Definitions::new(&app, &site.key);
    let (kept, next_cursor) = fill(&app, &mut filter, want, &mut definitions).await?;
    Ok(Json(Page {
        responses: kept
            .into_iter()
            .map(|(listed, answers)| shown(&site, listed, answers))
            .collect(),
        next_cursor,
    }))
}

async fn one(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    Segment(raw): ResponseParam,
) -> Result<Json<Shown>, AppError> {
    let unknown = || {
        AppError::not_found(
            ErrorCode::NotFound,
            format!("site '{}' has no response '{raw}'", site.key),
        )
    };
    let id = ResponseId::parse(&raw).map_err(|_| unknown())?;
    let response = app
        .store
        .response(id)
        .await?
        .filter(|r| r.site == site.key)
        .ok_or_else(unknown)?;
    let mut definitions = Definitions::new(&app, &site.key);
    let def = definitions
        .get(&response.survey, response.survey_version)
        .await?;
    let answers = readable(&response, def);
    Ok(Json(shown(&site, ListedResponse { id, response }, answers)))
}

/// The CSV's columns: fixed ones, then every question of every version of
/// the surveys in the filter, by survey then first appearance.
async fn columns(
    app: &AppState,
    site: &Site,
    survey: Option<&Slug>,
) -> Result<Vec<(Slug, String)>, AppError> {
    let mut columns: Vec<(Slug, String)> = Vec::new();
    for stored in app.store.surveys(&site.key).await? {
        let id = stored.definition.id.clone();
        if survey.is_some_and(|s| s != &id) {
            continue;
        }
        for version in 1..=stored.definition.version {
            if let Some(v) = app.store.survey_version(&site.key, &id, version).await? {
                for q in &v.definition.questions {
                    let column = (id.clone(), q.id.to_string());
                    if !columns.contains(&column) {
                        columns.push(column);
                    }
                }
            }
        }
    }
    Ok(columns)
}

const FIXED: [&str; 9] = [
    "id",
    "received_at",
    "survey",
    "survey_version",
    "finished",
    "locale",
    "device",
    "page_path",
    "user_id",
];

/// A cell a spreadsheet will not run: text that starts like a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a `'` in front, so
/// a respondent's "=HYPERLINK(…)" is shown, not evaluated, when a CX
/// manager opens the export.
fn cell(text: String) -> String {
    // Spreadsheets skip leading spaces and read full-width signs as formula
    // starters too.
    let first = text.trim_start_matches(' ');
    if first.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']) {
        format!("'{text}")
    } else {
        text
    }
}

fn csv_line(fields: &[String]) -> Bytes {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = writer.write_record(fields);
    Bytes::from(writer.into_inner().unwrap_or_default())
}

async fn csv(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, AppError> {
    let mut filter = Filter::of(&site, params, BATCH)?;
    filter.query.before = None;
    let columns = columns(&app, &site, filter.query.survey.as_ref()).await?;
    let one_survey = filter.query.survey.is_some();
    let mut header: Vec<String> = FIXED.iter().map(|s| (*s).to_owned()).collect();
    // Question ids are slugs: nothing there a spreadsheet would run.
    header.extend(columns.iter().map(|(survey, q)| {
        if one_survey {
            q.clone()
        } else {
            format!("{survey}/{q}")
        }
    }));
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let mut first = b"\xEF\xBB\xBF".to_vec(); // UTF-8 BOM: spreadsheets then read Korean right
    first.extend_from_slice(&csv_line(&header));
    let task_app = app.clone();
    let task_site = site.clone();
    tokio::spawn(async move {
        if tx.send(Ok(Bytes::from(first))).await.is_err() {
            return;
        }
        let mut definitions = Definitions::new(&task_app, &task_site.key);
        loop {
            let batch = match fill(&task_app, &mut filter, BATCH as usize, &mut definitions).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::error!(error = %e, "CSV export stopped");
                    let _ = tx
                        .send(Err(std::io::Error::other("the export failed")))
                        .await;
                    return;
                }
            };
            let (rows, more) = batch;
            let mut chunk = Vec::new();
            for (listed, answers) in rows {
                let r = &listed.response;
                let mut fields = vec![
                    listed.id.to_string(),
                    local_time(&task_site, &r.received_at),
                    r.survey.to_string(),
                    r.survey_version.to_string(),
                    r.finished.to_string(),
                    r.locale.code().to_owned(),
                    r.device.name().to_owned(),
                    cell(r.page_path.clone()),
                    cell(r.user_id.clone().unwrap_or_default()),
                ];
                fields.extend(columns.iter().map(|(survey, q)| {
                    if survey != &r.survey {
                        return String::new();
                    }
                    answers
                        .iter()
                        .find(|a| &a.question == q)
                        .map(|a| cell(a.text.clone()))
                        .unwrap_or_default()
                }));
                chunk.extend_from_slice(&csv_line(&fields));
            }
            if !chunk.is_empty() && tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                return; // the client went away
            }
            if more.is_none() {
                return;
            }
        }
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let name = format!("attachment; filename=\"{}-responses.csv\"", site.key);
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cell_that_looks_like_a_formula_is_kept_as_text() {
        for (given, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1 555", "'+1 555"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("  =1+1", "'  =1+1"),
            ("＝1+1", "'＝1+1"),
            ("Fine, thanks", "Fine, thanks"),
            ("보고서가 빨라요", "보고서가 빨라요"),
        ] {
            assert_eq!(super::cell(given.to_owned()), written);
        }
    }
}
