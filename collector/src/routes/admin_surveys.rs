//! The admin API for sites and surveys (admin token for now):
//! `PUT /v1/admin/sites/{key}`, and under `/v1/admin/sites/{key}/surveys`
//! list, create, read, update (a new version when it changed), activate, pause.

use crate::AppState;
use crate::error::AppError;
use crate::routes::json;
use crate::store::{Site, StoredSurvey, SurveyStatus};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use sori_protocol::{FieldError, Slug, SurveyDefinition};

const ADMIN_BODY_LIMIT: usize = 256 * 1024;

pub fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/v1/admin/sites", get(list_sites))
        .route("/v1/admin/sites/{key}", get(get_site).put(put_site))
        .route("/v1/admin/sites/{key}/surveys", get(list).post(create))
        .route("/v1/admin/sites/{key}/surveys/{id}", get(read).put(update))
        .route(
            "/v1/admin/sites/{key}/surveys/{id}/activate",
            post(activate),
        )
        .route("/v1/admin/sites/{key}/surveys/{id}/pause", post(pause));
    json::limit_body(routes, ADMIN_BODY_LIMIT)
}

pub(super) fn slug(raw: &str, what: &'static str) -> Result<Slug, AppError> {
    Slug::parse(raw).map_err(|_| {
        AppError::not_found(
            what,
            format!("no {} '{raw}'", what.trim_start_matches("unknown_")),
        )
    })
}

pub(super) async fn known_site(app: &AppState, key: &str) -> Result<Slug, AppError> {
    let key = slug(key, "unknown_site")?;
    app.store.site(&key).await?.ok_or_else(|| {
        AppError::not_found("unknown_site", format!("no site has the key '{key}'"))
    })?;
    Ok(key)
}

fn definition(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<SurveyDefinition, AppError> {
    json::require_json_or_text(headers)?;
    let def: SurveyDefinition = json::parse(&json::body(body, ADMIN_BODY_LIMIT)?)?;
    def.check()?;
    Ok(def)
}

/// Every site, with its settings, in key order.
async fn list_sites(State(app): State<AppState>) -> Result<Json<Vec<Site>>, AppError> {
    let mut sites = Vec::new();
    for key in app.store.site_keys().await? {
        if let Some(site) = app.store.site(&key).await? {
            sites.push(site);
        }
    }
    Ok(Json(sites))
}

/// One site's settings, as a `PUT` would write them: read before you write.
async fn get_site(
    State(app): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Site>, AppError> {
    let key = known_site(&app, &key).await?;
    let site = app.store.site(&key).await?.ok_or_else(|| {
        AppError::not_found("unknown_site", format!("no site has the key '{key}'"))
    })?;
    Ok(Json(site))
}

async fn put_site(
    State(app): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Site>, AppError> {
    json::require_json_or_text(&headers)?;
    let site: Site = json::parse(&json::body(body, ADMIN_BODY_LIMIT)?)?;
    if site.key.as_str() != key {
        return Err(
            FieldError::new("key", "mismatch", "the body's key must match the URL's").into(),
        );
    }
    if let Some((i, bad)) = site
        .allowed_origins
        .iter()
        .enumerate()
        .find(|(_, o)| !is_origin(o))
    {
        return Err(FieldError::new(
            format!("allowed_origins[{i}]"),
            "invalid",
            format!(
                "'{bad}' is not an origin like https://app.example.com (no path, no trailing slash)"
            ),
        )
        .into());
    }
    if jiff::tz::TimeZone::get(&site.time_zone).is_err() {
        return Err(FieldError::new(
            "time_zone",
            "invalid",
            format!(
                "'{}' is not an IANA time zone name like Asia/Seoul or UTC",
                site.time_zone
            ),
        )
        .into());
    }
    app.store.put_site(&site).await?;
    Ok(Json(site))
}

/// `scheme://host[:port]` and nothing more, written as browsers send it in
/// `Origin` (lower case, no default port), so an exact match can find it.
/// The URL parser lets `*` through in a host name (no browser sends one),
/// so the name's characters are checked too.
fn is_origin(o: &str) -> bool {
    url::Url::parse(o).is_ok_and(|u| {
        let host_ok = match u.host() {
            Some(url::Host::Domain(name)) => name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
            Some(_) => true,
            None => false,
        };
        host_ok && matches!(u.scheme(), "http" | "https") && u.origin().ascii_serialization() == o
    })
}

async fn list(
    State(app): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Vec<StoredSurvey>>, AppError> {
    let key = known_site(&app, &key).await?;
    Ok(Json(app.store.surveys(&key).await?))
}

async fn find(app: &AppState, key: &Slug, id: &str) -> Result<StoredSurvey, AppError> {
    let id = slug(id, "unknown_survey")?;
    app.store
        .surveys(key)
        .await?
        .into_iter()
        .find(|s| s.definition.id == id)
        .ok_or_else(|| {
            AppError::not_found(
                "unknown_survey",
                format!("site '{key}' has no survey '{id}'"),
            )
        })
}

async fn create(
    State(app): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<StoredSurvey>), AppError> {
    let key = known_site(&app, &key).await?;
    let def = definition(&headers, body)?;
    if app
        .store
        .surveys(&key)
        .await?
        .iter()
        .any(|s| s.definition.id == def.id)
    {
        return Err(AppError::Conflict {
            code: "conflict",
            message: format!("survey '{}' exists; update it with PUT", def.id),
        });
    }
    let stored = app
        .store
        .put_survey(&key, &def, SurveyStatus::Draft)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(StoredSurvey {
            status: SurveyStatus::Draft,
            definition: stored,
        }),
    ))
}

async fn read(
    State(app): State<AppState>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Json<StoredSurvey>, AppError> {
    let key = known_site(&app, &key).await?;
    Ok(Json(find(&app, &key, &id).await?))
}

/// Stores the definition as a new version if it changed; answers in flight
/// to the old version still validate against it. The status is kept.
async fn update(
    State(app): State<AppState>,
    Path((key, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<StoredSurvey>, AppError> {
    let key = known_site(&app, &key).await?;
    let current = find(&app, &key, &id).await?;
    let mut def = definition(&headers, body)?;
    if def.id != current.definition.id {
        return Err(FieldError::new("id", "mismatch", "the body's id must match the URL's").into());
    }
    def.check_successor(&current.definition)?;
    def.version = current.definition.version;
    let stored = app.store.put_survey(&key, &def, current.status).await?;
    Ok(Json(StoredSurvey {
        status: current.status,
        definition: stored,
    }))
}

async fn set_status(
    app: &AppState,
    key: &str,
    id: &str,
    status: SurveyStatus,
) -> Result<Json<StoredSurvey>, AppError> {
    let key = known_site(app, key).await?;
    let id = slug(id, "unknown_survey")?;
    app.store
        .set_survey_status(&key, &id, status)
        .await?
        .map(Json)
        .ok_or_else(|| {
            AppError::not_found(
                "unknown_survey",
                format!("site '{key}' has no survey '{id}'"),
            )
        })
}

async fn activate(
    State(app): State<AppState>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Json<StoredSurvey>, AppError> {
    set_status(&app, &key, &id, SurveyStatus::Active).await
}

async fn pause(
    State(app): State<AppState>,
    Path((key, id)): Path<(String, String)>,
) -> Result<Json<StoredSurvey>, AppError> {
    set_status(&app, &key, &id, SurveyStatus::Paused).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_bare_origins_are_origins() {
        for good in ["https://app.example.com", "http://localhost:8080"] {
            assert!(super::is_origin(good), "{good}");
        }
        for bad in [
            "app.example.com",
            "https://app.example.com/",
            "https://a.com/path",
            "https://*.a.com",
            "ftp://a.com",
            "https://App.example.com",
            "https://a.com:443",
            "https://user@a.com",
            "https://a.com?x",
        ] {
            assert!(!super::is_origin(bad), "{bad}");
        }
    }
}
