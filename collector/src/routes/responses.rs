//! `POST /v1/sites/{key}/responses`: validate an answer against the exact
//! survey version it names, then hand it to the batching writer. The same
//! response id posted again is answered 200 and stored once.

use crate::AppState;
use crate::error::AppError;
use crate::ingest::IngestError;
use crate::routes::json;
use crate::store::{NewResponse, Site};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Serialize;
use sori_protocol::{FieldError, ResponseId, Submission, validate_submission};
use std::net::SocketAddr;

pub fn routes(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/v1/sites/{key}/responses", post(create).options(preflight))
        .layer(DefaultBodyLimit::max(max_body_bytes))
}

#[derive(Serialize)]
struct Receipt {
    id: ResponseId,
    status: &'static str,
}

async fn create(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(site): Extension<Site>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Receipt>, AppError> {
    super::limit(&app, peer, &headers)?;
    json::require_json_or_text(&headers)?;
    let body = json::body(body, app.max_body_bytes)?;
    let submission: Submission = json::parse(&body)?;
    let definition = app
        .store
        .survey_version(&site.key, &submission.survey, submission.survey_version)
        .await?
        .ok_or_else(|| {
            FieldError::new(
                "survey",
                "unknown_survey",
                format!(
                    "site '{}' has no survey '{}' at version {}",
                    site.key, submission.survey, submission.survey_version
                ),
            )
        })?;
    let response = validate_submission(&definition, submission)?;
    let id = response.id;
    let new = NewResponse {
        site: site.key,
        response,
        received_at: time::OffsetDateTime::now_utc(),
    };
    app.ingest.submit(new).await.map_err(|e| match e {
        IngestError::Overloaded => AppError::RateLimited {
            retry_after_secs: 1,
        },
        IngestError::Stopped => AppError::Unavailable("the collector is shutting down"),
        IngestError::Store(e) => AppError::Store(e),
    })?;
    // The same answer whether it was new or a retry: the client only needs
    // to know the response is safely stored.
    Ok(Json(Receipt {
        id,
        status: "stored",
    }))
}

/// CORS preflight; the guard has already checked the origin.
pub(super) async fn preflight() -> impl IntoResponse {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("7200"),
    );
    r
}
