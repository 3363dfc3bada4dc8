//! Checks a posted response against the exact survey version it answers.
//!
//! The widget runs the same checks before sending, so a respondent learns of
//! a mistake at once; the collector runs them again because it trusts no one.

use crate::error::ErrorCode;
use crate::locale::Locale;
use crate::pairs::Pairs;
use crate::question::{DEFAULT_TEXT_LENGTH, OTHER, QuestionKind, Scale};
use crate::response::{Answer, AnswerValue, DeviceClass, ResponseId, Submission};
use crate::rules::{Answers, is_shown};
use crate::slug::Slug;
use crate::survey::SurveyDefinition;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use uuid::Uuid;

/// Longest page path we keep.
pub const MAX_PAGE_PATH: usize = 2048;

/// What is wrong with one field of the input, for a 422 that names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
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

/// An answer that fits its question, with its score when it has one (yes/no
/// scores 1 for yes and 0 for no), ready to store and to roll up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAnswer {
    pub question: Slug,
    pub value: AnswerValue,
    pub other: Option<String>,
    pub score: Option<(Scale, u8)>,
}

/// A response whose every answer fits the survey version it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidResponse {
    pub id: ResponseId,
    pub survey: Slug,
    pub survey_version: u32,
    pub finished: bool,
    pub seq: u32,
    pub locale: Locale,
    pub page_path: String,
    pub device: DeviceClass,
    pub respondent: Option<Uuid>,
    pub user_id: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub answers: Vec<ValidAnswer>,
    pub faq_article: Option<Slug>,
    pub faq_query: Option<String>,
}

/// How far ahead of the server's clock a response id's time may be. Browser
/// clocks drift, but an id from tomorrow is made up.
pub const MAX_ID_AHEAD_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// Refuses an id whose time is more than [`MAX_ID_AHEAD_MILLIS`] after `now_millis`.
pub fn check_id_time(id: ResponseId, now_millis: u64) -> Result<(), FieldError> {
    if id.unix_millis() > now_millis.saturating_add(MAX_ID_AHEAD_MILLIS) {
        return Err(FieldError::new(
            "id",
            ErrorCode::IdInFuture,
            "the id's time is more than a day ahead of the server clock; make ids from the current time",
        ));
    }
    Ok(())
}

/// Refuses text holding a control character (C0, DEL or C1) other than a
/// tab or a line break (LF, CR). Such characters are never typed, some
/// databases cannot store NUL, and every backend must answer the same.
pub fn check_text(field: impl FnOnce() -> String, text: &str) -> Result<(), FieldError> {
    match text
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        None => Ok(()),
        Some(c) => Err(FieldError::new(
            field(),
            ErrorCode::ControlCharacter,
            format!(
                "text may not hold control character U+{:04X}; only tabs and line breaks",
                u32::from(c)
            ),
        )),
    }
}

const MAX_USER_ID: usize = 200;
const MAX_ATTRIBUTES: usize = 20;
const MAX_ATTRIBUTE_LEN: usize = 200;
/// Longer than any search box query; the collector cuts queries to this too.
pub const MAX_FAQ_QUERY: usize = 200;

/// Validates `sub` against `def`, the definition at `sub.survey_version`.
pub fn validate_submission(
    def: &SurveyDefinition,
    sub: Submission,
) -> Result<ValidResponse, FieldError> {
    if sub.survey != def.id || sub.survey_version != def.version {
        return Err(FieldError::new(
            "survey_version",
            ErrorCode::UnknownVersion,
            format!(
                "survey '{}' has no version {}",
                sub.survey, sub.survey_version
            ),
        ));
    }
    let given: Answers = sub
        .answers
        .iter()
        .map(|a| (a.question.clone(), a.value.clone()))
        .collect();
    let mut seen = HashSet::new();
    let mut answers = Vec::with_capacity(sub.answers.len());
    for (i, answer) in sub.answers.into_iter().enumerate() {
        let Some(question) = def.question(&answer.question) else {
            return Err(FieldError::new(
                format!("answers[{i}].question"),
                ErrorCode::UnknownQuestion,
                format!("survey '{}' has no question '{}'", def.id, answer.question),
            ));
        };
        if !seen.insert(answer.question.clone()) {
            return Err(FieldError::new(
                format!("answers[{i}].question"),
                ErrorCode::DuplicateAnswer,
                format!("question '{}' is answered twice", answer.question),
            ));
        }
        if !is_shown(question, &given) {
            return Err(FieldError::new(
                format!("answers[{i}].question"),
                ErrorCode::SkippedQuestion,
                format!(
                    "question '{}' is skipped by its rule for these answers",
                    answer.question
                ),
            ));
        }
        answers.push(check_answer(&question.kind, answer, i)?);
    }
    if sub.finished
        && let Some(missing) = def
            .questions
            .iter()
            .find(|q| q.required && is_shown(q, &given) && !seen.contains(&q.id))
    {
        return Err(FieldError::new(
            "answers",
            ErrorCode::MissingRequired,
            format!("question '{}' is required", missing.id),
        ));
    }
    check_identity(sub.user_id.as_deref(), &sub.attributes)?;
    if sub
        .faq_query
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_FAQ_QUERY)
    {
        return Err(FieldError::new(
            "faq_query",
            ErrorCode::OutOfRange,
            format!("faq_query is at most {MAX_FAQ_QUERY} characters"),
        ));
    }
    Ok(ValidResponse {
        id: sub.id,
        survey: sub.survey,
        survey_version: sub.survey_version,
        finished: sub.finished,
        seq: sub.seq,
        locale: sub.locale,
        page_path: clean_page_path(&sub.page_path)?,
        device: sub.device,
        respondent: sub.respondent,
        user_id: sub.user_id,
        attributes: sub.attributes.into_iter().collect(),
        answers,
        faq_article: sub.faq_article,
        faq_query: sub.faq_query.filter(|q| !q.trim().is_empty()),
    })
}

fn check_identity(
    user_id: Option<&str>,
    attributes: &Pairs<String, String>,
) -> Result<(), FieldError> {
    if user_id.is_some_and(|u| u.is_empty() || u.chars().count() > MAX_USER_ID) {
        return Err(FieldError::new(
            "user_id",
            ErrorCode::OutOfRange,
            format!("user_id is 1 to {MAX_USER_ID} characters"),
        ));
    }
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(FieldError::new(
            "attributes",
            ErrorCode::TooMany,
            format!("at most {MAX_ATTRIBUTES} attributes"),
        ));
    }
    for (key, value) in attributes.iter() {
        if key.is_empty() || key.chars().count() > 50 || value.chars().count() > MAX_ATTRIBUTE_LEN {
            return Err(FieldError::new(
                format!("attributes.{key}"),
                ErrorCode::OutOfRange,
                format!(
                    "attribute names are 1 to 50 characters, values at most {MAX_ATTRIBUTE_LEN}"
                ),
            ));
        }
    }
    Ok(())
}

fn check_answer(kind: &QuestionKind, answer: Answer, i: usize) -> Result<ValidAnswer, FieldError> {
    let field = format!("answers[{i}].value");
    let wrong = |expected: &str| {
        Err(FieldError::new(
            field.clone(),
            ErrorCode::WrongType,
            format!("this answer must be {expected}"),
        ))
    };
    if answer.other.is_some() && !matches!(kind, QuestionKind::MultiChoice { other: true, .. }) {
        return Err(FieldError::new(
            format!("answers[{i}].other"),
            ErrorCode::Unexpected,
            "only a multi-choice question with 'other' takes other text",
        ));
    }
    let mut score = None;
    let mut other = None;
    let value = match (kind, answer.value) {
        (kind, AnswerValue::Number(n)) if kind.scale().is_some() => {
            let scale = kind.scale().unwrap_or(Scale::Csat);
            match u8::try_from(n) {
                Ok(v) if (scale.min()..=scale.max()).contains(&v) => score = Some((scale, v)),
                _ => {
                    return Err(FieldError::new(
                        field,
                        ErrorCode::OutOfRange,
                        format!(
                            "a {} answer is a whole number from {} to {}, not {n}",
                            scale.name(),
                            scale.min(),
                            scale.max()
                        ),
                    ));
                }
            }
            AnswerValue::Number(n)
        }
        (kind, _) if kind.scale().is_some() => return wrong("a whole number"),
        (QuestionKind::YesNo, AnswerValue::Bool(b)) => {
            score = Some((Scale::YesNo, u8::from(b)));
            AnswerValue::Bool(b)
        }
        (QuestionKind::YesNo, _) => return wrong("true or false"),
        (QuestionKind::SingleChoice { choices }, AnswerValue::Text(id)) => {
            if !choices.iter().any(|c| c.id.as_str() == id) {
                return Err(FieldError::new(
                    field,
                    ErrorCode::UnknownChoice,
                    format!("'{id}' is not one of this question's choices"),
                ));
            }
            AnswerValue::Text(id)
        }
        (QuestionKind::SingleChoice { .. }, _) => return wrong("a choice id"),
        (
            QuestionKind::MultiChoice {
                choices,
                other: allows_other,
            },
            AnswerValue::List(ids),
        ) => {
            let mut unique = HashSet::new();
            for id in &ids {
                let known =
                    choices.iter().any(|c| c.id.as_str() == id) || (*allows_other && id == OTHER);
                if !known || !unique.insert(id) {
                    return Err(FieldError::new(
                        field,
                        ErrorCode::UnknownChoice,
                        format!("'{id}' is not a choice of this question, or is repeated"),
                    ));
                }
            }
            if ids.is_empty() {
                return Err(FieldError::new(
                    field,
                    ErrorCode::Empty,
                    "leave an unanswered question out instead of sending an empty list",
                ));
            }
            if ids.iter().any(|id| id == OTHER) {
                let text = answer.other.as_deref().map(str::trim).unwrap_or("");
                if text.is_empty() || text.chars().count() > DEFAULT_TEXT_LENGTH as usize {
                    return Err(FieldError::new(
                        format!("answers[{i}].other"),
                        ErrorCode::Required,
                        format!(
                            "picking 'other' needs its text, 1 to {DEFAULT_TEXT_LENGTH} characters"
                        ),
                    ));
                }
                other = Some(text.to_owned());
            }
            AnswerValue::List(ids)
        }
        (QuestionKind::MultiChoice { .. }, _) => return wrong("a list of choice ids"),
        (QuestionKind::Text { max_length, .. }, AnswerValue::Text(text)) => {
            let text = text.trim();
            let len = text.chars().count();
            if len == 0 {
                return Err(FieldError::new(
                    field,
                    ErrorCode::Empty,
                    "leave an empty text answer out instead of sending it",
                ));
            }
            if len > *max_length as usize {
                return Err(FieldError::new(
                    field,
                    ErrorCode::TooLong,
                    format!("this answer may be at most {max_length} characters; it has {len}"),
                ));
            }
            AnswerValue::Text(text.to_owned())
        }
        (QuestionKind::Text { .. }, _) => return wrong("text"),
        _ => return wrong("of this question's kind"),
    };
    Ok(ValidAnswer {
        question: answer.question,
        value,
        other,
        score,
    })
}

/// Keeps the path only: a query string or fragment can carry tokens or e-mail
/// addresses, which we must not store.
fn clean_page_path(raw: &str) -> Result<String, FieldError> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    if path.chars().count() > MAX_PAGE_PATH {
        return Err(FieldError::new(
            "page_path",
            ErrorCode::TooLong,
            format!("page_path may be at most {MAX_PAGE_PATH} characters"),
        ));
    }
    if !path.is_empty() && !path.starts_with('/') {
        return Err(FieldError::new(
            "page_path",
            ErrorCode::Invalid,
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
                {"id": "comment", "kind": "text", "max_length": 10, "prompt": {"en": "Why?"}},
                {"id": "nps", "kind": "nps", "prompt": {"en": "Recommend?"}},
                {"id": "ces", "kind": "ces", "prompt": {"en": "Easy?"}},
                {"id": "stars", "kind": "rating", "points": 4, "prompt": {"en": "Stars?"}},
                {"id": "again", "kind": "yes_no", "prompt": {"en": "Again?"}},
                {"id": "plan", "kind": "single_choice", "prompt": {"en": "Plan?"},
                 "choices": [{"id": "free", "label": {"en": "Free"}}, {"id": "pro", "label": {"en": "Pro"}}]},
                {"id": "uses", "kind": "multi_choice", "other": true, "prompt": {"en": "Uses?"},
                 "choices": [{"id": "invoices", "label": {"en": "Invoices"}}, {"id": "reports", "label": {"en": "Reports"}}]},
                {"id": "fix", "kind": "text", "required": true, "prompt": {"en": "What went wrong?"},
                 "show_if": {"question": "csat", "op": "lte", "value": 2}}
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

    /// The csat answer every finished response needs, then `extra`.
    fn with_csat(extra: serde_json::Value) -> serde_json::Value {
        json!([{"question": "csat", "value": 4}, extra])
    }

    fn outcome(answers: serde_json::Value) -> Result<ValidResponse, FieldError> {
        validate_submission(&survey(), submission(answers))
    }

    #[test]
    fn control_characters_other_than_tabs_and_line_breaks_are_refused() {
        assert!(check_text(|| "f".into(), "two\tcolumns\r\nand lines\n한국어").is_ok());
        for bad in [
            "nul\0",
            "\u{1}",
            "bell\u{7}",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "\u{85}",
        ] {
            let err = check_text(|| "answers[0].value".into(), bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("answers[0].value"));
            assert_eq!(err.code, ErrorCode::ControlCharacter);
        }
    }

    #[test]
    fn an_id_more_than_a_day_ahead_of_the_clock_is_refused() {
        let now = 1_763_000_000_000;
        let soon = ResponseId::from_parts(now + MAX_ID_AHEAD_MILLIS, [1; 10]);
        assert!(check_id_time(soon, now).is_ok());
        let later = ResponseId::from_parts(now + MAX_ID_AHEAD_MILLIS + 1, [1; 10]);
        assert_eq!(
            check_id_time(later, now).unwrap_err().code,
            ErrorCode::IdInFuture
        );
        let max = ResponseId::parse("ffffffff-ffff-7fff-bfff-ffffffffffff").unwrap();
        assert!(check_id_time(max, now).is_err());
    }

    #[test]
    fn a_complete_response_is_valid_and_loses_its_query_string() {
        let valid = outcome(with_csat(json!({"question": "comment", "value": " ok "}))).unwrap();
        assert_eq!(valid.page_path, "/billing");
        assert_eq!(valid.answers[0].score, Some((Scale::Csat, 4)));
        assert_eq!(valid.answers[1].value, AnswerValue::Text("ok".into()));
    }

    #[test]
    fn every_kind_accepts_its_own_answers_and_scores_them() {
        let table = [
            (
                json!({"question": "nps", "value": 0}),
                Some((Scale::Nps, 0)),
            ),
            (
                json!({"question": "nps", "value": 10}),
                Some((Scale::Nps, 10)),
            ),
            (
                json!({"question": "ces", "value": 7}),
                Some((Scale::Ces, 7)),
            ),
            (
                json!({"question": "stars", "value": 4}),
                Some((Scale::Rating(4), 4)),
            ),
            (
                json!({"question": "again", "value": true}),
                Some((Scale::YesNo, 1)),
            ),
            (
                json!({"question": "again", "value": false}),
                Some((Scale::YesNo, 0)),
            ),
            (json!({"question": "plan", "value": "pro"}), None),
            (
                json!({"question": "uses", "value": ["reports", "invoices"]}),
                None,
            ),
            (
                json!({"question": "uses", "value": ["other"], "other": "Payroll"}),
                None,
            ),
        ];
        for (answer, score) in table {
            let valid =
                outcome(with_csat(answer.clone())).unwrap_or_else(|e| panic!("{answer}: {e}"));
            assert_eq!(valid.answers[1].score, score, "{answer}");
        }
    }

    #[test]
    fn every_kind_refuses_what_does_not_fit_naming_the_field() {
        let table = [
            (
                json!({"question": "nps", "value": 11}),
                "answers[1].value",
                "out_of_range",
            ),
            (
                json!({"question": "nps", "value": -1}),
                "answers[1].value",
                "out_of_range",
            ),
            (
                json!({"question": "ces", "value": 0}),
                "answers[1].value",
                "out_of_range",
            ),
            (
                json!({"question": "stars", "value": 5}),
                "answers[1].value",
                "out_of_range",
            ),
            (
                json!({"question": "stars", "value": "4"}),
                "answers[1].value",
                "wrong_type",
            ),
            (
                json!({"question": "again", "value": 1}),
                "answers[1].value",
                "wrong_type",
            ),
            (
                json!({"question": "plan", "value": "gold"}),
                "answers[1].value",
                "unknown_choice",
            ),
            (
                json!({"question": "plan", "value": ["pro"]}),
                "answers[1].value",
                "wrong_type",
            ),
            (
                json!({"question": "uses", "value": ["invoices", "invoices"]}),
                "answers[1].value",
                "unknown_choice",
            ),
            (
                json!({"question": "uses", "value": []}),
                "answers[1].value",
                "empty",
            ),
            (
                json!({"question": "uses", "value": ["other"]}),
                "answers[1].other",
                "required",
            ),
            (
                json!({"question": "plan", "value": "pro", "other": "x"}),
                "answers[1].other",
                "unexpected",
            ),
            (
                json!({"question": "comment", "value": "   "}),
                "answers[1].value",
                "empty",
            ),
            (
                json!({"question": "comment", "value": 5}),
                "answers[1].value",
                "wrong_type",
            ),
        ];
        for (answer, field, code) in table {
            let err = outcome(with_csat(answer.clone())).unwrap_err();
            assert_eq!(
                (err.field.as_deref(), err.code.as_str()),
                (Some(field), code),
                "{answer}"
            );
        }
    }

    #[test]
    fn csat_outside_one_to_five_names_the_value_field() {
        for bad in [0, 6, -1, 300] {
            let err = outcome(json!([{"question": "csat", "value": bad}])).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("answers[0].value"));
        }
    }

    #[test]
    fn text_longer_than_its_limit_is_rejected_counting_characters_not_bytes() {
        assert!(
            outcome(with_csat(
                json!({"question": "comment", "value": "한국어로열글자입니다"})
            ))
            .is_ok()
        );
        let err = outcome(with_csat(
            json!({"question": "comment", "value": "한국어로열한글자입니다"}),
        ))
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("answers[1].value"));
    }

    #[test]
    fn unknown_and_repeated_questions_are_named() {
        let err = outcome(json!([{"question": "mood", "value": 4}])).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("answers[0].question"));
        let err =
            outcome(json!([{"question": "csat", "value": 4}, {"question": "csat", "value": 5}]))
                .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("answers[1].question"));
    }

    #[test]
    fn a_finished_response_must_answer_required_questions() {
        let err = outcome(json!([{"question": "comment", "value": "hi"}])).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.code.as_str()),
            (Some("answers"), "missing_required")
        );
    }

    #[test]
    fn a_skipped_question_is_neither_required_nor_accepted() {
        // CSAT 4: "what went wrong?" is skipped, so it is not required...
        assert!(outcome(json!([{"question": "csat", "value": 4}])).is_ok());
        // ...and an answer to it is refused.
        let err = outcome(with_csat(json!({"question": "fix", "value": "slow"}))).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.code.as_str()),
            (Some("answers[1].question"), "skipped_question")
        );
        // CSAT 2: it is asked, and it is required.
        let err = outcome(json!([{"question": "csat", "value": 2}])).unwrap_err();
        assert_eq!(err.code, ErrorCode::MissingRequired);
        assert!(
            outcome(
                json!([{"question": "csat", "value": 2}, {"question": "fix", "value": "slow"}])
            )
            .is_ok()
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

    #[test]
    fn oversized_identify_data_is_refused() {
        let mut sub = submission(json!([{"question": "csat", "value": 4}]));
        sub.attributes.set("plan".into(), "x".repeat(201));
        assert_eq!(
            validate_submission(&survey(), sub)
                .unwrap_err()
                .field
                .as_deref(),
            Some("attributes.plan")
        );
    }
}
