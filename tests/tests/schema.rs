//! SQLite and PostgreSQL have a migration history each
//! (`collector/migrations/sqlite`, `collector/migrations/postgres`), and one
//! set of queries (`collector/src/store/sql.rs`) runs on both, so the two
//! histories must end at the same schema. This migrates a fresh SQLite file
//! and a fresh PostgreSQL schema through the stores' own `open` and compares
//! what each database says it has: tables, columns, primary keys, unique
//! constraints and indexes.
//!
//! Column order is not compared: SQLite's `ALTER TABLE` appends where
//! PostgreSQL's single file lists columns where they belong, and every query
//! names its columns. Defaults, `CHECK` constraints and foreign keys are not
//! compared either; each database spells them its own way.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use sori_collector::store;
use sori_protocol::Slug;
use sori_tests::postgres::Schema;
use std::collections::{BTreeMap, BTreeSet};

/// A column as the store sees it: whether it may be NULL, and the kind of
/// value it holds (see [`sqlite_class`] and [`postgres_class`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    nullable: bool,
    class: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Index {
    /// Key columns in order; an expression is `<expression>`.
    columns: Vec<String>,
    unique: bool,
    /// Has a `WHERE` clause. The predicates themselves are written in each
    /// database's own words, so only their presence is compared.
    partial: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Table {
    columns: BTreeMap<String, Column>,
    /// In key order; empty when the table has none.
    primary_key: Vec<String>,
    /// Column lists of `UNIQUE` constraints. Each database names their
    /// indexes its own way (`sqlite_autoindex_*`, `*_key`), so they are
    /// compared by columns, apart from the indexes below.
    unique: BTreeSet<Vec<String>>,
    /// Indexes made by `CREATE INDEX`, by name: the indexes behind primary
    /// keys (`sqlite_autoindex_*`, `*_pkey`) and unique constraints are left
    /// out, since those are compared above.
    indexes: BTreeMap<String, Index>,
}

/// Tables by name, without sqlx's `_sqlx_migrations`.
type Shape = BTreeMap<String, Table>;

/// SQLite's kind of a declared type, by the rules SQLite itself uses to
/// give a column its affinity, first match wins. SQLite's integers are
/// always 64-bit, so "integer" is what the store reads as `i64`; its `REAL`
/// is 8 bytes.
fn sqlite_class(declared: &str) -> String {
    let t = declared.to_ascii_uppercase();
    let class = if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.is_empty() || t.contains("BLOB") {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        "numeric"
    };
    class.to_owned()
}

/// PostgreSQL's kind of a type, named to match [`sqlite_class`]: `bigint`
/// is "integer" and `double precision` is "real", since those hold what
/// SQLite's do. The narrower `integer`, `smallint` and `real` keep names of
/// their own (`int4`, `int2`, `float4`): the store's `i64` does not decode
/// from them, so they must show as a difference. Any other type is named
/// as PostgreSQL names it (`boolean`, `jsonb`, …), so it differs too,
/// except `timestamptz`, the time type SQLite does not have.
fn postgres_class(data_type: &str) -> String {
    let class = match data_type {
        "bigint" => "integer",
        "integer" => "int4",
        "smallint" => "int2",
        "text" | "character varying" | "character" => "text",
        "double precision" => "real",
        "real" => "float4",
        "numeric" => "numeric",
        "bytea" => "blob",
        // A time: SQLite keeps RFC 3339 text, PostgreSQL a timestamptz,
        // and the store's `Stamp` binds and reads either.
        "timestamp with time zone" => "text",
        other => other,
    };
    class.to_owned()
}

async fn sqlite_shape(url: &str) -> Shape {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master
         WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut shape = Shape::new();
    for name in names {
        let mut table = Table::default();
        let columns: Vec<(String, String, bool, i64)> = sqlx::query_as(
            r#"SELECT name, type, "notnull", pk FROM pragma_table_info($1) ORDER BY pk, cid"#,
        )
        .bind(&name)
        .fetch_all(&pool)
        .await
        .unwrap();
        for (column, declared, not_null, pk) in columns {
            if pk > 0 {
                table.primary_key.push(column.clone());
            }
            let class = sqlite_class(&declared);
            table.columns.insert(
                column,
                Column {
                    nullable: !not_null,
                    class,
                },
            );
        }
        // origin: 'c' made by CREATE INDEX, 'u' behind a UNIQUE constraint,
        // 'pk' behind the primary key (already read from its columns).
        let indexes: Vec<(String, bool, String, bool)> = sqlx::query_as(
            r#"SELECT name, "unique", origin, partial FROM pragma_index_list($1)
               WHERE origin <> 'pk'"#,
        )
        .bind(&name)
        .fetch_all(&pool)
        .await
        .unwrap();
        for (index, unique, origin, partial) in indexes {
            let columns: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let columns = columns
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "<expression>".into()))
                .collect();
            if origin == "u" {
                table.unique.insert(columns);
            } else {
                table.indexes.insert(
                    index,
                    Index {
                        columns,
                        unique,
                        partial,
                    },
                );
            }
        }
        shape.insert(name, table);
    }
    pool.close().await;
    shape
}

/// One row of the index query in [`postgres_shape`].
#[derive(sqlx::FromRow)]
struct PgIndex {
    table_name: String,
    index_name: String,
    columns: Vec<String>,
    is_unique: bool,
    partial: bool,
    constraint_type: Option<String>,
}

/// The tables of the connection's `current_schema()`, which for a store's
/// URL is its schema (see `tests/src/postgres.rs`).
async fn postgres_shape(url: &str) -> Shape {
    let pool = store::connect_raw_postgres(url).await.unwrap();
    let mut shape = Shape::new();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
             AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for name in names {
        shape.insert(name, Table::default());
    }
    let columns: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES'
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for (table, column, data_type, nullable) in columns {
        if let Some(table) = shape.get_mut(&table) {
            let class = postgres_class(&data_type);
            table.columns.insert(column, Column { nullable, class });
        }
    }
    // Every index of the schema's tables with its key columns in order; the
    // constraint type says whether it backs a primary key ('p') or a
    // unique constraint ('u').
    let indexes: Vec<PgIndex> = sqlx::query_as(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name,
             ARRAY(SELECT COALESCE(a.attname::text, '<expression>')
                   FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                   LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                   ORDER BY k.n) AS columns,
             x.indisunique AS is_unique, x.indpred IS NOT NULL AS partial,
             (SELECT c.contype::text FROM pg_constraint c
              WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                  AND c.contype IN ('p', 'u')) AS constraint_type
         FROM pg_index x
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for index in indexes {
        let Some(table) = shape.get_mut(&index.table_name) else {
            continue;
        };
        match index.constraint_type.as_deref() {
            Some("p") => table.primary_key = index.columns,
            Some(_) => {
                table.unique.insert(index.columns);
            }
            None => {
                table.indexes.insert(
                    index.index_name,
                    Index {
                        columns: index.columns,
                        unique: index.is_unique,
                        partial: index.partial,
                    },
                );
            }
        }
    }
    pool.close().await;
    shape
}

/// Every way the two shapes differ, one readable line each.
fn differences(sqlite: &Shape, postgres: &Shape) -> Vec<String> {
    let mut found = Vec::new();
    for name in sqlite
        .keys()
        .chain(postgres.keys())
        .collect::<BTreeSet<_>>()
    {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                found.push(format!("table {name}: only in SQLite"));
                continue;
            }
            (None, _) => {
                found.push(format!("table {name}: only in PostgreSQL"));
                continue;
            }
        };
        let columns = s.columns.keys().chain(p.columns.keys());
        for column in columns.collect::<BTreeSet<_>>() {
            match (s.columns.get(column), p.columns.get(column)) {
                (Some(sc), Some(pc)) if sc != pc => found.push(format!(
                    "column {name}.{column}: SQLite {}, PostgreSQL {}",
                    describe(sc),
                    describe(pc)
                )),
                (Some(_), None) => found.push(format!("column {name}.{column}: only in SQLite")),
                (None, Some(_)) => {
                    found.push(format!("column {name}.{column}: only in PostgreSQL"));
                }
                _ => {}
            }
        }
        if s.primary_key != p.primary_key {
            found.push(format!(
                "table {name}: primary key ({}) in SQLite, ({}) in PostgreSQL",
                s.primary_key.join(", "),
                p.primary_key.join(", ")
            ));
        }
        for columns in s.unique.symmetric_difference(&p.unique) {
            let only = if s.unique.contains(columns) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            found.push(format!(
                "table {name}: UNIQUE ({}) only in {only}",
                columns.join(", ")
            ));
        }
        let indexes = s.indexes.keys().chain(p.indexes.keys());
        for index in indexes.collect::<BTreeSet<_>>() {
            match (s.indexes.get(index), p.indexes.get(index)) {
                (Some(si), Some(pi)) if si != pi => found.push(format!(
                    "index {index} on {name}: SQLite {}, PostgreSQL {}",
                    describe_index(si),
                    describe_index(pi)
                )),
                (Some(_), None) => found.push(format!("index {index} on {name}: only in SQLite")),
                (None, Some(_)) => {
                    found.push(format!("index {index} on {name}: only in PostgreSQL"));
                }
                _ => {}
            }
        }
    }
    found
}

fn describe(c: &Column) -> String {
    let null = if c.nullable { "null" } else { "not null" };
    format!("{} {null}", c.class)
}

fn describe_index(i: &Index) -> String {
    format!(
        "{}({}){}",
        if i.unique { "unique " } else { "" },
        i.columns.join(", "),
        if i.partial { " where …" } else { "" }
    )
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_end_at_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("store.db").display());
    drop(store::connect(&sqlite_url).await.unwrap());
    let sqlite = sqlite_shape(&sqlite_url).await;

    let schema = Schema::create().await;
    drop(store::connect(&schema.url()).await.unwrap());
    let postgres = postgres_shape(&schema.url()).await;
    schema.drop().await;

    // Both empty would compare equal: make sure the migrations ran.
    for shape in [&sqlite, &postgres] {
        assert!(
            shape.contains_key("responses") && shape.contains_key("score_rollup"),
            "{:?}",
            shape.keys().collect::<Vec<_>>()
        );
    }
    let found = differences(&sqlite, &postgres);
    assert!(
        found.is_empty(),
        "the SQLite and PostgreSQL migrations end at different schemas:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn each_difference_is_one_line_naming_table_and_column() {
    let column = |nullable, class: &str| Column {
        nullable,
        class: class.into(),
    };
    let mut sqlite = Table::default();
    sqlite.columns.insert("id".into(), column(false, "text"));
    sqlite.columns.insert("n".into(), column(false, "integer"));
    sqlite.columns.insert("old".into(), column(true, "text"));
    sqlite.primary_key = vec!["id".into()];
    sqlite.indexes.insert(
        "t_by_n".into(),
        Index {
            columns: vec!["n".into()],
            unique: false,
            partial: false,
        },
    );
    let mut postgres = sqlite.clone();
    postgres.columns.insert("n".into(), column(true, "int4"));
    postgres.columns.remove("old");
    postgres.primary_key = vec!["id".into(), "n".into()];
    postgres.unique.insert(vec!["n".into()]);
    postgres.indexes.get_mut("t_by_n").unwrap().partial = true;
    let mut only_here = Shape::new();
    only_here.insert("extra".into(), Table::default());
    let sqlite = Shape::from([("t".into(), sqlite)]);
    let mut postgres = Shape::from([("t".into(), postgres)]);
    postgres.append(&mut only_here);

    assert_eq!(
        differences(&sqlite, &postgres),
        [
            "table extra: only in PostgreSQL",
            "column t.n: SQLite integer not null, PostgreSQL int4 null",
            "column t.old: only in SQLite",
            "table t: primary key (id) in SQLite, (id, n) in PostgreSQL",
            "table t: UNIQUE (n) only in PostgreSQL",
            "index t_by_n on t: SQLite (n), PostgreSQL (n) where …",
        ]
    );
    assert!(differences(&sqlite, &sqlite).is_empty());
}

/// What the fixed-width times migration makes of `stored`, on SQLite and
/// on PostgreSQL: its own statement for `responses`, run on one value.
async fn padded_by_the_migration(stored: &str) -> (String, String) {
    let file = |backend: &str, name: &str| {
        std::fs::read_to_string(format!(
            "{}/../collector/migrations/{backend}/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    // The first statement, aimed at a one-column table of our own.
    let statement = |sql: String| {
        let sql: String = sql
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let update = sql
            .split(';')
            .find(|s| s.contains("UPDATE responses"))
            .unwrap()
            .to_owned();
        update.replace("UPDATE responses", "UPDATE t")
    };
    let sqlite_sql = statement(file("sqlite", "0006_fixed_width_times.sql"));
    let postgres_sql = statement(file("postgres", "0004_fixed_width_times.sql"));
    let sqlite = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (received_at TEXT)")
        .execute(&sqlite)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES ($1)")
        .bind(stored)
        .execute(&sqlite)
        .await
        .unwrap();
    sqlx::query(&sqlite_sql).execute(&sqlite).await.unwrap();
    let a: String = sqlx::query_scalar("SELECT received_at FROM t")
        .fetch_one(&sqlite)
        .await
        .unwrap();

    let schema = Schema::create().await;
    let pg = store::connect_raw_postgres(&schema.url()).await.unwrap();
    sqlx::query("CREATE TABLE t (received_at TEXT)")
        .execute(&pg)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES ($1)")
        .bind(stored)
        .execute(&pg)
        .await
        .unwrap();
    sqlx::query(&postgres_sql).execute(&pg).await.unwrap();
    let b: String = sqlx::query_scalar("SELECT received_at FROM t")
        .fetch_one(&pg)
        .await
        .unwrap();
    drop(pg);
    schema.drop().await;
    (a, b)
}

#[tokio::test]
async fn the_migration_pads_stored_times_to_nine_fraction_digits() {
    for (stored, padded) in [
        ("2026-11-24T07:15:43Z", "2026-11-24T07:15:43.000000000Z"),
        ("2026-11-24T07:15:43.5Z", "2026-11-24T07:15:43.500000000Z"),
        (
            "2026-11-24T07:15:43.123456789Z",
            "2026-11-24T07:15:43.123456789Z",
        ),
    ] {
        let (sqlite, postgres) = padded_by_the_migration(stored).await;
        assert_eq!(
            (sqlite.as_str(), postgres.as_str()),
            (padded, padded),
            "{stored}"
        );
    }
}

/// A migration that makes the rollup anew leaves a task; the store fills
/// the rollup from the responses when it next opens, and drops the task.
async fn a_left_task_fills_the_rollup(url: &str, raw: impl AsyncFn(&str)) {
    let store = store::connect(url).await.unwrap();
    let site = Slug::parse("acme").unwrap();
    store
        .put_site(&sori_collector::store::Site {
            key: site.clone(),
            name: "Acme".into(),
            allowed_origins: vec![],
            default_locale: sori_protocol::Locale::En,
            time_zone: "UTC".into(),
            fatigue: Default::default(),
        })
        .await
        .unwrap();
    let survey = store
        .put_survey(
            &site,
            &sori_tests::app::checkout_survey(),
            sori_collector::store::SurveyStatus::Active,
        )
        .await
        .unwrap();
    let response = sori_tests::app::csat_response(survey.id.as_str(), survey.version, 4);
    store
        .insert_responses(&[sori_collector::store::NewResponse {
            site: site.clone(),
            response,
            received_at: time::OffsetDateTime::now_utc(),
        }])
        .await
        .unwrap();
    drop(store);
    raw("DELETE FROM score_rollup").await;
    raw("INSERT INTO store_tasks (name) VALUES ('rebuild_rollup')").await;
    let store = store::connect(url).await.unwrap();
    let counts = store.score_counts(&site, None).await.unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (c.value, c.count))
            .collect::<Vec<_>>(),
        [(4, 1)]
    );
    assert!(store.check_rollup(false).await.unwrap().is_clean());
}

#[tokio::test]
async fn a_store_fills_a_new_rollup_from_the_responses_when_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    a_left_task_fills_the_rollup(&url, async |sql: &str| {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    })
    .await;

    let schema = Schema::create().await;
    let url = schema.url();
    a_left_task_fills_the_rollup(&url, async |sql: &str| {
        let pool = store::connect_raw_postgres(&url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
    })
    .await;
    schema.drop().await;
}

/// PostgreSQL's times were RFC 3339 text before they became `timestamptz`:
/// rows written then keep their instants (to the microsecond) and read
/// back through the store as before.
#[tokio::test]
async fn postgres_times_stored_as_text_become_timestamptz_with_their_instants() {
    let schema = Schema::create().await;
    let pg = store::connect_raw_postgres(&schema.url()).await.unwrap();
    let mut before = sqlx::migrate::Migrator::new(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../collector/migrations/postgres"
    )))
    .await
    .unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| !m.description.contains("timestamptz") && m.version < 8)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&pg).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, owner, created_at)
         VALUES ('u1', 'cx@acme.test', 'x', 1, '2026-11-24T07:15:43.123456789Z')",
    )
    .execute(&pg)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
         VALUES ('h1', 'u1', '2026-11-24T07:15:43.000000000Z', '2099-01-01T00:00:00.000000000Z'),
                ('h2', 'u1', '2025-11-24T07:15:43.000000000Z', '2025-11-25T00:00:00.000000000Z')",
    )
    .execute(&pg)
    .await
    .unwrap();
    let store = store::connect(&schema.url()).await.unwrap();
    let user = store.session_user("h1").await.unwrap().unwrap();
    assert_eq!(user.created_at, "2026-11-24T07:15:43.123457000Z");
    // This one ended a year ago.
    assert!(store.session_user("h2").await.unwrap().is_none());
    let kind: String = sqlx::query_scalar(
        "SELECT data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'responses'
           AND column_name = 'received_at'",
    )
    .fetch_one(&pg)
    .await
    .unwrap();
    assert_eq!(kind, "timestamp with time zone");
    drop(store);
    drop(pg);
    schema.drop().await;
}
