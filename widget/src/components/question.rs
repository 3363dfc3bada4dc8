//! One question, rendered by its kind with native, labelled controls: a radio
//! group for scores (arrow keys move between choices), a textarea for text.

use super::use_widget;
use crate::i18n::strings;
use leptos::prelude::*;
use sori_protocol::{AnswerValue, Question as QuestionDef, QuestionKind, Scale};

#[component]
pub fn Question(question: QuestionDef) -> impl IntoView {
    match question.kind.clone() {
        QuestionKind::Csat => {
            view! { <ScaleQuestion question=question scale=Scale::Csat /> }.into_any()
        }
        QuestionKind::Text {
            max_length,
            multiline,
        } => view! { <TextQuestion question=question max_length=max_length multiline=multiline /> }
            .into_any(),
    }
}

#[component]
fn ScaleQuestion(question: QuestionDef, scale: Scale) -> impl IntoView {
    let widget = use_widget();
    let form = widget.form;
    let t = move || strings(widget.locale());
    let id = question.id.clone();
    let prompt = question.prompt.clone();
    let missing = {
        let id = id.clone();
        move || form.missing.with(|m| m.as_ref() == Some(&id))
    };
    let error_id = format!("sori-err-{id}");
    let options = (scale.min()..=scale.max())
        .map(|value| {
            let id = id.clone();
            let checked = {
                let id = id.clone();
                move || form.answers.with(|a| a.get(&id) == Some(&AnswerValue::Number(i64::from(value))))
            };
            let pick = move |_| {
                form.answers.update(|a| {
                    a.insert(id.clone(), AnswerValue::Number(i64::from(value)));
                });
                form.missing.set(None);
            };
            let label = move || t().csat[usize::from(value - scale.min())];
            view! {
                <label class="choice">
                    <input type="radio" name=format!("sori-{}", question.id) value=value.to_string() prop:checked=checked on:change=pick />
                    <span class="choice-face" aria-hidden="true">{value}</span>
                    <span class="choice-label">{label}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="question scale"
            data-question=id.to_string()
            aria-required=question.required.to_string()
            aria-describedby=move || missing().then(|| error_id.clone())
        >
            <legend>{move || prompt.get(widget.locale()).to_owned()}</legend>
            <div class="choices">{options}</div>
            <div class="scale-ends" aria-hidden="true">
                <span>{move || t().csat[0]}</span>
                <span>{move || t().csat[4]}</span>
            </div>
            <Show when=missing.clone()>
                <p class="problem" id=format!("sori-err-{}", question.id)>{move || t().required_missing}</p>
            </Show>
        </fieldset>
    }
}

#[component]
fn TextQuestion(question: QuestionDef, max_length: u32, multiline: bool) -> impl IntoView {
    let widget = use_widget();
    let form = widget.form;
    let t = move || strings(widget.locale());
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
    let on_input = move |ev: web_sys::Event| {
        let text = event_target_value(&ev);
        form.answers.update(|a| {
            if text.trim().is_empty() {
                a.remove(&id);
            } else {
                a.insert(id.clone(), AnswerValue::Text(text));
            }
        });
    };
    let prompt = question.prompt.clone();
    let required = question.required;
    view! {
        <div class="question text" data-question=question.id.to_string()>
            <label for=field_id.clone()>
                {move || prompt.get(widget.locale()).to_owned()}
                {move || (!required).then(|| view! { <span class="optional">" " {t().optional}</span> })}
            </label>
            <textarea
                id=field_id
                rows=if multiline { 3 } else { 1 }
                maxlength=max_length.to_string()
                aria-required=required.to_string()
                prop:value=value
                on:input=on_input
            ></textarea>
        </div>
    }
}
