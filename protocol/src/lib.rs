//! Wire types and validation shared by the Sori widget and collector.
//!
//! # Layout
//!
//! - [`slug`]: author-chosen ids for sites, surveys and questions.
//! - [`locale`]: the languages the widget speaks and per-locale texts.
//! - [`survey`]: survey definitions as the collector stores and serves them.
//! - [`response`]: what the widget posts when someone answers.
//! - [`validate`]: checks a posted response against the exact survey it answers.
//! - [`config`]: what the widget fetches at start-up.
//! - [`error`]: the one error shape every endpoint answers with.
//!
//! Nothing here does I/O, so both the wasm widget and the server can use it.

pub mod config;
pub mod error;
pub mod locale;
pub mod response;
pub mod slug;
pub mod survey;
pub mod validate;

pub use config::SiteConfig;
pub use error::{ErrorBody, ErrorDetail};
pub use locale::{Locale, Localized};
pub use response::{Answer, AnswerValue, DeviceClass, ResponseId, Submission};
pub use slug::Slug;
pub use survey::{Question, QuestionKind, Scale, SurveyDefinition};
pub use validate::{FieldError, ValidAnswer, ValidResponse, validate_submission};
