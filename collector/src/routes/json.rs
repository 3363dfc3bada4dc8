//! Reading JSON bodies so that every mistake is named: bad syntax is a 400,
//! a wrong or missing field a 422 with the field's path.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use sori_protocol::FieldError;

/// The body, or 413 when it is over the limit.
pub fn body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, AppError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge { limit }
        } else {
            AppError::Malformed {
                message: "the request body could not be read".into(),
            }
        }
    })
}

/// JSON, or `text/plain` as `navigator.sendBeacon` sends it without a preflight.
pub fn require_json_or_text(headers: &HeaderMap) -> Result<(), AppError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence == "text/plain" {
        Ok(())
    } else {
        Err(AppError::Unsupported {
            message: format!("send the body as application/json, not '{ct}'"),
        })
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if !inner.is_data() {
            return AppError::Malformed {
                message: format!("the body is not valid JSON: {inner}"),
            };
        }
        let message = inner.to_string();
        let field = match missing_field(&message) {
            Some(name) if path == "." => Some(name.to_owned()),
            Some(name) => Some(format!("{path}.{name}")),
            None if path == "." => None,
            None => Some(path),
        };
        AppError::Invalid(FieldError {
            field,
            code: "invalid",
            message: strip_position(&message),
        })
    })
}

/// serde says ``missing field `x` ``; the field is `x`, not its parent.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// Drops serde's " at line 1 column 9", which means nothing to a client that
/// already gets the field path.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sori_protocol::Submission;

    fn error_of(body: &str) -> AppError {
        parse::<Submission>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn broken_json_is_malformed() {
        assert!(matches!(error_of("{\"id\":"), AppError::Malformed { .. }));
    }

    #[test]
    fn a_wrong_value_deep_inside_names_its_path() {
        let body = r#"{"id":"0199b0c4-0000-7000-8000-000000000000","survey":"s","survey_version":1,
            "locale":"en","answers":[{"question":"csat","value":4.5}]}"#;
        let AppError::Invalid(e) = error_of(body) else {
            panic!("not a 422")
        };
        assert_eq!(e.field.as_deref(), Some("answers[0].value"));
        assert!(e.message.contains("whole number"), "{}", e.message);
    }

    #[test]
    fn a_missing_field_is_named_itself() {
        let AppError::Invalid(e) = error_of(r#"{"survey":"s"}"#) else {
            panic!("not a 422")
        };
        assert_eq!(e.field.as_deref(), Some("id"));
    }
}
