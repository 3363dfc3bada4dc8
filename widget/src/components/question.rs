//! One question, rendered by its kind with native, labelled controls: radio
//! groups for scales, yes/no and single choice (arrow keys move the choice),
//! checkboxes for multiple choice, a text field for free text.

use super::use_widget;
use crate::i18n::{Strings, strings};
use leptos::prelude::*;
use sori_protocol::question::OTHER;
use sori_protocol::{
    AnswerValue, Choice, Question as QuestionDef, QuestionKind, RatingStyle, Slug,
};

/// A point on a scale: its value, what it shows, and its accessible name.
struct Point {
    value: AnswerValue,
    face: String,
    label: String,
}

#[component]
pub fn Question(question: QuestionDef) -> impl IntoView {
    let widget = use_widget();
    let t = strings(widget.locale());
    match question.kind.clone() {
        QuestionKind::Text {
            max_length,
            multiline,
        } => view! { <TextQuestion question=question max_length=max_length multiline=multiline /> }
            .into_any(),
        QuestionKind::MultiChoice { choices, other } => {
            view! { <MultiChoiceQuestion question=question choices=choices other=other /> }
                .into_any()
        }
        kind => {
            let (points, ends, class) = points_of(&kind, t);
            view! { <RadioQuestion question=question points=points ends=ends class=class /> }
                .into_any()
        }
    }
}

/// The choices of every kind answered with one pick.
fn points_of(
    kind: &QuestionKind,
    t: &Strings,
) -> (Vec<Point>, Option<[&'static str; 2]>, &'static str) {
    let number = |n: u8, label: String| Point {
        value: AnswerValue::Number(i64::from(n)),
        face: n.to_string(),
        label,
    };
    match kind {
        QuestionKind::Csat => {
            let points = (1..=5)
                .map(|n| number(n, format!("{n} – {}", t.csat[usize::from(n - 1)])))
                .collect();
            (points, Some([t.csat[0], t.csat[4]]), "scale")
        }
        QuestionKind::Nps => {
            let points = (0..=10).map(|n| number(n, n.to_string())).collect();
            (points, Some(t.nps_ends), "scale nps")
        }
        QuestionKind::Ces => {
            let points = (1..=7)
                .map(|n| number(n, format!("{n} – {}", t.ces[usize::from(n - 1)])))
                .collect();
            (points, Some([t.ces[0], t.ces[6]]), "scale")
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
                    Point {
                        value: AnswerValue::Number(i64::from(n)),
                        face,
                        label: (t.rating_point)(n, *points),
                    }
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
            let yes = Point {
                value: AnswerValue::Bool(true),
                face: t.yes.into(),
                label: t.yes.into(),
            };
            let no = Point {
                value: AnswerValue::Bool(false),
                face: t.no.into(),
                label: t.no.into(),
            };
            (vec![yes, no], None, "options two")
        }
        QuestionKind::SingleChoice { choices } => {
            let points = choices
                .iter()
                .map(|c| Point {
                    value: AnswerValue::Text(c.id.to_string()),
                    face: String::new(),
                    label: String::new(),
                })
                .collect();
            (points, None, "options list")
        }
        _ => (Vec::new(), None, "options"),
    }
}

/// The prompt, the "optional" mark and the problem line every question shares.
#[component]
fn Prompt(question: QuestionDef) -> impl IntoView {
    let widget = use_widget();
    let t = move || strings(widget.locale());
    let prompt = question.prompt.clone();
    view! {
        {move || prompt.get(widget.locale()).to_owned()}
        {(!question.required).then(|| view! { <span class="optional">" " {move || t().optional}</span> })}
    }
}

#[component]
fn Problem(id: Slug) -> impl IntoView {
    let widget = use_widget();
    let error_id = format!("sori-err-{id}");
    let message = move || {
        widget
            .form
            .missing
            .with(|m| m.as_ref().filter(|(q, _)| *q == id).map(|(_, msg)| *msg))
    };
    move || message().map(|m| view! { <p class="problem" id=error_id.clone()>{m}</p> })
}

#[component]
fn RadioQuestion(
    question: QuestionDef,
    points: Vec<Point>,
    ends: Option<[&'static str; 2]>,
    class: &'static str,
) -> impl IntoView {
    let widget = use_widget();
    let form = widget.form;
    let id = question.id.clone();
    let choice_labels: Vec<Choice> = question.kind.choices().to_vec();
    let options = points
        .into_iter()
        .enumerate()
        .map(|(i, point)| {
            let id = id.clone();
            let value = point.value.clone();
            let key = match &value {
                AnswerValue::Number(n) => n.to_string(),
                AnswerValue::Bool(b) => if *b { "yes".to_owned() } else { "no".to_owned() },
                AnswerValue::Text(t) => t.clone(),
                AnswerValue::List(_) => String::new(),
            };
            let checked = {
                let (id, value) = (id.clone(), value.clone());
                move || form.answers.with(|a| a.get(&id) == Some(&value))
            };
            let pick = move |_| {
                form.answers.update(|a| {
                    a.insert(id.clone(), value.clone());
                });
                form.missing.set(None);
            };
            // Choice labels follow the locale; scale labels were made for it.
            let label = match choice_labels.get(i) {
                Some(choice) => {
                    let text = choice.label.clone();
                    view! { <span class="choice-text">{move || text.get(widget.locale()).to_owned()}</span> }.into_any()
                }
                None => view! {
                    <span class="choice-face" aria-hidden="true">{point.face}</span>
                    <span class="choice-label">{point.label}</span>
                }
                .into_any(),
            };
            view! {
                <label class="choice">
                    <input type="radio" name=format!("sori-{}", question.id) value=key prop:checked=checked on:change=pick />
                    {label}
                </label>
            }
        })
        .collect_view();
    let ends = ends.map(|[low, high]| {
        view! { <div class="scale-ends" aria-hidden="true"><span>{low}</span><span>{high}</span></div> }
    });
    view! {
        <fieldset class=format!("question {class}") data-question=id.to_string() aria-required=question.required.to_string()>
            <legend><Prompt question=question.clone() /></legend>
            <div class="choices">{options}</div>
            {ends}
            <Problem id=id.clone() />
        </fieldset>
    }
}

#[component]
fn MultiChoiceQuestion(question: QuestionDef, choices: Vec<Choice>, other: bool) -> impl IntoView {
    let widget = use_widget();
    let form = widget.form;
    let t = move || strings(widget.locale());
    let id = question.id.clone();
    let picked = {
        let id = id.clone();
        move |choice: &str| {
            form.answers.with(|a| matches!(a.get(&id), Some(AnswerValue::List(l)) if l.iter().any(|c| c == choice)))
        }
    };
    let toggle = {
        let id = id.clone();
        move |choice: String| {
            form.answers.update(|a| {
                let mut list = match a.remove(&id) {
                    Some(AnswerValue::List(l)) => l,
                    _ => Vec::new(),
                };
                match list.iter().position(|c| *c == choice) {
                    Some(i) => {
                        list.remove(i);
                    }
                    None => list.push(choice),
                }
                if !list.is_empty() {
                    a.insert(id.clone(), AnswerValue::List(list));
                }
            });
            form.missing.set(None);
        }
    };
    let mut boxes: Vec<(String, Box<dyn Fn() -> String + Send + Sync>)> = choices
        .iter()
        .map(|c| {
            let label = c.label.clone();
            (
                c.id.to_string(),
                Box::new(move || label.get(widget.locale()).to_owned())
                    as Box<dyn Fn() -> String + Send + Sync>,
            )
        })
        .collect();
    if other {
        boxes.push((OTHER.to_owned(), Box::new(move || t().other.to_owned())));
    }
    let items = boxes
        .into_iter()
        .map(|(choice, label)| {
            let (picked, toggle) = (picked.clone(), toggle.clone());
            let c = choice.clone();
            view! {
                <label class="choice check">
                    <input type="checkbox" value=choice.clone() prop:checked=move || picked(&c) on:change=move |_| toggle(choice.clone()) />
                    <span class="choice-text">{label}</span>
                </label>
            }
        })
        .collect_view();
    let other_field = {
        let id = id.clone();
        let shown = picked.clone();
        move || {
            let id = id.clone();
            (other && shown(OTHER)).then(move || {
                let value = {
                    let id = id.clone();
                    move || form.others.with(|o| o.get(&id).cloned().unwrap_or_default())
                };
                view! {
                    <input class="other-text" type="text" maxlength="1000" aria-label=move || t().other_text
                        placeholder=move || t().other_text prop:value=value
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            form.others.update(|o| { o.insert(id.clone(), text); });
                        } />
                }
            })
        }
    };
    view! {
        <fieldset class="question options list" data-question=id.to_string()>
            <legend><Prompt question=question.clone() /></legend>
            <div class="choices">{items}</div>
            {other_field}
            <Problem id=id.clone() />
        </fieldset>
    }
}

#[component]
fn TextQuestion(question: QuestionDef, max_length: u32, multiline: bool) -> impl IntoView {
    let widget = use_widget();
    let form = widget.form;
    let id = question.id.clone();
    let field_id = format!("sori-q-{id}");
    let value = {
        let id = id.clone();
        move || {
            form.answers.with(|a| match a.get(&id) {
                Some(AnswerValue::Text(s)) => s.clone(),
                _ => String::new(),
            })
        }
    };
    let on_input = {
        let id = id.clone();
        move |ev: web_sys::Event| {
            let text = event_target_value(&ev);
            form.answers.update(|a| {
                if text.trim().is_empty() {
                    a.remove(&id);
                } else {
                    a.insert(id.clone(), AnswerValue::Text(text));
                }
            });
        }
    };
    view! {
        <div class="question text" data-question=id.to_string()>
            <label for=field_id.clone()><Prompt question=question.clone() /></label>
            <textarea
                id=field_id
                rows=if multiline { 4 } else { 2 }
                maxlength=max_length.to_string()
                aria-required=question.required.to_string()
                prop:value=value
                on:input=on_input
            ></textarea>
            <Problem id=id.clone() />
        </div>
    }
}
