//! Routes for people who run a Sori instance, under `/v1/admin/…`. Every one
//! needs a signed-in [`Caller`], required here as a layer over the whole
//! group; each handler's extractors then say which role it needs.

use super::extract::Caller;
use crate::AppState;
use axum::Router;

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
}
