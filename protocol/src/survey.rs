//! Survey definitions: what the collector stores and the widget renders.

use crate::locale::Localized;
use crate::slug::Slug;
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One survey at one version. Responses name the version they answer, so a
/// survey edited while answers are in flight still validates those answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyDefinition {
    pub id: Slug,
    #[serde(default = "first_version")]
    pub version: u32,
    /// The author's name for it, shown in the dashboard, never to respondents.
    pub name: String,
    /// The panel heading respondents see, e.g. "Quick question".
    pub title: Localized,
    pub questions: Vec<Question>,
}

fn first_version() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawQuestion", into = "RawQuestion")]
pub struct Question {
    pub id: Slug,
    pub prompt: Localized,
    pub required: bool,
    pub kind: QuestionKind,
}

/// What a question asks for; the `kind` field on the wire, with its settings
/// beside it in the question object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionKind {
    /// Customer satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
    Csat,
    /// Free text.
    Text { max_length: u32, multiline: bool },
}

/// The flat wire form of a question. Reading it through this struct rather
/// than a tagged, flattened enum keeps serde's buffering machinery out of
/// the widget's wasm, and lets us reject settings that do not fit the kind.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Slug,
    kind: KindName,
    prompt: Localized,
    #[serde(default)]
    required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    multiline: Option<bool>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
    Csat,
    Text,
}

impl TryFrom<RawQuestion> for Question {
    type Error = String;

    fn try_from(raw: RawQuestion) -> Result<Self, String> {
        let kind = match raw.kind {
            KindName::Csat => {
                if raw.max_length.is_some() || raw.multiline.is_some() {
                    return Err(format!(
                        "question '{}': max_length and multiline belong to text questions",
                        raw.id
                    ));
                }
                QuestionKind::Csat
            }
            KindName::Text => QuestionKind::Text {
                max_length: raw.max_length.unwrap_or_else(default_max_length),
                multiline: raw.multiline.unwrap_or(false),
            },
        };
        Ok(Question {
            id: raw.id,
            prompt: raw.prompt,
            required: raw.required,
            kind,
        })
    }
}

impl From<Question> for RawQuestion {
    fn from(q: Question) -> Self {
        let (kind, max_length, multiline) = match q.kind {
            QuestionKind::Csat => (KindName::Csat, None, None),
            QuestionKind::Text {
                max_length,
                multiline,
            } => (KindName::Text, Some(max_length), Some(multiline)),
        };
        RawQuestion {
            id: q.id,
            kind,
            prompt: q.prompt,
            required: q.required,
            max_length,
            multiline,
        }
    }
}

fn default_max_length() -> u32 {
    1000
}

/// Longest free-text answer any survey may ask for.
pub const TEXT_LIMIT: u32 = 5000;
/// Most questions in one survey.
pub const MAX_QUESTIONS: usize = 30;

/// A numeric answer scale and the range it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Csat,
}

impl Scale {
    pub fn min(self) -> u8 {
        match self {
            Scale::Csat => 1,
        }
    }

    pub fn max(self) -> u8 {
        match self {
            Scale::Csat => 5,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scale::Csat => "csat",
        }
    }

    /// The stored name back to a scale; `None` for a name this build does not know.
    pub fn from_name(name: &str) -> Option<Scale> {
        match name {
            "csat" => Some(Scale::Csat),
            _ => None,
        }
    }
}

impl QuestionKind {
    /// The numeric scale, for kinds answered with a score.
    pub fn scale(&self) -> Option<Scale> {
        match self {
            QuestionKind::Csat => Some(Scale::Csat),
            QuestionKind::Text { .. } => None,
        }
    }
}

impl SurveyDefinition {
    /// Checks what serde cannot: at least one question, unique ids, texts present.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.name.trim().is_empty() {
            return Err(FieldError::new(
                "name",
                "required",
                "give the survey a name",
            ));
        }
        if self.questions.is_empty() {
            return Err(FieldError::new(
                "questions",
                "required",
                "a survey needs at least one question",
            ));
        }
        if self.questions.len() > MAX_QUESTIONS {
            return Err(FieldError::new(
                "questions",
                "too_many",
                format!("a survey may have at most {MAX_QUESTIONS} questions"),
            ));
        }
        let mut seen = HashSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            if !seen.insert(q.id.as_str()) {
                return Err(FieldError::new(
                    format!("questions[{i}].id"),
                    "duplicate",
                    format!("question id '{}' is used twice", q.id),
                ));
            }
            if q.prompt.is_blank() {
                return Err(FieldError::new(
                    format!("questions[{i}].prompt"),
                    "required",
                    "every question needs a prompt",
                ));
            }
            if let QuestionKind::Text { max_length, .. } = q.kind
                && !(1..=TEXT_LIMIT).contains(&max_length)
            {
                return Err(FieldError::new(
                    format!("questions[{i}].max_length"),
                    "out_of_range",
                    format!("max_length must be between 1 and {TEXT_LIMIT}"),
                ));
            }
        }
        Ok(())
    }

    pub fn question(&self, id: &Slug) -> Option<&Question> {
        self.questions.iter().find(|q| &q.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> SurveyDefinition {
        serde_json::from_str(json).unwrap()
    }

    const CSAT_WITH_COMMENT: &str = r#"{
        "id": "checkout", "name": "Checkout", "title": {"en": "Quick question"},
        "questions": [
            {"id": "csat", "kind": "csat", "required": true, "prompt": {"en": "How satisfied are you?"}},
            {"id": "comment", "kind": "text", "prompt": {"en": "Anything to add?"}, "multiline": true}
        ]}"#;

    #[test]
    fn a_definition_reads_kinds_and_defaults() {
        let def = parse(CSAT_WITH_COMMENT);
        assert_eq!(def.version, 1);
        assert_eq!(def.questions[0].kind, QuestionKind::Csat);
        assert_eq!(
            def.questions[1].kind,
            QuestionKind::Text {
                max_length: 1000,
                multiline: true
            }
        );
        assert!(!def.questions[1].required);
        def.check().unwrap();
    }

    #[test]
    fn a_repeated_question_id_is_named_in_the_error() {
        let mut def = parse(CSAT_WITH_COMMENT);
        def.questions[1].id = def.questions[0].id.clone();
        assert_eq!(
            def.check().unwrap_err().field.as_deref(),
            Some("questions[1].id")
        );
    }

    #[test]
    fn a_survey_without_questions_is_rejected() {
        let mut def = parse(CSAT_WITH_COMMENT);
        def.questions.clear();
        assert_eq!(def.check().unwrap_err().field.as_deref(), Some("questions"));
    }

    #[test]
    fn a_text_limit_beyond_the_cap_is_rejected() {
        let mut def = parse(CSAT_WITH_COMMENT);
        def.questions[1].kind = QuestionKind::Text {
            max_length: TEXT_LIMIT + 1,
            multiline: false,
        };
        assert_eq!(
            def.check().unwrap_err().field.as_deref(),
            Some("questions[1].max_length")
        );
    }

    #[test]
    fn a_setting_of_another_kind_is_refused() {
        let err = serde_json::from_str::<Question>(
            r#"{"id":"q","kind":"csat","max_length":5,"prompt":{"en":"?"}}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("belong to text questions"),
            "{err}"
        );
    }

    #[test]
    fn a_question_survives_a_round_trip() {
        let def = parse(CSAT_WITH_COMMENT);
        let again: SurveyDefinition =
            serde_json::from_str(&serde_json::to_string(&def).unwrap()).unwrap();
        assert_eq!(again, def);
    }

    #[test]
    fn an_unknown_kind_does_not_parse() {
        let err = serde_json::from_str::<Question>(r#"{"id":"q","kind":"telepathy","prompt":{}}"#);
        assert!(err.is_err());
    }
}
