//! The admin token check in front of admin routes (accounts come later).

use crate::AppState;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

pub async fn require_token(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let expected = app.admin_token.as_ref().ok_or(AppError::Unauthorized)?;
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    if constant_time_eq(given.trim().as_bytes(), expected.expose().as_bytes()) {
        Ok(next.run(request).await)
    } else {
        Err(AppError::Unauthorized)
    }
}

/// Compares without returning early (`subtle`), so response timing does
/// not reveal how much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
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
