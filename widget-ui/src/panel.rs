//! The dialog: its heading, the Help/Feedback tabs, what each tab shows,
//! the keyboard (Escape closes, Tab stays inside, arrows switch tabs), and
//! where focus goes when what is on screen changes.

use crate::survey::Feedback;
use crate::{Tab, Ui, help, shadow_root, use_ui};
use leptos::either::Either;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// What can take focus inside the panel, in document order.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]):not([hidden]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The panel, while it is open.
#[component]
pub fn Widget() -> impl IntoView {
    let ui = use_ui();
    move || ui.open.get().then(|| view! { <Panel/> })
}

#[component]
fn Panel() -> impl IntoView {
    let ui = use_ui();
    let faq = move || ui.site.with(|s| s.faq());
    let on_help = move || faq() && ui.tab.get() == Tab::Help;
    let title = move || {
        let t = ui.t();
        if on_help() {
            return t.help.to_owned();
        }
        let locale = ui.locale.get();
        ui.form.with(|f| match &f.survey {
            Some(s) => s.title.get(locale).to_owned(),
            None => t.launcher.to_owned(),
        })
    };
    let panel = NodeRef::<leptos::html::Div>::new();
    let keydown = move |ev: KeyboardEvent| {
        if let Some(panel) = panel.get() {
            keydown(ui, &ev, &panel);
        }
    };
    view! {
        <div
            class="panel"
            part="panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="sori-title"
            lang=move || ui.locale.get().code()
            node_ref=panel
            on:keydown=keydown
        >
            <div class="panel-head">
                <h2 id="sori-title" tabindex="-1">{title}</h2>
                <button
                    class="close"
                    type="button"
                    aria-label=ui.text(|t| t.close)
                    on:click=move |_| ui.close()
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M6 6l12 12M18 6L6 18"></path>
                    </svg>
                </button>
            </div>
            <div class="tabs" role="tablist" hidden=move || !faq()>
                <TabButton tab=Tab::Help/>
                <TabButton tab=Tab::Feedback/>
            </div>
            <div
                class="panel-body"
                id="sori-tabpanel"
                role=move || faq().then_some("tabpanel")
                aria-labelledby=move || {
                    faq().then_some(if on_help() { "sori-tab-help" } else { "sori-tab-feedback" })
                }
            >
                {move || if on_help() { Either::Left(view! { <help::Help/> }) } else { Either::Right(view! { <Feedback/> }) }}
            </div>
        </div>
    }
}

#[component]
fn TabButton(tab: Tab) -> impl IntoView {
    let ui = use_ui();
    let selected = move || {
        let help = ui.site.with(|s| s.faq()) && ui.tab.get() == Tab::Help;
        help == (tab == Tab::Help)
    };
    let (id, label): (_, fn(&crate::Strings) -> &'static str) = match tab {
        Tab::Help => ("sori-tab-help", |t| t.help),
        Tab::Feedback => ("sori-tab-feedback", |t| t.feedback),
    };
    view! {
        <button
            class="tab"
            type="button"
            role="tab"
            id=id
            aria-controls="sori-tabpanel"
            aria-selected=move || if selected() { "true" } else { "false" }
            tabindex=move || if selected() { "0" } else { "-1" }
            on:click=move |_| choose(ui, tab)
        >
            {ui.text(label)}
        </button>
    }
}

/// Switches to `tab`; Feedback with no survey begun starts the launcher survey.
fn choose(ui: Ui, tab: Tab) {
    match tab {
        Tab::Help => ui.tab.set(Tab::Help),
        Tab::Feedback if ui.form.with_untracked(|f| f.survey.is_some()) => {
            ui.tab.set(Tab::Feedback)
        }
        Tab::Feedback => ui.feedback(None, None),
    }
}

/// Escape closes the dialog; Tab and Shift+Tab cycle inside it; arrows
/// move between the tabs.
fn keydown(ui: Ui, ev: &KeyboardEvent, panel: &HtmlElement) {
    let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
    match ev.key().as_str() {
        // The search box clears itself on Escape first; the next one closes.
        "Escape"
            if target
                .as_ref()
                .and_then(|t| t.dyn_ref::<web_sys::HtmlInputElement>())
                .is_some_and(|i| i.type_() == "search" && !i.value().is_empty()) => {}
        "Escape" => {
            ev.prevent_default();
            ui.close();
        }
        "Tab" => trap_tab(panel, ev),
        "ArrowLeft" | "ArrowRight"
            if target
                .as_ref()
                .is_some_and(|t| t.get_attribute("role").as_deref() == Some("tab")) =>
        {
            ev.prevent_default();
            let other = if ui.tab.get_untracked() == Tab::Help {
                Tab::Feedback
            } else {
                Tab::Help
            };
            choose(ui, other);
            focus_soon("[role=tab][aria-selected=true]");
        }
        _ => {}
    }
}

fn trap_tab(panel: &HtmlElement, ev: &KeyboardEvent) {
    let Ok(list) = panel.query_selector_all(FOCUSABLE) else {
        return;
    };
    let stops: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(is_tab_stop)
        .collect();
    let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
        return;
    };
    let active = shadow_root().and_then(|s| s.active_element());
    let at = |el: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<Element>())
    };
    if ev.shift_key() && (at(first) || active.is_none()) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && at(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// A radio group is one tab stop: only its checked radio (or its first, if
/// none is checked) counts.
fn is_tab_stop(el: &HtmlElement) -> bool {
    if el.tab_index() < 0 || el.closest("[hidden]").ok().flatten().is_some() {
        return false;
    }
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

/// Focuses the first element matching `selectors` (tried in order) once
/// the screen has caught up with the state that was just set.
pub fn focus_soon(selectors: &'static str) {
    request_animation_frame(move || {
        let Some(shadow) = shadow_root() else { return };
        let found = selectors
            .split(" | ")
            .find_map(|css| shadow.query_selector(css).ok().flatten());
        if let Some(el) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// The panel just opened: the chosen answer, else the first control. On a
/// touch screen, a text field taking focus would throw up the keyboard
/// over the panel: there the dialog's title takes it.
pub fn focus_opened() {
    let touch = web_sys::window()
        .and_then(|w| w.match_media("(pointer: coarse)").ok().flatten())
        .is_some_and(|m| m.matches());
    if touch {
        focus_soon(".panel input:checked | .panel fieldset input | #sori-title");
    } else {
        focus_soon(
            ".panel input:checked | .panel fieldset input, .panel textarea, .panel-body .primary, .panel .search | .panel-body button, .panel button",
        );
    }
}

/// A new question is on screen (or the one there lacks an answer): its first control.
pub fn focus_step() {
    focus_soon(".question input:checked | .question input, .question textarea");
}
