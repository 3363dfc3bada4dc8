//! PostgreSQL, for teams that outgrow one machine: many stateless
//! collectors against one database. The same rows as the SQLite store (see
//! migrations/postgres), with PostgreSQL's placeholders and types.

use super::StoreError;
use super::sql::{Backend, FirstSave, RESPONSE_COLUMNS, RowsAffected, SqlStore};
use sqlx::Postgres;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions, PgQueryResult};
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

    /// The whole batch in one statement, a column per array: 17 values
    /// to send and parse however many rows there are.
    async fn insert_first_saves<'a>(
        conn: &'a mut PgConnection,
        rows: &'a [FirstSave<'a>],
    ) -> Result<Vec<String>, sqlx::Error> {
        fn column<'a, T>(rows: &'a [FirstSave<'a>], f: impl Fn(&'a FirstSave<'a>) -> T) -> Vec<T> {
            rows.iter().map(f).collect()
        }
        let sql = format!(
            "INSERT INTO responses ({RESPONSE_COLUMNS})
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[],
                 $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
                 $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[],
                 $16::text[], $17::text[])
             ON CONFLICT (id) DO NOTHING RETURNING id"
        );
        sqlx::query_scalar::<_, String>(&sql)
            .bind(column(rows, |r| r.id.as_str()))
            .bind(column(rows, |r| r.site))
            .bind(column(rows, |r| r.survey))
            .bind(column(rows, |r| r.survey_version))
            .bind(column(rows, |r| r.finished))
            .bind(column(rows, |r| r.seq))
            .bind(column(rows, |r| r.locale))
            .bind(column(rows, |r| r.page_path))
            .bind(column(rows, |r| r.device))
            .bind(column(rows, |r| r.respondent.as_deref()))
            .bind(column(rows, |r| r.user_id))
            .bind(column(rows, |r| r.attributes.as_str()))
            .bind(column(rows, |r| r.answers.as_str()))
            .bind(column(rows, |r| r.scores.as_str()))
            .bind(column(rows, |r| r.received_at.0))
            .bind(column(rows, |r| r.faq_article))
            .bind(column(rows, |r| r.faq_query))
            .fetch_all(conn)
            .await
    }
}

impl RowsAffected for PgQueryResult {
    fn rows_affected(&self) -> u64 {
        PgQueryResult::rows_affected(self)
    }
}
