//! The one error shape every endpoint answers with, and every code it can carry.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": …, "message": …, "field": …}}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// One of [`ErrorCode`], written in snake_case: what client code matches
    /// on. Read as a string, so a client built before a new code was added
    /// still reads the message.
    pub code: String,
    /// A sentence a developer can act on.
    pub message: String,
    /// The path of the offending input, e.g. `answers[2].value`, when one is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Every code the API answers with. A new failure gets a variant here (and
/// a row in README's error table, which a test keeps complete) rather than a
/// string made up where it happens.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    // The request as a whole.
    /// Not JSON, or something after the JSON value; a query string that does not parse.
    Malformed,
    /// A body that is neither `application/json` nor `text/plain`.
    UnsupportedMediaType,
    /// Not signed in: no session, or a missing or wrong token.
    Unauthorized,
    /// Signed in, but the caller's role does not allow this.
    Forbidden,
    /// A write from something that is not a browser on an allowed origin.
    OriginRequired,
    /// A browser on an origin the site does not list.
    OriginNotAllowed,
    /// No endpoint at this path.
    NotFound,
    /// This endpoint does not take that method.
    MethodNotAllowed,
    /// The body is over the route's limit.
    TooLarge,
    /// The request was not received and answered in time.
    Timeout,
    /// Too many requests; `Retry-After` says when to retry.
    RateLimited,
    /// The collector is shutting down.
    Unavailable,
    /// Our fault; nothing was stored.
    Internal,

    // Things that do not exist.
    UnknownSite,
    UnknownSurvey,
    UnknownVersion,
    UnknownQuestion,
    UnknownChoice,
    UnknownArticle,
    UnknownLocale,
    UnknownAsset,

    // State that refuses the request.
    /// A survey with this id exists already.
    Conflict,
    /// The response id belongs to another site, survey or version.
    IdTaken,
    /// The survey is a draft, paused or archived and takes no new responses.
    SurveyNotActive,

    // One field of the input (422, with `field`).
    Invalid,
    Required,
    Empty,
    TooLong,
    TooMany,
    OutOfRange,
    Duplicate,
    DuplicateAnswer,
    Mismatch,
    WrongType,
    Unexpected,
    ControlCharacter,
    IdInFuture,
    MissingRequired,
    SkippedQuestion,
    ScaleChanged,
    InvalidRule,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: &'static [ErrorCode] = <Self as strum::VariantArray>::VARIANTS;

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn wire_names_are_snake_case_and_agree_with_serde() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
            );
        }
        assert_eq!(ErrorCode::OriginNotAllowed.as_str(), "origin_not_allowed");
    }
}
