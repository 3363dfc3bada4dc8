//! The layers in front of public `/v1/sites/{key}/…` routes: CORS for the
//! site's allowed origins, and the rate limits on writes and searches. Both
//! take [`KnownSite`], so a request for an unknown site or from an origin
//! the site does not allow is refused before any handler runs.

use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::KnownSite;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;

/// Lets the allowed origin read the answer, errors included.
pub async fn cors(_: KnownSite, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = next.run(request).await;
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        // Not a CORS-safelisted header: without this the widget could not
        // read how long a 429 asks it to wait.
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
    }
    response
}

/// The per-client and per-site limits, on the public routes that write or
/// search (each article read writes a view count, so it is one of them).
pub async fn rate_limit(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    KnownSite(site): KnownSite,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let ip = crate::ratelimit::client_ip(peer.ip(), request.headers(), app.behind_proxy);
    app.rate_limit
        .check(ip, &site.key)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    Ok(next.run(request).await)
}
