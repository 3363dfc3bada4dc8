//! The HTTP surface, one file per resource. Routes parse input into protocol
//! types, call the store and `stats`, and shape the response.

mod admin;
mod admin_faq;
mod admin_surveys;
mod assets;
mod demo;
mod faq;
mod health;
mod json;
mod public_site;
mod responses;
mod site_config;
mod summary;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::http::HeaderMap;
use axum::http::{HeaderName, HeaderValue};
use std::net::SocketAddr;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let public = Router::new()
        .merge(site_config::routes())
        .merge(responses::routes(state.max_body_bytes))
        .merge(faq::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            public_site::guard,
        ));
    let admin = summary::routes()
        .merge(admin_surveys::routes())
        .merge(admin_faq::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            admin::require_token,
        ));
    Router::new()
        .merge(assets::routes())
        .merge(health::routes())
        .merge(demo::routes())
        .merge(public)
        .merge(admin)
        .fallback(|| async { crate::error::AppError::not_found("not_found", "no such endpoint") })
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The per-client rate limit in front of public writes and searches.
fn limit(app: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Result<(), AppError> {
    app.rate_limit
        .check(crate::ratelimit::client_ip(
            peer.ip(),
            headers,
            app.behind_proxy,
        ))
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
}
