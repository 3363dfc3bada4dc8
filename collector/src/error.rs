//! The one error type handlers return. It separates the caller's mistakes
//! (4xx with a message they can act on) from ours (5xx, logged, no internals).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sori_protocol::{ErrorBody, ErrorDetail, FieldError};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Malformed { message: String },
    #[error("{message}")]
    Unsupported { message: String },
    #[error("missing or wrong admin token")]
    Unauthorized,
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("request body larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("the request took longer than {secs} s")]
    Timeout { secs: u64 },
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("service unavailable: {0}")]
    Unavailable(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        AppError::NotFound {
            code,
            message: message.into(),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, String, Option<String>) {
        match self {
            AppError::Malformed { message } => {
                (StatusCode::BAD_REQUEST, "malformed", message.clone(), None)
            }
            AppError::Unsupported { message } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                message.clone(),
                None,
            ),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send the admin token as 'Authorization: Bearer TOKEN'".into(),
                None,
            ),
            AppError::Forbidden { code, message } => {
                (StatusCode::FORBIDDEN, code, message.clone(), None)
            }
            AppError::NotFound { code, message } => {
                (StatusCode::NOT_FOUND, code, message.clone(), None)
            }
            AppError::Conflict { code, message } => {
                (StatusCode::CONFLICT, code, message.clone(), None)
            }
            AppError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the request body may be at most {limit} bytes"),
                None,
            ),
            AppError::Invalid(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                e.code,
                e.message.clone(),
                e.field.clone(),
            ),
            AppError::Timeout { secs } => (
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!("the request was not received and answered within {secs} s; retry"),
                None,
            ),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method".into(),
                None,
            ),
            AppError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests; retry after the number of seconds in Retry-After".into(),
                None,
            ),
            AppError::Unavailable(what) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                (*what).to_owned(),
                None,
            ),
            AppError::Store(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on our side; nothing was stored, so it is safe to retry"
                    .into(),
                None,
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Store(e) = &self {
            tracing::error!(error = %e, "store failure");
        }
        let (status, code, message, field) = self.parts();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                field,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let AppError::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}
