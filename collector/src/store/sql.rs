//! The store's queries, written once for SQLite and PostgreSQL: `$n`
//! placeholders (SQLite reads `$NNN` as argument NNN too), `CAST` rather
//! than `::`, integers for flags, text for JSON, a [`Stamp`] for times
//! (`timestamptz` on PostgreSQL, RFC 3339 text on SQLite). [`SqlStore`] runs
//! them on either through sqlx's generic traits; each backend's file opens
//! its pool and says, as a [`Backend`], how a rollup check and a repair
//! begin there.
//!
//! The where clauses below ask of a database just what these queries use:
//! executing on a connection, binding and reading `i64` and text, and
//! reading columns by position and by name. The helpers' impl block and the
//! `Store` impl carry the same list: a trait's where clauses are not implied
//! where it is used, so gathering them in one trait would not spare
//! writing them.

use super::check::{self, RollupCheck, RollupKey};
use super::rows::{
    ARTICLE_COLUMNS, article_of, corrupt, count_of, is_transient, locale_of, parse_definition,
    slug_of,
};
use super::stamp::Stamp;
use super::{
    ArticleCounts, Dimension, FaqCounts, Grain, Inserted, ListedResponse, MISSING_REASONS,
    MissingReason, NewResponse, PeriodCount, PeriodSpan, QueryCount, ResponseField, ResponseQuery,
    RolledScore, RollupQuery, ScanGroup, ScanQuery, ScoreCount, ScoreFilter, SegmentCount, Site,
    Store, StoreError, StoredResponse, StoredSurvey, SurveyStatus, Vote, VoteOutcome, answers_json,
    scores_of,
};
use crate::faq::Article;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use jiff::tz::TimeZone;
use sori_protocol::{DeviceClass, Locale, ResponseId, Scale, SiteFatigue, Slug, SurveyDefinition};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};
use std::collections::HashSet;

/// The store on one SQL database; [`SqliteStore`](super::SqliteStore) and
/// [`PgStore`](super::PgStore) name the two it runs on.
pub struct SqlStore<DB: Database> {
    pub(super) pool: Pool<DB>,
}

/// What a backend does its own way, beyond opening its pool: the
/// transactions of [`Store::check_rollup`], and one function's name.
pub trait Backend: Database {
    /// True when the lower-cased answers hold the text bound at `?`. Not
    /// `LIKE '%…%'`: PostgreSQL guesses that matches almost nothing and
    /// reads the whole table to sort it, where this lets it walk the
    /// (site, time) index newest first and stop at the page's end.
    const ANSWERS_CONTAIN: &'static str;
    /// Begins a check, which must read both tables in one snapshot.
    const BEGIN_CHECK: &'static str;
    /// Begins a repair, which must also keep writers out until it commits.
    const BEGIN_REPAIR: &'static str;
    /// Run first in a repair, when its `BEGIN` alone does not keep writers out.
    const HOLD_WRITES: Option<&'static str>;
    /// Whether a long statement's values are marked `$1, $2, …` rather
    /// than `?, ?, …`. SQLite takes both, but sqlx asks SQLite the name of
    /// every numbered marker, a lookup that walks all of them: at 340
    /// values per insert that cost more than the insert.
    const NUMBERED_MARKERS: bool;

    /// Inserts the rows whose id is not stored yet and answers their ids:
    /// multi-row `VALUES` on SQLite, one `UNNEST` of arrays on PostgreSQL.
    fn insert_first_saves<'a>(
        conn: &'a mut Self::Connection,
        rows: &'a [FirstSave<'a>],
    ) -> impl Future<Output = Result<Vec<String>, sqlx::Error>> + Send + 'a;
}

/// A response's first save as the columns of its row.
pub struct FirstSave<'a> {
    pub id: String,
    pub site: &'a str,
    pub survey: &'a str,
    pub survey_version: i64,
    pub finished: i64,
    pub seq: i64,
    pub locale: &'a str,
    pub page_path: &'a str,
    pub device: &'a str,
    pub respondent: Option<String>,
    pub user_id: Option<&'a str>,
    pub attributes: String,
    pub answers: String,
    pub scores: String,
    pub received_at: Stamp,
    pub faq_article: Option<&'a str>,
    pub faq_query: Option<&'a str>,
}

/// The columns a first save fills, in [`FirstSave`]'s order.
pub const RESPONSE_COLUMNS: &str = "id, site_key, survey_id, survey_version, finished, seq, \
     locale, page_path, device, respondent, user_id, attributes, answers, scores, \
     received_at, faq_article, faq_query";

/// How many rows a statement changed. Each backend's query result has its
/// own inherent `rows_affected`, and sqlx has no trait for it.
pub trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

type Tx<'a, DB> = sqlx::Transaction<'a, DB>;

/// Responses per multi-row insert (17 values each). With numbered markers
/// longer statements were slower on SQLite (see `NUMBERED_MARKERS`):
/// seeding 20,000 demo responses took 7.5 s with 1,000 rows per insert and
/// 1.1 s with 20. With plain markers 100 rows gained nothing over 20
/// (seeding 200,000: 19,700 and 21,300 responses/s); PostgreSQL took 1.3 s
/// for the 20,000 with 20 rows or 1,000.
pub(super) const ROWS_PER_INSERT: usize = 20;

/// Rollup cells per multi-row upsert (10 values each), measured as above.
const CELLS_PER_UPSERT: usize = 40;

/// A rollup row: site, grain, period, survey, question, scale, locale,
/// device, value, count.
type StoredCell = (
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
);

/// What a scan reads of a response: survey, locale, device, page path,
/// attributes, scores, first save.
type ScannedRow = (String, String, String, String, String, String, Stamp);

/// What a save needs of the stored row of its response: site, survey,
/// version, finished, seq, scores, first arrival, locale, device.
type StoredRow = (String, String, i64, i64, i64, String, Stamp, String, String);

impl<DB> SqlStore<DB>
where
    DB: Backend,
    DB::QueryResult: RowsAffected,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Stamp: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<Stamp>: Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
    &'static str: ColumnIndex<DB::Row>,
{
    /// Work a migration left for the store to do once it opens (the
    /// `store_tasks` table): today, filling a rollup made anew from the
    /// responses. Done before anything is served; a collector that starts
    /// alongside finds the work done or does it again, harmlessly.
    pub(super) async fn finish_tasks(&self) -> Result<(), StoreError> {
        let pending: Vec<String> = sqlx::query_scalar("SELECT name FROM store_tasks ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        for task in pending {
            match task.as_str() {
                "rebuild_rollup" => {
                    let report = self.check_rollup(true).await?;
                    tracing::info!(
                        responses = report.responses,
                        cells = report.cells,
                        "filled the score rollup from the responses"
                    );
                }
                other => tracing::warn!(task = other, "a store task this build does not know"),
            }
            sqlx::query("DELETE FROM store_tasks WHERE name = $1")
                .bind(&task)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A stored response from a row holding the columns of the `responses` table.
    fn response_of(row: &DB::Row) -> Result<StoredResponse, StoreError> {
        let device: String = row.get("device");
        let respondent: Option<String> = row.get("respondent");
        let attributes: String = row.get("attributes");
        let answers: String = row.get("answers");
        let faq_article: Option<String> = row.get("faq_article");
        Ok(StoredResponse {
            site: slug_of(row.get("site_key"))?,
            survey: slug_of(row.get("survey_id"))?,
            survey_version: u32::try_from(row.get::<i64, _>("survey_version")).map_err(corrupt)?,
            finished: row.get::<i64, _>("finished") != 0,
            seq: u32::try_from(row.get::<i64, _>("seq")).map_err(corrupt)?,
            locale: locale_of(row.get("locale"))?,
            page_path: row.get("page_path"),
            device: DeviceClass::from_name(&device)
                .ok_or_else(|| corrupt(format!("device '{device}'")))?,
            respondent: respondent
                .map(|r| uuid::Uuid::try_parse(&r).map_err(corrupt))
                .transpose()?,
            user_id: row.get("user_id"),
            attributes: serde_json::from_str(&attributes).map_err(corrupt)?,
            answers: serde_json::from_str(&answers).map_err(corrupt)?,
            faq_article: faq_article.as_deref().map(slug_of).transpose()?,
            faq_query: row.get("faq_query"),
            received_at: row.get::<Stamp, _>("received_at").to_string(),
        })
    }

    /// Inserts a response, or replaces an unfinished one with a newer save,
    /// moving its scores in the rollup. Another collector may write the
    /// same id between our read and our write: the insert and the update
    /// are guarded, and a guarded write that finds the row changed reads
    /// it again and decides anew.
    async fn upsert_response(
        tx: &mut Tx<'_, DB>,
        deltas: &mut check::Cells,
        new: &NewResponse,
        zone: &TimeZone,
    ) -> Result<Inserted, StoreError> {
        for _ in 0..8 {
            if let Some(outcome) = Self::try_upsert(tx, deltas, new, zone).await? {
                return Ok(outcome);
            }
        }
        Err(StoreError::Contended(new.response.id.to_string()))
    }

    /// One attempt of [`Self::upsert_response`]; `None` when a concurrent write
    /// got in between and the attempt changed nothing.
    async fn try_upsert(
        tx: &mut Tx<'_, DB>,
        deltas: &mut check::Cells,
        new: &NewResponse,
        zone: &TimeZone,
    ) -> Result<Option<Inserted>, StoreError> {
        let r = &new.response;
        let id = r.id.to_string();
        let stored: Option<StoredRow> = sqlx::query_as(
            "SELECT site_key, survey_id, survey_version, finished, seq, scores, received_at,
                     locale, device
                 FROM responses WHERE id = $1",
        )
        .bind(&id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((
            site,
            survey,
            version,
            finished,
            seq,
            old_scores,
            received_at,
            old_locale,
            device,
        )) = stored
        else {
            return Self::insert_response(tx, deltas, new, zone).await;
        };
        if site != new.site.as_str()
            || survey != r.survey.as_str()
            || version != i64::from(r.survey_version)
        {
            return Ok(Some(Inserted::Conflict));
        }
        if finished != 0 || i64::from(r.seq) <= seq {
            return Ok(Some(Inserted::Duplicate));
        }
        let scores = scores_of(r);
        let updated = sqlx::query(
            "UPDATE responses SET finished = $1, seq = $2, locale = $3, page_path = $4, user_id = $5,
                 attributes = $6, answers = $7, scores = $8, updated_at = $9
             WHERE id = $10 AND finished = 0 AND seq = $11",
        )
        .bind(i64::from(r.finished))
        .bind(i64::from(r.seq))
        .bind(r.locale.code())
        .bind(&r.page_path)
        .bind(r.user_id.as_deref())
        .bind(serde_json::to_string(&r.attributes).map_err(corrupt)?)
        .bind(answers_json(r))
        .bind(serde_json::to_string(&scores).map_err(corrupt)?)
        .bind(Stamp(new.received_at))
        .bind(&id)
        .bind(seq)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        let first = received_at.0;
        let old: Vec<RolledScore> = serde_json::from_str(&old_scores).map_err(corrupt)?;
        // The row keeps its first device; a later save may change its language.
        let cells = |locale| check::RowCells {
            site: new.site.as_str(),
            zone,
            survey: r.survey.as_str(),
            locale,
            device: &device,
        };
        deltas.add_scores(&cells(&old_locale), &old, first, -1);
        deltas.add_scores(&cells(r.locale.code()), &scores, first, 1);
        Ok(Some(Inserted::Updated))
    }

    /// Inserts a response not stored yet; `None` when another collector
    /// stored the same id first.
    async fn insert_response(
        tx: &mut Tx<'_, DB>,
        deltas: &mut check::Cells,
        new: &NewResponse,
        zone: &TimeZone,
    ) -> Result<Option<Inserted>, StoreError> {
        let inserted = Self::insert_responses_at_once(tx, deltas, &[(new, zone)]).await?;
        Ok((!inserted.is_empty()).then_some(Inserted::New))
    }

    /// Inserts responses not stored yet, in the order given, with as few
    /// statements as the backend likes ([`Backend::insert_first_saves`]),
    /// and counts their scores; answers the ids it stored. One another
    /// collector stored first is left alone and not in the answer.
    async fn insert_responses_at_once(
        tx: &mut Tx<'_, DB>,
        deltas: &mut check::Cells,
        rows: &[(&NewResponse, &TimeZone)],
    ) -> Result<HashSet<ResponseId>, StoreError> {
        let mut scores = Vec::with_capacity(rows.len());
        let mut saves = Vec::with_capacity(rows.len());
        for (new, _) in rows {
            let r = &new.response;
            let of_row = scores_of(r);
            saves.push(FirstSave {
                id: r.id.to_string(),
                site: new.site.as_str(),
                survey: r.survey.as_str(),
                survey_version: i64::from(r.survey_version),
                finished: i64::from(r.finished),
                seq: i64::from(r.seq),
                locale: r.locale.code(),
                page_path: r.page_path.as_str(),
                device: r.device.name(),
                respondent: r.respondent.map(|u| u.to_string()),
                user_id: r.user_id.as_deref(),
                attributes: serde_json::to_string(&r.attributes).map_err(corrupt)?,
                answers: answers_json(r),
                scores: serde_json::to_string(&of_row).map_err(corrupt)?,
                received_at: Stamp(new.received_at),
                faq_article: r.faq_article.as_ref().map(Slug::as_str),
                faq_query: r.faq_query.as_deref(),
            });
            scores.push(of_row);
        }
        let ids = DB::insert_first_saves(&mut **tx, &saves).await?;
        let ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut stored = HashSet::new();
        for (((new, zone), save), of_row) in rows.iter().zip(&saves).zip(&scores) {
            if !ids.contains(save.id.as_str()) {
                continue;
            }
            let r = &new.response;
            let cells = check::RowCells {
                site: new.site.as_str(),
                zone,
                survey: r.survey.as_str(),
                locale: r.locale.code(),
                device: r.device.name(),
            };
            deltas.add_scores(&cells, of_row, new.received_at, 1);
            stored.insert(r.id);
        }
        Ok(stored)
    }

    /// Writes a batch's summed rollup changes, [`CELLS_PER_UPSERT`] cells
    /// per statement, in key order, so two collectors' transactions lock
    /// cells in the same order and cannot deadlock on them.
    async fn apply_rollup(tx: &mut Tx<'_, DB>, deltas: &check::Cells) -> Result<(), StoreError> {
        let cells: Vec<_> = deltas.nonzero().collect();
        for chunk in cells.chunks(CELLS_PER_UPSERT) {
            let sql = format!(
                "INSERT INTO score_rollup (site_key, grain, period, survey_id, question, scale,
                     locale, device, value, count)
                 VALUES {}
                 ON CONFLICT (site_key, grain, period, survey_id, question, locale, device, value)
                 DO UPDATE SET count = score_rollup.count + excluded.count",
                placeholders::<DB>(chunk.len(), 10)
            );
            let mut upsert = sqlx::query(&sql);
            for (key, scale, delta) in chunk {
                upsert = upsert
                    .bind(key.site.as_str())
                    .bind(key.grain.name())
                    .bind(key.period)
                    .bind(key.survey.as_str())
                    .bind(key.question.as_str())
                    .bind(*scale)
                    .bind(key.locale.as_str())
                    .bind(key.device.as_str())
                    .bind(key.value)
                    .bind(*delta);
            }
            upsert.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The rollup cells the response rows add up to, of one site or of all,
    /// with how many rows were read.
    async fn cells_from_rows(
        tx: &mut Tx<'_, DB>,
        site: Option<&str>,
    ) -> Result<(check::Cells, u64), StoreError> {
        let mut zones = check::Zones::default();
        let sites: Vec<(String, String)> = sqlx::query_as("SELECT key, time_zone FROM sites")
            .fetch_all(&mut **tx)
            .await?;
        for (key, zone) in sites {
            zones.insert(key, &zone);
        }
        let mut cells = check::Cells::default();
        let mut responses = 0u64;
        let mut rows = sqlx::query_as::<_, (String, String, String, String, String, Stamp)>(
            "SELECT site_key, survey_id, locale, device, scores, received_at FROM responses
             WHERE CAST($1 AS TEXT) IS NULL OR site_key = $1",
        )
        .bind(site)
        .fetch(&mut **tx);
        while let Some((site, survey, locale, device, scores, received_at)) =
            rows.try_next().await?
        {
            let row = check::RowCells {
                site: &site,
                zone: &zones.of(&site),
                survey: &survey,
                locale: &locale,
                device: &device,
            };
            cells.add_response(&row, &scores, received_at.0)?;
            responses += 1;
        }
        Ok((cells, responses))
    }

    /// Rewrites one site's rollup from its responses, as after its time
    /// zone changed: its days and months are not where they were.
    async fn rebuild_site_rollup(tx: &mut Tx<'_, DB>, site: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM score_rollup WHERE site_key = $1")
            .bind(site)
            .execute(&mut **tx)
            .await?;
        let (cells, _) = Self::cells_from_rows(tx, Some(site)).await?;
        Self::apply_rollup(tx, &cells).await
    }

    /// One transaction for the batch: responses in id order (again so
    /// concurrent collectors lock rows in one order), then the rollup.
    async fn write_batch(&self, batch: &[NewResponse]) -> Result<Vec<Inserted>, StoreError> {
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_unstable_by_key(|&i| batch[i].response.id);
        let mut outcomes = vec![Inserted::Duplicate; batch.len()];
        let mut deltas = check::Cells::default();
        let mut tx = self.pool.begin().await?;
        // Read in the transaction, so a zone change (which rebuilds the
        // site's rollup) and this batch see the same zone.
        let mut zones = check::Zones::default();
        for new in batch {
            let site = new.site.as_str();
            if !zones.contains(site) {
                let zone: Option<String> =
                    sqlx::query_scalar("SELECT time_zone FROM sites WHERE key = $1")
                        .bind(site)
                        .fetch_optional(&mut *tx)
                        .await?;
                zones.insert(site.to_owned(), zone.as_deref().unwrap_or("UTC"));
            }
        }
        // The first save of each id goes in with multi-row inserts. What
        // they leave (an id already stored, a later save of the same id in
        // this batch) is then written one by one, in id order again.
        let zone_of: Vec<TimeZone> = batch.iter().map(|n| zones.of(n.site.as_str())).collect();
        let mut firsts = HashSet::new();
        let first_saves: Vec<(&NewResponse, &TimeZone)> = order
            .iter()
            .filter(|&&i| firsts.insert(batch[i].response.id))
            .map(|&i| (&batch[i], &zone_of[i]))
            .collect();
        let mut inserted =
            Self::insert_responses_at_once(&mut tx, &mut deltas, &first_saves).await?;
        for i in order {
            let id = batch[i].response.id;
            outcomes[i] = if inserted.remove(&id) {
                Inserted::New
            } else {
                Self::upsert_response(&mut tx, &mut deltas, &batch[i], &zone_of[i]).await?
            };
        }
        Self::apply_rollup(&mut tx, &deltas).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn bump_faq_version(tx: &mut Tx<'_, DB>, site: &Slug) -> Result<(), StoreError> {
        sqlx::query("UPDATE sites SET faq_version = faq_version + 1 WHERE key = $1")
            .bind(site.as_str())
            .execute(&mut **tx)
            .await?;
        Self::bump_catalog(tx).await
    }

    /// Moves the number collectors poll to drop what they keep of sites,
    /// surveys and configs; in the transaction of the change.
    async fn bump_catalog(tx: &mut Tx<'_, DB>) -> Result<(), StoreError> {
        sqlx::query("UPDATE catalog_version SET n = n + 1 WHERE id = 1")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

/// A survey as read from its `status`, `archived_at` and definition columns.
fn stored_survey(
    status: &str,
    archived_at: &Option<Stamp>,
    json: &str,
) -> Result<StoredSurvey, StoreError> {
    Ok(StoredSurvey {
        status: SurveyStatus::from_columns(status, archived_at.is_some())
            .ok_or_else(|| corrupt(format!("status '{status}'")))?,
        definition: parse_definition(json)?,
    })
}

/// A page filter as the queries bind it: a path to match exactly, or a
/// `LIKE` pattern for a prefix (a path ending in `*`).
fn page_filter(page: Option<&str>) -> (Option<&str>, Option<String>) {
    match page {
        Some(p) => match p.strip_suffix('*') {
            Some(prefix) => (None, Some(format!("{}%", like_escaped(prefix)))),
            None => (Some(p), None),
        },
        None => (None, None),
    }
}

/// A value bound to a statement built from the filters given.
enum Arg {
    Text(String),
    Time(Stamp),
}

/// The placeholders of a multi-row `VALUES`: `rows` groups of `columns`,
/// numbered on (`($1, $2), ($3, $4)`) or plain (`(?, ?), (?, ?)`) as the
/// backend prefers.
pub(super) fn placeholders<DB: Backend>(rows: usize, columns: usize) -> String {
    let group = |row: usize| {
        let markers: Vec<String> = (1..=columns)
            .map(|c| {
                if DB::NUMBERED_MARKERS {
                    format!("${}", row * columns + c)
                } else {
                    "?".to_owned()
                }
            })
            .collect();
        format!("({})", markers.join(", "))
    };
    (0..rows).map(group).collect::<Vec<_>>().join(", ")
}

/// `text` for a `LIKE … ESCAPE '\\'` pattern: its `%` and `_` are themselves.
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The rollup cells of one span of a [`RollupQuery`]: `$1`–`$9`, bound by
/// [`bind_rollup_filter`].
const ROLLUP_FILTER: &str = "site_key = $1 AND scale = $2
               AND (CAST($3 AS TEXT) IS NULL OR survey_id = $3)
               AND (CAST($4 AS TEXT) IS NULL OR question = $4)
               AND (CAST($5 AS TEXT) IS NULL OR locale = $5)
               AND (CAST($6 AS TEXT) IS NULL OR device = $6)
               AND grain = $7 AND period >= $8 AND period < $9";

fn bind_rollup_filter<'q, DB, O>(
    query: sqlx::query::QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>,
    q: &'q ScoreFilter,
    span: PeriodSpan,
) -> sqlx::query::QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB>,
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
{
    query
        .bind(q.site.as_str())
        .bind(q.scale.name())
        .bind(q.survey.as_ref().map(Slug::as_str))
        .bind(q.question.as_ref().map(Slug::as_str))
        .bind(q.locale.map(Locale::code))
        .bind(q.device.map(DeviceClass::name))
        .bind(span.grain.name())
        .bind(span.from)
        .bind(span.until)
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Backend,
    DB::QueryResult: RowsAffected,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Stamp: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<Stamp>: Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
    &'static str: ColumnIndex<DB::Row>,
{
    async fn site(&self, key: &Slug) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT name, allowed_origins, default_locale, time_zone, cooldown_hours, session_cap
             FROM sites WHERE key = $1",
        )
        .bind(key.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let origins: String = row.get("allowed_origins");
        let locale: String = row.get("default_locale");
        Ok(Some(Site {
            key: key.clone(),
            name: row.get("name"),
            allowed_origins: serde_json::from_str(&origins).map_err(corrupt)?,
            default_locale: Locale::from_tag(&locale)
                .ok_or_else(|| corrupt(format!("locale '{locale}'")))?,
            time_zone: row.get("time_zone"),
            fatigue: SiteFatigue {
                cooldown_hours: u32::try_from(row.get::<i64, _>("cooldown_hours"))
                    .map_err(corrupt)?,
                session_cap: u32::try_from(row.get::<i64, _>("session_cap")).map_err(corrupt)?,
            },
        }))
    }

    async fn site_keys(&self) -> Result<Vec<Slug>, StoreError> {
        let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM sites ORDER BY key")
            .fetch_all(&self.pool)
            .await?;
        keys.iter()
            .map(|k| Slug::parse(k).map_err(|why| corrupt(format!("site key '{k}': {why}"))))
            .collect()
    }

    async fn site_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn put_site(&self, site: &Site) -> Result<(), StoreError> {
        let origins = serde_json::to_string(&site.allowed_origins).map_err(corrupt)?;
        let mut tx = self.pool.begin().await?;
        let zone_before: Option<String> =
            sqlx::query_scalar("SELECT time_zone FROM sites WHERE key = $1")
                .bind(site.key.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO sites (key, name, allowed_origins, default_locale, time_zone, created_at,
                 cooldown_hours, session_cap)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name,
                 allowed_origins = excluded.allowed_origins,
                 default_locale = excluded.default_locale, time_zone = excluded.time_zone,
                 cooldown_hours = excluded.cooldown_hours, session_cap = excluded.session_cap",
        )
        .bind(site.key.as_str())
        .bind(&site.name)
        .bind(origins)
        .bind(site.default_locale.code())
        .bind(&site.time_zone)
        .bind(Stamp::now())
        .bind(i64::from(site.fatigue.cooldown_hours))
        .bind(i64::from(site.fatigue.session_cap))
        .execute(&mut *tx)
        .await?;
        if zone_before.is_some_and(|z| z != site.time_zone) {
            Self::rebuild_site_rollup(&mut tx, site.key.as_str()).await?;
        }
        Self::bump_catalog(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn put_survey(
        &self,
        site: &Slug,
        def: &SurveyDefinition,
        status: SurveyStatus,
    ) -> Result<SurveyDefinition, StoreError> {
        let mut tx = self.pool.begin().await?;
        let current: Option<(i64, String)> = sqlx::query_as(
            "SELECT v.version, v.definition FROM surveys s
             JOIN survey_versions v ON v.site_key = s.site_key AND v.survey_id = s.id
                 AND v.version = s.current_version
             WHERE s.site_key = $1 AND s.id = $2",
        )
        .bind(site.as_str())
        .bind(def.id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let now = Stamp::now();
        let mut stored = def.clone();
        let unchanged = match &current {
            Some((version, json)) => {
                stored.version = u32::try_from(*version).map_err(corrupt)?;
                parse_definition(json)? == stored
            }
            None => false,
        };
        let (status, archived) = status.to_columns();
        let archived_at = archived.then_some(now);
        if !unchanged {
            stored.version = current.as_ref().map_or(1, |(v, _)| *v as u32 + 1);
            sqlx::query(
                "INSERT INTO surveys (site_key, id, status, current_version, updated_at, archived_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (site_key, id) DO UPDATE SET status = excluded.status,
                     current_version = excluded.current_version, updated_at = excluded.updated_at,
                     archived_at = excluded.archived_at",
            )
            .bind(site.as_str())
            .bind(def.id.as_str())
            .bind(status)
            .bind(i64::from(stored.version))
            .bind(now)
            .bind(archived_at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO survey_versions (site_key, survey_id, version, definition, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(site.as_str())
            .bind(def.id.as_str())
            .bind(i64::from(stored.version))
            .bind(serde_json::to_string(&stored).map_err(corrupt)?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE surveys SET status = $1, updated_at = $2, archived_at = $3
                 WHERE site_key = $4 AND id = $5",
            )
            .bind(status)
            .bind(now)
            .bind(archived_at)
            .bind(site.as_str())
            .bind(def.id.as_str())
            .execute(&mut *tx)
            .await?;
        }
        Self::bump_catalog(&mut tx).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn surveys(&self, site: &Slug) -> Result<Vec<StoredSurvey>, StoreError> {
        let rows: Vec<(String, Option<Stamp>, String)> = sqlx::query_as(
            "SELECT s.status, s.archived_at, v.definition FROM surveys s
             JOIN survey_versions v ON v.site_key = s.site_key AND v.survey_id = s.id
                 AND v.version = s.current_version
             WHERE s.site_key = $1 ORDER BY s.id",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|(status, archived_at, json)| stored_survey(status, archived_at, json))
            .collect()
    }

    async fn set_survey_status(
        &self,
        site: &Slug,
        survey: &Slug,
        status: SurveyStatus,
    ) -> Result<Option<StoredSurvey>, StoreError> {
        let (status, archived) = status.to_columns();
        let now = Stamp::now();
        // Archiving again keeps the first time it was archived.
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE surveys SET status = $1, updated_at = $2,
                 archived_at = CASE WHEN $3 = 1 THEN COALESCE(archived_at, $2) END
             WHERE site_key = $4 AND id = $5",
        )
        .bind(status)
        .bind(now)
        .bind(i64::from(archived))
        .bind(site.as_str())
        .bind(survey.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        Self::bump_catalog(&mut tx).await?;
        tx.commit().await?;
        Ok(self
            .surveys(site)
            .await?
            .into_iter()
            .find(|s| &s.definition.id == survey))
    }

    async fn active_surveys(&self, site: &Slug) -> Result<Vec<SurveyDefinition>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT v.definition FROM surveys s
             JOIN survey_versions v ON v.site_key = s.site_key AND v.survey_id = s.id
                 AND v.version = s.current_version
             WHERE s.site_key = $1 AND s.status = 'active' AND s.archived_at IS NULL
             ORDER BY s.id",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|(json,)| parse_definition(json)).collect()
    }

    async fn survey_version(
        &self,
        site: &Slug,
        survey: &Slug,
        version: u32,
    ) -> Result<Option<StoredSurvey>, StoreError> {
        let row: Option<(String, Option<Stamp>, String)> = sqlx::query_as(
            "SELECT s.status, s.archived_at, v.definition FROM survey_versions v
             JOIN surveys s ON s.site_key = v.site_key AND s.id = v.survey_id
             WHERE v.site_key = $1 AND v.survey_id = $2 AND v.version = $3",
        )
        .bind(site.as_str())
        .bind(survey.as_str())
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(status, archived_at, json)| stored_survey(&status, &archived_at, &json))
            .transpose()
    }

    async fn response(&self, id: ResponseId) -> Result<Option<StoredResponse>, StoreError> {
        let row = sqlx::query(
            "SELECT site_key, survey_id, survey_version, finished, seq, locale, page_path, device,
                 respondent, user_id, attributes, answers, faq_article, faq_query, received_at
             FROM responses WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(Self::response_of).transpose()
    }

    async fn responses_page(&self, q: &ResponseQuery) -> Result<Vec<ListedResponse>, StoreError> {
        // Only the filters given are in the statement, each a plain
        // comparison, so the database can seek the (site, time) index to
        // the range and the cursor rather than filter every row of the
        // site; the page is keyset-paged on (received_at, id).
        let mut conditions = vec!["site_key = $1".to_owned()];
        let mut args: Vec<Arg> = vec![Arg::Text(q.site.as_str().to_owned())];
        // Each `?` in a condition takes the next value, numbered on.
        let mut add = |condition: &str, values: Vec<Arg>| {
            let mut values = values.into_iter();
            let mut numbered = String::new();
            for part in condition.split_inclusive('?') {
                match (part.strip_suffix('?'), values.next()) {
                    (Some(text), Some(value)) => {
                        args.push(value);
                        numbered.push_str(&format!("{text}${}", args.len()));
                    }
                    _ => numbered.push_str(part),
                }
            }
            conditions.push(numbered);
        };
        if let Some(survey) = &q.survey {
            add("survey_id = ?", vec![Arg::Text(survey.as_str().to_owned())]);
        }
        if let Some(from) = q.from {
            add("received_at >= ?", vec![Arg::Time(Stamp(from))]);
        }
        if let Some(to) = q.to {
            add("received_at < ?", vec![Arg::Time(Stamp(to))]);
        }
        if let Some(locale) = q.locale {
            add("locale = ?", vec![Arg::Text(locale.code().to_owned())]);
        }
        if let Some(device) = q.device {
            add("device = ?", vec![Arg::Text(device.name().to_owned())]);
        }
        match page_filter(q.page_path.as_deref()) {
            (Some(exact), _) => add("page_path = ?", vec![Arg::Text(exact.to_owned())]),
            (_, Some(prefix)) => add("page_path LIKE ? ESCAPE '\\'", vec![Arg::Text(prefix)]),
            _ => {}
        }
        if let Some((at, id)) = &q.before {
            add(
                "received_at <= ? AND (received_at < ? OR id < ?)",
                vec![Arg::Time(*at), Arg::Time(*at), Arg::Text(id.clone())],
            );
        }
        if let Some(words) = &q.contains {
            add(DB::ANSWERS_CONTAIN, vec![Arg::Text(words.clone())]);
        }
        let sql = format!(
            "SELECT id, received_at, site_key, survey_id, survey_version, finished, seq, locale,
                 page_path, device, respondent, user_id, attributes, answers, faq_article, faq_query
             FROM responses
             WHERE {}
             ORDER BY received_at DESC, id DESC
             LIMIT {}",
            conditions.join(" AND "),
            q.limit
        );
        let mut query = sqlx::query(&sql);
        for arg in args {
            query = match arg {
                Arg::Text(text) => query.bind(text),
                Arg::Time(at) => query.bind(at),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let id: String = row.get("id");
                Ok(ListedResponse {
                    id: ResponseId::parse(&id).map_err(corrupt)?,
                    response: Self::response_of(row)?,
                })
            })
            .collect()
    }

    async fn check_rollup(&self, repair: bool) -> Result<RollupCheck, StoreError> {
        let (begin, hold_writes) = if repair {
            (DB::BEGIN_REPAIR, DB::HOLD_WRITES)
        } else {
            (DB::BEGIN_CHECK, None)
        };
        let mut tx = self.pool.begin_with(begin).await?;
        if let Some(sql) = hold_writes {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        let mut stored = check::Cells::default();
        let mut rows = sqlx::query_as::<_, StoredCell>(
            "SELECT site_key, grain, period, survey_id, question, scale, locale, device, value,
                 count
             FROM score_rollup",
        )
        .fetch(&mut *tx);
        while let Some((
            site,
            grain,
            period,
            survey,
            question,
            scale,
            locale,
            device,
            value,
            count,
        )) = rows.try_next().await?
        {
            let grain =
                Grain::from_name(&grain).ok_or_else(|| corrupt(format!("grain '{grain}'")))?;
            let key = RollupKey {
                site,
                grain,
                period,
                survey,
                question,
                locale,
                device,
                value,
            };
            stored.add(key, &scale, count);
        }
        drop(rows);
        let (expected, responses) = Self::cells_from_rows(&mut tx, None).await?;
        let drift = check::compare(&expected, &stored);
        let repaired = repair && !drift.is_empty();
        if repaired {
            sqlx::query("DELETE FROM score_rollup")
                .execute(&mut *tx)
                .await?;
            // Into an empty table, the rows' cells as one batch's changes.
            Self::apply_rollup(&mut tx, &expected).await?;
        }
        tx.commit().await?;
        Ok(RollupCheck {
            responses,
            cells: expected.nonzero().count() as u64,
            drift,
            repaired,
        })
    }

    async fn insert_responses(&self, batch: &[NewResponse]) -> Result<Vec<Inserted>, StoreError> {
        // PostgreSQL may still abort a transaction to break a deadlock
        // between collectors; it wrote nothing, so write it again.
        let mut attempts = 0;
        loop {
            match self.write_batch(batch).await {
                Err(StoreError::Database(e)) if attempts < 3 && is_transient(&e) => {
                    attempts += 1;
                }
                outcome => return outcome,
            }
        }
    }

    async fn score_counts(
        &self,
        site: &Slug,
        survey: Option<&Slug>,
    ) -> Result<Vec<ScoreCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT survey_id, question, scale, value, CAST(SUM(count) AS BIGINT) AS n FROM score_rollup
             WHERE site_key = $1 AND grain = 'all' AND (CAST($2 AS TEXT) IS NULL OR survey_id = $2)
             GROUP BY survey_id, question, scale, value ORDER BY survey_id, question, value",
        )
        .bind(site.as_str())
        .bind(survey.map(Slug::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let scale: String = row.get("scale");
                let value: i64 = row.get("value");
                let n: i64 = row.get("n");
                Ok(ScoreCount {
                    survey: Slug::parse(row.get("survey_id")).map_err(corrupt)?,
                    question: Slug::parse(row.get("question")).map_err(corrupt)?,
                    scale: Scale::from_name(&scale)
                        .ok_or_else(|| corrupt(format!("scale '{scale}'")))?,
                    value: u8::try_from(value).map_err(corrupt)?,
                    count: u64::try_from(n).map_err(corrupt)?,
                })
            })
            .collect()
    }

    async fn period_counts(&self, q: &RollupQuery) -> Result<Vec<PeriodCount>, StoreError> {
        let sql = format!(
            "SELECT period, value, CAST(SUM(count) AS BIGINT) FROM score_rollup
             WHERE {ROLLUP_FILTER}
             GROUP BY period, value ORDER BY period, value"
        );
        let mut out = Vec::new();
        for &span in &q.spans {
            let rows: Vec<(i64, i64, i64)> =
                bind_rollup_filter(sqlx::query_as(&sql), &q.filter, span)
                    .fetch_all(&self.pool)
                    .await?;
            for (period, value, count) in rows {
                out.push(PeriodCount {
                    grain: span.grain,
                    period,
                    value: u8::try_from(value).map_err(corrupt)?,
                    count: u64::try_from(count).map_err(corrupt)?,
                });
            }
        }
        Ok(out)
    }

    async fn segment_counts(
        &self,
        q: &RollupQuery,
        by: Dimension,
    ) -> Result<Vec<SegmentCount>, StoreError> {
        // A column of ours, never text from a request.
        let column = match by {
            Dimension::Survey => "survey_id",
            Dimension::Question => "question",
            Dimension::Locale => "locale",
            Dimension::Device => "device",
        };
        let sql = format!(
            "SELECT {column}, value, CAST(SUM(count) AS BIGINT) FROM score_rollup
             WHERE {ROLLUP_FILTER}
             GROUP BY {column}, value ORDER BY {column}, value"
        );
        let mut out = Vec::new();
        for &span in &q.spans {
            let rows: Vec<(String, i64, i64)> =
                bind_rollup_filter(sqlx::query_as(&sql), &q.filter, span)
                    .fetch_all(&self.pool)
                    .await?;
            for (segment, value, count) in rows {
                out.push(SegmentCount {
                    segment,
                    value: u8::try_from(value).map_err(corrupt)?,
                    count: u64::try_from(count).map_err(corrupt)?,
                });
            }
        }
        Ok(out)
    }

    async fn scan_counts(
        &self,
        q: &ScanQuery,
        group: &ScanGroup,
    ) -> Result<Vec<SegmentCount>, StoreError> {
        let f = &q.filter;
        let (exact, prefix) = page_filter(q.page_path.as_deref());
        let mut rows = sqlx::query_as::<_, ScannedRow>(
            "SELECT survey_id, locale, device, page_path, attributes, scores, received_at
             FROM responses
             WHERE site_key = $1 AND received_at >= $2 AND received_at < $3
               AND (CAST($4 AS TEXT) IS NULL OR survey_id = $4)
               AND (CAST($5 AS TEXT) IS NULL OR locale = $5)
               AND (CAST($6 AS TEXT) IS NULL OR device = $6)
               AND (CAST($7 AS TEXT) IS NULL OR page_path = $7)
               AND (CAST($8 AS TEXT) IS NULL OR page_path LIKE $8 ESCAPE '\\')",
        )
        .bind(f.site.as_str())
        .bind(Stamp(q.from))
        .bind(Stamp(q.to))
        .bind(f.survey.as_ref().map(Slug::as_str))
        .bind(f.locale.map(Locale::code))
        .bind(f.device.map(DeviceClass::name))
        .bind(exact)
        .bind(prefix)
        .fetch(&self.pool);
        let scale = f.scale.name();
        let mut counts: std::collections::BTreeMap<(String, u8), u64> = Default::default();
        while let Some((survey, locale, device, page_path, attributes, scores, at)) =
            rows.try_next().await?
        {
            let scores: Vec<RolledScore> = serde_json::from_str(&scores).map_err(corrupt)?;
            let mut wanted = scores
                .into_iter()
                .filter(|s| {
                    s.scale == scale && f.question.as_ref().is_none_or(|id| &s.question == id)
                })
                .peekable();
            if wanted.peek().is_none() {
                continue;
            }
            let mut attributes: std::collections::BTreeMap<String, String> =
                serde_json::from_str(&attributes).map_err(corrupt)?;
            if !q
                .attributes
                .iter()
                .all(|(k, v)| attributes.get(k) == Some(v))
            {
                continue;
            }
            let segment = match group {
                ScanGroup::All => String::new(),
                ScanGroup::Day(zone) => jiff::Timestamp::from_second(at.0.unix_timestamp())
                    .map_err(corrupt)?
                    .to_zoned(zone.clone())
                    .date()
                    .to_string(),
                ScanGroup::Field(field) => match field {
                    ResponseField::Survey => survey,
                    ResponseField::Locale => locale,
                    ResponseField::Device => device,
                    ResponseField::PagePath => page_path,
                    // Per answer, below.
                    ResponseField::Question => String::new(),
                    ResponseField::Attribute(name) => match attributes.remove(name) {
                        Some(value) => value,
                        None => continue,
                    },
                },
            };
            let per_question = matches!(group, ScanGroup::Field(ResponseField::Question));
            for score in wanted {
                let segment = if per_question {
                    score.question.as_str().to_owned()
                } else {
                    segment.clone()
                };
                *counts.entry((segment, score.value)).or_default() += 1;
            }
        }
        Ok(counts
            .into_iter()
            .map(|((segment, value), count)| SegmentCount {
                segment,
                value,
                count,
            })
            .collect())
    }

    async fn put_article(&self, site: &Slug, a: &Article) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let existed: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM faq_articles WHERE site_key = $1 AND locale = $2 AND id = $3",
        )
        .bind(site.as_str())
        .bind(a.locale.code())
        .bind(a.id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO faq_articles (site_key, locale, id, title, body, html, text, category,
                 tags, ord, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (site_key, locale, id) DO UPDATE SET title = excluded.title,
                 body = excluded.body, html = excluded.html, text = excluded.text,
                 category = excluded.category, tags = excluded.tags, ord = excluded.ord,
                 updated_at = excluded.updated_at",
        )
        .bind(site.as_str())
        .bind(a.locale.code())
        .bind(a.id.as_str())
        .bind(&a.title)
        .bind(&a.body)
        .bind(&a.html)
        .bind(&a.text)
        .bind(&a.category)
        .bind(serde_json::to_string(&a.tags).map_err(corrupt)?)
        .bind(i64::from(a.order))
        .bind(Stamp::now())
        .execute(&mut *tx)
        .await?;
        Self::bump_faq_version(&mut tx, site).await?;
        tx.commit().await?;
        Ok(existed.is_none())
    }

    async fn delete_article(
        &self,
        site: &Slug,
        locale: Locale,
        id: &Slug,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone =
            sqlx::query("DELETE FROM faq_articles WHERE site_key = $1 AND locale = $2 AND id = $3")
                .bind(site.as_str())
                .bind(locale.code())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
        if gone {
            Self::bump_faq_version(&mut tx, site).await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    async fn articles(
        &self,
        site: &Slug,
        locale: Option<Locale>,
    ) -> Result<Vec<Article>, StoreError> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM faq_articles
             WHERE site_key = $1 AND (CAST($2 AS TEXT) IS NULL OR locale = $2)
             ORDER BY locale, category, ord, title"
        );
        let code = locale.map(Locale::code);
        let rows = sqlx::query(&sql)
            .bind(site.as_str())
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(article_of).collect()
    }

    async fn article(
        &self,
        site: &Slug,
        locale: Locale,
        id: &Slug,
    ) -> Result<Option<Article>, StoreError> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM faq_articles WHERE site_key = $1 AND locale = $2 AND id = $3"
        );
        let row = sqlx::query(&sql)
            .bind(site.as_str())
            .bind(locale.code())
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(article_of).transpose()
    }

    async fn article_count(&self, site: &Slug) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM faq_articles WHERE site_key = $1")
            .bind(site.as_str())
            .fetch_one(&self.pool)
            .await?;
        Ok(count_of(n))
    }

    async fn catalog_version(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT n FROM catalog_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(count_of(n))
    }

    async fn faq_version(&self, site: &Slug) -> Result<u64, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT faq_version FROM sites WHERE key = $1")
            .bind(site.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(count_of(v.unwrap_or(0)))
    }

    async fn count_article_view(
        &self,
        site: &Slug,
        locale: Locale,
        id: &Slug,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE faq_articles SET views = views + 1 WHERE site_key = $1 AND locale = $2 AND id = $3",
        )
        .bind(site.as_str())
        .bind(locale.code())
        .bind(id.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn count_search(
        &self,
        site: &Slug,
        locale: Locale,
        query: &str,
        results: usize,
    ) -> Result<(), StoreError> {
        let none = i64::from(results == 0);
        sqlx::query(
            "INSERT INTO faq_queries (site_key, locale, query, searches, no_results, last_at)
             VALUES ($1, $2, $3, 1, $4, $5)
             ON CONFLICT (site_key, locale, query) DO UPDATE SET searches = faq_queries.searches + 1,
                 no_results = faq_queries.no_results + excluded.no_results, last_at = excluded.last_at",
        )
        .bind(site.as_str())
        .bind(locale.code())
        .bind(query)
        .bind(none)
        .bind(Stamp::now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn put_vote(&self, site: &Slug, vote: &Vote) -> Result<Option<VoteOutcome>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM faq_articles WHERE site_key = $1 AND locale = $2 AND id = $3",
        )
        .bind(site.as_str())
        .bind(vote.locale.code())
        .bind(vote.article.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let respondent = vote.respondent.to_string();
        let before: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT helpful, reason FROM faq_votes
             WHERE site_key = $1 AND locale = $2 AND article = $3 AND respondent = $4",
        )
        .bind(site.as_str())
        .bind(vote.locale.code())
        .bind(vote.article.as_str())
        .bind(&respondent)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match before {
            None => VoteOutcome::New,
            Some((helpful, reason)) if (helpful != 0) == vote.helpful && reason == vote.reason => {
                return Ok(Some(VoteOutcome::Same));
            }
            Some(_) => VoteOutcome::Changed,
        };
        sqlx::query(
            "INSERT INTO faq_votes (site_key, locale, article, respondent, helpful, reason, voted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (site_key, locale, article, respondent) DO UPDATE SET
                 helpful = excluded.helpful, reason = excluded.reason, voted_at = excluded.voted_at",
        )
        .bind(site.as_str())
        .bind(vote.locale.code())
        .bind(vote.article.as_str())
        .bind(&respondent)
        .bind(i64::from(vote.helpful))
        .bind(vote.reason.as_deref())
        .bind(Stamp::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(outcome))
    }

    async fn faq_counts(&self, site: &Slug) -> Result<FaqCounts, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.locale, a.title, a.views,
                 (SELECT COUNT(*) FROM faq_votes v WHERE v.site_key = a.site_key
                     AND v.locale = a.locale AND v.article = a.id AND v.helpful = 1) AS helpful,
                 (SELECT COUNT(*) FROM faq_votes v WHERE v.site_key = a.site_key
                     AND v.locale = a.locale AND v.article = a.id AND v.helpful = 0) AS not_helpful,
                 (SELECT COUNT(*) FROM responses r WHERE r.site_key = a.site_key
                     AND r.faq_article = a.id AND r.locale = a.locale) AS handoffs
             FROM faq_articles a WHERE a.site_key = $1 ORDER BY a.locale, a.id",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut articles = Vec::with_capacity(rows.len());
        for row in &rows {
            articles.push(ArticleCounts {
                id: slug_of(row.get("id"))?,
                locale: locale_of(row.get("locale"))?,
                title: row.get("title"),
                views: count_of(row.get("views")),
                helpful: count_of(row.get("helpful")),
                not_helpful: count_of(row.get("not_helpful")),
                handoffs: count_of(row.get("handoffs")),
            });
        }
        let rows = sqlx::query(
            "SELECT query, locale, searches, no_results FROM faq_queries WHERE site_key = $1
             ORDER BY searches DESC, query",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut queries = Vec::with_capacity(rows.len());
        for row in &rows {
            queries.push(QueryCount {
                query: row.get("query"),
                locale: locale_of(row.get("locale"))?,
                searches: count_of(row.get("searches")),
                no_results: count_of(row.get("no_results")),
            });
        }
        let rows: Vec<(String, String, String, String, Stamp)> = sqlx::query_as(
            "SELECT v.article, v.locale, a.title, v.reason, v.voted_at FROM faq_votes v
             JOIN faq_articles a ON a.site_key = v.site_key AND a.locale = v.locale AND a.id = v.article
             WHERE v.site_key = $1 AND v.helpful = 0 AND v.reason IS NOT NULL
             ORDER BY v.voted_at DESC LIMIT $2",
        )
        .bind(site.as_str())
        .bind(i64::from(MISSING_REASONS))
        .fetch_all(&self.pool)
        .await?;
        let missing = rows
            .into_iter()
            .map(|(article, locale, title, reason, voted_at)| {
                Ok(MissingReason {
                    article: slug_of(&article)?,
                    locale: locale_of(&locale)?,
                    title,
                    reason,
                    voted_at: voted_at.to_string(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(FaqCounts {
            articles,
            queries,
            missing,
        })
    }
}
