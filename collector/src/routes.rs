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
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sori_protocol::Slug;
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
        // axum's own 405 has no body; ours has the error shape every other has.
        .method_not_allowed_fallback(|| async { crate::error::AppError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(state.clone(), deadline))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        // The path only: a query string may carry a token, and logs are read
        // by more people than the admin.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

/// Answers 408 when a request, body included, is not received and answered
/// within the request timeout. A slow body would otherwise hold its
/// connection and handler forever.
async fn deadline(State(app): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(app.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = AppError::Timeout {
                secs: app.request_timeout.as_secs(),
            }
            .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// The per-client and per-site rate limits in front of public writes and searches.
fn limit(
    app: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    site: &Slug,
) -> Result<(), AppError> {
    let ip = crate::ratelimit::client_ip(peer.ip(), headers, app.behind_proxy);
    app.rate_limit
        .check(ip, site)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
}

/// What every page the collector serves carries (the demo page today, the
/// dashboard later): its strict CSP, which also forbids framing, and no
/// referrer leaking paths to other sites. `nosniff` is on every answer.
fn page_headers(headers: &mut HeaderMap, csp: &str) {
    if let Ok(csp) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}
