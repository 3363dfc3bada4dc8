//! Wire types and validation shared by the Sori widget and collector.
//!
//! # Layout
//!
//! - [`slug`]: author-chosen ids for sites, surveys, questions and choices.
//! - [`locale`]: the languages the widget speaks and per-locale texts.
//! - [`survey`] and [`question`]: survey definitions and the kinds of question.
//! - [`rules`]: skip rules (ask a question only after certain answers).
//! - [`targeting`]: triggers, URL patterns, attributes and sampling.
//! - [`fatigue`]: how often one respondent may see surveys.
//! - [`response`]: what the widget posts when someone answers.
//! - [`validate`]: checks a posted response against the exact survey it answers.
//! - [`config`]: what the widget fetches at start-up.
//! - [`error`]: the one error shape every endpoint answers with.
//! - [`faq`]: the help center's answers and the vote the widget posts.
//! - [`pairs`]: short key–value lists written as JSON objects.
//!
//! Nothing here does I/O, so both the wasm widget and the server can use it.

pub mod config;
pub mod error;
pub mod faq;
pub mod fatigue;
pub mod locale;
pub mod pairs;
pub mod question;
pub mod response;
pub mod rules;
pub mod slug;
pub mod survey;
pub mod targeting;
pub mod validate;

pub use config::{SiteConfig, SiteRules, SurveyRules};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use fatigue::{Memory, Recontact, SiteFatigue};
pub use locale::{Locale, Localized};
pub use pairs::Pairs;
pub use question::{Choice, Question, QuestionKind, RatingStyle, Scale};
pub use response::{Answer, AnswerValue, DeviceClass, ResponseId, Submission};
pub use rules::{Answers, Condition, Op};
pub use slug::Slug;
pub use survey::SurveyDefinition;
pub use targeting::{Audience, Targeting, Trigger};
pub use validate::{FieldError, ValidAnswer, ValidResponse, validate_submission};
