//! The respondent's side of a survey: every event in the shadow root comes
//! through [`listen`]; picks and typing go into the form; Next, Back and
//! Send move through the questions. Each answered step is saved under the
//! same response id (a partial response); the last one marks it finished.

use crate::api::{self, ApiError};
use crate::state::{SendState, Tab, Widget, read, write};
use crate::view::{self, Focus};
use crate::{engine, help, host};
use sori_protocol::{DeviceClass, Submission};
use sori_widget_core::form::Outcome;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, KeyboardEvent};

/// One listener per event type on the shadow root handles every control.
pub fn listen(shadow: &web_sys::ShadowRoot) {
    let handler = Closure::<dyn Fn(Event)>::new(on_event);
    for kind in ["click", "change", "input", "keydown", "submit"] {
        let _ = shadow.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
    }
    handler.forget();
}

fn on_event(ev: Event) {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    match ev.type_().as_str() {
        "click" => {
            if let Some(el) = target.closest("[data-act]").ok().flatten()
                && let Some(name) = el.get_attribute("data-act")
            {
                act(&name, &el);
            }
        }
        "change" => picked(&target),
        "input" if target.class_name() == "search" => {
            if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
                help::typed(input.value());
            }
        }
        "input" => typed(&target),
        "submit" => {
            ev.prevent_default();
            submit();
        }
        "keydown" => {
            if let (Some(key), Some(panel)) = (
                ev.dyn_ref::<KeyboardEvent>(),
                target
                    .closest(".panel")
                    .ok()
                    .flatten()
                    .and_then(|p| p.dyn_into::<HtmlElement>().ok()),
            ) {
                view::keydown(key, &panel, &target);
            }
        }
        _ => {}
    }
}

/// What a click on an element with `data-act` does.
pub fn act(act: &str, el: &Element) {
    match act {
        "launcher" => {
            if read(|w| w.open) == Some(true) {
                view::close();
            } else {
                engine::open(None);
            }
        }
        "close" => view::close(),
        "back" => back(),
        "tab-help" => {
            write(|w| w.tab = Tab::Help);
            help::show();
            view::render(Focus::Keep);
        }
        "tab-feedback" => {
            if read(|w| w.form.survey.is_some()) == Some(true) {
                write(|w| w.tab = Tab::Feedback);
                view::render(Focus::Keep);
            } else {
                engine::open_launcher_survey(None, None);
            }
        }
        "article" => {
            if let Some(id) = el.get_attribute("data-id") {
                help::open_article(id);
            }
        }
        "help-back" => help::close_article(),
        "vote-yes" => help::vote(true, None),
        "vote-no" => help::vote(false, None),
        "why-send" => {
            let reason = host::shadow_root()
                .and_then(|s| s.get_element_by_id("sori-why"))
                .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .map(|t| t.value().trim().to_owned())
                .filter(|r| !r.is_empty());
            if let Some(reason) = reason {
                help::vote(false, Some(reason));
            }
        }
        "handoff" => help::handoff(),
        _ => {}
    }
}

/// A radio or checkbox changed: record the answer.
fn picked(target: &Element) {
    let Some(input) = target.dyn_ref::<HtmlInputElement>() else {
        return;
    };
    let kind = input.type_();
    if kind != "radio" && kind != "checkbox" {
        return;
    }
    let key = input.value();
    write(|w| w.form.pick(&key, kind == "checkbox"));
    view::patch();
}

/// Text typed into a free-text answer or the "Other" field.
fn typed(target: &Element) {
    let (text, other) = if let Some(area) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        (area.value(), false)
    } else if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        // A checkbox or radio fires `input` too; `change` records those, and
        // taking them here as text replaced a multi-choice list with one id.
        let kind = input.type_();
        if kind == "checkbox" || kind == "radio" {
            return;
        }
        (input.value(), input.class_name() == "other-text")
    } else {
        return;
    };
    write(|w| w.form.type_text(text, other));
}

fn back() {
    write(|w| w.form.back());
    view::render(Focus::Step);
}

fn submit() {
    match write(|w| w.form.advance()) {
        Some(Outcome::Missing) => view::render(Focus::Step),
        Some(Outcome::Next) => {
            save(false);
            view::render(Focus::Step);
        }
        Some(Outcome::Finish) => save(true),
        Some(Outcome::Nothing) | None => {}
    }
}

/// The submission for the answers to the questions asked so far.
fn submission(w: &Widget, finished: bool, seq: u32) -> Option<Submission> {
    let form = &w.form;
    let survey = form.survey.as_ref()?;
    let answers = form.answers_to_send();
    let window = web_sys::window();
    Some(Submission {
        id: form.response_id,
        survey: survey.id.clone(),
        survey_version: survey.version,
        answers,
        finished,
        locale: w.locale(),
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
        user_id: w.identity.user_id.clone(),
        attributes: w.identity.attributes.clone(),
        faq_article: form.faq_article.clone(),
        faq_query: form.faq_query.clone(),
    })
}

/// Saves the answers so far: a partial save quietly (a failure waits in
/// the outbox), the final one with the result shown.
fn save(finished: bool) {
    let prepared = write(|w| {
        w.form.seq += 1;
        let submission = submission(w, finished, w.form.seq)?;
        if finished {
            w.form.status = SendState::Sending;
        }
        Some(submission)
    })
    .flatten();
    let Some(submission) = prepared else {
        return;
    };
    let Some(body) = api::to_json(&submission) else {
        write(|w| {
            w.form.status = SendState::Rejected("the browser could not write the answer".into())
        });
        view::patch();
        return;
    };
    if finished {
        view::patch();
    }
    let (base, site) = crate::state::endpoint();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = api::send_response(&base, &site, submission.id, body).await;
        if outcome == Err(ApiError::Transient) {
            crate::delivery::retry_later();
        }
        if finished {
            settled(&submission, outcome);
        }
    });
}

/// The final save came back: thank the respondent, or say what went wrong.
fn settled(submission: &Submission, outcome: Result<(), ApiError>) {
    // The respondent may have moved on to another survey meanwhile.
    let current = read(|w| w.form.response_id == submission.id) == Some(true);
    if outcome.is_ok() {
        engine::answered(&submission.survey);
    }
    if !current {
        return;
    }
    let sent = outcome.is_ok();
    write(|w| {
        w.form.status = match outcome {
            Ok(()) => SendState::Sent,
            Err(ApiError::Transient) => SendState::Failed,
            Err(ApiError::Rejected(why)) => SendState::Rejected(why),
        }
    });
    if sent {
        view::render(Focus::Open);
    } else {
        view::patch();
    }
}
