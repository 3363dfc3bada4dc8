//! `sori-collector migrate --from sqlite://… --to postgres://…`: moves one
//! SQLite database into PostgreSQL, for a team outgrowing one machine.
//!
//! Both are migrated to the same schema first (the schema test keeps them
//! equal). Each table is then copied in the order its keys need, rows read
//! as text from SQLite and cast to each PostgreSQL column's own type, so
//! integers, times and JSON arrive as they were. A row whose key is there
//! already is left alone, so a run that stopped can be run again. The
//! score rollup is then recounted from the copied responses, and each
//! table's rows are counted on both sides.

use crate::store::{self, StoreError};
use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::{PgPool, Row, SqlitePool};

/// Copied in this order: each after the tables its keys refer to. The
/// rollup is not copied but recounted; `store_tasks` is the store's own.
pub const TABLES: [&str; 11] = [
    "sites",
    "surveys",
    "survey_versions",
    "responses",
    "faq_articles",
    "faq_votes",
    "faq_queries",
    "users",
    "site_members",
    "sessions",
    "api_tokens",
];

/// Rows per insert: a table's columns times this stays under PostgreSQL's
/// 65,535 bound values.
const ROWS_PER_INSERT: usize = 500;

/// What one table's copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    /// Rows in the SQLite database.
    pub source: u64,
    /// Rows in PostgreSQL afterwards.
    pub target: u64,
}

/// Copies the SQLite database at `from` into the PostgreSQL one at `to`.
/// `progress` shows a bar per table (off for tests and pipes).
pub async fn sqlite_to_postgres(
    from: &str,
    to: &str,
    progress: bool,
) -> Result<Vec<Copied>, StoreError> {
    if !from.starts_with("sqlite:")
        || !(to.starts_with("postgres://") || to.starts_with("postgresql://"))
    {
        return Err(StoreError::UnsupportedUrl(format!(
            "{} to {}: migrate goes from sqlite://… to postgres://…",
            store::redact_url(from),
            store::redact_url(to)
        )));
    }
    // Opening each as a store brings both to the latest schema.
    drop(store::connect(from).await?);
    drop(store::connect(to).await?);
    let source = SqlitePool::connect(from).await?;
    let target = store::connect_raw_postgres(to).await?;
    let mut report = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        report.push(copy_table(&source, &target, table, progress).await?);
    }
    // Recount the rollup from what was copied, and let every collector
    // drop what it keeps of sites and surveys.
    let store = store::connect(to).await?;
    store.check_rollup(true).await?;
    sqlx::query("UPDATE catalog_version SET n = n + 1 WHERE id = 1")
        .execute(&target)
        .await?;
    source.close().await;
    target.close().await;
    Ok(report)
}

async fn copy_table(
    source: &SqlitePool,
    target: &PgPool,
    table: &'static str,
    progress: bool,
) -> Result<Copied, StoreError> {
    // The columns and their types, from PostgreSQL: a name of ours, never
    // text from a request.
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(target)
    .await?;
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(source)
        .await?;
    let bar = if progress {
        let bar = ProgressBar::new(u64::try_from(total).unwrap_or(0));
        bar.set_style(
            ProgressStyle::with_template("{prefix:>16} {bar:40} {pos}/{len} {per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(table);
        bar
    } else {
        ProgressBar::hidden()
    };
    let select = format!(
        "SELECT {} FROM {table}",
        names
            .iter()
            .map(|n| format!("CAST({n} AS TEXT)"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rows = sqlx::query(&select).fetch(source);
    let mut batch: Vec<Vec<Option<String>>> = Vec::with_capacity(ROWS_PER_INSERT);
    while let Some(row) = rows.try_next().await? {
        let values = (0..names.len())
            .map(|i| row.try_get::<Option<String>, _>(i))
            .collect::<Result<_, _>>()?;
        batch.push(values);
        if batch.len() == ROWS_PER_INSERT {
            insert(target, table, &columns, &batch).await?;
            bar.inc(batch.len() as u64);
            batch.clear();
        }
    }
    insert(target, table, &columns, &batch).await?;
    bar.inc(batch.len() as u64);
    bar.finish();
    let copied: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(target)
        .await?;
    Ok(Copied {
        table,
        source: u64::try_from(total).unwrap_or(0),
        target: u64::try_from(copied).unwrap_or(0),
    })
}

/// Inserts rows of text, each cast to its column's type; a row whose key
/// is there already is left as it is.
async fn insert(
    target: &PgPool,
    table: &str,
    columns: &[(String, String)],
    rows: &[Vec<Option<String>>],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut n = 0;
    let groups: Vec<String> = rows
        .iter()
        .map(|_| {
            let casts: Vec<String> = columns
                .iter()
                .map(|(_, kind)| {
                    n += 1;
                    format!("CAST(${n} AS {kind})")
                })
                .collect();
            format!("({})", casts.join(", "))
        })
        .collect();
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {} ON CONFLICT DO NOTHING",
        names.join(", "),
        groups.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for row in rows {
        for value in row {
            query = query.bind(value.as_deref());
        }
    }
    query.execute(target).await?;
    Ok(())
}
