//! One survey as a flow: one question at a time, with progress, Back and
//! Next. Each answered step is saved under the same response id (a partial
//! response); the last one marks it finished and shows the thank-you.

use super::question::Question;
use super::use_widget;
use crate::api::{self, ApiError};
use crate::engine;
use crate::i18n::strings;
use crate::state::{SendState, Widget};
use leptos::prelude::*;
use sori_protocol::question::OTHER;
use sori_protocol::rules::shown;
use sori_protocol::{Answer, AnswerValue, DeviceClass, Question as QuestionDef, Submission};
use wasm_bindgen::JsCast;

/// The questions asked given the answers so far.
fn asked(widget: Widget) -> Vec<QuestionDef> {
    let form = widget.form;
    form.survey.with(|s| {
        s.as_ref()
            .map(|s| {
                form.answers
                    .with(|a| shown(s, a).into_iter().cloned().collect())
            })
            .unwrap_or_default()
    })
}

#[component]
pub fn SurveyFlow() -> impl IntoView {
    let widget = use_widget();
    let form = widget.form;
    let t = move || strings(widget.locale());
    let total = Memo::new(move |_| asked(widget).len());
    let step = Memo::new(move |_| form.step.get().min(total.get().saturating_sub(1)));
    // Only a change of question re-renders it, not every answer picked in it.
    let current = Memo::new(move |_| asked(widget).get(step.get()).cloned());
    let is_last = move || step.get() + 1 >= total.get();

    // A new step takes focus to its first control, for keyboard and screen-reader users.
    Effect::new(move |previous: Option<usize>| {
        let now = step.get();
        if previous.is_some_and(|p| p != now) {
            request_animation_frame(focus_first_control);
        }
        now
    });

    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if matches!(
            form.status.get_untracked(),
            SendState::Sending | SendState::Sent
        ) {
            return;
        }
        let Some(question) = current.get_untracked() else {
            return;
        };
        if let Some(problem) = unanswered(widget, &question) {
            form.missing.set(Some((question.id.clone(), problem)));
            request_animation_frame(focus_first_control);
            return;
        }
        form.missing.set(None);
        if is_last() {
            save(widget, true);
        } else {
            save(widget, false);
            form.step.set(step.get_untracked() + 1);
        }
    };
    let back = move |_| {
        form.missing.set(None);
        form.step.set(step.get_untracked().saturating_sub(1));
    };

    let sending = move || form.status.get() == SendState::Sending;
    let button_label = move || match form.status.get() {
        SendState::Sending => t().sending,
        SendState::Failed | SendState::Rejected(_) => t().retry,
        _ if !is_last() => t().next,
        _ => t().submit,
    };
    let problem = move || match form.status.get() {
        SendState::Failed => Some(t().send_failed.to_owned()),
        SendState::Rejected(why) => Some(format!("{} {why}", t().send_rejected)),
        _ => None,
    };
    let progress = move || {
        (total.get() > 1).then(|| {
            let (n, all) = (step.get() + 1, total.get());
            view! {
                <div class="progress">
                    <span class="progress-text" id="sori-progress">{(t().progress)(n, all)}</span>
                    <progress max=all.to_string() value=n.to_string() aria-labelledby="sori-progress"></progress>
                </div>
            }
        })
    };

    view! {
        <Show when=move || form.status.get() != SendState::Sent fallback=move || view! { <Thanks /> }>
            <form class="survey" novalidate on:submit=on_submit>
                {progress}
                {move || current.get().map(|q| view! { <Question question=q /> })}
                {move || problem().map(|p| view! { <p class="problem" role="alert">{p}</p> })}
                <div class="actions">
                    <Show when=move || { step.get() > 0 }>
                        <button class="secondary" type="button" on:click=back>{move || t().back}</button>
                    </Show>
                    <button class="primary" type="submit" disabled=sending aria-busy=move || sending().to_string()>
                        {button_label}
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// Why the question on screen cannot be left yet, if it cannot.
fn unanswered(widget: Widget, question: &QuestionDef) -> Option<&'static str> {
    let t = strings(widget.locale());
    let answer = widget
        .form
        .answers
        .with_untracked(|a| a.get(&question.id).cloned());
    match answer {
        None if question.required => Some(t.required_missing),
        Some(AnswerValue::List(ids)) if ids.iter().any(|id| id == OTHER) => {
            let text = widget
                .form
                .others
                .with_untracked(|o| o.get(&question.id).cloned())
                .unwrap_or_default();
            text.trim().is_empty().then_some(t.other_missing)
        }
        _ => None,
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

/// Saves the answers to the questions asked so far: a partial save quietly
/// (a failure waits in the outbox), the final one with the result shown.
fn save(widget: Widget, finished: bool) {
    let form = widget.form;
    let Some(survey) = form.survey.get_untracked() else {
        return;
    };
    let asked = asked(widget);
    let answers: Vec<Answer> = form.answers.with_untracked(|a| {
        asked
            .iter()
            .filter_map(|q| {
                let value = a.get(&q.id)?.clone();
                let other = match &value {
                    AnswerValue::List(ids) if ids.iter().any(|id| id == OTHER) => form
                        .others
                        .with_untracked(|o| o.get(&q.id).map(|t| t.trim().to_owned())),
                    _ => None,
                };
                Some(Answer {
                    question: q.id.clone(),
                    value,
                    other,
                })
            })
            .collect()
    });
    let seq = form.seq.get_value() + 1;
    form.seq.set_value(seq);
    let identity = widget.identity.get_untracked();
    let window = web_sys::window();
    let submission = Submission {
        id: form.response_id.get_untracked(),
        survey: survey.id.clone(),
        survey_version: survey.version,
        answers,
        finished,
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
        seq,
        user_id: identity.user_id,
        attributes: identity.attributes,
    };
    let Ok(body) = serde_json::to_string(&submission) else {
        return;
    };
    let (base, site) = widget.env.with_value(|e| (e.base.clone(), e.site.clone()));
    if finished {
        form.status.set(SendState::Sending);
    }
    leptos::task::spawn_local(async move {
        let outcome = api::send_response(&base, &site, submission.id, body).await;
        if outcome == Err(ApiError::Transient) {
            crate::delivery::retry_later(widget);
        }
        if !finished {
            return;
        }
        form.status.set(match outcome {
            Ok(()) => {
                engine::answered(widget, &survey.id);
                SendState::Sent
            }
            Err(ApiError::Transient) => SendState::Failed,
            Err(ApiError::Rejected(why)) => SendState::Rejected(why),
        });
    });
}

/// Focuses the first control of the question on screen.
fn focus_first_control() {
    let Some(active_root) = crate::host::shadow_root() else {
        return;
    };
    let target = active_root
        .query_selector(".question input:checked")
        .ok()
        .flatten()
        .or_else(|| {
            active_root
                .query_selector(".question input, .question textarea")
                .ok()
                .flatten()
        });
    if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
