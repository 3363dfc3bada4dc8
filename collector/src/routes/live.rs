//! `GET /v1/admin/sites/{key}/events`: a server-sent events stream that
//! announces each response of the site as it is stored (`event: response`,
//! data `{"id", "survey", "finished", "new"}`), so the dashboard updates
//! without reloading. `event: lagged` means announcements were missed
//! (the listener was too slow): re-read what is shown. A comment every 15
//! seconds keeps proxies from closing a quiet stream; browsers' `EventSource`
//! reconnects by itself when the stream drops. Each stream ends after ten
//! minutes, so a listener whose access was taken away hears no more.

use crate::AppState;
use crate::routes::extract::SiteReader;
use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A stream ends after this long; the browser reconnects by itself, and so
/// asks again whether its session, token or role still lets it listen.
const LIFETIME: Duration = Duration::from_secs(10 * 60);

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/admin/sites/{key}/events", get(events))
}

async fn events(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = app.events.subscribe();
    let ends = tokio::time::Instant::now() + LIFETIME;
    let stream = futures_util::stream::unfold((rx, site.key), move |(mut rx, key)| async move {
        loop {
            let received = tokio::select! {
                received = rx.recv() => received,
                () = tokio::time::sleep_until(ends) => return None,
            };
            let event = match received {
                Ok(stored) if stored.site == key => Event::default()
                    .event("response")
                    .json_data(&stored)
                    .unwrap_or_else(|_| Event::default().event("lagged").data("{}")),
                Ok(_) => continue,
                Err(RecvError::Lagged(missed)) => Event::default()
                    .event("lagged")
                    .data(format!("{{\"missed\":{missed}}}")),
                Err(RecvError::Closed) => return None,
            };
            return Some((Ok(event), (rx, key)));
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
