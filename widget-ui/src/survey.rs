//! The Feedback tab: a survey being answered (progress, the question,
//! Back and Next or Send), the thank-you, or a note when there is nothing
//! to ask. Each answered step is saved under the same response id (a
//! partial response); the last one marks it finished.

use crate::panel::{focus_opened, focus_step};
use crate::question::QuestionView;
use crate::{Site, Ui, use_ui};
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use sori_protocol::{DeviceClass, ResponseId, Submission};
use sori_widget_core::bridge::Delivery;
use sori_widget_core::form::{Outcome, SendState};
use sori_widget_core::web::to_json;

/// What the Feedback tab shows; changes of this rebuild it.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Survey(ResponseId),
    Thanks,
    Loading,
    Failed,
    Nothing,
}

#[component]
pub fn Feedback() -> impl IntoView {
    let ui = use_ui();
    let shape = Memo::new(move |_| {
        let form = ui.form.with(|f| {
            f.survey.as_ref().map(|_| match f.status {
                SendState::Sent => Shape::Thanks,
                _ => Shape::Survey(f.response_id),
            })
        });
        form.unwrap_or_else(|| match ui.site.with(|s| s.clone()) {
            Site::Loading => Shape::Loading,
            Site::Failed => Shape::Failed,
            Site::Ready { .. } => Shape::Nothing,
        })
    });
    move || match shape.get() {
        Shape::Survey(_) => EitherOf4::A(view! { <SurveyForm/> }),
        Shape::Thanks => EitherOf4::B(view! { <Thanks/> }),
        Shape::Loading => {
            EitherOf4::C(view! { <p class="note" role="status">{ui.text(|t| t.loading)}</p> })
        }
        Shape::Failed => EitherOf4::D(Either::Left(
            view! { <p class="note" role="alert">{ui.text(|t| t.config_failed)}</p> },
        )),
        Shape::Nothing => EitherOf4::D(Either::Right(
            view! { <p class="note">{ui.text(|t| t.nothing_to_ask)}</p> },
        )),
    }
}

#[component]
fn SurveyForm() -> impl IntoView {
    let ui = use_ui();
    // The question is rebuilt when the step or the language changes, not
    // while it is being answered.
    let step = Memo::new(move |_| {
        let locale = ui.locale.get();
        ui.form
            .with(|f| (f.step(), f.current().map(|q| q.id.clone()), locale))
    });
    let counts = move || ui.form.with(|f| (f.step() + 1, f.expected()));
    let problem = move || {
        let t = ui.t();
        ui.form.with(|f| match &f.status {
            SendState::Failed => Some(t.send_failed.to_owned()),
            SendState::Rejected(why) => Some(format!("{} {why}", t.send_rejected)),
            _ => None,
        })
    };
    let sending = move || ui.form.with(|f| f.status == SendState::Sending);
    let label = move || {
        let t = ui.t();
        ui.form.with(|f| match f.status {
            SendState::Sending => t.sending,
            SendState::Failed | SendState::Rejected(_) => t.retry,
            _ if !f.is_last() => t.next,
            _ => t.submit,
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit(ui);
    };
    view! {
        <form class="survey" novalidate on:submit=on_submit>
            <div class="progress" hidden=move || counts().1 <= 1>
                <span class="progress-text" id="sori-progress">
                    {move || {
                        let (n, all) = counts();
                        (ui.t().progress)(n, all)
                    }}
                </span>
                <progress
                    aria-labelledby="sori-progress"
                    max=move || counts().1
                    value=move || counts().0
                ></progress>
            </div>
            {move || {
                step.with(|(_, id, _)| id.is_some())
                    .then(|| {
                        let question = ui.form.with_untracked(|f| f.current().cloned());
                        question.map(|q| view! { <QuestionView q=q/> })
                    })
            }}
            <p class="problem" role="alert" hidden=move || problem().is_none()>
                {problem}
            </p>
            <div class="actions">
                {move || {
                    (step.with(|s| s.0) > 0)
                        .then(|| {
                            view! {
                                <button class="secondary" type="button" on:click=move |_| back(ui)>
                                    {ui.text(|t| t.back)}
                                </button>
                            }
                        })
                }}
                <button
                    class="primary"
                    type="submit"
                    aria-disabled=move || if sending() { "true" } else { "false" }
                    aria-busy=move || if sending() { "true" } else { "false" }
                >
                    {label}
                </button>
            </div>
        </form>
    }
}

#[component]
fn Thanks() -> impl IntoView {
    let ui = use_ui();
    focus_opened();
    view! {
        <div class="thanks" role="status">
            <svg class="thanks-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M5 12.5l4.5 4.5L19 7.5"></path>
            </svg>
            <h3>{ui.text(|t| t.thanks_title)}</h3>
            <p>{ui.text(|t| t.thanks_body)}</p>
            <button class="primary" type="button" on:click=move |_| ui.close()>
                {ui.text(|t| t.close)}
            </button>
        </div>
    }
}

fn back(ui: Ui) {
    ui.form.update(|f| f.back());
    focus_step();
}

fn submit(ui: Ui) {
    let outcome = ui.form.try_update(|f| f.advance());
    match outcome {
        Some(Outcome::Missing) => focus_step(),
        Some(Outcome::Next) => {
            save(ui, false);
            focus_step();
        }
        Some(Outcome::Finish) => save(ui, true),
        Some(Outcome::Nothing) | None => {}
    }
}

/// Saves the answers so far: a partial save quietly (a failure waits in
/// the engine's outbox), the final one with the result shown.
fn save(ui: Ui, finished: bool) {
    let who = crate::who();
    let locale = ui.locale.get_untracked();
    let prepared = ui.form.try_update(|form| {
        form.seq += 1;
        let survey = form.survey.as_ref()?;
        let window = web_sys::window();
        let submission = Submission {
            id: form.response_id,
            survey: survey.id.clone(),
            survey_version: survey.version,
            answers: form.answers_to_send(),
            finished,
            locale,
            page_path: window
                .as_ref()
                .and_then(|w| w.location().pathname().ok())
                .unwrap_or_default(),
            // The initial containing block: a phone's width even when a wide
            // page has stretched the layout viewport (and `innerWidth`).
            device: DeviceClass::from_width(
                window
                    .as_ref()
                    .and_then(|w| w.document()?.document_element())
                    .map_or(0.0, |root| f64::from(root.client_width())),
            ),
            respondent: who.respondent,
            seq: form.seq,
            user_id: who.user_id,
            attributes: who.attributes,
            faq_article: form.faq_article.clone(),
            faq_query: form.faq_query.clone(),
        };
        let body = to_json(&submission);
        if finished {
            form.status = match body {
                Some(_) => SendState::Sending,
                None => SendState::Rejected("the browser could not write the answer".into()),
            };
        }
        Some((submission, body?))
    });
    let Some(Some((submission, body))) = prepared else {
        return;
    };
    let id = submission.id;
    leptos::task::spawn_local(async move {
        let outcome = crate::send(
            id.to_string(),
            body,
            submission.survey.to_string(),
            finished,
        )
        .await;
        // The respondent may have moved on to another survey meanwhile.
        if finished && ui.form.with_untracked(|f| f.response_id == id) {
            ui.form.update(|f| {
                f.status = match outcome {
                    Delivery::Stored => SendState::Sent,
                    Delivery::Waiting => SendState::Failed,
                    Delivery::Refused(why) => SendState::Rejected(why),
                }
            });
        }
    });
}
