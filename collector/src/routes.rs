//! The HTTP surface, one file per resource. Routes parse input into protocol
//! types through the extractors in `extract`, call the store and `stats`,
//! and shape the response. Public routes sit behind `public_site`'s layers,
//! admin routes behind `admin`'s.

mod admin;
mod admin_faq;
mod admin_people;

mod admin_surveys;
mod assets;
mod auth;
mod dashboard;
mod demo;
mod explore;
mod extract;
mod faq;
mod health;
mod insights;
mod json;
mod live;
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
use sori_protocol::ErrorCode;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let public = Router::new()
        .merge(site_config::routes())
        .merge(responses::routes(&state))
        .merge(faq::routes(&state))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            public_site::cors,
        ));
    let admin = admin::routes(&state);
    let routes = Router::new()
        .merge(assets::routes())
        .merge(auth::routes())
        .merge(health::routes())
        .merge(demo::routes())
        .merge(dashboard::routes())
        .merge(public)
        .merge(admin)
        .fallback(|| async { AppError::not_found(ErrorCode::NotFound, "no such endpoint") })
        // axum's own 405 has no body; ours has the error shape every other has.
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            deadline,
        ));
    // Counting costs a few allocations per request: only when it is read.
    let routes = if state.metrics {
        routes.layer(axum::middleware::from_fn(crate::telemetry::count_requests))
    } else {
        routes
    };
    routes
        // Answers over about 1 KB, brotli or gzip as the client accepts;
        // never an event stream (it would wait for a block to fill), and
        // never what is already compressed (the widget's files).
        .layer(
            CompressionLayer::new().compress_when(
                SizeAbove::new(1024)
                    .and(NotForContentType::GRPC)
                    .and(NotForContentType::IMAGES)
                    .and(NotForContentType::SSE),
            ),
        )
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

/// True when the request's `If-None-Match` names `etag` (its text
/// between the quotes), weak or strong.
fn etag_matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/").trim_matches('"') == etag)
        })
}

/// What every page the collector serves carries (the demo page and the
/// dashboard): its strict CSP, which also forbids framing, and no
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
