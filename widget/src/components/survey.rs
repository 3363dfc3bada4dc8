//! One survey: its questions, the send button, and what follows a send
//! (thank-you, or an error with a retry that reuses the same response id).

use super::question::Question;
use super::use_widget;
use crate::api::{self, ApiError};
use crate::i18n::strings;
use crate::state::{SendState, Widget};
use leptos::prelude::*;
use sori_protocol::{Answer, DeviceClass, Submission, SurveyDefinition};
use wasm_bindgen::JsCast;

#[component]
pub fn SurveyForm(survey: SurveyDefinition) -> impl IntoView {
    let widget = use_widget();
    let form = widget.form;
    let t = move || strings(widget.locale());
    let survey = StoredValue::new(survey);

    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if matches!(
            form.status.get_untracked(),
            SendState::Sending | SendState::Sent
        ) {
            return;
        }
        let missing = survey.with_value(|s| {
            s.questions
                .iter()
                .find(|q| q.required && !form.answers.with_untracked(|a| a.contains_key(&q.id)))
                .map(|q| q.id.clone())
        });
        if let Some(id) = missing {
            focus_question(&ev, id.as_str());
            form.missing.set(Some(id));
            return;
        }
        form.missing.set(None);
        send(widget, survey.get_value());
    };

    let sending = move || form.status.get() == SendState::Sending;
    let button_label = move || match form.status.get() {
        SendState::Sending => t().sending,
        SendState::Failed | SendState::Rejected(_) => t().retry,
        _ => t().submit,
    };
    let problem = move || match form.status.get() {
        SendState::Failed => Some(t().send_failed.to_owned()),
        SendState::Rejected(why) => Some(format!("{} {why}", t().send_rejected)),
        _ => None,
    };

    let questions = move || {
        survey.with_value(|s| {
            s.questions
                .iter()
                .map(|q| view! { <Question question=q.clone() /> })
                .collect_view()
        })
    };

    view! {
        <Show
            when=move || form.status.get() != SendState::Sent
            fallback=move || view! { <Thanks /> }
        >
            <form class="survey" novalidate on:submit=on_submit>
                {questions()}
                {move || problem().map(|p| view! { <p class="problem" role="alert">{p}</p> })}
                <button class="primary" type="submit" disabled=sending aria-busy=move || sending().to_string()>
                    {button_label}
                </button>
            </form>
        </Show>
    }
}

#[component]
fn Thanks() -> impl IntoView {
    let widget = use_widget();
    let t = move || strings(widget.locale());
    // The send button is gone; keep keyboard focus inside the dialog.
    let close = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="thanks" role="status">
            <svg class="thanks-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M5 12.5l4.5 4.5L19 7.5" /></svg>
            <h3>{move || t().thanks_title}</h3>
            <p>{move || t().thanks_body}</p>
            <button class="primary" type="button" node_ref=close on:click=move |_| widget.close()>{move || t().close}</button>
        </div>
    }
}

fn send(widget: Widget, survey: SurveyDefinition) {
    let form = widget.form;
    let window = web_sys::window();
    let submission = Submission {
        id: form.response_id.get_value(),
        survey: survey.id.clone(),
        survey_version: survey.version,
        answers: form.answers.with_untracked(|a| {
            a.iter()
                .map(|(q, v)| Answer {
                    question: q.clone(),
                    value: v.clone(),
                })
                .collect()
        }),
        finished: true,
        locale: widget.locale(),
        page_path: window
            .as_ref()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default(),
        device: DeviceClass::from_width(
            window
                .as_ref()
                .and_then(|w| w.inner_width().ok())
                .and_then(|w| w.as_f64())
                .unwrap_or(0.0),
        ),
        respondent: api::respondent_id(),
    };
    let Ok(body) = serde_json::to_string(&submission) else {
        return;
    };
    let (base, site) = widget.env.with_value(|e| (e.base.clone(), e.site.clone()));
    form.status.set(SendState::Sending);
    leptos::task::spawn_local(async move {
        let outcome = api::send_response(&base, &site, submission.id, body).await;
        form.status.set(match outcome {
            Ok(()) => SendState::Sent,
            Err(ApiError::Transient) => SendState::Failed,
            Err(ApiError::Rejected(why)) => SendState::Rejected(why),
        });
    });
}

/// Moves focus to the first control of question `id`, so keyboard and
/// screen-reader users land on what still needs an answer.
fn focus_question(ev: &web_sys::SubmitEvent, id: &str) {
    let form = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let control = form.and_then(|f| {
        f.query_selector(&format!(
            "[data-question='{id}'] input, [data-question='{id}'] textarea"
        ))
        .ok()
        .flatten()
    });
    if let Some(el) = control.and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
