//! The one error shape every endpoint answers with.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": …, "message": …, "field": …}}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, snake_case: what client code matches on.
    pub code: String,
    /// A sentence a developer can act on.
    pub message: String,
    /// The path of the offending input, e.g. `answers[2].value`, when one is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
