//! `POST /v1/sites/{key}/responses`: validate an answer against the exact
//! survey version it names, then hand it to the batching writer. The same
//! response id posted again is answered 200 and stored once.

use crate::AppState;
use crate::error::AppError;
use crate::ingest::IngestError;
use crate::routes::extract::{ApiJson, KnownSite};
use crate::routes::{json, public_site};
use crate::store::{Inserted, NewResponse, Site, SurveyStatus};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use sori_protocol::validate::check_id_time;
use sori_protocol::{
    ErrorCode, FieldError, ResponseId, Submission, ValidResponse, validate_submission,
};

pub fn routes(app: &AppState) -> Router<AppState> {
    let create = post(create)
        .route_layer(from_fn_with_state(app.clone(), public_site::rate_limit))
        .options(preflight);
    let routes = Router::new().route("/v1/sites/{key}/responses", create);
    json::limit_body(routes, app.max_body_bytes)
}

#[derive(Serialize)]
struct Receipt {
    id: ResponseId,
    status: &'static str,
}

async fn create(
    State(app): State<AppState>,
    KnownSite(site): KnownSite,
    ApiJson(submission): ApiJson<Submission>,
) -> Result<Json<Receipt>, AppError> {
    let now = time::OffsetDateTime::now_utc();
    let now_millis = u64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    check_id_time(submission.id, now_millis)?;
    let survey = app
        .catalog
        .survey_version(&site.key, &submission.survey, submission.survey_version)
        .await?
        .ok_or_else(|| {
            FieldError::new(
                "survey",
                ErrorCode::UnknownSurvey,
                format!(
                    "site '{}' has no survey '{}' at version {}",
                    site.key, submission.survey, submission.survey_version
                ),
            )
        })?;
    let response = validate_submission(&survey.definition, submission)?;
    require_live(&app, &site, survey.status, &response).await?;
    let id = response.id;
    let (site_key, survey, finished) =
        (site.key.clone(), response.survey.clone(), response.finished);
    let new = NewResponse {
        site: site.key.clone(),
        response,
        received_at: now,
    };
    let outcome = app.ingest.submit(new).await.map_err(|e| match e {
        IngestError::Overloaded => AppError::RateLimited {
            retry_after_secs: 1,
        },
        IngestError::Stopped => AppError::Unavailable("the collector is shutting down"),
        IngestError::Store(e) => AppError::Store(e),
    })?;
    if matches!(outcome, Inserted::New | Inserted::Updated) {
        app.events.publish(crate::events::Stored {
            site: site_key,
            id,
            survey,
            finished,
            new: outcome == Inserted::New,
        });
    }
    if outcome == Inserted::Conflict {
        return Err(AppError::Conflict {
            code: ErrorCode::IdTaken,
            message: format!(
                "response id '{id}' already belongs to another site, survey or survey version; \
                 make a new id for a new response"
            ),
        });
    }
    // The same answer whether it was new or a retry: the client only needs
    // to know the response is safely stored.
    Ok(Json(Receipt {
        id,
        status: "stored",
    }))
}

/// A survey that is not live takes no new responses. A response whose first
/// save was stored while it was live may still be saved again: someone who
/// is mid-survey when it is paused can still finish, and a retry of an
/// answer already stored still gets its 200.
async fn require_live(
    app: &AppState,
    site: &Site,
    status: SurveyStatus,
    response: &ValidResponse,
) -> Result<(), AppError> {
    if status == SurveyStatus::Active {
        return Ok(());
    }
    let begun = app
        .store
        .response(response.id)
        .await?
        .is_some_and(|r| r.site == site.key && r.survey == response.survey);
    if begun {
        return Ok(());
    }
    let state = match status {
        SurveyStatus::Draft => "a draft",
        SurveyStatus::Archived => "archived",
        SurveyStatus::Active | SurveyStatus::Paused => "paused",
    };
    Err(AppError::Conflict {
        code: ErrorCode::SurveyNotActive,
        message: format!(
            "survey '{}' is {state} and takes no new responses",
            response.survey
        ),
    })
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
