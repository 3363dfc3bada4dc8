//! Insight endpoint latency at a million responses, as `cargo bench -p
//! sori-collector --bench insights` prints it:
//!
//! 1. the demo site (`demo/seed.json`) is seeded with made-up responses
//!    (`demo::history`, through the store, as `--demo-history-days` does)
//!    into a fresh SQLite file, then into a fresh PostgreSQL schema;
//! 2. the real app serves it on a free port, and each insight endpoint is
//!    asked over HTTP with the admin token, a few times to warm up and then
//!    sequentially, timed to the last byte of the answer;
//! 3. the seeding rate, the database size and each endpoint's p50 and p95
//!    are printed per backend. Nothing is asserted.
//!
//! Settings (environment):
//!
//! - `SORI_BENCH_RESPONSES`: how many responses to seed, about (the history
//!   writes whole days); 1,000,000 by default, e.g. 20000 for a quick run;
//! - `SORI_BENCH_BACKENDS`: `sqlite`, `postgres` or both (the default),
//!   comma-separated;
//! - `SORI_BENCH_ONLY`: time only the endpoints whose names start with one
//!   of these, comma-separated (`cargo xtask bench` asks for `summary`);
//! - `SORI_TEST_POSTGRES_URL`: the PostgreSQL server, by default
//!   `postgres://postgres@127.0.0.1:5432/test`; the bench works in a schema
//!   of its own, made as the tests make theirs, dropped at the end.
//!
//! Timings are wall-clock on whatever machine runs it, client and server in
//! one process.

mod common;

use common::{mib, thousands};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use sori_collector::{Application, Config, store};
use sori_tests::postgres::Schema;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DEFAULT_RESPONSES: usize = 1_000_000;
/// Responses `demo::history` writes on an average day: 340 on weekdays and
/// 113 at weekends, plus 0–67 on any day.
const HISTORY_PER_DAY: f64 = (5.0 * 373.5 + 2.0 * 146.5) / 7.0;
const ADMIN_TOKEN: &str = "bench-admin-token-0123456789";
const SITE: &str = "demo";
/// Untimed requests before the timed ones, and timed requests, per endpoint.
const WARM_UP: usize = 3;
const ROUNDS: usize = 50;
/// The same for the CSV exports, which take longer.
const CSV_WARM_UP: usize = 1;
const CSV_ROUNDS: usize = 10;
const CSV_YEAR_ROUNDS: usize = 3;

fn main() {
    let target = std::env::var("SORI_BENCH_RESPONSES")
        .ok()
        .map(|v| {
            v.replace(['_', ','], "")
                .parse::<usize>()
                .expect("SORI_BENCH_RESPONSES is a number of responses")
        })
        .unwrap_or(DEFAULT_RESPONSES);
    let backends =
        std::env::var("SORI_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let backends: Vec<&str> = backends.split(',').map(str::trim).collect();
    let days = ((target as f64 / HISTORY_PER_DAY).round() as u32).max(1);
    let demo_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../demo"));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        println!(
            "Insight endpoints over HTTP, about {target} responses ({days} days of demo history), \
             {ROUNDS} sequential requests per endpoint after {WARM_UP} to warm up"
        );
        for backend in backends {
            match backend {
                "sqlite" => {
                    let dir = tempfile::tempdir().expect("a temporary folder");
                    let file = dir.path().join("bench.db");
                    let url = format!("sqlite://{}", file.display());
                    run("SQLite", url, days, demo_dir.clone(), Some(file)).await;
                }
                "postgres" => {
                    let schema = Schema::create().await;
                    // A panic in the run still drops the schema.
                    let run = tokio::spawn(run(
                        "PostgreSQL",
                        schema.url(),
                        days,
                        demo_dir.clone(),
                        None,
                    ));
                    let outcome = run.await;
                    schema.drop().await;
                    if let Err(e) = outcome {
                        std::panic::resume_unwind(e.into_panic());
                    }
                }
                other => panic!("SORI_BENCH_BACKENDS: no backend '{other}'; use sqlite, postgres"),
            }
        }
    });
}

/// Seeds `url`, serves it and times every endpoint; prints what it found.
async fn run(
    backend: &'static str,
    url: String,
    days: u32,
    demo_dir: PathBuf,
    file: Option<PathBuf>,
) {
    let mut config = Config::for_database(url.clone());
    config.demo_dir = Some(demo_dir.clone());
    config.demo_history_days = days;
    config.admin_token = Some(ADMIN_TOKEN.parse().expect("any text is a token"));
    config.assets_dir = None;
    config.rate_limit_per_minute = 0;
    config.site_rate_limit_per_minute = 0;

    println!();
    println!("== {backend} ==");
    // The demo is seeded while the app is built, before it serves.
    let started = Instant::now();
    let app = Application::build(config)
        .await
        .expect("the collector starts and seeds the demo");
    let seeding = started.elapsed();
    let base = app.public_url().to_owned();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let facts = Facts::read(&url, file.as_deref()).await;
    println!(
        "responses seeded: {} ({} score rollup rows)",
        thousands(facts.responses),
        thousands(facts.rollup_rows)
    );
    println!(
        "seeding: {:.1} s, {} responses/s (app build included: migrations, FAQ import, demo user)",
        seeding.as_secs_f64(),
        thousands((facts.responses as f64 / seeding.as_secs_f64()) as u64)
    );
    println!("{}", facts.size);

    let zone = TimeZone::get(&site_time_zone(&demo_dir)).expect("the demo site's zone is known");
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    let ago = |span: jiff::Span| -> Date { today.checked_sub(span).expect("a date") };
    let month_from = ago(3.years()).first_of_month();
    let year_ago = ago(1.year());
    let month_ago = ago(29.days());
    let admin = format!("/v1/admin/sites/{SITE}");
    let endpoints: Vec<(String, String, usize, usize)> = [
        ("summary".to_owned(), format!("{admin}/summary")),
        (
            "trend csat day (30 days)".to_owned(),
            format!("{admin}/trend?scale=csat&granularity=day"),
        ),
        (
            format!("trend csat month (from {month_from})"),
            format!("{admin}/trend?scale=csat&granularity=month&from={month_from}"),
        ),
        (
            "compare nps (30 days vs 30 before)".to_owned(),
            format!("{admin}/compare?scale=nps"),
        ),
        (
            "compare csat (a year vs the year before)".to_owned(),
            format!("{admin}/compare?scale=csat&from={year_ago}&to={today}"),
        ),
        (
            "breakdown csat by device (a year)".to_owned(),
            format!("{admin}/breakdown?scale=csat&by=device&from={year_ago}&to={today}"),
        ),
        (
            "breakdown csat by page (30 days, responses)".to_owned(),
            format!("{admin}/breakdown?scale=csat&by=page"),
        ),
        (
            "compare csat plan=pro vs free (30 days, responses)".to_owned(),
            format!("{admin}/compare?scale=csat&attr.plan=pro&b_attr.plan=free"),
        ),
        (
            "responses limit=50".to_owned(),
            format!("{admin}/responses?limit=50"),
        ),
        (
            "responses band=negative".to_owned(),
            format!("{admin}/responses?limit=50&band=negative"),
        ),
        (
            "responses q=slow".to_owned(),
            format!("{admin}/responses?limit=50&q=slow"),
        ),
        (
            "responses locale=ko device=mobile".to_owned(),
            format!("{admin}/responses?limit=50&locale=ko&device=mobile"),
        ),
        ("faq/insights".to_owned(), format!("{admin}/faq/insights")),
    ]
    .into_iter()
    .map(|(name, path)| (name, path, WARM_UP, ROUNDS))
    .chain([
        (
            "responses.csv nps (30 days)".to_owned(),
            format!("{admin}/responses.csv?survey=nps&from={month_ago}"),
            CSV_WARM_UP,
            CSV_ROUNDS,
        ),
        (
            "responses.csv nps (a year)".to_owned(),
            format!("{admin}/responses.csv?survey=nps&from={year_ago}"),
            CSV_WARM_UP,
            CSV_YEAR_ROUNDS,
        ),
    ])
    .filter(|(name, ..)| chosen(name))
    .collect();

    let http = reqwest::Client::new();
    println!();
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>4}  answer",
        "endpoint", "p50 ms", "p95 ms", "max ms", "n"
    );
    for (name, path, warm_up, rounds) in &endpoints {
        let url = format!("{base}{path}");
        match time(&http, &url, *warm_up, *rounds).await {
            Ok((mut times, body)) => {
                times.sort();
                let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
                let p50 = p(0.50);
                println!(
                    "{name:<44} {:>9.1} {:>9.1} {:>9.1} {:>4}  {}",
                    ms(p50),
                    ms(p(0.95)),
                    ms(times[times.len() - 1]),
                    times.len(),
                    describe(path, &body, p50)
                );
            }
            Err(why) => println!("{name:<44} failed: {why}"),
        }
    }

    let _ = stop.send(());
    server
        .await
        .expect("the server task")
        .expect("the server shuts down cleanly");
    println!(
        "{backend} run: {:.0} s in all ({:.0} s seeding)",
        started.elapsed().as_secs_f64(),
        seeding.as_secs_f64()
    );
}

/// Whether `SORI_BENCH_ONLY` leaves the endpoint named `name` in.
fn chosen(name: &str) -> bool {
    std::env::var("SORI_BENCH_ONLY").map_or(true, |only| {
        only.split(',')
            .any(|prefix| name.starts_with(prefix.trim()))
    })
}

/// Times `rounds` sequential GETs of `url` after `warm_up` untimed ones, to
/// the last byte; returns the times and the last answer's body.
async fn time(
    http: &reqwest::Client,
    url: &str,
    warm_up: usize,
    rounds: usize,
) -> Result<(Vec<Duration>, Vec<u8>), String> {
    let mut times = Vec::with_capacity(rounds);
    let mut body = Vec::new();
    for i in 0..warm_up + rounds {
        let started = Instant::now();
        let answer = http
            .get(url)
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .map_err(|e| format!("{e}"))?;
        let status = answer.status();
        let bytes = answer.bytes().await.map_err(|e| format!("{e}"))?;
        let took = started.elapsed();
        if !status.is_success() {
            return Err(format!(
                "status {status}: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>()
            ));
        }
        if i >= warm_up {
            times.push(took);
        }
        body = bytes.to_vec();
    }
    Ok((times, body))
}

/// What an answer held: its size, and the rows of a list or an export.
fn describe(path: &str, body: &[u8], p50: Duration) -> String {
    let size = format!("{:.1} KiB", body.len() as f64 / 1024.0);
    if path.contains("/responses.csv") {
        let rows = csv::Reader::from_reader(body).records().count();
        let rate = rows as f64 / p50.as_secs_f64().max(1e-9);
        format!(
            "{size}, {} rows, {} rows/s",
            thousands(rows as u64),
            thousands(rate as u64)
        )
    } else if path.contains("/responses?") {
        let page: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let rows = page["responses"].as_array().map_or(0, Vec::len);
        let more = if page["next_cursor"].is_string() {
            ", more"
        } else {
            ""
        };
        format!("{size}, {rows} rows{more}")
    } else {
        size
    }
}

/// What was seeded, read from the database itself.
struct Facts {
    responses: u64,
    rollup_rows: u64,
    /// The database's size on disk, in words.
    size: String,
}

impl Facts {
    async fn read(url: &str, file: Option<&Path>) -> Self {
        const COUNT: &str = "SELECT COUNT(*) FROM responses";
        const ROLLUP: &str = "SELECT COUNT(*) FROM score_rollup";
        if let Some(file) = file {
            let pool = sqlx::SqlitePool::connect(url)
                .await
                .expect("open the SQLite file");
            let responses: i64 = sqlx::query_scalar(COUNT)
                .fetch_one(&pool)
                .await
                .expect("count the responses");
            let rollup: i64 = sqlx::query_scalar(ROLLUP)
                .fetch_one(&pool)
                .await
                .expect("count the rollup");
            pool.close().await;
            let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            Self {
                responses: responses as u64,
                rollup_rows: rollup as u64,
                size: format!(
                    "database file: {} (+ WAL {})",
                    mib(len(file)),
                    mib(len(&wal))
                ),
            }
        } else {
            let pool = store::connect_raw_postgres(url)
                .await
                .expect("connect to PostgreSQL");
            // What autovacuum would have done by now, so the planner's
            // statistics do not depend on when it last ran.
            sqlx::query("ANALYZE")
                .execute(&pool)
                .await
                .expect("analyze the schema");
            let responses: i64 = sqlx::query_scalar(COUNT)
                .fetch_one(&pool)
                .await
                .expect("count the responses");
            let rollup: i64 = sqlx::query_scalar(ROLLUP)
                .fetch_one(&pool)
                .await
                .expect("count the rollup");
            let sizes: Vec<(String, i64)> = sqlx::query_as(
                "SELECT c.relname, CAST(pg_total_relation_size(c.oid) AS BIGINT) FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = current_schema() AND c.relkind = 'r'
                 ORDER BY 2 DESC",
            )
            .fetch_all(&pool)
            .await
            .expect("read the table sizes");
            pool.close().await;
            let total: i64 = sizes.iter().map(|(_, s)| s).sum();
            let largest: Vec<String> = sizes
                .iter()
                .take(2)
                .map(|(name, s)| format!("{name} {}", mib(*s as u64)))
                .collect();
            Self {
                responses: responses as u64,
                rollup_rows: rollup as u64,
                size: format!(
                    "schema size: {} with indexes ({}); ANALYZE run after seeding",
                    mib(total as u64),
                    largest.join(", ")
                ),
            }
        }
    }
}

/// The demo site's time zone, from `demo/seed.json`.
fn site_time_zone(demo_dir: &Path) -> String {
    let seed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(demo_dir.join("seed.json")).expect("demo/seed.json is readable"),
    )
    .expect("demo/seed.json is JSON");
    seed["site"]["time_zone"]
        .as_str()
        .expect("the demo site has a time zone")
        .to_owned()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
