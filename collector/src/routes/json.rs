//! Reading JSON bodies so that every mistake is named: bad syntax is a 400,
//! a wrong or missing field a 422 with the field's path.

use crate::error::AppError;
use crate::routes::extract::BodyLimit;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::{Extension, Router};
use serde::de::DeserializeOwned;
use sori_protocol::validate::check_text;
use sori_protocol::{ErrorCode, FieldError};

/// JSON, or `text/plain` as `navigator.sendBeacon` sends it without a preflight.
pub(super) fn require_json_or_text(headers: &HeaderMap) -> Result<(), AppError> {
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

/// Caps the bodies of a group of routes at `limit` bytes. A request that
/// declares a longer body in `Content-Length` is answered 413 at once,
/// without waiting for a body that may never come; one that sends more
/// than it declared is stopped at the limit by [`ApiJson`](super::extract::ApiJson).
pub fn limit_body<S: Clone + Send + Sync + 'static>(router: Router<S>, limit: usize) -> Router<S> {
    router
        .layer(middleware::from_fn(
            move |request: Request, next: Next| async move {
                let declared = request
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                match declared {
                    Some(n) if n > limit as u64 => AppError::TooLarge { limit }.into_response(),
                    _ => next.run(request).await,
                }
            },
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(Extension(BodyLimit(limit)))
}

/// Reads a JSON body strictly, in three steps, so each mistake gets its own
/// answer: not JSON at all, or anything after the value, is 400; a control
/// character in any string is 422 naming where; a value of the wrong type
/// or out of range is 422 with the field's path.
pub(super) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AppError::Malformed {
            message: format!("the body is not valid JSON (one value, nothing after it): {e}"),
        })?;
    check_strings(&value, &mut String::new())?;
    // Read the bytes again rather than the value, so a field given twice is
    // refused rather than silently resolved (in maps such as `attributes`
    // the last one wins, as in JSON.parse).
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = match field_named(&message) {
            Some(name) if path == "." => Some(name.to_owned()),
            Some(name) => Some(format!("{path}.{name}")),
            None if path == "." => None,
            None => Some(path),
        };
        AppError::Invalid(FieldError {
            field,
            code: ErrorCode::Invalid,
            message: strip_position(&message),
        })
    })
}

/// Every string and object key in `value` must pass [`check_text`]; `path`
/// is written as serde_path_to_error writes it (`answers[0].value`).
fn check_strings(value: &serde_json::Value, path: &mut String) -> Result<(), FieldError> {
    use serde_json::Value;
    let here = |path: &String| -> String {
        if path.is_empty() {
            ".".into()
        } else {
            path.clone()
        }
    };
    match value {
        Value::String(text) => check_text(|| here(path), text),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_strings(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                check_text(|| here(path), key)?;
                check_strings(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// serde says ``missing field `x` ``; the field is `x`, not its parent. (An
/// unknown field is already the last step of the path.)
fn field_named(message: &str) -> Option<&str> {
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

    const VALID: &str = r#"{"id":"0199b0c4-0000-7000-8000-000000000000","survey":"s",
        "survey_version":1,"locale":"en","answers":[{"question":"csat","value":4}]}"#;

    #[test]
    fn anything_after_the_json_value_is_malformed() {
        assert!(parse::<Submission>(VALID.as_bytes()).is_ok());
        for tail in [" junk", "]]]", " {}", "\n{\"id\":1}"] {
            let body = format!("{VALID}{tail}");
            assert!(
                matches!(error_of(&body), AppError::Malformed { .. }),
                "{tail:?} was accepted"
            );
        }
        assert!(parse::<Submission>(format!("{VALID} \n\t").as_bytes()).is_ok());
    }

    #[test]
    fn a_wrong_type_in_an_enum_field_names_the_field() {
        for (field, value) in [("locale", "null"), ("locale", "5"), ("device", "null")] {
            let body = VALID.replacen('{', &format!("{{\"{field}\":{value},"), 1);
            let body = if field == "locale" {
                body.replace(r#""locale":"en","#, "")
            } else {
                body
            };
            let AppError::Invalid(e) = error_of(&body) else {
                panic!("{field}: {value} is not a 422")
            };
            assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        }
    }

    #[test]
    fn a_control_character_in_any_string_names_where_it_is() {
        let body = VALID.replace(r#""value":4}"#, r#""value":4,"other":"a\u0000b"}"#);
        let AppError::Invalid(e) = error_of(&body) else {
            panic!("not a 422")
        };
        assert_eq!(e.field.as_deref(), Some("answers[0].other"));
        assert_eq!(e.code, ErrorCode::ControlCharacter);
        let body = VALID.replacen('{', r#"{"attributes":{"pl\u0007an":"pro"},"#, 1);
        let AppError::Invalid(e) = error_of(&body) else {
            panic!("not a 422")
        };
        assert_eq!(e.field.as_deref(), Some("attributes.pl\u{7}an"));
    }

    #[test]
    fn a_repeated_key_is_refused() {
        let body = VALID.replacen('{', r#"{"survey":"t","#, 1);
        assert!(matches!(error_of(&body), AppError::Invalid(_)));
    }

    #[test]
    fn a_missing_field_is_named_itself() {
        let AppError::Invalid(e) = error_of(r#"{"survey":"s"}"#) else {
            panic!("not a 422")
        };
        assert_eq!(e.field.as_deref(), Some("id"));
    }
}
