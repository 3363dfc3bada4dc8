//! Routes for people who run a Sori instance, under `/v1/admin/…`. Every one
//! needs a signed-in [`Caller`], required here as a layer over the whole
//! group; each handler's extractors then say which role it needs.

use super::extract::Caller;
use crate::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

pub fn routes(app: &AppState) -> Router<AppState> {
    super::summary::routes()
        .merge(super::admin_surveys::routes())
        .merge(super::admin_faq::routes())
        .merge(super::admin_people::routes())
        .merge(super::explore::routes())
        .merge(super::insights::routes())
        .merge(super::live::routes())
        .route_layer(axum::middleware::from_extractor_with_state::<Caller, _>(
            app.clone(),
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            forget_after_changes,
        ))
}

/// After a request that may have changed a site, a survey or an article,
/// this collector drops what it keeps of them at once; the others see the
/// catalog version move within a second.
async fn forget_after_changes(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD);
    let response = next.run(request).await;
    if changes && response.status().is_success() {
        app.catalog.forget();
    }
    response
}
