//! What handlers take instead of raw requests. Each extractor does one check
//! and fails with an [`AppError`], so every route parses, guards and fails
//! the same way and a handler's signature says what it needs:
//!
//! - [`ApiJson`]: a JSON body (content type, size limit, strict parse);
//! - [`ApiQuery`]: a query string;
//! - [`KnownSite`]: a public route's site, which exists and allows the
//!   browser's origin;
//! - [`Caller`]: who asks an admin route (bootstrap token, API token or
//!   session); [`Owner`], [`SiteReader`] and [`SiteManager`]: what they may
//!   do; [`SiteKey`]: the key of a site being created;
//! - [`SurveyId`], [`ArticleId`], [`PathLocale`]: typed path segments, a 404
//!   naming what was not found when a segment cannot be one; [`Segment`]
//!   for opaque ids.
//!
//! A new route takes these; it does not read headers or path strings itself.

use crate::AppState;
use crate::accounts;
use crate::error::AppError;
use crate::routes::json;
use crate::store::{Role, Site, User};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use serde::de::DeserializeOwned;
use sori_protocol::{ErrorCode, FieldError, Locale, Slug};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The body limit of the route group a request is in, put there by
/// [`json::limit_body`] so a 413 can say what the limit is.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body read strictly: `application/json` or `text/plain` (what
/// `navigator.sendBeacon` sends without a preflight), within the route's
/// size limit, parsed by [`json::parse`] so a wrong field is named by its path.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        json::require_json_or_text(request.headers())?;
        let limit = request.extensions().get::<BodyLimit>().map(|l| l.0);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| match limit {
                Some(limit) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    AppError::TooLarge { limit }
                }
                _ => AppError::Malformed {
                    message: "the request body could not be read".into(),
                },
            })?;
        Ok(ApiJson(json::parse(&bytes)?))
    }
}

/// A query string, or 400 saying which parameter is wrong (axum's own
/// rejection is plain text, not our error shape).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        Query::try_from_uri(&parts.uri)
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                // axum's own text leads with "Failed to deserialize query
                // string"; the cause alone says what is wrong.
                let cause = std::error::Error::source(&rejection)
                    .map_or_else(|| rejection.body_text(), |e| e.to_string());
                AppError::Malformed {
                    message: format!("the query string does not parse: {cause}"),
                }
            })
    }
}

/// The raw value of path segment `{name}`; routes are written with the
/// names their extractors read, so a missing one is a routing mistake of ours.
async fn segment(parts: &mut Parts, name: &str) -> Result<String, AppError> {
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|_| AppError::not_found(ErrorCode::NotFound, "no such endpoint"))?;
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .ok_or_else(|| AppError::not_found(ErrorCode::NotFound, "no such endpoint"))
}

/// Path segment `{name}` as a slug. A `PUT` may create what it names, so a
/// segment that cannot be a slug is a 422 saying why; for other methods it
/// names nothing that exists, the same 404 as an unknown one.
async fn slug_segment(
    parts: &mut Parts,
    name: &str,
    unknown: ErrorCode,
    noun: &str,
) -> Result<Slug, AppError> {
    let raw = segment(parts, name).await?;
    Slug::parse(&raw).map_err(|why| {
        if parts.method == Method::PUT {
            FieldError::new(name, ErrorCode::Invalid, format!("{noun} '{raw}' {why}")).into()
        } else {
            AppError::not_found(unknown, format!("no {noun} '{raw}'"))
        }
    })
}

/// The site named by `{key}`, read from the store, or 404 `unknown_site`.
async fn site(parts: &mut Parts, app: &AppState) -> Result<Arc<Site>, AppError> {
    let raw = segment(parts, "key").await?;
    let unknown = || {
        AppError::not_found(
            ErrorCode::UnknownSite,
            format!("no site has the key '{raw}'"),
        )
    };
    let key = Slug::parse(&raw).map_err(|_| unknown())?;
    app.catalog.site(&key).await?.ok_or_else(unknown)
}

/// The site of a public `/v1/sites/{key}/…` route: it exists, and a
/// browser's `Origin` is one the site allows (or the demo page's, on the
/// demo site). Without an `Origin` (scripts, curl) reads are allowed and
/// writes are not. Checked once per request: the answer is kept in the
/// request, so the CORS layer and the handler share one lookup.
#[derive(Clone)]
pub struct KnownSite(pub Arc<Site>);

impl FromRequestParts<AppState> for KnownSite {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        if let Some(known) = parts.extensions.get::<KnownSite>() {
            return Ok(known.clone());
        }
        let site = site(parts, app).await?;
        let reads = matches!(parts.method, Method::GET | Method::HEAD);
        match parts.headers.get(header::ORIGIN).map(|o| o.to_str()) {
            Some(Ok(o)) if site.allows_origin(o) => {}
            Some(Ok(o)) if app.demo.as_ref().is_some_and(|d| d.allows(&site.key, o)) => {}
            Some(o) => {
                return Err(AppError::Forbidden {
                    code: ErrorCode::OriginNotAllowed,
                    message: format!(
                        "origin '{}' is not allowed for site '{}'; add it to the site's allowed origins",
                        o.unwrap_or("(not text)"),
                        site.key
                    ),
                });
            }
            None if reads => {}
            None => {
                return Err(AppError::Forbidden {
                    code: ErrorCode::OriginRequired,
                    message:
                        "responses are accepted only from browsers on the site's allowed origins"
                            .into(),
                });
            }
        }
        let known = KnownSite(site);
        parts.extensions.insert(known.clone());
        Ok(known)
    }
}

/// Who is asking an admin route: the bootstrap admin token
/// (`SORI_ADMIN_TOKEN`, for set-up and automation; it may do anything), or
/// a user, by personal API token (`Authorization: Bearer sori_pat_…`) or by
/// the dashboard's session cookie. A request signed in by cookie that
/// changes anything must also come from the collector's own origin, so
/// another site cannot make a signed-in browser act (the cookie is
/// `SameSite=Strict` too). The admin router requires it as a layer, so no
/// admin route can forget it; the answer is kept in the request.
#[derive(Clone)]
pub enum Caller {
    Bootstrap,
    User(User),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = match parts.headers.get(header::AUTHORIZATION) {
            Some(value) => by_token(value.to_str().unwrap_or(""), app).await?,
            None => by_session(parts, app).await?,
        };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

async fn by_token(header: &str, app: &AppState) -> Result<Caller, AppError> {
    let given = header
        .strip_prefix("Bearer ")
        .ok_or(AppError::Unauthorized)?
        .trim();
    if let Some(expected) = &app.admin_token
        && constant_time_eq(given.as_bytes(), expected.expose().as_bytes())
    {
        return Ok(Caller::Bootstrap);
    }
    if given.starts_with(accounts::TOKEN_PREFIX)
        && let Some(user) = app.store.token_user(&accounts::secret_hash(given)).await?
    {
        return Ok(Caller::User(user));
    }
    Err(AppError::Unauthorized)
}

async fn by_session(parts: &Parts, app: &AppState) -> Result<Caller, AppError> {
    let id = session_cookie(&parts.headers).ok_or(AppError::Unauthorized)?;
    let user = app
        .store
        .session_user(&accounts::secret_hash(&id))
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        require_own_origin(&parts.headers, app)?;
    }
    Ok(Caller::User(user))
}

/// The session id in the request's cookies, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == accounts::SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// A browser request that changes something must come from a page of this
/// collector: its `Origin` (which browsers send on every such request) is
/// one of the collector's own.
pub fn require_own_origin(headers: &HeaderMap, app: &AppState) -> Result<(), AppError> {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    match origin {
        Some(o) if app.own_origins.iter().any(|own| own == o) => Ok(()),
        _ => Err(AppError::Forbidden {
            code: ErrorCode::OriginNotAllowed,
            message: "a signed-in change must come from the dashboard's own origin".into(),
        }),
    }
}

impl Caller {
    /// Instance owners and the bootstrap token manage users and every site.
    pub fn is_owner(&self) -> bool {
        match self {
            Caller::Bootstrap => true,
            Caller::User(user) => user.owner,
        }
    }

    /// What the caller may do on `site`; `None` when nothing.
    pub async fn role(&self, app: &AppState, site: &Slug) -> Result<Option<Role>, AppError> {
        match self {
            Caller::User(user) if !user.owner => Ok(app
                .store
                .roles(&user.id)
                .await?
                .into_iter()
                .find_map(|(key, role)| (&key == site).then_some(role))),
            _ => Ok(Some(Role::Admin)),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// The caller is an instance owner (or the bootstrap token): managing users
/// and creating sites.
pub struct Owner;

impl FromRequestParts<AppState> for Owner {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        if caller.is_owner() {
            Ok(Owner)
        } else {
            Err(forbidden("only an instance owner may do this"))
        }
    }
}

fn forbidden(message: &str) -> AppError {
    AppError::Forbidden {
        code: ErrorCode::Forbidden,
        message: message.into(),
    }
}

/// The site `{key}` of an admin route, which the caller may at least read.
/// A site the caller has no role on is the same 404 as one that does not
/// exist: a viewer of one site learns nothing of the others.
pub struct SiteReader(pub Site);

impl FromRequestParts<AppState> for SiteReader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        let (site, _) = site_with_role(parts, app).await?;
        Ok(SiteReader(site))
    }
}

/// The site `{key}` of an admin route that changes it: the caller must be
/// one of its admins (or an owner).
pub struct SiteManager(pub Site);

impl FromRequestParts<AppState> for SiteManager {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        match site_with_role(parts, app).await? {
            (site, Role::Admin) => Ok(SiteManager(site)),
            (site, Role::Viewer) => Err(forbidden(&format!(
                "you may read site '{}' but not change it; ask one of its admins",
                site.key
            ))),
        }
    }
}

/// The key `{key}` of a site to create or change: an owner may create it,
/// its admins may change it. Checked before the body is read, so a caller
/// who may not write learns nothing from how the body is judged.
pub struct SiteEditor(pub Slug);

impl FromRequestParts<AppState> for SiteEditor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        let SiteKey(key) = SiteKey::from_request_parts(parts, app).await?;
        if caller.is_owner() {
            return Ok(SiteEditor(key));
        }
        let exists = app.store.site(&key).await?.is_some();
        match (exists, caller.role(app, &key).await?) {
            (true, Some(Role::Admin)) => Ok(SiteEditor(key)),
            (true, Some(Role::Viewer)) => Err(forbidden(&format!(
                "you may read site '{key}' but not change it; ask one of its admins"
            ))),
            (true, None) => Err(AppError::not_found(
                ErrorCode::UnknownSite,
                format!("no site has the key '{key}'"),
            )),
            (false, _) => Err(forbidden("only an instance owner may create a site")),
        }
    }
}

async fn site_with_role(parts: &mut Parts, app: &AppState) -> Result<(Site, Role), AppError> {
    let caller = Caller::from_request_parts(parts, app).await?;
    let site = site(parts, app).await?;
    match caller.role(app, &site.key).await? {
        Some(role) => Ok((Site::clone(&site), role)),
        None => Err(AppError::not_found(
            ErrorCode::UnknownSite,
            format!("no site has the key '{}'", site.key),
        )),
    }
}

/// Path segment `{key}` of a site that may not exist yet (the `PUT` that
/// creates it): a key that cannot be one is a 422 naming `key`.
pub struct SiteKey(pub Slug);

impl<S: Send + Sync> FromRequestParts<S> for SiteKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        slug_segment(parts, "key", ErrorCode::UnknownSite, "site key")
            .await
            .map(SiteKey)
    }
}

/// Path segment `{survey}`.
pub struct SurveyId(pub Slug);

impl<S: Send + Sync> FromRequestParts<S> for SurveyId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        slug_segment(parts, "survey", ErrorCode::UnknownSurvey, "survey")
            .await
            .map(SurveyId)
    }
}

/// Path segment `{article}`.
pub struct ArticleId(pub Slug);

impl<S: Send + Sync> FromRequestParts<S> for ArticleId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        slug_segment(parts, "article", ErrorCode::UnknownArticle, "article")
            .await
            .map(ArticleId)
    }
}

/// A path segment that is an opaque id (`{user}`, `{token}`, `{response}`,
/// `{name}`), read as text: its handler says whether anything has it.
pub struct Segment<const NAME: char>(pub String);

impl<S: Send + Sync, const NAME: char> FromRequestParts<S> for Segment<NAME> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let name = match NAME {
            'u' => "user",
            't' => "token",
            'r' => "response",
            _ => "name",
        };
        segment(parts, name).await.map(Segment)
    }
}

/// `{user}`: a user's id.
pub type UserId = Segment<'u'>;
/// `{token}`: an API token's id.
pub type TokenId = Segment<'t'>;
/// `{response}`: a response's id.
pub type ResponseParam = Segment<'r'>;
/// `{name}`: a file's name.
pub type FileName = Segment<'n'>;

/// Path segment `{locale}`: a locale code we speak (`en`, `ko`).
pub struct PathLocale(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for PathLocale {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let raw = segment(parts, "locale").await?;
        let codes: Vec<&str> = Locale::ALL.iter().map(|l| l.code()).collect();
        Locale::from_code(&raw).map(PathLocale).ok_or_else(|| {
            AppError::not_found(
                ErrorCode::UnknownLocale,
                format!("no locale '{raw}'; use one of: {}", codes.join(", ")),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_match_only_when_equal() {
        assert!(super::constant_time_eq(b"same-token", b"same-token"));
        assert!(!super::constant_time_eq(b"same-token", b"same-tokeN"));
        assert!(!super::constant_time_eq(b"short", b"longer"));
    }
}
