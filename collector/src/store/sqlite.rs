//! The embedded default: one SQLite file in WAL mode with `synchronous=FULL`,
//! so an acknowledged response survives a power cut.

use super::StoreError;
use super::sql::{
    Backend, FirstSave, RESPONSE_COLUMNS, ROWS_PER_INSERT, RowsAffected, SqlStore, placeholders,
};
use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions,
    SqliteQueryResult, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

pub type SqliteStore = SqlStore<Sqlite>;

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let store = Self { pool };
        store.finish_tasks().await?;
        Ok(store)
    }
}

/// Writes a consistent copy of the SQLite database at `url` to the new
/// file `to`, while collectors go on writing (`VACUUM INTO` reads one
/// snapshot); answers the copy's size in bytes. `to` must not exist.
pub async fn backup(url: &str, to: &std::path::Path) -> Result<u64, StoreError> {
    if to.exists() {
        return Err(StoreError::Backup(format!(
            "{} exists; back up to a new file",
            to.display()
        )));
    }
    let target = to
        .to_str()
        .ok_or_else(|| StoreError::Backup(format!("{} is not UTF-8", to.display())))?;
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(std::fs::metadata(to).map(|m| m.len()).unwrap_or(0))
}

// A check reads inside one deferred transaction, which SQLite already gives
// a consistent snapshot. A repair takes the write lock before it reads, so
// no response slips in between.
impl Backend for Sqlite {
    const ANSWERS_CONTAIN: &'static str = "instr(LOWER(answers), ?) > 0";
    const BEGIN_CHECK: &'static str = "BEGIN";
    const BEGIN_REPAIR: &'static str = "BEGIN IMMEDIATE";
    const HOLD_WRITES: Option<&'static str> = None;
    const NUMBERED_MARKERS: bool = false;

    async fn insert_first_saves<'a>(
        conn: &'a mut SqliteConnection,
        rows: &'a [FirstSave<'a>],
    ) -> Result<Vec<String>, sqlx::Error> {
        let mut ids = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO responses ({RESPONSE_COLUMNS}) VALUES {}
                 ON CONFLICT (id) DO NOTHING RETURNING id",
                placeholders::<Sqlite>(chunk.len(), 17)
            );
            let mut insert = sqlx::query_scalar::<_, String>(&sql);
            for r in chunk {
                insert = insert
                    .bind(r.id.as_str())
                    .bind(r.site)
                    .bind(r.survey)
                    .bind(r.survey_version)
                    .bind(r.finished)
                    .bind(r.seq)
                    .bind(r.locale)
                    .bind(r.page_path)
                    .bind(r.device)
                    .bind(r.respondent.as_deref())
                    .bind(r.user_id)
                    .bind(r.attributes.as_str())
                    .bind(r.answers.as_str())
                    .bind(r.scores.as_str())
                    .bind(r.received_at)
                    .bind(r.faq_article)
                    .bind(r.faq_query);
            }
            ids.extend(insert.fetch_all(&mut *conn).await?);
        }
        Ok(ids)
    }
}

impl RowsAffected for SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        SqliteQueryResult::rows_affected(self)
    }
}
