//! The one error type handlers return. It separates the caller's mistakes
//! (4xx with a message they can act on) from ours (5xx, logged, no internals).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sori_protocol::{ErrorBody, ErrorCode, ErrorDetail, FieldError};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Malformed { message: String },
    #[error("{message}")]
    Unsupported { message: String },
    #[error("not signed in")]
    Unauthorized,
    #[error("wrong email or password")]
    WrongPassword,
    #[error("{message}")]
    Forbidden { code: ErrorCode, message: String },
    #[error("{message}")]
    NotFound { code: ErrorCode, message: String },
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
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
    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::NotFound {
            code,
            message: message.into(),
        }
    }

    fn parts(&self) -> (StatusCode, ErrorCode, String, Option<String>) {
        match self {
            AppError::Malformed { message } => (
                StatusCode::BAD_REQUEST,
                ErrorCode::Malformed,
                message.clone(),
                None,
            ),
            AppError::Unsupported { message } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                message.clone(),
                None,
            ),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "sign in, or send a token as 'Authorization: Bearer TOKEN'".into(),
                None,
            ),
            AppError::WrongPassword => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "wrong email or password".into(),
                None,
            ),
            AppError::Forbidden { code, message } => {
                (StatusCode::FORBIDDEN, *code, message.clone(), None)
            }
            AppError::NotFound { code, message } => {
                (StatusCode::NOT_FOUND, *code, message.clone(), None)
            }
            AppError::Conflict { code, message } => {
                (StatusCode::CONFLICT, *code, message.clone(), None)
            }
            AppError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
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
                ErrorCode::Timeout,
                format!("the request was not received and answered within {secs} s; retry"),
                None,
            ),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "this endpoint does not take that method".into(),
                None,
            ),
            AppError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many requests; retry after the number of seconds in Retry-After".into(),
                None,
            ),
            AppError::Unavailable(what) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                (*what).to_owned(),
                None,
            ),
            AppError::Store(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
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
                code: code.as_str().to_owned(),
                message,
                field,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let AppError::RateLimited { retry_after_secs } = self {
            metrics::counter!("sori_rate_limited_total").increment(1);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use sori_protocol::ErrorCode;
    use std::collections::BTreeSet;

    /// The codes README's error table lists: the backticked words in the
    /// second column of its rows that start with a status.
    fn documented() -> BTreeSet<String> {
        let readme = include_str!("../../README.md");
        readme
            .lines()
            .filter_map(|line| {
                let mut cells = line.split('|').map(str::trim).skip(1);
                let status = cells.next()?;
                (status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| cells.next())
                    .flatten()
            })
            .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_owned))
            .collect()
    }

    #[test]
    fn readme_lists_every_error_code_and_no_other() {
        let documented = documented();
        let codes: BTreeSet<String> = ErrorCode::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        let missing: Vec<_> = codes.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&codes).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "README's error table lacks {missing:?} and lists codes that do not exist: {unknown:?}"
        );
    }
}
