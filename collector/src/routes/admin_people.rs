//! Who may do what:
//!
//! - `GET`, `POST /v1/admin/users`: every user; create one (owners only);
//! - `GET /v1/admin/sites/{key}/members`: a site's members and roles;
//!   `POST` `{"email", "role"}` gives a user a role there, `DELETE
//!   …/members/{user}` takes it away (the site's admins);
//! - `GET`, `POST /v1/admin/tokens`, `DELETE /v1/admin/tokens/{token}`: the
//!   caller's personal API tokens; a new one is shown once, in the answer
//!   that makes it.

use crate::AppState;
use crate::accounts::{self, TOKEN_PREFIX};
use crate::error::AppError;
use crate::routes::extract::{ApiJson, Caller, Owner, Segment, SiteManager, TokenId, UserId};
use crate::routes::json;
use crate::store::{ApiToken, Member, Role, User};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sori_protocol::{ErrorCode, FieldError};

const PEOPLE_BODY_LIMIT: usize = 4 * 1024;
const MAX_TOKEN_NAME: usize = 100;

pub fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/v1/admin/users", get(users).post(add_user))
        .route(
            "/v1/admin/sites/{key}/members",
            get(members).post(add_member),
        )
        .route(
            "/v1/admin/sites/{key}/members/{user}",
            delete(remove_member),
        )
        .route("/v1/admin/tokens", get(tokens).post(add_token))
        .route("/v1/admin/tokens/{token}", delete(revoke_token));
    json::limit_body(routes, PEOPLE_BODY_LIMIT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserBody {
    email: String,
    password: String,
    #[serde(default)]
    owner: bool,
}

async fn users(State(app): State<AppState>, _: Owner) -> Result<Json<Vec<User>>, AppError> {
    Ok(Json(app.store.users().await?))
}

async fn add_user(
    State(app): State<AppState>,
    _: Owner,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<User>), AppError> {
    let user = tokio::task::spawn_blocking(move || {
        accounts::new_user(&body.email, &body.password, body.owner)
    })
    .await
    .map_err(|_| AppError::Unavailable("the password could not be hashed"))??;
    if !app.store.create_user(&user).await? {
        return Err(AppError::Conflict {
            code: ErrorCode::Conflict,
            message: format!("a user with the email '{}' exists", user.email),
        });
    }
    let created = app
        .store
        .user_by_email(&user.email)
        .await?
        .ok_or(AppError::Unavailable("the new user could not be read back"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberBody {
    email: String,
    role: Role,
}

async fn members(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
) -> Result<Json<Vec<Member>>, AppError> {
    Ok(Json(app.store.members(&site.key).await?))
}

async fn add_member(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    ApiJson(body): ApiJson<MemberBody>,
) -> Result<Json<Vec<Member>>, AppError> {
    let email = accounts::normalize_email(&body.email);
    let user = app.store.user_by_email(&email).await?.ok_or_else(|| {
        FieldError::new(
            "email",
            ErrorCode::Invalid,
            format!("no user has the email '{email}'; an owner creates users first"),
        )
    })?;
    app.store.set_member(&site.key, &user.id, body.role).await?;
    Ok(Json(app.store.members(&site.key).await?))
}

async fn remove_member(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    Segment(user): UserId,
) -> Result<StatusCode, AppError> {
    if app.store.remove_member(&site.key, &user).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(
            ErrorCode::NotFound,
            format!("user '{user}' is not a member of site '{}'", site.key),
        ))
    }
}

/// Tokens belong to users; the bootstrap token has none.
fn user_of(caller: Caller) -> Result<User, AppError> {
    match caller {
        Caller::User(user) => Ok(user),
        Caller::Bootstrap => Err(AppError::Forbidden {
            code: ErrorCode::Forbidden,
            message: "the admin token has no personal tokens; sign in as a user".into(),
        }),
    }
}

async fn tokens(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiToken>>, AppError> {
    let user = user_of(caller)?;
    Ok(Json(app.store.tokens(&user.id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    name: String,
}

/// A token as made: the only answer that shows the token itself.
#[derive(Serialize)]
struct NewToken {
    token: String,
    #[serde(flatten)]
    about: ApiToken,
}

async fn add_token(
    State(app): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<(StatusCode, Json<NewToken>), AppError> {
    let user = user_of(caller)?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
        return Err(FieldError::new(
            "name",
            ErrorCode::OutOfRange,
            format!("a token's name has 1 to {MAX_TOKEN_NAME} characters"),
        )
        .into());
    }
    let token = format!("{TOKEN_PREFIX}{}", accounts::new_secret());
    let about = app
        .store
        .create_token(&user.id, name, &accounts::secret_hash(&token))
        .await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, about })))
}

async fn revoke_token(
    State(app): State<AppState>,
    caller: Caller,
    Segment(token): TokenId,
) -> Result<StatusCode, AppError> {
    let user = user_of(caller)?;
    if app.store.revoke_token(&user.id, &token).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(
            ErrorCode::NotFound,
            format!("you have no live token '{token}'"),
        ))
    }
}
