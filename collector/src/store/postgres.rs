//! PostgreSQL, for teams that outgrow one machine: many stateless
//! collectors against one database. The same rows as the SQLite store (see
//! migrations/postgres), with PostgreSQL's placeholders and types.

use super::StoreError;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

pub struct PgStore {
    pool: PgPool,
}

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
        Ok(Self { pool })
    }
}

// A check reads both tables in one snapshot; a repair also locks out
// writers (reads go on) until it commits.
super::sql::sql_store!(
    PgStore,
    sqlx::Postgres,
    begin_check: "BEGIN ISOLATION LEVEL REPEATABLE READ",
    begin_repair: (
        "BEGIN",
        Some("LOCK TABLE responses, score_rollup IN SHARE ROW EXCLUSIVE MODE")
    )
);
