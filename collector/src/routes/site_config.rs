//! `GET /v1/sites/{key}/config`: what the widget needs at start-up.

use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::KnownSite;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sori_protocol::SiteConfig;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/sites/{key}/config", get(config))
}

async fn config(
    State(app): State<AppState>,
    KnownSite(site): KnownSite,
) -> Result<Response, AppError> {
    let surveys = app.store.active_surveys(&site.key).await?;
    let faq = app.store.article_count(&site.key).await? > 0;
    let body = SiteConfig {
        site: site.key,
        locale: site.default_locale,
        fatigue: site.fatigue,
        surveys,
        faq,
    };
    let mut response = Json(body).into_response();
    // Short, so a paused survey disappears within a minute.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}
