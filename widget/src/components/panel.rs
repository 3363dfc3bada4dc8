//! The dialog: heading, close button, and what the site has to ask. It traps
//! focus while open and closes on Escape.

use super::survey::SurveyFlow;
use super::use_widget;
use crate::host;
use crate::i18n::strings;
use crate::state::ConfigState;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Panel() -> impl IntoView {
    let widget = use_widget();
    let panel = NodeRef::<Div>::new();
    let t = move || strings(widget.locale());

    // Move focus into the dialog when it opens: to the checked answer, else the first control.
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let target = panel
                .query_selector("input:checked")
                .ok()
                .flatten()
                .or_else(|| {
                    panel
                        .query_selector("fieldset input, textarea, .primary")
                        .ok()
                        .flatten()
                })
                .or_else(|| panel.query_selector(FOCUSABLE).ok().flatten());
            if let Some(el) = target.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }
    });

    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            widget.close();
        }
        "Tab" => {
            if let Some(panel) = panel.get_untracked() {
                trap_tab(&panel, &ev);
            }
        }
        _ => {}
    };

    let title = move || {
        widget
            .form
            .survey
            .with(|s| s.as_ref().map(|s| s.title.get(widget.locale()).to_owned()))
            .unwrap_or_else(|| t().launcher.to_owned())
    };

    let body = move || {
        if widget.form.survey.with(Option::is_some) {
            return view! { <SurveyFlow /> }.into_any();
        }
        widget.config.with(|c| match c {
            ConfigState::Loading => {
                view! { <p class="note" role="status">{t().loading}</p> }.into_any()
            }
            ConfigState::Failed => {
                view! { <p class="note" role="alert">{t().config_failed}</p> }.into_any()
            }
            ConfigState::Ready(_) => view! { <p class="note">{t().nothing_to_ask}</p> }.into_any(),
        })
    };

    view! {
        <div
            class="panel"
            part="panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="sori-title"
            lang=move || widget.locale().code()
            node_ref=panel
            on:keydown=on_keydown
        >
            <div class="panel-head">
                <h2 id="sori-title">{title}</h2>
                <button class="close" type="button" aria-label=move || t().close on:click=move |_| widget.close()>
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" /></svg>
                </button>
            </div>
            <div class="panel-body">{body}</div>
        </div>
    }
}

/// Keeps Tab and Shift+Tab cycling inside the dialog.
fn trap_tab(panel: &HtmlElement, ev: &KeyboardEvent) {
    let Ok(list) = panel.query_selector_all(FOCUSABLE) else {
        return;
    };
    // A radio group is one tab stop: only its checked radio (or its first, if none is checked) counts.
    let stops: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(is_tab_stop)
        .collect();
    let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
        return;
    };
    let active = host::active_element();
    let at = |el: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    if ev.shift_key() && (at(first) || active.is_none()) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && at(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

fn is_tab_stop(el: &HtmlElement) -> bool {
    let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() else {
        return true;
    };
    if input.type_() != "radio" {
        return true;
    }
    input.checked()
        || el.closest("fieldset").ok().flatten().is_some_and(|group| {
            group
                .query_selector("input:checked")
                .ok()
                .flatten()
                .is_none()
                && group
                    .query_selector("input")
                    .ok()
                    .flatten()
                    .is_some_and(|f| f == **el)
        })
}
