//! Prometheus metrics, served on their own address (`--metrics-listen`),
//! never on the public one:
//!
//! - `sori_http_requests_total{route, status}`: every answer, by the route
//!   template that matched (`/v1/sites/{key}/responses`), so the label set
//!   stays small whatever paths clients send;
//! - `sori_rate_limited_total`: answers 429;
//! - `sori_ingest_queue_depth`: responses waiting for the writer;
//! - `sori_ingest_batch_size`, `sori_ingest_commit_seconds`: each batch the
//!   writer commits, and how long its transaction took;
//! - `sori_responses_stored_total{outcome}`: `new`, `updated`, `duplicate`,
//!   `conflict`, or `failed`.
//!
//! The recorder is the process's one global: several collectors in one
//! process (as in tests) share it.

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tokio::net::TcpListener;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder already installed (a library's user chose one):
        // ours still renders what it was given, which is nothing.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts each answer by route template and status.
pub async fn count_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_owned();
    let response = next.run(request).await;
    metrics::counter!(
        "sori_http_requests_total",
        "route" => route,
        "status" => response.status().as_u16().to_string()
    )
    .increment(1);
    response
}

/// Serves `GET /metrics` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener) {
    let handle = handle();
    let app = Router::new().route("/metrics", get(move || async move { handle.render() }));
    if let Err(e) = axum::serve(listener, app).await {
        tracing::warn!(error = %e, "the metrics listener stopped");
    }
}
