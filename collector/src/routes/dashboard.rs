//! `GET /dashboard/`: the CX dashboard's one page, under a strict policy
//! of its own: its script, stylesheet and wasm come from this collector,
//! it talks only to this collector, and no other site may frame it. The
//! rest of the dashboard (hashed glue, wasm and stylesheet) is served from
//! `/assets/` like the widget.

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Redirect, Response};
use axum::routing::get;

/// The dashboard page's policy. `wasm-unsafe-eval` lets it compile its
/// wasm; nothing else is relaxed.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/dashboard",
            get(|| async { Redirect::permanent("/dashboard/") }),
        )
        .route("/dashboard/", get(page))
}

async fn page(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let mut response = super::assets::serve(&app, "dashboard.html", &headers)?;
    let h = response.headers_mut();
    // A page, not a widget file: only this collector uses it, and it names
    // the hashed files of the latest build.
    h.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    h.remove("cross-origin-resource-policy");
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    super::page_headers(h, CSP);
    Ok(response)
}
