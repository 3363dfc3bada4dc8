//! `GET /demo/…`: the demo product page, only when the collector runs in demo mode.

use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::{FileName, Segment};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sori_protocol::ErrorCode;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/demo", get(|| async { Redirect::permanent("/demo/") }))
        .route("/demo/", get(|State(app): State<AppState>| async move { file(&app, "index.html") }))
        .route("/demo/{name}", get(|State(app): State<AppState>, Segment(name): FileName| async move { file(&app, &name) }))
}

fn file(app: &AppState, name: &str) -> Result<Response, AppError> {
    let not_found = || AppError::not_found(ErrorCode::NotFound, "no such demo page");
    let demo = app.demo.as_ref().ok_or_else(not_found)?;
    let f = demo.file(name).ok_or_else(not_found)?;
    let mut response = f.body.clone().into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(f.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if name.ends_with(".html") {
        super::page_headers(h, &demo.csp);
    }
    Ok(response)
}
