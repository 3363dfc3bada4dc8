//! Survey definitions: what the collector stores and the widget renders.

use crate::error::ErrorCode;
use crate::fatigue::Recontact;
use crate::locale::Localized;
use crate::question::{MAX_CHOICES, QuestionKind, TEXT_LIMIT};
use crate::slug::Slug;
use crate::targeting::{Targeting, Trigger};
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub use crate::question::Question;

/// Most questions in one survey.
pub const MAX_QUESTIONS: usize = 30;

/// One survey at one version. Responses name the version they answer, so a
/// survey edited while answers are in flight still validates those answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyDefinition {
    pub id: Slug,
    #[serde(default = "first_version")]
    pub version: u32,
    /// The author's name for it, shown in the dashboard, never to respondents.
    pub name: String,
    /// The panel heading respondents see, e.g. "Quick question".
    pub title: Localized,
    pub questions: Vec<Question>,
    #[serde(default)]
    pub trigger: Trigger,
    #[serde(default)]
    pub targeting: Targeting,
    #[serde(default)]
    pub recontact: Recontact,
}

fn first_version() -> u32 {
    1
}

impl SurveyDefinition {
    /// Checks what serde cannot: questions, choices and rules that fit
    /// together, and trigger and targeting values in range.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.name.trim().is_empty() {
            return Err(FieldError::new(
                "name",
                ErrorCode::Required,
                "give the survey a name",
            ));
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(FieldError::new(
                "questions",
                ErrorCode::OutOfRange,
                format!("a survey has 1 to {MAX_QUESTIONS} questions"),
            ));
        }
        let mut seen = HashSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let field = |name: &str| format!("questions[{i}].{name}");
            if !seen.insert(q.id.as_str()) {
                return Err(FieldError::new(
                    field("id"),
                    ErrorCode::Duplicate,
                    format!("question id '{}' is used twice", q.id),
                ));
            }
            if q.prompt.is_blank() {
                return Err(FieldError::new(
                    field("prompt"),
                    ErrorCode::Required,
                    "every question needs a prompt",
                ));
            }
            check_kind(&q.kind, &field)?;
            if let Some(rule) = &q.show_if {
                rule.check(&self.questions, i)?;
            }
        }
        self.check_trigger()?;
        self.check_targeting()
    }

    fn check_trigger(&self) -> Result<(), FieldError> {
        let bad = |message: &str| Err(FieldError::new("trigger", ErrorCode::Invalid, message));
        match &self.trigger {
            Trigger::PageView(pattern) if pattern.trim().is_empty() => {
                bad("a page_view trigger needs a path pattern")
            }
            Trigger::Event(name) if name.trim().is_empty() || name.len() > 100 => {
                bad("an event trigger needs an event name of 1 to 100 characters")
            }
            Trigger::Seconds(s) if !(1..=3600).contains(s) => {
                bad("a seconds trigger waits 1 to 3600 seconds")
            }
            _ => Ok(()),
        }
    }

    fn check_targeting(&self) -> Result<(), FieldError> {
        if let Some(p) = self.targeting.sample_percent
            && !(1..=100).contains(&p)
        {
            return Err(FieldError::new(
                "targeting.sample_percent",
                ErrorCode::OutOfRange,
                "sample_percent is 1 to 100",
            ));
        }
        if let Recontact::EveryDays(0) = self.recontact {
            return Err(FieldError::new(
                "recontact",
                ErrorCode::OutOfRange,
                "every_days is at least 1",
            ));
        }
        Ok(())
    }

    pub fn question(&self, id: &Slug) -> Option<&Question> {
        self.questions.iter().find(|q| &q.id == id)
    }

    /// Checks that this edit of `previous` keeps each scored question's
    /// scale. Scores are rolled up by question and value, so a question
    /// that turned from CSAT into NPS would add its new answers to the old
    /// ones; a new scale needs a new question id.
    pub fn check_successor(&self, previous: &SurveyDefinition) -> Result<(), FieldError> {
        for (i, q) in self.questions.iter().enumerate() {
            let Some(before) = previous.question(&q.id) else {
                continue;
            };
            if let (Some(was), Some(now)) = (before.kind.scale(), q.kind.scale())
                && was != now
            {
                return Err(FieldError::new(
                    format!("questions[{i}].kind"),
                    ErrorCode::ScaleChanged,
                    format!(
                        "question '{}' was scored as {} and cannot become {}; give it a new id",
                        q.id,
                        was.name(),
                        now.name()
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn check_kind(kind: &QuestionKind, field: &dyn Fn(&str) -> String) -> Result<(), FieldError> {
    match kind {
        QuestionKind::Rating { points, .. } if !(3..=10).contains(points) => Err(FieldError::new(
            field("points"),
            ErrorCode::OutOfRange,
            "a rating has 3 to 10 points",
        )),
        QuestionKind::Text { max_length, .. } if !(1..=TEXT_LIMIT).contains(max_length) => {
            Err(FieldError::new(
                field("max_length"),
                ErrorCode::OutOfRange,
                format!("max_length must be between 1 and {TEXT_LIMIT}"),
            ))
        }
        QuestionKind::SingleChoice { choices } | QuestionKind::MultiChoice { choices, .. } => {
            if choices.is_empty() || choices.len() > MAX_CHOICES {
                return Err(FieldError::new(
                    field("choices"),
                    ErrorCode::OutOfRange,
                    format!("a choice question has 1 to {MAX_CHOICES} choices"),
                ));
            }
            let mut ids = HashSet::new();
            for (c, choice) in choices.iter().enumerate() {
                if !ids.insert(choice.id.as_str()) || choice.id.as_str() == crate::question::OTHER {
                    return Err(FieldError::new(
                        field(&format!("choices[{c}].id")),
                        ErrorCode::Duplicate,
                        format!("choice id '{}' is used twice or reserved", choice.id),
                    ));
                }
                if choice.label.is_blank() {
                    return Err(FieldError::new(
                        field(&format!("choices[{c}].label")),
                        ErrorCode::Required,
                        "every choice needs a label",
                    ));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::OTHER;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> SurveyDefinition {
        serde_json::from_value(value).unwrap()
    }

    fn csat_with_comment() -> SurveyDefinition {
        parse(json!({
        "id": "checkout", "name": "Checkout", "title": {"en": "Quick question"},
        "questions": [
            {"id": "csat", "kind": "csat", "required": true, "prompt": {"en": "How satisfied are you?"}},
            {"id": "comment", "kind": "text", "prompt": {"en": "Anything to add?"}, "multiline": true}
        ]}))
    }

    #[test]
    fn an_edit_keeps_each_scored_question_on_its_scale() {
        let before = csat_with_comment();
        let mut reworded = before.clone();
        reworded.name = "Checkout, reworded".into();
        assert!(reworded.check_successor(&before).is_ok());
        let mut rescored = before.clone();
        rescored.questions[0].kind = QuestionKind::Nps;
        let err = rescored.check_successor(&before).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.code.as_str()),
            (Some("questions[0].kind"), "scale_changed")
        );
    }

    #[test]
    fn a_definition_reads_kinds_and_defaults() {
        let def = csat_with_comment();
        assert_eq!(def.version, 1);
        assert_eq!(
            (def.trigger.clone(), def.recontact.clone()),
            (Trigger::Manual, Recontact::Once)
        );
        assert_eq!(
            def.questions[1].kind,
            QuestionKind::Text {
                max_length: 1000,
                multiline: true
            }
        );
        def.check().unwrap();
    }

    #[test]
    fn each_mistake_is_named_by_its_field() {
        type Edit = fn(&mut SurveyDefinition);
        let table: &[(Edit, &str)] = &[
            (
                |d| d.questions[1].id = d.questions[0].id.clone(),
                "questions[1].id",
            ),
            (|d| d.questions.clear(), "questions"),
            (|d| d.name = " ".into(), "name"),
            (
                |d| {
                    d.questions[1].kind = QuestionKind::Text {
                        max_length: TEXT_LIMIT + 1,
                        multiline: false,
                    }
                },
                "questions[1].max_length",
            ),
            (
                |d| {
                    d.questions[1].kind = QuestionKind::Rating {
                        points: 11,
                        style: Default::default(),
                    }
                },
                "questions[1].points",
            ),
            (
                |d| d.questions[1].kind = QuestionKind::SingleChoice { choices: vec![] },
                "questions[1].choices",
            ),
            (|d| d.trigger = Trigger::Seconds(0), "trigger"),
            (|d| d.trigger = Trigger::Event(String::new()), "trigger"),
            (
                |d| d.targeting.sample_percent = Some(0),
                "targeting.sample_percent",
            ),
            (|d| d.recontact = Recontact::EveryDays(0), "recontact"),
        ];
        for (edit, field) in table {
            let mut def = csat_with_comment();
            edit(&mut def);
            assert_eq!(def.check().unwrap_err().field.as_deref(), Some(*field));
        }
    }

    #[test]
    fn a_choice_may_not_take_the_reserved_other_id() {
        let mut def = csat_with_comment();
        def.questions[1] = serde_json::from_value(json!({
            "id": "pick", "kind": "multi_choice", "other": true, "prompt": {"en": "?"},
            "choices": [{"id": OTHER, "label": {"en": "Other"}}]
        }))
        .unwrap();
        assert_eq!(
            def.check().unwrap_err().field.as_deref(),
            Some("questions[1].choices[0].id")
        );
    }

    #[test]
    fn an_unknown_field_is_refused_rather_than_ignored() {
        let err = serde_json::from_value::<SurveyDefinition>(json!({
            "id": "s", "name": "S", "title": {}, "questions": [], "trigerr": "manual"
        }));
        assert!(err.is_err());
    }
}
