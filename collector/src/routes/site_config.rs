//! `GET /v1/sites/{key}/config`: what the widget needs at start-up, with
//! an `ETag` so a browser whose copy is current gets 304 and no body.

use crate::AppState;
use crate::assets::Encoded;
use crate::catalog::RenderedConfig;
use crate::error::AppError;
use crate::routes::extract::KnownSite;
use crate::store::{Site, StoreError};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use sori_protocol::SiteConfig;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/sites/{key}/config", get(config))
}

async fn config(
    State(app): State<AppState>,
    KnownSite(site): KnownSite,
    request: HeaderMap,
) -> Result<Response, AppError> {
    let config = app.catalog.config(&site, || render(&app, &site)).await?;
    let mut response = if super::etag_matches(&request, &config.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = config.json.respond(&request);
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    };
    let h = response.headers_mut();
    // Weak: one tag for the same JSON in each encoding.
    h.insert(header::ETAG, config.etag_header);
    // Short, so a paused survey disappears within a minute.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(response)
}

/// The config's JSON from the store, and its tag: a digest of the JSON.
async fn render(app: &AppState, site: &Site) -> Result<RenderedConfig, StoreError> {
    let body = SiteConfig {
        site: site.key.clone(),
        locale: site.default_locale,
        fatigue: site.fatigue.clone(),
        surveys: app.store.active_surveys(&site.key).await?,
        faq: app.store.article_count(&site.key).await? > 0,
    };
    let json =
        serde_json::to_vec(&body).map_err(|e| StoreError::Corrupt(format!("site config: {e}")))?;
    let digest = Sha256::digest(&json);
    // Brotli at its best takes milliseconds: off the request threads.
    let json = tokio::task::spawn_blocking(move || Encoded::compress(Bytes::from(json)))
        .await
        .map_err(|e| StoreError::Corrupt(format!("compressing the site config: {e}")))?;
    let etag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    Ok(RenderedConfig {
        json,
        etag_header: HeaderValue::from_str(&format!("W/\"{etag}\""))
            .map_err(|e| StoreError::Corrupt(format!("site config tag: {e}")))?,
        etag,
    })
}
