//! Persistence behind one trait, so SQLite (embedded default) and PostgreSQL
//! (many collectors, one database) are interchangeable. Only this module and its
//! children know SQL; handlers see [`Store`] and the model types below.

mod accounts;
pub mod check;
mod postgres;
mod rows;
mod sql;
mod sqlite;
mod stamp;

pub use accounts::Accounts;
pub use check::Grain;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use stamp::Stamp;

use crate::faq::Article;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sori_protocol::{
    DeviceClass, Locale, ResponseId, Scale, SiteFatigue, Slug, SurveyDefinition, ValidResponse,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A site that embeds the widget, as the admin API reads and writes it. An
/// unknown field is refused, so a misspelt setting is not silently dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub key: Slug,
    pub name: String,
    /// Exact origins (`https://app.example.com`) allowed to post for this site.
    pub allowed_origins: Vec<String>,
    pub default_locale: Locale,
    /// IANA name, e.g. `Asia/Seoul`; trends are grouped in it.
    pub time_zone: String,
    /// Limits on how often one respondent sees this site's surveys.
    #[serde(default)]
    pub fatigue: SiteFatigue,
}

impl Site {
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// Where a survey is in its life. Only an active one is in the config and
/// takes new responses; a draft has not started, a paused one may start
/// again, an archived one is done (`DELETE` archives) but keeps its
/// versions and responses, and activating or pausing brings it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SurveyStatus {
    Draft,
    Active,
    Paused,
    Archived,
}

/// A survey's current version and status, as the admin API shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredSurvey {
    pub status: SurveyStatus,
    #[serde(flatten)]
    pub definition: SurveyDefinition,
}

impl SurveyStatus {
    /// From the `status` and `archived_at` columns: an archived survey's
    /// `status` says `paused` (see migration 0004 of the SQLite schema).
    fn from_columns(status: &str, archived: bool) -> Option<Self> {
        match (status, archived) {
            (_, true) => Some(SurveyStatus::Archived),
            ("draft", false) => Some(SurveyStatus::Draft),
            ("active", false) => Some(SurveyStatus::Active),
            ("paused", false) => Some(SurveyStatus::Paused),
            _ => None,
        }
    }

    /// The `status` column, and whether `archived_at` is set.
    fn to_columns(self) -> (&'static str, bool) {
        match self {
            SurveyStatus::Draft => ("draft", false),
            SurveyStatus::Active => ("active", false),
            SurveyStatus::Paused => ("paused", false),
            SurveyStatus::Archived => ("paused", true),
        }
    }
}

/// What a member may do on a site: an `admin` manages the site, its
/// surveys, articles and members; a `viewer` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Admin,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
}

/// Someone who signs in to the dashboard or the API. An owner manages
/// users and every site.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub owner: bool,
    pub created_at: String,
}

/// Written by hand so the password hash never reaches a log.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

/// A user to create; the password is already hashed.
#[derive(Clone)]
pub struct NewUser {
    pub email: String,
    pub password_hash: String,
    pub owner: bool,
}

/// A user's role on one site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub role: Role,
}

/// A personal API token as its owner sees it later: never the token itself,
/// which is shown once, when it is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// What happened to one response in a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    New,
    /// A later save of a partial response replaced the earlier one.
    Updated,
    /// Nothing was written: the id is stored already, finished, or at this
    /// save number or a later one (a retry or a late arrival).
    Duplicate,
    /// Nothing was written: the id was first saved for another site, survey
    /// or survey version, and an id never moves.
    Conflict,
}

/// A response as stored, for reading it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub site: Slug,
    pub survey: Slug,
    pub survey_version: u32,
    pub finished: bool,
    pub seq: u32,
    pub locale: Locale,
    pub page_path: String,
    pub device: DeviceClass,
    pub respondent: Option<uuid::Uuid>,
    pub user_id: Option<String>,
    pub attributes: BTreeMap<String, String>,
    /// `[{"question", "value", "other"?}]`, as [`answers_json`] writes it.
    pub answers: serde_json::Value,
    pub faq_article: Option<Slug>,
    pub faq_query: Option<String>,
    /// When its first save arrived, RFC 3339 in UTC.
    pub received_at: String,
}

/// Which of a site's responses to list, as far as the database narrows
/// them: the rest of a filter (score band, attributes, text) is applied to
/// what comes back.
#[derive(Clone, Debug)]
pub struct ResponseQuery {
    pub site: Slug,
    pub survey: Option<Slug>,
    /// Received at or after.
    pub from: Option<time::OffsetDateTime>,
    /// Received before.
    pub to: Option<time::OffsetDateTime>,
    pub locale: Option<Locale>,
    pub device: Option<DeviceClass>,
    /// A page path, or a prefix of one ending in `*`.
    pub page_path: Option<String>,
    /// Only responses older than this `(received_at, id)`: the cursor.
    pub before: Option<(Stamp, String)>,
    /// Only responses whose stored answers, lower-cased, contain this: a
    /// coarse first pass in the database for a word search (it also finds
    /// the word in choice ids), which the caller then checks exactly.
    pub contains: Option<String>,
    pub limit: u32,
}

impl ResponseQuery {
    /// The site's newest `limit` responses, nothing narrowed.
    pub fn newest(site: Slug, limit: u32) -> Self {
        Self {
            site,
            survey: None,
            from: None,
            to: None,
            locale: None,
            device: None,
            page_path: None,
            before: None,
            contains: None,
            limit,
        }
    }
}

/// A listed response with its id.
#[derive(Clone, Debug)]
pub struct ListedResponse {
    pub id: ResponseId,
    pub response: StoredResponse,
}

/// A response on its way into storage, with the site it was posted to.
#[derive(Clone, Debug)]
pub struct NewResponse {
    pub site: Slug,
    pub response: ValidResponse,
    pub received_at: time::OffsetDateTime,
}

/// How many answers of one value one question got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreCount {
    pub survey: Slug,
    pub question: Slug,
    pub scale: Scale,
    pub value: u8,
    pub count: u64,
}

/// Which answers a figure counts, besides when: one scale of a site
/// (answers on different scales do not mix), optionally one survey and
/// question, language and class of device.
#[derive(Clone, Debug)]
pub struct ScoreFilter {
    pub site: Slug,
    pub scale: Scale,
    pub survey: Option<Slug>,
    pub question: Option<Slug>,
    pub locale: Option<Locale>,
    pub device: Option<DeviceClass>,
}

/// Which rollup cells to read: the filter's, over `spans` of periods.
#[derive(Clone, Debug)]
pub struct RollupQuery {
    pub filter: ScoreFilter,
    /// Disjoint runs of periods; a day inside a month read whole must not
    /// be read again.
    pub spans: Vec<PeriodSpan>,
}

/// Periods `[from, until)` of one grain, numbered as [`Grain::period`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodSpan {
    pub grain: Grain,
    pub from: i64,
    pub until: i64,
}

/// What a breakdown splits the rollup by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Survey,
    Question,
    Locale,
    Device,
}

/// What a figure over the responses themselves reads (when it is narrowed
/// or split by a page or an `identify` attribute, which can take any number
/// of values and so are not in the rollup): the filter's answers whose
/// responses were first saved in `[from, to)`.
#[derive(Clone, Debug)]
pub struct ScanQuery {
    pub filter: ScoreFilter,
    pub from: time::OffsetDateTime,
    pub to: time::OffsetDateTime,
    /// Only responses on this page, or under a prefix ending in `*`.
    pub page_path: Option<String>,
    /// Only responses with each of these `identify` attributes.
    pub attributes: BTreeMap<String, String>,
}

/// How a scan of the responses groups its counts into segments.
#[derive(Clone, Debug)]
pub enum ScanGroup {
    /// Every answer in one segment, named "".
    All,
    /// Per day of the first save in this zone, named `YYYY-MM-DD`.
    Day(jiff::tz::TimeZone),
    /// Per value of a field.
    Field(ResponseField),
}

/// A field of a response, or of its answer, to split counts by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseField {
    Survey,
    Question,
    Locale,
    Device,
    /// The page it was answered on.
    PagePath,
    /// An `identify` attribute; responses without it are not counted.
    Attribute(String),
}

/// How many gave `value` in one segment (a survey id, question id, locale
/// code or device class, by the breakdown's dimension).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentCount {
    pub segment: String,
    pub value: u8,
    pub count: u64,
}

/// How many gave `value` in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodCount {
    pub grain: Grain,
    pub period: i64,
    pub value: u8,
    pub count: u64,
}

/// One respondent's verdict on one article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    pub locale: Locale,
    pub article: Slug,
    pub respondent: uuid::Uuid,
    pub helpful: bool,
    pub reason: Option<String>,
}

/// What a vote did: counted, replaced an earlier different one, or
/// repeated one already counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VoteOutcome {
    New,
    Changed,
    Same,
}

/// Counts for one article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleCounts {
    pub id: Slug,
    pub locale: Locale,
    pub title: String,
    pub views: u64,
    pub helpful: u64,
    pub not_helpful: u64,
    /// Feedback sent through "Still need help?" from this article.
    pub handoffs: u64,
}

/// A query as people typed it (normalized), with how often.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueryCount {
    pub query: String,
    pub locale: Locale,
    pub searches: u64,
    pub no_results: u64,
}

/// The raw FAQ counters of a site; `routes::faq_stats` turns them into rates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaqCounts {
    pub articles: Vec<ArticleCounts>,
    pub queries: Vec<QueryCount>,
    /// What readers said was missing when an article did not help, newest
    /// first, at most [`MISSING_REASONS`].
    pub missing: Vec<MissingReason>,
}

/// How many "what was missing?" answers the help center figures carry.
pub const MISSING_REASONS: u32 = 100;

/// A reader's answer to "what was missing?" after voting an article unhelpful.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingReason {
    pub article: Slug,
    pub locale: Locale,
    pub title: String,
    pub reason: String,
    /// RFC 3339, UTC.
    pub voted_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("response {0} kept changing under concurrent saves; retry")]
    Contended(String),
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("backup: {0}")]
    Backup(String),
}

#[async_trait]
pub trait Store: Accounts + Send + Sync + 'static {
    async fn site(&self, key: &Slug) -> Result<Option<Site>, StoreError>;
    async fn site_count(&self) -> Result<u64, StoreError>;
    /// Every site's key, in order.
    async fn site_keys(&self) -> Result<Vec<Slug>, StoreError>;
    /// Creates the site or replaces its settings.
    async fn put_site(&self, site: &Site) -> Result<(), StoreError>;
    /// Stores `def` as a new version when it differs from the current one
    /// (or as the first), sets the status, and returns the stored definition
    /// with its version number.
    async fn put_survey(
        &self,
        site: &Slug,
        def: &SurveyDefinition,
        status: SurveyStatus,
    ) -> Result<SurveyDefinition, StoreError>;
    /// The current version and status of every survey of the site, by id.
    async fn surveys(&self, site: &Slug) -> Result<Vec<StoredSurvey>, StoreError>;
    /// Sets a survey's status; `None` when the site has no such survey.
    async fn set_survey_status(
        &self,
        site: &Slug,
        survey: &Slug,
        status: SurveyStatus,
    ) -> Result<Option<StoredSurvey>, StoreError>;
    /// The current version of every active survey of the site, by id.
    async fn active_surveys(&self, site: &Slug) -> Result<Vec<SurveyDefinition>, StoreError>;
    /// One exact version of a survey, with the survey's status now.
    async fn survey_version(
        &self,
        site: &Slug,
        survey: &Slug,
        version: u32,
    ) -> Result<Option<StoredSurvey>, StoreError>;
    /// Writes the batch and its rollup updates in one transaction. A response
    /// whose id is stored replaces it only if that one is unfinished, was
    /// saved for the same site, survey and version, and this save is newer
    /// (higher `seq`); the rollup moves with it.
    async fn insert_responses(&self, batch: &[NewResponse]) -> Result<Vec<Inserted>, StoreError>;
    /// One stored response, whichever site it belongs to.
    async fn response(&self, id: ResponseId) -> Result<Option<StoredResponse>, StoreError>;
    /// A page of the site's responses, newest first, narrowed by `query`.
    async fn responses_page(
        &self,
        query: &ResponseQuery,
    ) -> Result<Vec<ListedResponse>, StoreError>;
    /// Recomputes the score rollup from the response rows and compares;
    /// with `repair`, makes the rollup equal to the rows in the same
    /// transaction, with writes held off meanwhile.
    async fn check_rollup(&self, repair: bool) -> Result<check::RollupCheck, StoreError>;
    /// Creates or replaces an article (its views and votes stay) and moves
    /// the site's FAQ version. True when it was new.
    async fn put_article(&self, site: &Slug, article: &Article) -> Result<bool, StoreError>;
    /// Deletes an article with its votes; false when there was none.
    async fn delete_article(
        &self,
        site: &Slug,
        locale: Locale,
        id: &Slug,
    ) -> Result<bool, StoreError>;
    /// The site's articles, in one locale or all, by category order then order.
    async fn articles(
        &self,
        site: &Slug,
        locale: Option<Locale>,
    ) -> Result<Vec<Article>, StoreError>;
    async fn article(
        &self,
        site: &Slug,
        locale: Locale,
        id: &Slug,
    ) -> Result<Option<Article>, StoreError>;
    /// How many articles the site has, in all locales.
    async fn article_count(&self, site: &Slug) -> Result<u64, StoreError>;
    /// Moves whenever any site, survey or article changes.
    async fn catalog_version(&self) -> Result<u64, StoreError>;
    /// Moves whenever any of the site's articles changes.
    async fn faq_version(&self, site: &Slug) -> Result<u64, StoreError>;
    async fn count_article_view(
        &self,
        site: &Slug,
        locale: Locale,
        id: &Slug,
    ) -> Result<(), StoreError>;
    /// Counts a search of the normalized `query` that found `results` articles.
    async fn count_search(
        &self,
        site: &Slug,
        locale: Locale,
        query: &str,
        results: usize,
    ) -> Result<(), StoreError>;
    /// Records a vote, replacing the respondent's earlier one on the article.
    /// `None` when the article does not exist.
    async fn put_vote(&self, site: &Slug, vote: &Vote) -> Result<Option<VoteOutcome>, StoreError>;
    async fn faq_counts(&self, site: &Slug) -> Result<FaqCounts, StoreError>;
    /// Rollup counts of one scale per period, for trends and comparisons.
    async fn period_counts(&self, query: &RollupQuery) -> Result<Vec<PeriodCount>, StoreError>;
    /// Rollup counts of one scale over the query's periods, per segment of
    /// `by` (a segment may come once per span).
    async fn segment_counts(
        &self,
        query: &RollupQuery,
        by: Dimension,
    ) -> Result<Vec<SegmentCount>, StoreError>;
    /// Counts of one scale per segment of `group`, read from the responses
    /// themselves: the cost grows with the responses in range.
    async fn scan_counts(
        &self,
        query: &ScanQuery,
        group: &ScanGroup,
    ) -> Result<Vec<SegmentCount>, StoreError>;
    /// All-time score counts from the rollup, optionally for one survey.
    async fn score_counts(
        &self,
        site: &Slug,
        survey: Option<&Slug>,
    ) -> Result<Vec<ScoreCount>, StoreError>;
}

/// Opens the store a database URL names, creating and migrating it as needed.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// `sori-collector backup`: a consistent copy of a SQLite database, taken
/// while collectors run, to the new file `to`; answers its size in bytes.
/// PostgreSQL has its own tools (`pg_dump`).
pub async fn backup(url: &str, to: &std::path::Path) -> Result<u64, StoreError> {
    if url.starts_with("sqlite:") {
        sqlite::backup(url, to).await
    } else {
        Err(StoreError::Backup(format!(
            "{} is not a SQLite database; back PostgreSQL up with pg_dump",
            redact_url(url)
        )))
    }
}

/// A plain connection pool to a PostgreSQL server, for tools and tests that
/// manage schemas around a store.
pub async fn connect_raw_postgres(url: &str) -> Result<sqlx::PgPool, StoreError> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?)
}

/// A URL fit for an error message: any password is replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// The stored JSON form of answers: `[{"question": …, "value": …, "other": …}]`.
pub(crate) fn answers_json(response: &ValidResponse) -> String {
    let items: Vec<serde_json::Value> = response
        .answers
        .iter()
        .map(|a| {
            let mut item = serde_json::json!({"question": a.question, "value": a.value});
            if let Some(other) = &a.other {
                item["other"] = serde_json::Value::from(other.as_str());
            }
            item
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// One scored answer as the rollup counts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RolledScore {
    pub question: Slug,
    pub scale: String,
    pub value: u8,
}

pub(crate) fn scores_of(response: &ValidResponse) -> Vec<RolledScore> {
    response
        .answers
        .iter()
        .filter_map(|a| {
            let (scale, value) = a.score?;
            Some(RolledScore {
                question: a.question.clone(),
                scale: scale.name(),
                value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_error_messages() {
        assert_eq!(
            redact_url("postgres://sori:hunter2@db:5432/sori"),
            "postgres://sori:***@db:5432/sori"
        );
        assert_eq!(redact_url("sqlite://sori.db"), "sqlite://sori.db");
    }
}
