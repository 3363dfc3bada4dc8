//! `GET /widget.js` (the loader, short cache) and `GET /assets/{name}` (hashed
//! glue and wasm, cached for a year), precompressed by `Accept-Encoding`.

use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::{FileName, Segment};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sori_protocol::ErrorCode;

/// The loader names the hashed files, so it must be refetched soon after a deploy.
const LOADER_CACHE: &str = "public, max-age=300, stale-while-revalidate=3600";
const HASHED_CACHE: &str = "public, max-age=31536000, immutable";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/widget.js", get(loader))
        .route("/assets/{name}", get(hashed))
}

async fn loader(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    serve(&app, "widget.js", &headers)
}

async fn hashed(
    State(app): State<AppState>,
    Segment(name): FileName,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if name == "widget.js" {
        return Err(AppError::not_found(
            ErrorCode::UnknownAsset,
            "the loader lives at /widget.js",
        ));
    }
    // Pages are served at their own paths, under their own policy.
    if name.ends_with(".html") {
        return Err(AppError::not_found(
            ErrorCode::UnknownAsset,
            "the dashboard lives at /dashboard/",
        ));
    }
    serve(&app, &name, &headers)
}

pub(super) fn serve(app: &AppState, name: &str, request: &HeaderMap) -> Result<Response, AppError> {
    let asset = app.assets.get(name).ok_or_else(|| {
        AppError::not_found(
            ErrorCode::UnknownAsset,
            format!("no widget asset named '{name}'"),
        )
    })?;
    let mut response = if super::etag_matches(request, &asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = asset.bytes.respond(request);
        let h = r.headers_mut();
        if let Ok(ct) = HeaderValue::from_str(&asset.content_type) {
            h.insert(header::CONTENT_TYPE, ct);
        }
        r
    };
    let h = response.headers_mut();
    let cache = if asset.immutable {
        HASHED_CACHE
    } else {
        LOADER_CACHE
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", asset.etag)) {
        h.insert(header::ETAG, etag);
    }
    // Any site may load the widget; which sites may post is decided per site.
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    Ok(response)
}
