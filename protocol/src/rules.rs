//! Skip rules: a question shown only when an earlier answer meets a condition.

use crate::error::ErrorCode;
use crate::question::{Question, QuestionKind};
use crate::response::AnswerValue;
use crate::slug::Slug;
use crate::survey::SurveyDefinition;
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};

/// `{"question": "csat", "op": "lte", "value": 3}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub question: Slug,
    pub op: Op,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<AnswerValue>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    /// The choice (a choice id) was picked.
    Includes,
    /// Any answer was given.
    Answered,
}

/// Answers given so far, by question: a map kept as a sorted list, whose
/// code is a fraction of a tree map's in the widget.
pub type Answers = litemap::LiteMap<Slug, AnswerValue>;

impl Condition {
    /// Whether the condition holds for `answer`; an unanswered question meets
    /// no condition, so its follow-ups stay hidden.
    pub fn holds(&self, answer: Option<&AnswerValue>) -> bool {
        let Some(answer) = answer else { return false };
        let expected = self.value.as_ref();
        let number = |v: &AnswerValue| match v {
            AnswerValue::Number(n) => Some(*n),
            _ => None,
        };
        let compare = |f: fn(i64, i64) -> bool| match (number(answer), expected.and_then(number)) {
            (Some(a), Some(b)) => f(a, b),
            _ => false,
        };
        match self.op {
            Op::Answered => true,
            Op::Eq => expected == Some(answer),
            Op::Ne => expected.is_some_and(|e| e != answer),
            Op::Lt => compare(|a, b| a < b),
            Op::Lte => compare(|a, b| a <= b),
            Op::Gt => compare(|a, b| a > b),
            Op::Gte => compare(|a, b| a >= b),
            Op::Includes => match (answer, expected) {
                (AnswerValue::Text(picked), Some(AnswerValue::Text(want))) => picked == want,
                (AnswerValue::List(picked), Some(AnswerValue::Text(want))) => picked.contains(want),
                _ => false,
            },
        }
    }

    /// Checks the rule of question `index` against the questions before it.
    pub fn check(&self, questions: &[Question], index: usize) -> Result<(), FieldError> {
        let field = format!("questions[{index}].show_if");
        let Some(target) = questions[..index].iter().find(|q| q.id == self.question) else {
            return Err(FieldError::new(
                format!("{field}.question"),
                ErrorCode::UnknownQuestion,
                format!(
                    "a skip rule may only look at an earlier question, not '{}'",
                    self.question
                ),
            ));
        };
        let numeric = target.kind.scale().is_some();
        let choice = matches!(
            target.kind,
            QuestionKind::SingleChoice { .. } | QuestionKind::MultiChoice { .. }
        );
        let value_ok = match (self.op, &self.value) {
            (Op::Answered, None) => true,
            (Op::Lt | Op::Lte | Op::Gt | Op::Gte, Some(AnswerValue::Number(_))) => numeric,
            (Op::Eq | Op::Ne, Some(AnswerValue::Number(_))) => numeric,
            (Op::Eq | Op::Ne, Some(AnswerValue::Bool(_))) => target.kind == QuestionKind::YesNo,
            (Op::Eq | Op::Ne, Some(AnswerValue::Text(_))) => {
                matches!(target.kind, QuestionKind::SingleChoice { .. })
            }
            (Op::Includes, Some(AnswerValue::Text(id))) => {
                choice && target.kind.choices().iter().any(|c| c.id.as_str() == id)
            }
            _ => false,
        };
        if value_ok {
            Ok(())
        } else {
            Err(FieldError::new(
                field,
                ErrorCode::InvalidRule,
                format!(
                    "this rule's op and value do not fit question '{}'",
                    target.id
                ),
            ))
        }
    }
}

/// Whether `question` is asked, given the answers so far.
pub fn is_shown(question: &Question, answers: &Answers) -> bool {
    question
        .show_if
        .as_ref()
        .is_none_or(|c| c.holds(answers.get(&c.question)))
}

/// The questions asked, in order, given the answers so far.
pub fn shown<'a>(survey: &'a SurveyDefinition, answers: &Answers) -> Vec<&'a Question> {
    survey
        .questions
        .iter()
        .filter(|q| is_shown(q, answers))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(op: Op, value: Option<AnswerValue>) -> Condition {
        Condition {
            question: Slug::parse("q").unwrap(),
            op,
            value,
        }
    }

    fn n(v: i64) -> Option<AnswerValue> {
        Some(AnswerValue::Number(v))
    }

    #[test]
    fn conditions_hold_as_their_names_say() {
        let text = |s: &str| Some(AnswerValue::Text(s.into()));
        let list = AnswerValue::List(vec!["slow".into(), "price".into()]);
        let table: &[(Condition, Option<AnswerValue>, bool)] = &[
            (rule(Op::Lte, n(3)), n(3), true),
            (rule(Op::Lte, n(3)), n(4), false),
            (rule(Op::Lt, n(3)), n(3), false),
            (rule(Op::Gt, n(8)), n(9), true),
            (rule(Op::Gte, n(9)), n(8), false),
            (
                rule(Op::Eq, Some(AnswerValue::Bool(false))),
                Some(AnswerValue::Bool(false)),
                true,
            ),
            (rule(Op::Ne, n(5)), n(4), true),
            (rule(Op::Ne, n(5)), None, false),
            (rule(Op::Includes, text("price")), Some(list.clone()), true),
            (rule(Op::Includes, text("bugs")), Some(list), false),
            (rule(Op::Includes, text("price")), text("price"), true),
            (rule(Op::Answered, None), text("anything"), true),
            (rule(Op::Answered, None), None, false),
            (rule(Op::Lte, n(3)), None, false),
            (rule(Op::Lte, n(3)), text("3"), false),
        ];
        for (i, (condition, answer, expected)) in table.iter().enumerate() {
            assert_eq!(
                condition.holds(answer.as_ref()),
                *expected,
                "row {i}: {condition:?} on {answer:?}"
            );
        }
    }

    fn survey() -> SurveyDefinition {
        serde_json::from_value(json!({
            "id": "s", "name": "S", "title": {"en": "S"},
            "questions": [
                {"id": "csat", "kind": "csat", "required": true, "prompt": {"en": "?"}},
                {"id": "why", "kind": "text", "prompt": {"en": "What went wrong?"},
                 "show_if": {"question": "csat", "op": "lte", "value": 3}},
                {"id": "more", "kind": "yes_no", "prompt": {"en": "More?"}}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn the_follow_up_is_asked_only_after_a_low_score() {
        let def = survey();
        let ids = |answers: &Answers| {
            shown(&def, answers)
                .iter()
                .map(|q| q.id.to_string())
                .collect::<Vec<_>>()
        };
        let mut answers = Answers::new();
        assert_eq!(ids(&answers), ["csat", "more"]);
        answers.insert(Slug::parse("csat").unwrap(), AnswerValue::Number(2));
        assert_eq!(ids(&answers), ["csat", "why", "more"]);
        answers.insert(Slug::parse("csat").unwrap(), AnswerValue::Number(5));
        assert_eq!(ids(&answers), ["csat", "more"]);
    }

    #[test]
    fn a_rule_must_look_back_and_fit_the_question_it_reads() {
        let mut def = survey();
        assert!(def.check().is_ok());
        def.questions[1].show_if = Some(Condition {
            question: Slug::parse("more").unwrap(),
            op: Op::Answered,
            value: None,
        });
        assert_eq!(
            def.check().unwrap_err().field.as_deref(),
            Some("questions[1].show_if.question")
        );
        def.questions[1].show_if = Some(rule(Op::Includes, Some(AnswerValue::Text("x".into()))));
        def.questions[1].show_if.as_mut().unwrap().question = Slug::parse("csat").unwrap();
        assert_eq!(
            def.check().unwrap_err().field.as_deref(),
            Some("questions[1].show_if")
        );
    }
}
