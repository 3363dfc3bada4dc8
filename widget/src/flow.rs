//! The respondent's side of a survey: every event in the shadow root comes
//! through [`listen`]; picks and typing go into the form; Next, Back and
//! Send move through the questions. Each answered step is saved under the
//! same response id (a partial response); the last one marks it finished.

use crate::api::{self, ApiError};
use crate::state::{Missing, SendState, Tab, Widget, read, write};
use crate::view::{self, Focus};
use crate::{engine, help, host};
use sori_protocol::question::OTHER;
use sori_protocol::{Answer, AnswerValue, DeviceClass, Question, Submission};
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
    write(|w| {
        let form = &mut w.form;
        let Some(question) = form.current().cloned() else {
            return;
        };
        if kind == "checkbox" {
            let mut list = match form.answers.remove(&question.id) {
                Some(AnswerValue::List(l)) => l,
                _ => Vec::new(),
            };
            match list.iter().position(|c| *c == key) {
                Some(i) => {
                    list.remove(i);
                }
                None => list.push(key),
            }
            if !list.is_empty() {
                form.answers.insert(question.id, AnswerValue::List(list));
            }
        } else if let Some(value) = view::answer_of(&question.kind, &key) {
            form.answers.insert(question.id, value);
        }
        form.missing = None;
    });
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
    write(|w| {
        let form = &mut w.form;
        let Some(id) = form.current().map(|q| q.id.clone()) else {
            return;
        };
        if other {
            form.others.retain(|(q, _)| *q != id);
            form.others.push((id, text));
        } else if text.trim().is_empty() {
            form.answers.remove(&id);
        } else {
            form.answers.insert(id, AnswerValue::Text(text));
        }
    });
}

fn back() {
    write(|w| {
        w.form.missing = None;
        w.form.step = w.form.step().saturating_sub(1);
    });
    view::render(Focus::Step);
}

/// What pressing Next or Send led to.
enum Outcome {
    Missing,
    Next,
    Finish,
}

fn submit() {
    let outcome = write(|w| {
        if matches!(w.form.status, SendState::Sending | SendState::Sent) {
            return None;
        }
        let question = w.form.current()?.clone();
        if let Some(problem) = unanswered(w, &question) {
            w.form.missing = Some((question.id, problem));
            return Some(Outcome::Missing);
        }
        w.form.missing = None;
        if w.form.is_last() {
            return Some(Outcome::Finish);
        }
        w.form.step = w.form.step() + 1;
        Some(Outcome::Next)
    })
    .flatten();
    match outcome {
        Some(Outcome::Missing) => view::render(Focus::Step),
        Some(Outcome::Next) => {
            save(false);
            view::render(Focus::Step);
        }
        Some(Outcome::Finish) => save(true),
        None => {}
    }
}

/// Why the question on screen cannot be left yet, if it cannot.
fn unanswered(w: &Widget, question: &Question) -> Option<Missing> {
    match w.form.answers.get(&question.id) {
        None if question.required => Some(Missing::Answer),
        Some(AnswerValue::List(ids)) if ids.iter().any(|id| id == OTHER) => {
            let text = w.form.other(&question.id).map_or("", str::trim);
            text.is_empty().then_some(Missing::OtherText)
        }
        _ => None,
    }
}

/// The submission for the answers to the questions asked so far.
fn submission(w: &Widget, finished: bool, seq: u32) -> Option<Submission> {
    let form = &w.form;
    let survey = form.survey.as_ref()?;
    let answers = form
        .asked()
        .iter()
        .filter_map(|q| {
            let value = form.answers.get(&q.id)?.clone();
            let other = match &value {
                AnswerValue::List(ids) if ids.iter().any(|id| id == OTHER) => {
                    form.other(&q.id).map(|t| t.trim().to_owned())
                }
                _ => None,
            };
            Some(Answer {
                question: q.id.clone(),
                value,
                other,
            })
        })
        .collect();
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
    let body = api::to_json(&submission);
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
