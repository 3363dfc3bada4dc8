//! The admin API for sites and surveys:
//! `PUT /v1/admin/sites/{key}`, and under `/v1/admin/sites/{key}/surveys`
//! list, create, read, update (a new version when it changed), activate,
//! pause and archive (`DELETE`).

use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::{ApiJson, Caller, SiteEditor, SiteManager, SiteReader, SurveyId};
use crate::routes::json;
use crate::store::{Site, StoredSurvey, SurveyStatus};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use sori_protocol::{ErrorCode, FieldError, Slug, SurveyDefinition};

const ADMIN_BODY_LIMIT: usize = 256 * 1024;

pub fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/v1/admin/sites", get(list_sites))
        .route("/v1/admin/sites/{key}", get(get_site).put(put_site))
        .route("/v1/admin/sites/{key}/surveys", get(list).post(create))
        .route(
            "/v1/admin/sites/{key}/surveys/{survey}",
            get(read).put(update).delete(archive),
        )
        .route(
            "/v1/admin/sites/{key}/surveys/{survey}/activate",
            post(activate),
        )
        .route("/v1/admin/sites/{key}/surveys/{survey}/pause", post(pause));
    json::limit_body(routes, ADMIN_BODY_LIMIT)
}

/// Every site the caller may read, with its settings, in key order.
async fn list_sites(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Site>>, AppError> {
    // An owner reads every site; anyone else, the sites of their roles.
    let keys = match &caller {
        Caller::User(user) if !user.owner => app
            .store
            .roles(&user.id)
            .await?
            .into_iter()
            .map(|(key, _)| key)
            .collect(),
        _ => app.store.site_keys().await?,
    };
    let mut sites = Vec::new();
    for key in keys {
        if let Some(site) = app.store.site(&key).await? {
            sites.push(site);
        }
    }
    Ok(Json(sites))
}

/// One site's settings, as a `PUT` would write them: read before you write.
async fn get_site(SiteReader(site): SiteReader) -> Json<Site> {
    Json(site)
}

/// Creates or replaces a site: an owner creates one, its admins change it.
async fn put_site(
    State(app): State<AppState>,
    SiteEditor(key): SiteEditor,
    ApiJson(site): ApiJson<Site>,
) -> Result<Json<Site>, AppError> {
    if site.key != key {
        return Err(FieldError::new(
            "key",
            ErrorCode::Mismatch,
            "the body's key must match the URL's",
        )
        .into());
    }
    if let Some((i, bad)) = site
        .allowed_origins
        .iter()
        .enumerate()
        .find(|(_, o)| !is_origin(o))
    {
        return Err(FieldError::new(
            format!("allowed_origins[{i}]"),
            ErrorCode::Invalid,
            format!(
                "'{bad}' is not an origin like https://app.example.com (no path, no trailing slash)"
            ),
        )
        .into());
    }
    if jiff::tz::TimeZone::get(&site.time_zone).is_err() {
        return Err(FieldError::new(
            "time_zone",
            ErrorCode::Invalid,
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
    SiteReader(site): SiteReader,
) -> Result<Json<Vec<StoredSurvey>>, AppError> {
    Ok(Json(app.store.surveys(&site.key).await?))
}

fn unknown_survey(site: &Slug, id: &Slug) -> AppError {
    AppError::not_found(
        ErrorCode::UnknownSurvey,
        format!("site '{site}' has no survey '{id}'"),
    )
}

async fn find(app: &AppState, site: &Slug, id: &Slug) -> Result<StoredSurvey, AppError> {
    app.store
        .surveys(site)
        .await?
        .into_iter()
        .find(|s| &s.definition.id == id)
        .ok_or_else(|| unknown_survey(site, id))
}

async fn create(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    ApiJson(def): ApiJson<SurveyDefinition>,
) -> Result<(StatusCode, Json<StoredSurvey>), AppError> {
    def.check()?;
    if app
        .store
        .surveys(&site.key)
        .await?
        .iter()
        .any(|s| s.definition.id == def.id)
    {
        return Err(AppError::Conflict {
            code: ErrorCode::Conflict,
            message: format!("survey '{}' exists; update it with PUT", def.id),
        });
    }
    let stored = app
        .store
        .put_survey(&site.key, &def, SurveyStatus::Draft)
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
    SiteReader(site): SiteReader,
    SurveyId(id): SurveyId,
) -> Result<Json<StoredSurvey>, AppError> {
    Ok(Json(find(&app, &site.key, &id).await?))
}

/// Stores the definition as a new version if it changed; answers in flight
/// to the old version still validate against it. The status is kept.
async fn update(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    SurveyId(id): SurveyId,
    ApiJson(mut def): ApiJson<SurveyDefinition>,
) -> Result<Json<StoredSurvey>, AppError> {
    let current = find(&app, &site.key, &id).await?;
    def.check()?;
    if def.id != current.definition.id {
        return Err(FieldError::new(
            "id",
            ErrorCode::Mismatch,
            "the body's id must match the URL's",
        )
        .into());
    }
    def.check_successor(&current.definition)?;
    def.version = current.definition.version;
    let stored = app
        .store
        .put_survey(&site.key, &def, current.status)
        .await?;
    Ok(Json(StoredSurvey {
        status: current.status,
        definition: stored,
    }))
}

async fn set_status(
    app: &AppState,
    site: &Slug,
    id: &Slug,
    status: SurveyStatus,
) -> Result<Json<StoredSurvey>, AppError> {
    app.store
        .set_survey_status(site, id, status)
        .await?
        .map(Json)
        .ok_or_else(|| unknown_survey(site, id))
}

async fn activate(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    SurveyId(id): SurveyId,
) -> Result<Json<StoredSurvey>, AppError> {
    set_status(&app, &site.key, &id, SurveyStatus::Active).await
}

/// Archives: the survey leaves the config and takes no new responses, and
/// keeps its versions and responses. Activating or pausing brings it back.
async fn archive(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    SurveyId(id): SurveyId,
) -> Result<Json<StoredSurvey>, AppError> {
    set_status(&app, &site.key, &id, SurveyStatus::Archived).await
}

async fn pause(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    SurveyId(id): SurveyId,
) -> Result<Json<StoredSurvey>, AppError> {
    set_status(&app, &site.key, &id, SurveyStatus::Paused).await
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
