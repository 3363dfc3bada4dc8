//! Signing in to the dashboard:
//!
//! - `POST /v1/auth/login` `{"email", "password"}`: a new session, in an
//!   HttpOnly, `SameSite=Strict` cookie (`Secure` when the public URL is
//!   https). Any session the browser brought is ended first, so a session id
//!   planted before sign-in is never the signed-in one. Throttled per
//!   account and per client IP.
//! - `POST /v1/auth/logout`: ends the session in the database, not just in
//!   the browser.
//! - `GET /v1/auth/me`: who is signed in, and their sites and roles.

use crate::AppState;
use crate::accounts::{self, SESSION_COOKIE, SESSION_LIFETIME};
use crate::error::AppError;
use crate::routes::extract::{ApiJson, Caller, require_own_origin, session_cookie};
use crate::routes::json;
use crate::store::Role;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sori_protocol::Slug;
use std::net::SocketAddr;

const LOGIN_BODY_LIMIT: usize = 4 * 1024;

pub fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/me", get(me));
    json::limit_body(routes, LOGIN_BODY_LIMIT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

/// Who is signed in, as the dashboard shows it.
#[derive(Serialize)]
struct Me {
    email: Option<String>,
    owner: bool,
    sites: Vec<SiteRole>,
}

#[derive(Serialize)]
struct SiteRole {
    site: Slug,
    role: Role,
}

async fn login(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(login): ApiJson<Login>,
) -> Result<Response, AppError> {
    // A form on another site must not sign a browser in to an account of
    // the attacker's choosing.
    if headers.contains_key(header::ORIGIN) {
        require_own_origin(&headers, &app)?;
    }
    let ip = crate::ratelimit::client_ip(peer.ip(), &headers, app.behind_proxy);
    app.login_throttle
        .check(ip, &login.email)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let email = accounts::normalize_email(&login.email);
    let user = app.store.user_by_email(&email).await?;
    let password = login.password;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let permit = app
        .password_checks
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::RateLimited {
            retry_after_secs: 1,
        })?;
    // Slow on purpose: off the async workers.
    let matches = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        accounts::verify_password(&password, stored.as_deref())
    })
    .await
    .unwrap_or(false);
    let Some(user) = user.filter(|_| matches) else {
        return Err(AppError::WrongPassword);
    };
    if let Some(old) = session_cookie(&headers) {
        app.store
            .delete_session(&accounts::secret_hash(&old))
            .await?;
    }
    let id = accounts::new_secret();
    let expires = time::OffsetDateTime::now_utc() + SESSION_LIFETIME;
    app.store
        .create_session(&accounts::secret_hash(&id), &user.id, expires)
        .await?;
    tracing::info!(user = %user.id, "signed in");
    let me = me_of(&app, &Caller::User(user)).await?;
    let mut response = Json(me).into_response();
    set_cookie(&mut response, &app, &id, SESSION_LIFETIME.as_secs());
    Ok(response)
}

async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(id) = session_cookie(&headers) {
        require_own_origin(&headers, &app)?;
        app.store
            .delete_session(&accounts::secret_hash(&id))
            .await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut response, &app, "", 0);
    Ok(response)
}

async fn me(State(app): State<AppState>, caller: Caller) -> Result<Json<Me>, AppError> {
    Ok(Json(me_of(&app, &caller).await?))
}

async fn me_of(app: &AppState, caller: &Caller) -> Result<Me, AppError> {
    let sites = match caller {
        Caller::User(user) if !user.owner => app
            .store
            .roles(&user.id)
            .await?
            .into_iter()
            .map(|(site, role)| SiteRole { site, role })
            .collect(),
        _ => app
            .store
            .site_keys()
            .await?
            .into_iter()
            .map(|site| SiteRole {
                site,
                role: Role::Admin,
            })
            .collect(),
    };
    Ok(match caller {
        Caller::Bootstrap => Me {
            email: None,
            owner: true,
            sites,
        },
        Caller::User(user) => Me {
            email: Some(user.email.clone()),
            owner: user.owner,
            sites,
        },
    })
}

/// Sets the session cookie to `value` for `max_age` seconds (0 clears it).
fn set_cookie(response: &mut Response, app: &AppState, value: &str, max_age: u64) {
    let cookie = cookie::Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(app.secure_cookies)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age).unwrap_or(0),
        ))
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
