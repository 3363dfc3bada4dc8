//! Questions: the kinds a survey can ask, and their flat wire form.

use crate::locale::Localized;
use crate::rules::Condition;
use crate::slug::Slug;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawQuestion", into = "RawQuestion")]
pub struct Question {
    pub id: Slug,
    pub prompt: Localized,
    pub required: bool,
    pub kind: QuestionKind,
    /// Ask only when this holds for an earlier answer, e.g. CSAT ≤ 3.
    pub show_if: Option<Condition>,
}

/// What a question asks for: the `kind` field on the wire, with its
/// settings beside it in the question object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionKind {
    /// Customer satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
    Csat,
    /// Net Promoter Score, 0 (not at all likely) to 10 (extremely likely).
    Nps,
    /// Customer Effort Score, 1 (strongly disagree it was easy) to 7 (strongly agree).
    Ces,
    /// 1 to `points` (3–10), drawn as stars, faces or numbers.
    Rating {
        points: u8,
        style: RatingStyle,
    },
    YesNo,
    SingleChoice {
        choices: Vec<Choice>,
    },
    /// Any number of choices, and with `other` a free-text "Other".
    MultiChoice {
        choices: Vec<Choice>,
        other: bool,
    },
    Text {
        max_length: u32,
        multiline: bool,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingStyle {
    #[default]
    Stars,
    Emoji,
    Numbers,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: Slug,
    pub label: Localized,
}

/// The id a multi-choice answer uses for its free-text "Other".
pub const OTHER: &str = "other";
/// Default and largest free-text length.
pub const DEFAULT_TEXT_LENGTH: u32 = 1000;
pub const TEXT_LIMIT: u32 = 5000;
pub const MAX_CHOICES: usize = 20;

/// A numeric answer scale and the range it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scale {
    Csat,
    Nps,
    Ces,
    Rating(u8),
    /// Yes/no stored as 1/0, so it rolls up like a score.
    YesNo,
}

impl Scale {
    pub fn min(self) -> u8 {
        match self {
            Scale::Nps | Scale::YesNo => 0,
            Scale::Csat | Scale::Ces | Scale::Rating(_) => 1,
        }
    }

    pub fn max(self) -> u8 {
        match self {
            Scale::Csat => 5,
            Scale::Nps => 10,
            Scale::Ces => 7,
            Scale::Rating(points) => points,
            Scale::YesNo => 1,
        }
    }

    /// The stored name: `csat`, `nps`, `ces`, `rating5`, `yes_no`.
    pub fn name(self) -> String {
        match self {
            Scale::Csat => "csat".into(),
            Scale::Nps => "nps".into(),
            Scale::Ces => "ces".into(),
            Scale::Rating(points) => format!("rating{points}"),
            Scale::YesNo => "yes_no".into(),
        }
    }

    /// The stored name back to a scale; `None` for a name this build does not know.
    pub fn from_name(name: &str) -> Option<Scale> {
        match name {
            "csat" => Some(Scale::Csat),
            "nps" => Some(Scale::Nps),
            "ces" => Some(Scale::Ces),
            "yes_no" => Some(Scale::YesNo),
            _ => name
                .strip_prefix("rating")?
                .parse()
                .ok()
                .filter(|p| (3..=10).contains(p))
                .map(Scale::Rating),
        }
    }
}

impl QuestionKind {
    /// The numeric scale, for kinds answered with a score.
    pub fn scale(&self) -> Option<Scale> {
        match self {
            QuestionKind::Csat => Some(Scale::Csat),
            QuestionKind::Nps => Some(Scale::Nps),
            QuestionKind::Ces => Some(Scale::Ces),
            QuestionKind::Rating { points, .. } => Some(Scale::Rating(*points)),
            _ => None,
        }
    }

    pub fn choices(&self) -> &[Choice] {
        match self {
            QuestionKind::SingleChoice { choices } | QuestionKind::MultiChoice { choices, .. } => {
                choices
            }
            _ => &[],
        }
    }
}

/// The flat wire form of a question. Reading through this struct rather
/// than a tagged, flattened enum keeps serde's buffering machinery out of
/// the widget's wasm, and lets us refuse settings that do not fit the kind.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuestion {
    pub(crate) id: Slug,
    pub(crate) kind: KindName,
    pub(crate) prompt: Localized,
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) show_if: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) multiline: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) points: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) style: Option<RatingStyle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) choices: Option<Vec<Choice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) other: Option<bool>,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KindName {
    Csat,
    Nps,
    Ces,
    Rating,
    YesNo,
    SingleChoice,
    MultiChoice,
    Text,
}

impl TryFrom<RawQuestion> for Question {
    type Error = String;

    fn try_from(mut raw: RawQuestion) -> Result<Self, String> {
        let id = raw.id.clone();
        let stray = |name: &str, set: bool| -> Result<(), String> {
            if set {
                Err(format!(
                    "question '{id}': '{name}' does not apply to this kind"
                ))
            } else {
                Ok(())
            }
        };
        let kind = raw.kind;
        stray(
            "max_length",
            raw.max_length.is_some() && kind != KindName::Text,
        )?;
        stray(
            "multiline",
            raw.multiline.is_some() && kind != KindName::Text,
        )?;
        stray("points", raw.points.is_some() && kind != KindName::Rating)?;
        stray("style", raw.style.is_some() && kind != KindName::Rating)?;
        let has_choices = matches!(kind, KindName::SingleChoice | KindName::MultiChoice);
        stray("choices", raw.choices.is_some() && !has_choices)?;
        stray(
            "other",
            raw.other.is_some() && kind != KindName::MultiChoice,
        )?;
        let mut choices = || {
            raw.choices
                .take()
                .ok_or_else(|| format!("question '{id}': list its choices"))
        };
        let kind = match kind {
            KindName::Csat => QuestionKind::Csat,
            KindName::Nps => QuestionKind::Nps,
            KindName::Ces => QuestionKind::Ces,
            KindName::YesNo => QuestionKind::YesNo,
            KindName::Rating => QuestionKind::Rating {
                points: raw.points.unwrap_or(5),
                style: raw.style.unwrap_or_default(),
            },
            KindName::SingleChoice => QuestionKind::SingleChoice {
                choices: choices()?,
            },
            KindName::MultiChoice => QuestionKind::MultiChoice {
                choices: choices()?,
                other: raw.other.unwrap_or(false),
            },
            KindName::Text => QuestionKind::Text {
                max_length: raw.max_length.unwrap_or(DEFAULT_TEXT_LENGTH),
                multiline: raw.multiline.unwrap_or(false),
            },
        };
        Ok(Question {
            id: raw.id,
            prompt: raw.prompt,
            required: raw.required,
            kind,
            show_if: raw.show_if,
        })
    }
}

impl From<Question> for RawQuestion {
    fn from(q: Question) -> Self {
        let mut raw = RawQuestion {
            id: q.id,
            kind: KindName::Csat,
            prompt: q.prompt,
            required: q.required,
            show_if: q.show_if,
            max_length: None,
            multiline: None,
            points: None,
            style: None,
            choices: None,
            other: None,
        };
        raw.kind = match q.kind {
            QuestionKind::Csat => KindName::Csat,
            QuestionKind::Nps => KindName::Nps,
            QuestionKind::Ces => KindName::Ces,
            QuestionKind::YesNo => KindName::YesNo,
            QuestionKind::Rating { points, style } => {
                (raw.points, raw.style) = (Some(points), Some(style));
                KindName::Rating
            }
            QuestionKind::SingleChoice { choices } => {
                raw.choices = Some(choices);
                KindName::SingleChoice
            }
            QuestionKind::MultiChoice { choices, other } => {
                (raw.choices, raw.other) = (Some(choices), Some(other));
                KindName::MultiChoice
            }
            QuestionKind::Text {
                max_length,
                multiline,
            } => {
                (raw.max_length, raw.multiline) = (Some(max_length), Some(multiline));
                KindName::Text
            }
        };
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Question, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_kind_reads_with_its_settings_and_round_trips() {
        let cases = [
            r#"{"id":"a","kind":"csat","prompt":{"en":"?"}}"#,
            r#"{"id":"b","kind":"nps","prompt":{"en":"?"},"required":true}"#,
            r#"{"id":"c","kind":"ces","prompt":{"en":"?"}}"#,
            r#"{"id":"d","kind":"rating","points":10,"style":"emoji","prompt":{"en":"?"}}"#,
            r#"{"id":"e","kind":"yes_no","prompt":{"en":"?"}}"#,
            r#"{"id":"f","kind":"single_choice","choices":[{"id":"x","label":{"en":"X"}}],"prompt":{"en":"?"}}"#,
            r#"{"id":"g","kind":"multi_choice","other":true,"choices":[{"id":"x","label":{"en":"X"}}],"prompt":{"en":"?"}}"#,
            r#"{"id":"h","kind":"text","max_length":50,"multiline":true,"prompt":{"en":"?"}}"#,
        ];
        for json in cases {
            let q = parse(json).unwrap();
            let again: Question =
                serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
            assert_eq!(again, q, "{json}");
        }
        let rating = parse(cases[3]).unwrap();
        assert_eq!(
            rating.kind,
            QuestionKind::Rating {
                points: 10,
                style: RatingStyle::Emoji
            }
        );
    }

    #[test]
    fn a_setting_of_another_kind_is_refused() {
        let err =
            parse(r#"{"id":"q","kind":"csat","max_length":5,"prompt":{"en":"?"}}"#).unwrap_err();
        assert!(err.contains("'max_length' does not apply"), "{err}");
        let err =
            parse(r#"{"id":"q","kind":"single_choice","other":true,"choices":[],"prompt":{}}"#)
                .unwrap_err();
        assert!(err.contains("'other'"), "{err}");
    }

    #[test]
    fn a_choice_question_without_choices_is_refused() {
        let err = parse(r#"{"id":"q","kind":"single_choice","prompt":{"en":"?"}}"#).unwrap_err();
        assert!(err.contains("list its choices"), "{err}");
    }

    #[test]
    fn scale_names_round_trip() {
        for scale in [
            Scale::Csat,
            Scale::Nps,
            Scale::Ces,
            Scale::Rating(3),
            Scale::Rating(10),
            Scale::YesNo,
        ] {
            assert_eq!(Scale::from_name(&scale.name()), Some(scale));
        }
        assert_eq!(Scale::from_name("rating11"), None);
    }
}
