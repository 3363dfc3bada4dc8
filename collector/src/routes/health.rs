//! `GET /healthz`: the process is up and serving.

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/healthz",
        get(|| async { Json::<Value>(json!({"status": "ok"})) }),
    )
}
