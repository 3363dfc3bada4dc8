//! The widget's side of the wire, written against [`Json`] instead of serde
//! (see [`crate::json`] for why). Each reader accepts what the serde form of
//! its type writes, and each writer writes what the serde form reads; the
//! tests below hold them to that. Readers return `None` for anything they
//! cannot read, and the widget treats that like a failed request.

use crate::fatigue::{Memory, Recontact, Seen, SiteFatigue};
use crate::json::Json;
use crate::locale::{Locale, Localized};
use crate::question::{Choice, KindName, Question, RatingStyle, RawQuestion};
use crate::response::{Answer, AnswerValue, Submission};
use crate::rules::{Condition, Op};
use crate::slug::Slug;
use crate::survey::SurveyDefinition;
use crate::targeting::{Targeting, Trigger};
use crate::{ResponseId, SiteConfig};
use std::collections::BTreeMap;

pub fn site_config(j: &Json) -> Option<SiteConfig> {
    let fatigue = match j.get("fatigue") {
        Some(f) => SiteFatigue {
            cooldown_hours: int(f.get("cooldown_hours")?)?,
            session_cap: int(f.get("session_cap")?)?,
        },
        None => SiteFatigue::default(),
    };
    Some(SiteConfig {
        site: slug(j.get("site")?)?,
        locale: locale(j.get("locale")?)?,
        fatigue,
        surveys: list(j.get("surveys")?, survey)?,
        faq: j.get("faq").map_or(Some(false), Json::as_bool)?,
    })
}

fn survey(j: &Json) -> Option<SurveyDefinition> {
    Some(SurveyDefinition {
        id: slug(j.get("id")?)?,
        version: j.get("version").map_or(Some(1), int)?,
        name: j.get("name")?.as_str()?.to_owned(),
        title: localized(j.get("title")?)?,
        questions: list(j.get("questions")?, question)?,
        trigger: j.get("trigger").map_or(Some(Trigger::Manual), trigger)?,
        targeting: j
            .get("targeting")
            .map_or(Some(Targeting::default()), targeting)?,
        recontact: j
            .get("recontact")
            .map_or(Some(Recontact::default()), recontact)?,
    })
}

fn question(j: &Json) -> Option<Question> {
    let flag = |key| j.get(key).map(Json::as_bool);
    let raw = RawQuestion {
        id: slug(j.get("id")?)?,
        kind: KindName::from_name(j.get("kind")?.as_str()?)?,
        prompt: localized(j.get("prompt")?)?,
        required: flag("required").unwrap_or(Some(false))?,
        show_if: j
            .get("show_if")
            .map(condition)
            .map_or(Some(None), |c| c.map(Some))?,
        max_length: optional(j.get("max_length"), int)?,
        multiline: flag("multiline").map_or(Some(None), |b| b.map(Some))?,
        points: optional(j.get("points"), int)?,
        style: optional(j.get("style"), |s| RatingStyle::from_name(s.as_str()?))?,
        choices: optional(j.get("choices"), |c| list(c, choice))?,
        other: flag("other").map_or(Some(None), |b| b.map(Some))?,
    };
    Question::try_from(raw).ok()
}

fn choice(j: &Json) -> Option<Choice> {
    Some(Choice {
        id: slug(j.get("id")?)?,
        label: localized(j.get("label")?)?,
    })
}

fn condition(j: &Json) -> Option<Condition> {
    Some(Condition {
        question: slug(j.get("question")?)?,
        op: Op::from_name(j.get("op")?.as_str()?)?,
        value: optional(j.get("value"), answer_value)?,
    })
}

/// `"manual"`, `"exit_intent"` or a one-member object such as `{"seconds": 30}`.
fn trigger(j: &Json) -> Option<Trigger> {
    if let Some(name) = j.as_str() {
        return match name {
            "manual" => Some(Trigger::Manual),
            "exit_intent" => Some(Trigger::ExitIntent),
            _ => None,
        };
    }
    let [(name, value)] = j.as_map()? else {
        return None;
    };
    match name.as_str() {
        "page_view" => Some(Trigger::PageView(value.as_str()?.to_owned())),
        "event" => Some(Trigger::Event(value.as_str()?.to_owned())),
        "seconds" => Some(Trigger::Seconds(int(value)?)),
        _ => None,
    }
}

fn targeting(j: &Json) -> Option<Targeting> {
    let texts = |key| optional(j.get(key), |l| list(l, text));
    Some(Targeting {
        url_include: texts("url_include")?.unwrap_or_default(),
        url_exclude: texts("url_exclude")?.unwrap_or_default(),
        attributes: optional(j.get("attributes"), |m| {
            map(m, |k| Some(k.to_owned()), text)
        })?
        .unwrap_or_default(),
        locales: optional(j.get("locales"), |l| list(l, locale))?.unwrap_or_default(),
        sample_percent: optional(j.get("sample_percent"), int)?,
    })
}

fn recontact(j: &Json) -> Option<Recontact> {
    match j.as_str() {
        Some("once") => Some(Recontact::Once),
        Some("until_answered") => Some(Recontact::UntilAnswered),
        Some(_) => None,
        None => Some(Recontact::EveryDays(int(j.get("every_days")?)?)),
    }
}

/// A number, a boolean, a string or a list of strings.
fn answer_value(j: &Json) -> Option<AnswerValue> {
    Some(match j {
        Json::Int(n) => AnswerValue::Number(*n),
        Json::Bool(b) => AnswerValue::Bool(*b),
        Json::Str(s) => AnswerValue::Text(s.clone()),
        Json::List(items) => AnswerValue::List(list(j, text).filter(|l| l.len() == items.len())?),
        _ => return None,
    })
}

/// The `message` of the collector's error body.
pub fn error_message(j: &Json) -> Option<String> {
    Some(j.get("error")?.get("message")?.as_str()?.to_owned())
}

pub fn memory(j: &Json) -> Option<Memory> {
    let seen = |s: &Json| {
        Some(Seen {
            shown_ms: int(s.get("shown_ms")?)?,
            answered: s.get("answered")?.as_bool()?,
        })
    };
    Some(Memory {
        surveys: optional(j.get("surveys"), |m| map(m, |k| Slug::parse(k).ok(), seen))?
            .unwrap_or_default(),
        last_shown_ms: optional(j.get("last_shown_ms"), int)?,
    })
}

pub fn memory_json(m: &Memory) -> Json {
    let surveys = m
        .surveys
        .iter()
        .map(|(id, seen)| {
            let seen = Json::Map(vec![
                ("shown_ms".into(), seen.shown_ms.into()),
                ("answered".into(), seen.answered.into()),
            ]);
            (id.to_string(), seen)
        })
        .collect();
    Json::Map(vec![
        ("surveys".into(), Json::Map(surveys)),
        ("last_shown_ms".into(), m.last_shown_ms.into()),
    ])
}

pub fn submission_json(s: &Submission) -> Json {
    let mut fields = vec![
        ("id".into(), s.id.to_string().into()),
        ("survey".into(), s.survey.as_str().into()),
        ("survey_version".into(), s.survey_version.into()),
        (
            "answers".into(),
            Json::List(s.answers.iter().map(answer_json).collect()),
        ),
        ("finished".into(), s.finished.into()),
        ("locale".into(), s.locale.code().into()),
        ("page_path".into(), s.page_path.as_str().into()),
        ("device".into(), s.device.name().into()),
        (
            "respondent".into(),
            s.respondent.map(|u| u.hyphenated().to_string()).into(),
        ),
        ("seq".into(), s.seq.into()),
    ];
    if let Some(user) = &s.user_id {
        fields.push(("user_id".into(), user.as_str().into()));
    }
    if let Some(article) = &s.faq_article {
        fields.push(("faq_article".into(), article.as_str().into()));
    }
    if let Some(query) = &s.faq_query {
        fields.push(("faq_query".into(), query.as_str().into()));
    }
    if !s.attributes.is_empty() {
        let attributes = s
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().into()))
            .collect();
        fields.push(("attributes".into(), Json::Map(attributes)));
    }
    Json::Map(fields)
}

fn answer_json(a: &Answer) -> Json {
    let value = match &a.value {
        AnswerValue::Number(n) => Json::Int(*n),
        AnswerValue::Bool(b) => Json::Bool(*b),
        AnswerValue::Text(t) => t.as_str().into(),
        AnswerValue::List(items) => Json::List(items.iter().map(|i| i.as_str().into()).collect()),
    };
    let mut fields = vec![
        ("question".into(), a.question.as_str().into()),
        ("value".into(), value),
    ];
    if let Some(other) = &a.other {
        fields.push(("other".into(), other.as_str().into()));
    }
    Json::Map(fields)
}

/// The widget's outbox in localStorage: each entry a response id and the
/// exact body to post.
pub fn outbox(j: &Json) -> Option<Vec<(ResponseId, String)>> {
    list(j, |item| {
        let id = ResponseId::parse(item.get("id")?.as_str()?).ok()?;
        Some((id, text(item.get("body")?)?))
    })
}

pub fn outbox_json(items: &[(ResponseId, String)]) -> Json {
    Json::List(
        items
            .iter()
            .map(|(id, body)| {
                Json::Map(vec![
                    ("id".into(), id.to_string().into()),
                    ("body".into(), body.as_str().into()),
                ])
            })
            .collect(),
    )
}

fn slug(j: &Json) -> Option<Slug> {
    Slug::parse(j.as_str()?).ok()
}

fn text(j: &Json) -> Option<String> {
    j.as_str().map(str::to_owned)
}

fn locale(j: &Json) -> Option<Locale> {
    Locale::from_code(j.as_str()?)
}

fn localized(j: &Json) -> Option<Localized> {
    map(j, Locale::from_code, text).map(Localized)
}

/// A whole number that fits the target type.
fn int<T: TryFrom<i64>>(j: &Json) -> Option<T> {
    T::try_from(j.as_int()?).ok()
}

/// Every item read, or `None` if any is unreadable. (Loops rather than
/// `collect`: collecting into `Option` and into a `BTreeMap`, which sorts,
/// cost the widget kilobytes per item type.)
fn list<T>(j: &Json, item: impl Fn(&Json) -> Option<T>) -> Option<Vec<T>> {
    let items = j.as_list()?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        out.push(item(i)?);
    }
    Some(out)
}

fn map<K: Ord, V>(
    j: &Json,
    key: impl Fn(&str) -> Option<K>,
    value: impl Fn(&Json) -> Option<V>,
) -> Option<BTreeMap<K, V>> {
    let mut out = BTreeMap::new();
    for (k, v) in j.as_map()? {
        out.insert(key(k)?, value(v)?);
    }
    Some(out)
}

/// `Some(None)` when absent, `Some(Some(_))` when readable, `None` when not.
fn optional<T>(j: Option<&Json>, read: impl Fn(&Json) -> Option<T>) -> Option<Option<T>> {
    match j {
        None => Some(None),
        Some(j) => read(j).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeviceClass;
    use serde_json::json;

    /// The serde text of `value`, read back with [`Json`].
    fn through_serde<T: serde::Serialize>(value: &T) -> Json {
        Json::parse(&serde_json::to_string(value).unwrap()).unwrap()
    }

    fn demo_config() -> SiteConfig {
        let seed: serde_json::Value =
            serde_json::from_str(include_str!("../../demo/seed.json")).unwrap();
        let surveys = serde_json::from_value(seed["surveys"].clone()).unwrap();
        SiteConfig {
            site: Slug::parse("demo").unwrap(),
            locale: Locale::Ko,
            fatigue: SiteFatigue {
                cooldown_hours: 3,
                session_cap: 2,
            },
            surveys,
            faq: true,
        }
    }

    #[test]
    fn reads_the_demo_config_as_serde_writes_it() {
        let config = demo_config();
        assert!(config.surveys.len() >= 5);
        assert_eq!(site_config(&through_serde(&config)), Some(config));
    }

    #[test]
    fn reads_every_kind_trigger_targeting_and_recontact() {
        let survey: SurveyDefinition = serde_json::from_value(json!({
            "id": "all", "version": 7, "name": "All", "title": {"en": "All", "ko": "모두"},
            "trigger": {"seconds": 30},
            "targeting": {"url_include": ["/a*"], "url_exclude": ["/a/b"], "attributes": {"plan": "pro"},
                          "locales": ["ko"], "sample_percent": 40},
            "recontact": {"every_days": 14},
            "questions": [
                {"id": "c", "kind": "csat", "prompt": {"en": "c"}, "required": true},
                {"id": "n", "kind": "nps", "prompt": {"en": "n"}},
                {"id": "e", "kind": "ces", "prompt": {"en": "e"}},
                {"id": "r", "kind": "rating", "prompt": {"en": "r"}, "points": 10, "style": "emoji"},
                {"id": "y", "kind": "yes_no", "prompt": {"en": "y"},
                 "show_if": {"question": "c", "op": "lte", "value": 3}},
                {"id": "s", "kind": "single_choice", "prompt": {"en": "s"},
                 "choices": [{"id": "a", "label": {"en": "A"}}, {"id": "b", "label": {"en": "B"}}]},
                {"id": "m", "kind": "multi_choice", "prompt": {"en": "m"}, "other": true,
                 "choices": [{"id": "a", "label": {"en": "A"}}],
                 "show_if": {"question": "s", "op": "includes", "value": "a"}},
                {"id": "t", "kind": "text", "prompt": {"en": "t"}, "max_length": 300, "multiline": true,
                 "show_if": {"question": "y", "op": "answered"}}
            ]
        }))
        .unwrap();
        assert_eq!(super::survey(&through_serde(&survey)), Some(survey.clone()));
        for t in [
            Trigger::Manual,
            Trigger::ExitIntent,
            Trigger::PageView("/x*".into()),
            Trigger::Event("done".into()),
        ] {
            assert_eq!(trigger(&through_serde(&t)), Some(t));
        }
        for r in [Recontact::Once, Recontact::UntilAnswered] {
            assert_eq!(recontact(&through_serde(&r)), Some(r));
        }
    }

    #[test]
    fn refuses_what_serde_would_refuse() {
        let mut config = through_serde(&demo_config());
        // A bad id anywhere makes the whole config unreadable.
        if let Json::Map(fields) = &mut config {
            fields[0].1 = "Not A Slug".into();
        }
        assert_eq!(site_config(&config), None);
        let bad = [
            json!({"id": "q", "kind": "telepathy", "prompt": {"en": "?"}}),
            json!({"id": "q", "kind": "csat", "prompt": {"en": "?"}, "points": 5}),
            json!({"id": "q", "kind": "single_choice", "prompt": {"en": "?"}}),
            json!({"id": "q", "kind": "rating", "prompt": {"en": "?"}, "points": 300}),
            json!({"id": "q", "kind": "csat", "prompt": {"xx": "?"}}),
        ];
        for q in bad {
            let text = q.to_string();
            assert_eq!(question(&Json::parse(&text).unwrap()), None, "{text}");
        }
    }

    #[test]
    fn writes_submissions_serde_reads_back_the_same() {
        let mut attributes = BTreeMap::new();
        attributes.insert("plan".to_owned(), "pro \"max\"".to_owned());
        let full = Submission {
            id: ResponseId::from_parts(1_766_000_000_000, [7; 10]),
            survey: Slug::parse("nps").unwrap(),
            survey_version: 3,
            answers: vec![
                Answer {
                    question: Slug::parse("score").unwrap(),
                    value: AnswerValue::Number(9),
                    other: None,
                },
                Answer {
                    question: Slug::parse("why").unwrap(),
                    value: AnswerValue::Text("줄바꿈\n\"따옴표\"".into()),
                    other: None,
                },
                Answer {
                    question: Slug::parse("features").unwrap(),
                    value: AnswerValue::List(vec!["reminders".into(), "other".into()]),
                    other: Some("Payroll".into()),
                },
                Answer {
                    question: Slug::parse("ok").unwrap(),
                    value: AnswerValue::Bool(false),
                    other: None,
                },
            ],
            finished: true,
            locale: Locale::Ko,
            page_path: "/demo/invoices".into(),
            device: DeviceClass::Tablet,
            respondent: Some(uuid::Uuid::from_u128(0x1234)),
            seq: 4,
            user_id: Some("user-42".into()),
            attributes,
            faq_article: Some(Slug::parse("refund-policy").unwrap()),
            faq_query: Some("환불 \"refund\"".into()),
        };
        let bare = Submission {
            respondent: None,
            user_id: None,
            attributes: BTreeMap::new(),
            faq_article: None,
            faq_query: None,
            ..full.clone()
        };
        for s in [full, bare] {
            let text = submission_json(&s).text();
            let back: Submission = serde_json::from_str(&text).unwrap();
            assert_eq!(back, s, "{text}");
        }
    }

    #[test]
    fn memory_and_outbox_survive_a_round_trip() {
        let mut memory = Memory::default();
        assert_eq!(super::memory(&memory_json(&memory)), Some(memory.clone()));
        memory.shown(&Slug::parse("nps").unwrap(), 1_766_000_000_000);
        memory.answered(&Slug::parse("nps").unwrap(), 1_766_000_100_000);
        assert_eq!(super::memory(&memory_json(&memory)), Some(memory.clone()));
        // What the earlier, serde-based widget left in localStorage still reads.
        assert_eq!(super::memory(&through_serde(&memory)), Some(memory));
        let items = vec![
            (ResponseId::from_parts(1, [1; 10]), "{\"a\":1}".to_owned()),
            (ResponseId::from_parts(2, [2; 10]), "{}".to_owned()),
        ];
        let text = outbox_json(&items).text();
        assert_eq!(outbox(&Json::parse(&text).unwrap()), Some(items));
        assert_eq!(
            outbox(&Json::parse("[{\"id\":\"x\",\"body\":\"\"}]").unwrap()),
            None
        );
    }

    #[test]
    fn reads_error_messages() {
        let body = crate::ErrorBody {
            error: crate::ErrorDetail {
                code: "invalid".into(),
                message: "answers[0].value: expected 1–5".into(),
                field: Some("answers[0].value".into()),
            },
        };
        assert_eq!(
            error_message(&through_serde(&body)).as_deref(),
            Some("answers[0].value: expected 1–5")
        );
    }
}
