//! PostgreSQL, for teams that outgrow one machine: many stateless
//! collectors against one database. The same rows as the SQLite store (see
//! migrations/postgres), with PostgreSQL's placeholders and types.

use super::StoreError;
use super::sql::{Backend, RowsAffected, SqlStore};
use sqlx::Postgres;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgQueryResult};
use std::str::FromStr;
use std::time::Duration;

pub type PgStore = SqlStore<Postgres>;

impl PgStore {
    /// Connects to the database at `url` and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let store = Self { pool };
        store.finish_tasks().await?;
        Ok(store)
    }
}

// A check reads both tables in one snapshot; a repair also locks out
// writers (reads go on) until it commits.
impl Backend for Postgres {
    const ANSWERS_CONTAIN: &'static str = "strpos(LOWER(answers), ?) > 0";
    const BEGIN_CHECK: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ";
    const BEGIN_REPAIR: &'static str = "BEGIN";
    const HOLD_WRITES: Option<&'static str> =
        Some("LOCK TABLE responses, score_rollup IN SHARE ROW EXCLUSIVE MODE");
    const NUMBERED_MARKERS: bool = true;
}

impl RowsAffected for PgQueryResult {
    fn rows_affected(&self) -> u64 {
        PgQueryResult::rows_affected(self)
    }
}
