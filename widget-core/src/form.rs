//! One response being answered: the answers so far, the step on screen,
//! what keeps the respondent from going on, and the answers as they are
//! sent. The UI turns clicks and keystrokes into these calls and shows
//! what they leave behind.

use crate::i18n::Strings;
use sori_protocol::question::OTHER;
use sori_protocol::rules::{is_shown, shown};
use sori_protocol::{
    Answer, AnswerValue, Answers, Question, QuestionKind, ResponseId, Slug, SurveyDefinition,
};

#[derive(Clone, Debug, PartialEq)]
pub enum SendState {
    Editing,
    Sending,
    Sent,
    /// Not sent; worth retrying. The answer waits in the outbox.
    Failed,
    /// Refused by the collector, with its reason.
    Rejected(String),
}

/// Why a question cannot be left yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// A required question has no answer.
    Answer,
    /// "Other" is ticked without its text.
    OtherText,
}

impl Missing {
    pub fn text(self, t: &Strings) -> &'static str {
        match self {
            Missing::Answer => t.required_missing,
            Missing::OtherText => t.other_missing,
        }
    }
}

/// What pressing Next or Send led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The question on screen still lacks something ([`Form::missing`] says what).
    Missing,
    /// On to the next question: save what there is so far.
    Next,
    /// The last question is answered: send it all.
    Finish,
    /// Nothing to do: no survey, or it is being sent or was sent.
    Nothing,
}

/// One respondent's progress through the survey on screen. It outlives the
/// panel, so closing and reopening keeps what was chosen, and every save
/// reuses the response id (the idempotency key).
pub struct Form {
    pub survey: Option<SurveyDefinition>,
    pub answers: Answers,
    /// Text typed for a multi-choice "Other", by question (few, so a list).
    pub others: Vec<(Slug, String)>,
    /// Index into the questions shown for the current answers.
    pub step: usize,
    pub status: SendState,
    /// The question still waiting for an answer, and what it lacks. Kept
    /// as a kind, not a text, so a change of language rewords it.
    pub missing: Option<(Slug, Missing)>,
    pub response_id: ResponseId,
    /// Saves made of this response so far; each save sends the next number.
    pub seq: u32,
    /// The help article and search that led here ("Still need help?").
    pub faq_article: Option<Slug>,
    pub faq_query: Option<String>,
}

impl Form {
    /// A fresh response with the id `response_id` to `survey`.
    pub fn new(survey: Option<SurveyDefinition>, response_id: ResponseId) -> Self {
        Self {
            survey,
            answers: Answers::new(),
            others: Vec::new(),
            step: 0,
            status: SendState::Editing,
            missing: None,
            response_id,
            seq: 0,
            faq_article: None,
            faq_query: None,
        }
    }

    /// The questions asked given the answers so far.
    pub fn asked(&self) -> Vec<&Question> {
        self.survey
            .as_ref()
            .map(|s| shown(s, &self.answers))
            .unwrap_or_default()
    }

    /// The "Other" text typed for `question`.
    pub fn other(&self, question: &Slug) -> Option<&str> {
        self.others
            .iter()
            .find(|(q, _)| q == question)
            .map(|(_, t)| t.as_str())
    }

    /// The step on screen, kept within the questions asked.
    pub fn step(&self) -> usize {
        self.step.min(self.asked().len().saturating_sub(1))
    }

    pub fn current(&self) -> Option<&Question> {
        self.asked().get(self.step()).copied()
    }

    /// How many questions this response may come to, for "Question 2 of
    /// 3": those shown for the answers so far, and each later one whose rule
    /// looks at a question not reached or not answered yet. It starts at
    /// the most there can be and, while the answers given stand, only
    /// shrinks as new answers rule questions out, so answering forward
    /// never sends progress backwards (changing an answer may).
    pub fn expected(&self) -> usize {
        let Some(survey) = &self.survey else {
            return 0;
        };
        let current = self
            .current()
            .and_then(|c| survey.questions.iter().position(|q| q.id == c.id))
            .unwrap_or(0);
        let undecided = |q: &Question| {
            q.show_if.as_ref().is_some_and(|rule| {
                let at = survey.questions.iter().position(|p| p.id == rule.question);
                !self.answers.contains_key(&rule.question) && at.is_some_and(|i| i >= current)
            })
        };
        survey
            .questions
            .iter()
            .filter(|q| is_shown(q, &self.answers) || undecided(q))
            .count()
    }

    pub fn is_last(&self) -> bool {
        self.step() + 1 >= self.asked().len()
    }

    /// A radio button picked (`key` is its value), or a checkbox ticked or
    /// unticked, on the question on screen.
    pub fn pick(&mut self, key: &str, checkbox: bool) {
        let Some(question) = self.current().cloned() else {
            return;
        };
        if checkbox {
            let mut list = match self.answers.remove(&question.id) {
                Some(AnswerValue::List(l)) => l,
                _ => Vec::new(),
            };
            match list.iter().position(|c| c == key) {
                Some(i) => {
                    list.remove(i);
                }
                None => list.push(key.to_owned()),
            }
            if !list.is_empty() {
                self.answers.insert(question.id, AnswerValue::List(list));
            }
        } else if let Some(value) = answer_of(&question.kind, key) {
            self.answers.insert(question.id, value);
        }
        self.missing = None;
    }

    /// Text typed into the question on screen, or into its "Other" field.
    pub fn type_text(&mut self, text: String, other: bool) {
        let Some(id) = self.current().map(|q| q.id.clone()) else {
            return;
        };
        if other {
            self.others.retain(|(q, _)| *q != id);
            self.others.push((id, text));
        } else if text.trim().is_empty() {
            self.answers.remove(&id);
        } else {
            self.answers.insert(id, AnswerValue::Text(text));
        }
    }

    /// Back one question.
    pub fn back(&mut self) {
        self.missing = None;
        self.step = self.step().saturating_sub(1);
    }

    /// Next or Send: on to the next question, or the end, unless the one on
    /// screen still lacks something.
    pub fn advance(&mut self) -> Outcome {
        if matches!(self.status, SendState::Sending | SendState::Sent) {
            return Outcome::Nothing;
        }
        let Some(question) = self.current().cloned() else {
            return Outcome::Nothing;
        };
        if let Some(problem) = self.unanswered(&question) {
            self.missing = Some((question.id, problem));
            return Outcome::Missing;
        }
        self.missing = None;
        if self.is_last() {
            return Outcome::Finish;
        }
        self.step = self.step() + 1;
        Outcome::Next
    }

    /// Why `question` cannot be left yet, if it cannot.
    fn unanswered(&self, question: &Question) -> Option<Missing> {
        match self.answers.get(&question.id) {
            None if question.required => Some(Missing::Answer),
            Some(AnswerValue::List(ids)) if ids.iter().any(|id| id == OTHER) => {
                let text = self.other(&question.id).map_or("", str::trim);
                text.is_empty().then_some(Missing::OtherText)
            }
            _ => None,
        }
    }

    /// The answers to the questions asked, as they are sent: answers to
    /// questions a later change skipped are left out, and "Other" carries
    /// its text.
    pub fn answers_to_send(&self) -> Vec<Answer> {
        self.asked()
            .iter()
            .filter_map(|q| {
                let value = self.answers.get(&q.id)?.clone();
                let other = match &value {
                    AnswerValue::List(ids) if ids.iter().any(|id| id == OTHER) => {
                        self.other(&q.id).map(|t| t.trim().to_owned())
                    }
                    _ => None,
                };
                Some(Answer {
                    question: q.id.clone(),
                    value,
                    other,
                })
            })
            .collect()
    }
}

/// The answer a picked radio button stands for: its value read for the
/// question's kind.
pub fn answer_of(kind: &QuestionKind, key: &str) -> Option<AnswerValue> {
    match kind {
        QuestionKind::YesNo => Some(AnswerValue::Bool(key == "yes")),
        QuestionKind::SingleChoice { .. } => Some(AnswerValue::Text(key.to_owned())),
        QuestionKind::Text { .. } | QuestionKind::MultiChoice { .. } => None,
        _ => key.parse().ok().map(AnswerValue::Number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn survey() -> SurveyDefinition {
        serde_json::from_value(json!({
            "id": "nps", "name": "NPS", "title": {"en": "Hi"},
            "questions": [
                {"id": "nps", "kind": "nps", "required": true, "prompt": {"en": "Recommend?"}},
                {"id": "why", "kind": "text", "prompt": {"en": "Why?"},
                 "show_if": {"question": "nps", "op": "lte", "value": 6}},
                {"id": "uses", "kind": "multi_choice", "other": true, "prompt": {"en": "Uses?"},
                 "choices": [{"id": "invoices", "label": {"en": "Invoices"}},
                             {"id": "reports", "label": {"en": "Reports"}},
                             {"id": "expenses", "label": {"en": "Expenses"}}]}
            ]
        }))
        .unwrap()
    }

    fn form() -> Form {
        Form::new(
            Some(survey()),
            ResponseId::from_parts(1_763_000_000_000, [1; 10]),
        )
    }

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap()
    }

    #[test]
    fn a_required_question_left_blank_is_missing_and_the_step_stays() {
        let mut f = form();
        assert_eq!(f.advance(), Outcome::Missing);
        assert_eq!(f.missing, Some((slug("nps"), Missing::Answer)));
        assert_eq!(f.step(), 0);
        f.pick("9", false);
        assert_eq!(f.missing, None);
        assert_eq!(f.advance(), Outcome::Next);
        assert_eq!(f.current().unwrap().id, slug("uses"), "a 9 skips 'why'");
    }

    #[test]
    fn the_question_count_starts_at_the_most_and_only_shrinks() {
        let mut f = form();
        // "why" depends on the score not given yet: counted.
        assert_eq!((f.step() + 1, f.expected()), (1, 3));
        f.pick("9", false);
        assert_eq!((f.step() + 1, f.expected()), (1, 2), "a 9 rules 'why' out");
        f.pick("3", false);
        assert_eq!(f.expected(), 3, "a 3 asks why");
        assert_eq!(f.advance(), Outcome::Next);
        assert_eq!((f.step() + 1, f.expected()), (2, 3));
    }

    #[test]
    fn ticking_several_boxes_keeps_them_all_and_unticking_removes_one() {
        let mut f = form();
        f.pick("9", false);
        f.advance();
        for key in ["invoices", "reports", "expenses"] {
            f.pick(key, true);
        }
        f.pick("reports", true);
        assert_eq!(
            f.answers.get(&slug("uses")),
            Some(&AnswerValue::List(vec![
                "invoices".into(),
                "expenses".into()
            ]))
        );
        f.pick("invoices", true);
        f.pick("expenses", true);
        assert_eq!(f.answers.get(&slug("uses")), None, "no ticks, no answer");
    }

    #[test]
    fn other_needs_its_text_before_the_survey_can_be_sent() {
        let mut f = form();
        f.pick("10", false);
        f.advance();
        f.pick(OTHER, true);
        assert_eq!(f.advance(), Outcome::Missing);
        assert_eq!(f.missing, Some((slug("uses"), Missing::OtherText)));
        f.type_text("  Payroll  ".into(), true);
        assert_eq!(f.advance(), Outcome::Finish);
        let sent = f.answers_to_send();
        assert_eq!(sent[1].other.as_deref(), Some("Payroll"));
    }

    #[test]
    fn an_answer_to_a_question_skipped_after_going_back_is_not_sent() {
        let mut f = form();
        f.pick("3", false);
        assert_eq!(f.advance(), Outcome::Next);
        f.type_text("Too slow".into(), false);
        f.back();
        f.pick("9", false);
        let sent: Vec<_> = f
            .answers_to_send()
            .into_iter()
            .map(|a| a.question.as_str().to_owned())
            .collect();
        assert_eq!(sent, ["nps"]);
    }

    #[test]
    fn blank_text_is_no_answer() {
        let mut f = form();
        f.pick("2", false);
        f.advance();
        f.type_text("   ".into(), false);
        assert_eq!(f.answers.get(&slug("why")), None);
    }

    #[test]
    fn nothing_happens_while_sending_or_after_sent() {
        let mut f = form();
        f.pick("9", false);
        f.status = SendState::Sending;
        assert_eq!(f.advance(), Outcome::Nothing);
        f.status = SendState::Sent;
        assert_eq!(f.advance(), Outcome::Nothing);
    }

    #[test]
    fn picked_values_are_read_for_the_question_kind() {
        assert_eq!(
            answer_of(&QuestionKind::YesNo, "yes"),
            Some(AnswerValue::Bool(true))
        );
        assert_eq!(
            answer_of(&QuestionKind::Nps, "7"),
            Some(AnswerValue::Number(7))
        );
        assert_eq!(answer_of(&QuestionKind::Nps, "seven"), None);
    }
}
