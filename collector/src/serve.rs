//! The accept loop: the router served over hyper's HTTP/1 connections, with
//! the limits a server open to every browser needs.
//!
//! - A connection must send each request's headers within the header
//!   timeout, and may stay idle between requests no longer than that (hyper
//!   starts the same timer whenever it waits for a request), so slow or idle
//!   clients cannot hold sockets.
//! - At most `max_connections` are served at once. Past that a new
//!   connection gets one 503 with `Retry-After` and is closed, rather than
//!   waiting unseen in the kernel's queue; a few such answers are sent at a
//!   time, and beyond them a connection is closed at once.
//! - On shutdown the listener closes first; requests in flight get the grace
//!   period to finish, then every connection still open is dropped. The
//!   response writer outlives all of them (see `Application::run_until`).

use crate::error::AppError;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Connections over the cap that may be answered 503 at the same time.
const REFUSALS_AT_ONCE: usize = 64;

/// The limits the accept loop enforces.
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// To send a request's headers, and the longest a connection may idle.
    pub header_timeout: Duration,
    /// Connections served at once; more get a 503.
    pub max_connections: usize,
    /// For requests in flight after shutdown begins.
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains as
/// described in the module doc. Returns once every connection is closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut refuse = http.clone();
    refuse.keep_alive(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let io = TokioIo::new(stream);
        if let Ok(slot) = slots.clone().try_acquire_owned() {
            let service = hyper::service::service_fn(with_peer(router.clone(), peer));
            let connection = graceful.watch(http.serve_connection(io, service));
            connections.spawn(async move {
                let _ = connection.await;
                drop(slot);
            });
        } else if let Ok(slot) = refusals.clone().try_acquire_owned() {
            let service = hyper::service::service_fn(|_| async { Ok::<_, Infallible>(too_busy()) });
            let connection = refuse.serve_connection(io, service);
            connections.spawn(async move {
                let _ = connection.await;
                drop(slot);
            });
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                grace_secs = limits.shutdown_grace.as_secs_f32(),
                "closing the connections still open after the grace period"
            );
        }
    }
    connections.shutdown().await;
}

/// The router as a hyper service for one connection, telling handlers the peer.
fn with_peer(
    router: Router,
    peer: SocketAddr,
) -> impl Fn(hyper::Request<Incoming>) -> tower::util::Oneshot<Router, hyper::Request<Incoming>> + Clone
{
    move |mut request| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    }
}

fn too_busy() -> axum::response::Response {
    let mut response =
        AppError::Unavailable("the collector has too many open connections; retry shortly")
            .into_response();
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
