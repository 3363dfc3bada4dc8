//! One question, by its kind, with native labelled controls: radio groups
//! for scales, yes/no and single choice (arrow keys move the choice),
//! checkboxes for multiple choice, a text field for free text. A question
//! is built in the language on screen and rebuilt when it changes.

use crate::{Ui, use_ui};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use sori_protocol::question::OTHER;
use sori_protocol::{AnswerValue, Question, QuestionKind, RatingStyle, Slug};
use sori_widget_core::form::Form;
use sori_widget_core::i18n::Strings;

#[component]
pub fn QuestionView(q: Question) -> impl IntoView {
    let ui = use_ui();
    let t = crate::strings(ui.locale.get_untracked());
    match &q.kind {
        QuestionKind::Text {
            max_length,
            multiline,
        } => EitherOf3::A(text(ui, &q, t, *max_length, *multiline)),
        QuestionKind::MultiChoice { choices, other } => {
            let locale = ui.locale.get_untracked();
            let mut boxes: Vec<(String, String)> = choices
                .iter()
                .map(|c| (c.id.to_string(), c.label.get(locale).to_owned()))
                .collect();
            if *other {
                boxes.push((OTHER.to_owned(), t.other.to_owned()));
            }
            EitherOf3::B(multi(ui, &q, t, boxes, *other))
        }
        kind => EitherOf3::C(one_choice(ui, &q, t, kind)),
    }
}

/// Why question `id` cannot be left yet, in the language on screen.
fn missing(ui: Ui, id: &Slug) -> Option<&'static str> {
    let t = ui.t();
    ui.form.with(|f| {
        f.missing
            .as_ref()
            .filter(|(q, _)| q == id)
            .map(|(_, why)| why.text(t))
    })
}

/// The prompt, with "(optional)" after it when it may be skipped.
fn prompt(q: &Question, t: &'static Strings, ui: Ui) -> impl IntoView + use<> {
    let text = q.prompt.get(ui.locale.get_untracked()).to_owned();
    let optional = (!q.required).then(|| view! { <span class="optional">" " {t.optional}</span> });
    (text, optional)
}

/// Whether a question lacks something: its field's ARIA attributes and the
/// problem line under it follow this.
#[derive(Clone)]
struct Validity {
    ui: Ui,
    id: Slug,
    error_id: String,
}

impl Validity {
    fn of(ui: Ui, q: &Question) -> Self {
        Self {
            ui,
            id: q.id.clone(),
            error_id: format!("sori-err-{}", q.id),
        }
    }

    /// `aria-invalid`.
    fn invalid(&self) -> impl Fn() -> Option<&'static str> + use<> {
        let v = self.clone();
        move || missing(v.ui, &v.id).map(|_| "true")
    }

    /// `aria-describedby`: `hint` (if any), then the problem line while it shows.
    fn described_by(&self, hint: Option<String>) -> impl Fn() -> Option<String> + use<> {
        let v = self.clone();
        move || {
            let error = missing(v.ui, &v.id).map(|_| v.error_id.clone());
            match (hint.clone(), error) {
                (Some(hint), Some(error)) => Some(format!("{hint} {error}")),
                (hint, error) => hint.or(error),
            }
        }
    }

    /// The problem line under the question, while there is one.
    fn problem(&self) -> impl IntoView + use<> {
        let v = self.clone();
        move || {
            missing(v.ui, &v.id).map(
                |why| view! { <p class="problem" role="alert" id=v.error_id.clone()>{why}</p> },
            )
        }
    }
}

fn text(
    ui: Ui,
    q: &Question,
    t: &'static Strings,
    max_length: u32,
    multiline: bool,
) -> impl IntoView + use<> {
    let field_id = format!("sori-q-{}", q.id);
    let validity = Validity::of(ui, q);
    let initial = ui.form.with_untracked(|f| match f.answers.get(&q.id) {
        Some(AnswerValue::Text(s)) => s.clone(),
        _ => String::new(),
    });
    view! {
        <div class="question text" data-question=q.id.to_string()>
            <label for=field_id.clone()>{prompt(q, t, ui)}</label>
            <textarea
                id=field_id
                rows=if multiline { "4" } else { "2" }
                maxlength=max_length
                aria-required=if q.required { "true" } else { "false" }
                aria-invalid=validity.invalid()
                aria-describedby=validity.described_by(None)
                prop:value=initial
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    ui.form.update(|f| f.type_text(text, false));
                }
            ></textarea>
            {validity.problem()}
        </div>
    }
}

/// Whether `key` is ticked in the answer to question `id`.
fn ticked(form: &Form, id: &Slug, key: &str) -> bool {
    matches!(form.answers.get(id), Some(AnswerValue::List(l)) if l.iter().any(|c| c == key))
}

fn multi(
    ui: Ui,
    q: &Question,
    t: &'static Strings,
    boxes: Vec<(String, String)>,
    other: bool,
) -> impl IntoView + use<> {
    let validity = Validity::of(ui, q);
    let hint_id = format!("sori-hint-{}", q.id);
    let described = validity.described_by(Some(hint_id.clone()));
    let id = q.id.clone();
    let items = boxes
        .into_iter()
        .map(|(key, label)| {
            let (id, checked_key, change_key) = (id.clone(), key.clone(), key.clone());
            view! {
                <label class="choice check">
                    <input
                        type="checkbox"
                        value=key
                        prop:checked=move || ui.form.with(|f| ticked(f, &id, &checked_key))
                        on:change=move |_| ui.form.update(|f| f.pick(&change_key, true))
                    />
                    <span class="choice-text">{label}</span>
                </label>
            }
        })
        .collect_view();
    let other_field = other.then(|| {
        let typed = ui
            .form
            .with_untracked(|f| f.other(&id).unwrap_or("").to_owned());
        let id = id.clone();
        view! {
            <input
                class="other-text"
                type="text"
                maxlength="1000"
                aria-label=t.other_text
                placeholder=t.other_text
                prop:value=typed
                hidden=move || !ui.form.with(|f| ticked(f, &id, OTHER))
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    ui.form.update(|f| f.type_text(text, true));
                }
            />
        }
    });
    view! {
        <fieldset
            class="question options list"
            data-question=q.id.to_string()
            aria-invalid=validity.invalid()
            aria-describedby=described
        >
            <legend>{prompt(q, t, ui)}</legend>
            <p class="hint" id=hint_id>{t.select_all}</p>
            <div class="choices">{items}</div>
            {other_field}
            {validity.problem()}
        </fieldset>
    }
}

/// One pick of a one-choice question: the value the input carries, what it
/// shows, and its accessible name (a choice's own label when it has one).
struct Point {
    key: String,
    face: String,
    label: String,
    /// For choices: the label is the face, in one `.choice-text`.
    plain: bool,
}

fn one_choice(
    ui: Ui,
    q: &Question,
    t: &'static Strings,
    kind: &QuestionKind,
) -> impl IntoView + use<> {
    let (points, ends, class) = points_of(ui, kind, t);
    let name = format!("sori-{}", q.id);
    let validity = Validity::of(ui, q);
    let id = q.id.clone();
    let options = points
        .into_iter()
        .map(|p| {
            let (id, checked_key, change_key) = (id.clone(), p.key.clone(), p.key.clone());
            let kind = kind.clone();
            let checked = move || {
                ui.form.with(|f| {
                    let answer = f.answers.get(&id);
                    answer.is_some()
                        && answer == sori_widget_core::form::answer_of(&kind, &checked_key).as_ref()
                })
            };
            let input = view! {
                <input
                    type="radio"
                    name=name.clone()
                    value=p.key
                    prop:checked=checked
                    on:change=move |_| ui.form.update(|f| f.pick(&change_key, false))
                />
            };
            let text = if p.plain {
                leptos::either::Either::Left(view! { <span class="choice-text">{p.label}</span> })
            } else {
                leptos::either::Either::Right(view! {
                    <span class="choice-face" aria-hidden="true">{p.face}</span>
                    <span class="choice-label">{p.label}</span>
                })
            };
            view! { <label class="choice">{input}{text}</label> }
        })
        .collect_view();
    let ends = ends.map(|[low, high]| {
        view! {
            <div class="scale-ends" aria-hidden="true">
                <span>{low}</span>
                <span>{high}</span>
            </div>
        }
    });
    view! {
        // A fieldset may not say it is required; a radio group may.
        <fieldset
            class=format!("question {class}")
            data-question=q.id.to_string()
            role="radiogroup"
            aria-required=if q.required { "true" } else { "false" }
            aria-invalid=validity.invalid()
            aria-describedby=validity.described_by(None)
        >
            <legend>{prompt(q, t, ui)}</legend>
            <div class="choices">{options}</div>
            {ends}
            {validity.problem()}
        </fieldset>
    }
}

/// The picks of every kind answered with one choice, the labels of the
/// scale's ends, and the fieldset's classes.
fn points_of(
    ui: Ui,
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
            let locale = ui.locale.get_untracked();
            let points = choices
                .iter()
                .map(|c| Point {
                    key: c.id.to_string(),
                    face: String::new(),
                    label: c.label.get(locale).to_owned(),
                    plain: true,
                })
                .collect();
            (points, None, "options list")
        }
        _ => (Vec::new(), None, "options"),
    }
}
