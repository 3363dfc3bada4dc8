//! Routes for people who run a Sori instance, under `/v1/admin/…`. Every one
//! needs the admin token ([`Admin`]), required here as a layer over the
//! whole group (accounts come later).

use super::extract::Admin;
use crate::AppState;
use axum::Router;

pub fn routes(app: &AppState) -> Router<AppState> {
    super::summary::routes()
        .merge(super::admin_surveys::routes())
        .merge(super::admin_faq::routes())
        .route_layer(axum::middleware::from_extractor_with_state::<Admin, _>(
            app.clone(),
        ))
}
