//! Checks a posted response against the exact survey version it answers.
//!
//! The widget runs the same checks before sending, so a respondent learns of
//! a mistake at once; the collector runs them again because it trusts no one.

use crate::locale::Locale;
use crate::response::{AnswerValue, DeviceClass, ResponseId, Submission};
use crate::slug::Slug;
use crate::survey::{QuestionKind, Scale, SurveyDefinition};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use uuid::Uuid;

/// Longest page path we keep.
pub const MAX_PAGE_PATH: usize = 2048;

/// What is wrong with one field of the input, for a 422 that names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Option<String>,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FieldError {}

/// An answer that fits its question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidAnswer {
    Score {
        question: Slug,
        scale: Scale,
        value: u8,
    },
    Text {
        question: Slug,
        value: String,
    },
}

impl ValidAnswer {
    pub fn question(&self) -> &Slug {
        match self {
            ValidAnswer::Score { question, .. } | ValidAnswer::Text { question, .. } => question,
        }
    }
}

/// A response whose every answer fits the survey version it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidResponse {
    pub id: ResponseId,
    pub survey: Slug,
    pub survey_version: u32,
    pub finished: bool,
    pub locale: Locale,
    pub page_path: String,
    pub device: DeviceClass,
    pub respondent: Option<Uuid>,
    pub answers: Vec<ValidAnswer>,
}

/// Validates `sub` against `def`, the definition at `sub.survey_version`.
pub fn validate_submission(
    def: &SurveyDefinition,
    sub: Submission,
) -> Result<ValidResponse, FieldError> {
    if sub.survey != def.id || sub.survey_version != def.version {
        return Err(FieldError::new(
            "survey_version",
            "unknown_version",
            format!(
                "survey '{}' has no version {}",
                sub.survey, sub.survey_version
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut answers = Vec::with_capacity(sub.answers.len());
    for (i, answer) in sub.answers.into_iter().enumerate() {
        let Some(question) = def.question(&answer.question) else {
            return Err(FieldError::new(
                format!("answers[{i}].question"),
                "unknown_question",
                format!("survey '{}' has no question '{}'", def.id, answer.question),
            ));
        };
        if !seen.insert(answer.question.clone()) {
            return Err(FieldError::new(
                format!("answers[{i}].question"),
                "duplicate_answer",
                format!("question '{}' is answered twice", answer.question),
            ));
        }
        let field = format!("answers[{i}].value");
        answers.push(check_value(
            &question.kind,
            answer.question,
            answer.value,
            field,
        )?);
    }
    if sub.finished
        && let Some(missing) = def
            .questions
            .iter()
            .find(|q| q.required && !seen.contains(&q.id))
    {
        return Err(FieldError::new(
            "answers",
            "missing_required",
            format!("question '{}' is required", missing.id),
        ));
    }
    Ok(ValidResponse {
        id: sub.id,
        survey: sub.survey,
        survey_version: sub.survey_version,
        finished: sub.finished,
        locale: sub.locale,
        page_path: clean_page_path(&sub.page_path)?,
        device: sub.device,
        respondent: sub.respondent,
        answers,
    })
}

fn check_value(
    kind: &QuestionKind,
    question: Slug,
    value: AnswerValue,
    field: String,
) -> Result<ValidAnswer, FieldError> {
    match (kind, value) {
        (QuestionKind::Csat, AnswerValue::Number(n)) => {
            let scale = Scale::Csat;
            let in_range = (i64::from(scale.min())..=i64::from(scale.max())).contains(&n);
            match u8::try_from(n) {
                Ok(value) if in_range => Ok(ValidAnswer::Score {
                    question,
                    scale,
                    value,
                }),
                _ => Err(FieldError::new(
                    field,
                    "out_of_range",
                    format!(
                        "a {} answer is a whole number from {} to {}, not {n}",
                        scale.name(),
                        scale.min(),
                        scale.max()
                    ),
                )),
            }
        }
        (QuestionKind::Text { max_length, .. }, AnswerValue::Text(text)) => {
            let text = text.trim();
            let len = text.chars().count();
            if len == 0 {
                Err(FieldError::new(
                    field,
                    "empty",
                    "leave an empty text answer out instead of sending it",
                ))
            } else if len > *max_length as usize {
                Err(FieldError::new(
                    field,
                    "too_long",
                    format!("this answer may be at most {max_length} characters; it has {len}"),
                ))
            } else {
                Ok(ValidAnswer::Text {
                    question,
                    value: text.to_owned(),
                })
            }
        }
        (QuestionKind::Csat, AnswerValue::Text(_)) => Err(FieldError::new(
            field,
            "wrong_type",
            "a csat answer is a number, not text",
        )),
        (QuestionKind::Text { .. }, AnswerValue::Number(_)) => Err(FieldError::new(
            field,
            "wrong_type",
            "a text answer is a string, not a number",
        )),
    }
}

/// Keeps the path only: a query string or fragment can carry tokens or e-mail
/// addresses, which we must not store.
fn clean_page_path(raw: &str) -> Result<String, FieldError> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    if path.chars().count() > MAX_PAGE_PATH {
        return Err(FieldError::new(
            "page_path",
            "too_long",
            format!("page_path may be at most {MAX_PAGE_PATH} characters"),
        ));
    }
    if !path.is_empty() && !path.starts_with('/') {
        return Err(FieldError::new(
            "page_path",
            "invalid",
            "page_path must start with '/'",
        ));
    }
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn survey() -> SurveyDefinition {
        serde_json::from_value(json!({
            "id": "checkout", "version": 3, "name": "Checkout", "title": {"en": "Quick question"},
            "questions": [
                {"id": "csat", "kind": "csat", "required": true, "prompt": {"en": "How satisfied?"}},
                {"id": "comment", "kind": "text", "max_length": 10, "prompt": {"en": "Why?"}}
            ]
        }))
        .unwrap()
    }

    fn submission(answers: serde_json::Value) -> Submission {
        serde_json::from_value(json!({
            "id": ResponseId::from_parts(1_763_000_000_000, [1; 10]),
            "survey": "checkout", "survey_version": 3, "locale": "ko",
            "page_path": "/billing?token=secret#top", "answers": answers
        }))
        .unwrap()
    }

    fn field_of(answers: serde_json::Value) -> Option<String> {
        validate_submission(&survey(), submission(answers))
            .unwrap_err()
            .field
    }

    #[test]
    fn a_complete_response_is_valid_and_loses_its_query_string() {
        let valid = validate_submission(
            &survey(),
            submission(
                json!([{"question": "csat", "value": 4}, {"question": "comment", "value": " ok "}]),
            ),
        )
        .unwrap();
        assert_eq!(valid.page_path, "/billing");
        assert_eq!(
            valid.answers[0],
            ValidAnswer::Score {
                question: Slug::parse("csat").unwrap(),
                scale: Scale::Csat,
                value: 4
            }
        );
        assert_eq!(
            valid.answers[1],
            ValidAnswer::Text {
                question: Slug::parse("comment").unwrap(),
                value: "ok".into()
            }
        );
    }

    #[test]
    fn csat_outside_one_to_five_names_the_value_field() {
        for bad in [0, 6, -1, 300] {
            assert_eq!(
                field_of(json!([{"question": "csat", "value": bad}])).as_deref(),
                Some("answers[0].value")
            );
        }
    }

    #[test]
    fn text_given_to_a_score_question_is_the_wrong_type() {
        let err = validate_submission(
            &survey(),
            submission(json!([{"question": "csat", "value": "5"}])),
        )
        .unwrap_err();
        assert_eq!(err.code, "wrong_type");
    }

    #[test]
    fn text_longer_than_its_limit_is_rejected_counting_characters_not_bytes() {
        assert!(validate_submission(&survey(), submission(json!([{"question": "csat", "value": 5}, {"question": "comment", "value": "한국어로열글자입니다"}]))).is_ok());
        assert_eq!(
            field_of(json!([{"question": "csat", "value": 5}, {"question": "comment", "value": "한국어로열한글자입니다"}])).as_deref(),
            Some("answers[1].value")
        );
    }

    #[test]
    fn unknown_and_repeated_questions_are_named() {
        assert_eq!(
            field_of(json!([{"question": "nps", "value": 4}])).as_deref(),
            Some("answers[0].question")
        );
        assert_eq!(
            field_of(json!([{"question": "csat", "value": 4}, {"question": "csat", "value": 5}]))
                .as_deref(),
            Some("answers[1].question")
        );
    }

    #[test]
    fn a_finished_response_must_answer_required_questions() {
        let err = validate_submission(
            &survey(),
            submission(json!([{"question": "comment", "value": "hi"}])),
        )
        .unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.code),
            (Some("answers"), "missing_required")
        );
    }

    #[test]
    fn a_partial_response_may_leave_required_questions_for_later() {
        let mut sub = submission(json!([]));
        sub.finished = false;
        assert!(validate_submission(&survey(), sub).is_ok());
    }

    #[test]
    fn a_response_to_another_version_is_refused() {
        let mut sub = submission(json!([{"question": "csat", "value": 4}]));
        sub.survey_version = 2;
        assert_eq!(
            validate_submission(&survey(), sub)
                .unwrap_err()
                .field
                .as_deref(),
            Some("survey_version")
        );
    }

    #[test]
    fn a_relative_page_path_is_refused() {
        let mut sub = submission(json!([{"question": "csat", "value": 4}]));
        sub.page_path = "billing".into();
        assert_eq!(
            validate_submission(&survey(), sub)
                .unwrap_err()
                .field
                .as_deref(),
            Some("page_path")
        );
    }
}
