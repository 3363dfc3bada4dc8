//! One question, rendered by its kind with native, labelled controls: radio
//! groups for scales, yes/no and single choice (arrow keys move the choice),
//! checkboxes for multiple choice, a text field for free text.

use crate::dom::{El, el};
use crate::i18n::Strings;
use crate::state::Widget;
use sori_protocol::question::OTHER;
use sori_protocol::{AnswerValue, Question, QuestionKind, RatingStyle};
use web_sys::ShadowRoot;

/// One pick of a one-choice question: the value the input carries, what it
/// shows, and its accessible name (a choice's own label when it has one).
struct Point {
    key: String,
    face: String,
    label: String,
    /// For choices: the label is the face, in one `.choice-text`.
    plain: bool,
}

pub fn view(w: &Widget, q: &Question, t: &Strings) -> El {
    let missing = w
        .form
        .missing
        .as_ref()
        .filter(|(id, _)| *id == q.id)
        .map(|(_, why)| why.text(t));
    let error_id = format!("sori-err-{}", q.id);
    let problem = missing.map(|why| el("p").class("problem").attr("id", &error_id).text(why));
    let answer = w.form.answers.get(&q.id);
    let locale = w.locale();
    let prompt = |parent: El| {
        let parent = parent.text(q.prompt.get(locale));
        if q.required {
            parent
        } else {
            parent.child(el("span").class("optional").text(" ").text(t.optional))
        }
    };
    let described = |field: El| match missing {
        Some(_) => field
            .attr("aria-invalid", "true")
            .attr("aria-describedby", &error_id),
        None => field,
    };
    match &q.kind {
        QuestionKind::Text {
            max_length,
            multiline,
        } => {
            let field_id = format!("sori-q-{}", q.id);
            let text = match answer {
                Some(AnswerValue::Text(s)) => s.as_str(),
                _ => "",
            };
            el("div")
                .class("question text")
                .attr("data-question", q.id.as_str())
                .child(prompt(el("label").attr("for", &field_id)))
                .child(described(
                    el("textarea")
                        .attr("id", &field_id)
                        .attr("rows", if *multiline { "4" } else { "2" })
                        .attr("maxlength", &max_length.to_string())
                        .attr("aria-required", if q.required { "true" } else { "false" })
                        .text(text),
                ))
                .maybe(problem)
        }
        QuestionKind::MultiChoice { choices, other } => {
            let picked = |id: &str| matches!(answer, Some(AnswerValue::List(l)) if l.iter().any(|c| c == id));
            let mut boxes: Vec<(&str, &str)> = choices
                .iter()
                .map(|c| (c.id.as_str(), c.label.get(locale)))
                .collect();
            if *other {
                boxes.push((OTHER, t.other));
            }
            let items = boxes.into_iter().map(|(id, label)| {
                el("label")
                    .class("choice check")
                    .child(
                        el("input")
                            .attr("type", "checkbox")
                            .attr("value", id)
                            .flag("checked", picked(id)),
                    )
                    .child(el("span").class("choice-text").text(label))
            });
            let other_field = other.then(|| {
                let typed = w.form.other(&q.id).unwrap_or("");
                el("input")
                    .class("other-text")
                    .attr("type", "text")
                    .attr("maxlength", "1000")
                    .attr("aria-label", t.other_text)
                    .attr("placeholder", t.other_text)
                    .attr("value", typed)
                    .flag("hidden", !picked(OTHER))
            });
            let hint_id = format!("sori-hint-{}", q.id);
            let described_by = match missing {
                Some(_) => format!("{hint_id} {error_id}"),
                None => hint_id.clone(),
            };
            described(
                el("fieldset")
                    .class("question options list")
                    .attr("data-question", q.id.as_str()),
            )
            .attr("aria-describedby", &described_by)
            .child(prompt(el("legend")))
            .child(
                el("p")
                    .class("hint")
                    .attr("id", &hint_id)
                    .text(t.select_all),
            )
            .child(el("div").class("choices").children(items))
            .maybe(other_field)
            .maybe(problem)
        }
        kind => {
            let (points, ends, class) = points_of(w, kind, t);
            let name = format!("sori-{}", q.id);
            let current = answer.map(key_of);
            let options = points.into_iter().map(|p| {
                let input = el("input")
                    .attr("type", "radio")
                    .attr("name", &name)
                    .attr("value", &p.key)
                    .flag("checked", current.as_deref() == Some(p.key.as_str()));
                let label = el("label").class("choice").child(input);
                if p.plain {
                    label.child(el("span").class("choice-text").text(&p.label))
                } else {
                    label
                        .child(
                            el("span")
                                .class("choice-face")
                                .attr("aria-hidden", "true")
                                .text(&p.face),
                        )
                        .child(el("span").class("choice-label").text(&p.label))
                }
            });
            let ends = ends.map(|[low, high]| {
                el("div")
                    .class("scale-ends")
                    .attr("aria-hidden", "true")
                    .child(el("span").text(low))
                    .child(el("span").text(high))
            });
            described(
                el("fieldset")
                    .class(&format!("question {class}"))
                    .attr("data-question", q.id.as_str())
                    // A fieldset may not say it is required; a radio group may.
                    .attr("role", "radiogroup")
                    .attr("aria-required", if q.required { "true" } else { "false" }),
            )
            .child(prompt(el("legend")))
            .child(el("div").class("choices").children(options))
            .maybe(ends)
            .maybe(problem)
        }
    }
}

/// Shows the "Other" text field while "Other" is ticked.
pub fn patch(shadow: &ShadowRoot, w: &Widget) {
    let Some(field) = crate::dom::find(shadow, ".other-text") else {
        return;
    };
    let ticked = w.form.current().is_some_and(|q| {
        matches!(w.form.answers.get(&q.id), Some(AnswerValue::List(l)) if l.iter().any(|c| c == OTHER))
    });
    super::set_flag(&field, "hidden", !ticked);
}

/// The value a radio input carries for an answer.
fn key_of(value: &AnswerValue) -> String {
    match value {
        AnswerValue::Number(n) => n.to_string(),
        AnswerValue::Bool(true) => "yes".to_owned(),
        AnswerValue::Bool(false) => "no".to_owned(),
        AnswerValue::Text(t) => t.clone(),
        AnswerValue::List(_) => String::new(),
    }
}

/// The picks of every kind answered with one choice, the labels of the
/// scale's ends, and the fieldset's classes.
fn points_of(
    w: &Widget,
    kind: &QuestionKind,
    t: &Strings,
) -> (Vec<Point>, Option<[&'static str; 2]>, &'static str) {
    let number = |n: u8, face: String, label: String| Point {
        key: n.to_string(),
        face,
        label,
        plain: false,
    };
    let scale = |labels: &[&'static str], first: u8| -> Vec<Point> {
        labels
            .iter()
            .zip(first..)
            .map(|(label, n)| number(n, n.to_string(), format!("{n} – {label}")))
            .collect()
    };
    match kind {
        QuestionKind::Csat => (scale(&t.csat, 1), Some([t.csat[0], t.csat[4]]), "scale"),
        QuestionKind::Ces => (scale(&t.ces, 1), Some([t.ces[0], t.ces[6]]), "scale"),
        QuestionKind::Nps => {
            let points = (0..=10)
                .map(|n| number(n, n.to_string(), n.to_string()))
                .collect();
            (points, Some(t.nps_ends), "scale nps")
        }
        QuestionKind::Rating { points, style } => {
            let faces = ["😞", "🙁", "😐", "🙂", "😄"];
            let all = (1..=*points)
                .map(|n| {
                    let face = match style {
                        RatingStyle::Stars => "★".to_owned(),
                        RatingStyle::Numbers => n.to_string(),
                        // Spread the five faces over however many points there are.
                        RatingStyle::Emoji => {
                            faces[usize::from((n - 1) * 4 / (points - 1).max(1))].to_owned()
                        }
                    };
                    number(n, face, (t.rating_point)(n, *points))
                })
                .collect();
            let class = if *style == RatingStyle::Stars {
                "scale stars"
            } else {
                "scale"
            };
            (all, None, class)
        }
        QuestionKind::YesNo => {
            let point = |key: &str, text: &str| Point {
                key: key.to_owned(),
                face: text.to_owned(),
                label: text.to_owned(),
                plain: false,
            };
            (
                vec![point("yes", t.yes), point("no", t.no)],
                None,
                "options two",
            )
        }
        QuestionKind::SingleChoice { choices } => {
            let points = choices
                .iter()
                .map(|c| Point {
                    key: c.id.to_string(),
                    face: String::new(),
                    label: c.label.get(w.locale()).to_owned(),
                    plain: true,
                })
                .collect();
            (points, None, "options list")
        }
        _ => (Vec::new(), None, "options"),
    }
}
