//! The real binary under faults: killed with SIGKILL under load, held by
//! idle and slow clients, stopped with SIGTERM, asked to log at `trace`.
//! Each runs against a real SQLite file, and the crash test also against a
//! real PostgreSQL schema.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

mod process;

use process::{check, sqlite_url, start};
use serde_json::{Value, json};
use sori_collector::store;
use sori_protocol::ResponseId;
use sori_tests::app::{ADMIN_TOKEN, ORIGIN, SITE, csat_body, new_id, seed_acme};
use sori_tests::postgres::Schema;
use sori_tests::report;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const NO_LIMITS: [&str; 4] = [
    "--rate-limit-per-minute",
    "0",
    "--site-rate-limit-per-minute",
    "0",
];

/// A number in `0..n` that differs from run to run.
fn random_below(n: u64) -> u64 {
    (uuid::Uuid::new_v4().as_u128() % u128::from(n)) as u64
}

/// What the load clients saw acknowledged: the highest save number per id.
type Acked = Arc<Mutex<HashMap<ResponseId, u32>>>;

/// One client: each response is saved twice (a partial CSAT, then the
/// finished one with a comment), and a save that got no answer is sent
/// again until it is acknowledged, as the widget's outbox does.
async fn load_client(url: Arc<RwLock<Option<String>>>, acked: Acked, stop: Arc<AtomicBool>) -> u64 {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut sent = 0;
    while !stop.load(Ordering::Relaxed) {
        let id = new_id();
        for seq in 1..=2u32 {
            let mut body = csat_body(id, 1 + random_below(5) as i64);
            body["seq"] = json!(seq);
            if seq == 1 {
                body["finished"] = json!(false);
            } else {
                body["answers"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"question": "comment", "value": format!("save {seq}")}));
            }
            loop {
                let Some(base) = url.read().unwrap().clone() else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                sent += 1;
                let answer = http
                    .post(format!("{base}/v1/sites/{SITE}/responses"))
                    .header("origin", ORIGIN)
                    .json(&body)
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status() == 200 => {
                        acked.lock().unwrap().insert(id, seq);
                        break;
                    }
                    Ok(r) if r.status().is_server_error() || r.status() == 429 => {}
                    Ok(r) => panic!("unexpected {} for a valid save", r.status()),
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        }
    }
    sent
}

/// Kills the collector with SIGKILL at random moments under load, restarts
/// it on the same database each time, and then checks every acknowledged
/// save is stored, once, at least as new as acknowledged, with the rollup
/// equal to the rows.
async fn acknowledged_saves_survive_kill_9(database_url: &str, backend: &str) {
    const KILLS: usize = 6;
    seed_acme(database_url).await;
    let url = Arc::new(RwLock::new(None));
    let acked: Acked = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|_| tokio::spawn(load_client(url.clone(), acked.clone(), stop.clone())))
        .collect();
    for _ in 0..KILLS {
        let collector = start(database_url, &NO_LIMITS, &[], "").await;
        *url.write().unwrap() = Some(collector.url.clone());
        tokio::time::sleep(Duration::from_millis(300 + random_below(700))).await;
        *url.write().unwrap() = None;
        collector.kill_9().await;
    }
    let collector = start(database_url, &NO_LIMITS, &[], "").await;
    *url.write().unwrap() = Some(collector.url.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut requests = 0;
    for client in clients {
        requests += client.await.unwrap();
    }
    let (status, _) = collector.terminate(Duration::from_secs(15)).await;
    assert!(status.success());

    let (code, report) = check(database_url, false);
    assert_eq!(code, 0, "the rollup drifted: {report}");
    let store = store::connect(database_url).await.unwrap();
    let acked = acked.lock().unwrap().clone();
    let (mut lost, mut rolled_back) = (0, 0);
    for (id, seq) in &acked {
        match store.response(*id).await.unwrap() {
            None => lost += 1,
            Some(stored) if stored.seq < *seq || (*seq == 2 && !stored.finished) => {
                rolled_back += 1
            }
            Some(_) => {}
        }
    }
    let stored = store.check_rollup(false).await.unwrap().responses;
    report::figure(&format!(
        "crash test ({backend}): {KILLS} kills, {requests} requests, {} acknowledged ids, \
         {stored} stored, {lost} lost, {rolled_back} rolled back",
        acked.len()
    ));
    assert_eq!((lost, rolled_back), (0, 0));
    // Ids are primary keys, so none is stored twice; and nothing is stored
    // that no client sent (each client acknowledges every id it starts).
    assert_eq!(stored as usize, acked.len());
    assert!(acked.len() > 50, "too little load to prove anything");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_saves_survive_kill_9_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    acknowledged_saves_survive_kill_9(&sqlite_url(&dir), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_saves_survive_kill_9_on_postgres() {
    let schema = Schema::create().await;
    acknowledged_saves_survive_kill_9(&schema.url(), "PostgreSQL").await;
    schema.drop().await;
}

/// Opens `n` connections that send `first`, then nothing more.
async fn stalled(url: &str, n: usize, first: &str) -> Vec<TcpStream> {
    let address = url.trim_start_matches("http://");
    let mut streams = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = TcpStream::connect(address).await.unwrap();
        s.write_all(first.as_bytes()).await.unwrap();
        streams.push(s);
    }
    streams
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_clients_neither_starve_healthz_nor_delay_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    seed_acme(&db).await;
    let grace = Duration::from_secs(2);
    let collector = start(
        &db,
        &[
            "--header-timeout-secs",
            "30",
            "--request-timeout-secs",
            "30",
            "--max-connections",
            "400",
            "--shutdown-grace-secs",
            "2",
        ],
        &[],
        // Under a low descriptor limit, as 300 idle sockets once hung the
        // server: the stalled connections below fit under it and the cap.
        "ulimit -n 512 &&",
    )
    .await;
    let idle = stalled(&collector.url, 300, "").await;
    let slow_headers = stalled(&collector.url, 20, "GET /healthz HTTP/1.1\r\nX-Slow: ").await;
    let slow_body = format!(
        "POST /v1/sites/{SITE}/responses HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"id\":"
    );
    let slow_bodies = stalled(&collector.url, 20, &slow_body).await;

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let r = http
            .get(format!("{}/healthz", collector.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        times.push(started.elapsed());
    }
    times.sort();
    report::figure(&format!(
        "slow clients: /healthz beside 340 stalled connections in {times:?}"
    ));
    assert!(
        times[2] < Duration::from_millis(100),
        "median /healthz took {:?}",
        times[2]
    );

    let sigterm = Instant::now();
    let (status, log) = collector.terminate(grace + Duration::from_secs(3)).await;
    report::figure(&format!(
        "slow clients: exited {:?} after SIGTERM (grace {grace:?})",
        sigterm.elapsed()
    ));
    assert!(status.success(), "{log}");
    assert!(log.contains("closing the connections still open"), "{log}");
    drop((idle, slow_headers, slow_bodies));
}

#[tokio::test]
async fn no_secret_reaches_the_log_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    seed_acme(&db).await;
    let collector = start(
        &db,
        &["--admin-token", ADMIN_TOKEN],
        &[("RUST_LOG", "trace")],
        "",
    )
    .await;
    let http = reqwest::Client::new();
    let base = &collector.url;
    for url in [
        format!("{base}/v1/admin/sites/{SITE}/summary"),
        format!("{base}/v1/admin/sites/{SITE}/summary?token={ADMIN_TOKEN}"),
        format!("{base}/v1/admin/sites/{SITE}/surveys?access_token={ADMIN_TOKEN}"),
        format!("{base}/v1/admin/sites/{SITE}/faq"),
    ] {
        let r = http
            .get(&url)
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{url}");
    }
    let r = http
        .get(format!("{base}/v1/admin/sites/{SITE}/summary"))
        .bearer_auth(format!("{ADMIN_TOKEN}-wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (_, log) = collector.terminate(Duration::from_secs(15)).await;
    // Request traces and SQL statements are logged at this level...
    assert!(log.contains("started processing request"), "{log}");
    assert!(log.contains("path=/v1/admin/sites/acme/summary"), "{log}");
    assert!(log.contains("sqlx::query"), "{log}");
    // ...but never the query string that carried the token, nor the header.
    assert!(!log.contains(ADMIN_TOKEN), "the token is in the log");
}

#[test]
fn a_short_admin_token_is_refused_without_being_repeated() {
    for (args, env) in [
        (vec!["--admin-token", "hunter2-short"], None),
        (vec![], Some("hunter2-short")),
    ] {
        let mut command = std::process::Command::new(process::BIN);
        command.args(&args).env_remove("SORI_ADMIN_TOKEN");
        if let Some(token) = env {
            command.env("SORI_ADMIN_TOKEN", token);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("at least 16 characters"), "{stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}

/// Breaks the rollup behind the store's back, then `check` finds it,
/// `check --repair` fixes it, and `check` is clean again.
async fn check_finds_and_repairs_drift(database_url: &str, corrupt: impl AsyncFnOnce(&str)) {
    seed_acme(database_url).await;
    let collector = start(database_url, &NO_LIMITS, &[], "").await;
    let http = reqwest::Client::new();
    for score in [2, 4, 5] {
        let r = http
            .post(format!("{}/v1/sites/{SITE}/responses", collector.url))
            .header("origin", ORIGIN)
            .json(&csat_body(new_id(), score))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    collector.terminate(Duration::from_secs(15)).await;
    let (code, report) = check(database_url, false);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("checked 3 responses"), "{report}");

    corrupt(database_url).await;
    let (code, report) = check(database_url, false);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("rows say 1, rollup has -1"), "{report}");
    let (code, report) = check(database_url, true);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("repaired"), "{report}");
    let (code, report) = check(database_url, false);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("0 differences"), "{report}");
    let summary: Value = {
        let store = store::connect(database_url).await.unwrap();
        let counts = store
            .score_counts(&sori_protocol::Slug::parse(SITE).unwrap(), None)
            .await
            .unwrap();
        json!(
            counts
                .iter()
                .map(|c| (c.value, c.count))
                .collect::<Vec<_>>()
        )
    };
    assert_eq!(summary, json!([[2, 1], [4, 1], [5, 1]]));
}

const CORRUPT: &str = "UPDATE score_rollup SET count = -1 WHERE value = 4";

#[tokio::test]
async fn check_finds_and_repairs_drift_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    check_finds_and_repairs_drift(&sqlite_url(&dir), async |url| {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(CORRUPT).execute(&pool).await.unwrap();
        pool.close().await;
    })
    .await;
}

#[tokio::test]
async fn check_finds_and_repairs_drift_on_postgres() {
    let schema = Schema::create().await;
    check_finds_and_repairs_drift(&schema.url(), async |url| {
        let pool = store::connect_raw_postgres(url).await.unwrap();
        sqlx::query(CORRUPT).execute(&pool).await.unwrap();
        pool.close().await;
    })
    .await;
    schema.drop().await;
}
