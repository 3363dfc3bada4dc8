//! The yardstick the collector is measured against: a bare axum server with
//! no guards, no validation beyond the JSON parse, and a naive group commit.
//!
//! - `GET /config` answers fixed bytes (the collector's own config, as the
//!   bench fetched it), uncompressed;
//! - `POST /responses` parses the body into the same [`Submission`] type the
//!   collector reads, queues it, and answers once a writer has inserted it
//!   and counted its scores into a rollup table in a SQLite file
//!   (WAL, `synchronous=FULL`, as the collector runs): every 2 ms the writer
//!   takes what is queued and writes it in one transaction, row by row.
//!
//! It runs inside the bench process, on a tokio runtime of its own.

use axum::extract::State;
use axum::http::header;
use axum::routing::{get, post};
use axum::{Json, Router};
use sori_protocol::{AnswerValue, Submission};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};
use std::path::Path;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

type Queued = (Submission, oneshot::Sender<()>);

#[derive(Clone)]
struct Bare {
    config: axum::body::Bytes,
    queue: mpsc::Sender<Queued>,
}

/// Serves the bare endpoints on a free port of `runtime`; answers the port.
pub fn start(runtime: &tokio::runtime::Runtime, file: &Path, config: Vec<u8>) -> u16 {
    let file = file.to_owned();
    runtime.block_on(async move {
        let options = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let mut db = SqliteConnection::connect_with(&options)
            .await
            .expect("the bare server's SQLite file opens");
        for statement in [
            "CREATE TABLE responses (id TEXT PRIMARY KEY, site TEXT NOT NULL, \
             survey TEXT NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL)",
            "CREATE TABLE rollup (site TEXT NOT NULL, day TEXT NOT NULL, survey TEXT NOT NULL, \
             question TEXT NOT NULL, value INTEGER NOT NULL, count INTEGER NOT NULL, \
             PRIMARY KEY (site, day, survey, question, value))",
        ] {
            sqlx::query(statement)
                .execute(&mut db)
                .await
                .expect("the bare server's tables");
        }
        let (queue, rx) = mpsc::channel(4096);
        tokio::spawn(write(db, rx));
        let state = Bare {
            config: config.into(),
            queue,
        };
        let app = Router::new()
            .route("/config", get(config_handler))
            .route("/responses", post(respond))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let port = listener.local_addr().expect("a bound port").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        port
    })
}

async fn config_handler(State(bare): State<Bare>) -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        bare.config.clone(),
    )
}

async fn respond(
    State(bare): State<Bare>,
    Json(submission): Json<Submission>,
) -> Json<serde_json::Value> {
    let id = submission.id;
    let (done, stored) = oneshot::channel();
    bare.queue
        .send((submission, done))
        .await
        .expect("the bare writer runs");
    stored.await.expect("the bare writer answers");
    Json(serde_json::json!({"id": id, "status": "stored"}))
}

async fn write(mut db: SqliteConnection, mut rx: mpsc::Receiver<Queued>) {
    let mut batch = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        tokio::time::sleep(Duration::from_millis(2)).await;
        while let Ok(next) = rx.try_recv() {
            batch.push(next);
        }
        let now = time::OffsetDateTime::now_utc();
        let day = now.date().to_string();
        let received_at = now
            .format(&time::format_description::well_known::Rfc3339)
            .expect("now formats");
        let mut tx = db.begin().await.expect("a transaction");
        for (submission, _) in &batch {
            let body = serde_json::to_string(submission).expect("a submission serializes");
            let inserted = sqlx::query(
                "INSERT OR IGNORE INTO responses (id, site, survey, received_at, body) \
                 VALUES (?, 'acme', ?, ?, ?)",
            )
            .bind(submission.id.to_string())
            .bind(submission.survey.as_str())
            .bind(&received_at)
            .bind(body)
            .execute(&mut *tx)
            .await
            .expect("the insert")
            .rows_affected();
            if inserted == 0 {
                continue;
            }
            for answer in &submission.answers {
                if let AnswerValue::Number(value) = answer.value {
                    sqlx::query(
                        "INSERT INTO rollup (site, day, survey, question, value, count) \
                         VALUES ('acme', ?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1",
                    )
                    .bind(&day)
                    .bind(submission.survey.as_str())
                    .bind(answer.question.as_str())
                    .bind(value)
                    .execute(&mut *tx)
                    .await
                    .expect("the rollup upsert");
                }
            }
        }
        tx.commit().await.expect("the commit");
        for (_, done) in batch.drain(..) {
            let _ = done.send(());
        }
    }
}
