//! The embedded default: one SQLite file in WAL mode with `synchronous=FULL`,
//! so an acknowledged response survives a power cut.

use super::StoreError;
use super::sql::{Backend, RowsAffected, SqlStore};
use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
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

// A check reads inside one deferred transaction, which SQLite already gives
// a consistent snapshot. A repair takes the write lock before it reads, so
// no response slips in between.
impl Backend for Sqlite {
    const ANSWERS_CONTAIN: &'static str = "instr(LOWER(answers), ?) > 0";
    const BEGIN_CHECK: &'static str = "BEGIN";
    const BEGIN_REPAIR: &'static str = "BEGIN IMMEDIATE";
    const HOLD_WRITES: Option<&'static str> = None;
}

impl RowsAffected for SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        SqliteQueryResult::rows_affected(self)
    }
}
