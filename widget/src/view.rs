//! What the widget shows: the launcher and the dialog, built from the state.
//!
//! Two ways to bring the screen up to date:
//! - [`render`] when the state changes shape (opened, closed, a new step, a
//!   new survey, the thank-you, another locale): it rebuilds the dialog's body
//!   and then moves focus as [`Focus`] says;
//! - [`patch`] while the respondent answers: it updates in place what an
//!   answer can change (progress, the send button, problem lines, the
//!   "Other" field), so the control in use keeps its focus.
//!
//! Events are handled once, on the shadow root (see `flow`); elements carry
//! `data-act` to say what a click on them does.

mod help;
mod question;

use crate::dom::{self, El, el, icon};
use crate::host;
use crate::i18n::{Strings, strings};
use crate::state::{ConfigState, SendState, Tab, Widget, read};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, ShadowRoot};

/// Where keyboard focus goes after a [`render`].
#[derive(Clone, Copy, PartialEq)]
pub enum Focus {
    /// Wherever it was; an element rebuilt in the dialog is focused again.
    Keep,
    /// The dialog just opened: the chosen answer, else the first control.
    Open,
    /// A new question: its first control.
    Step,
    /// The dialog closed: back to what had focus on the page when it opened
    /// (a button that triggered a survey), else the launcher.
    Launcher,
    /// A help article opened: its title, so reading starts there.
    Article,
    /// A vote was cast: the "why" field when it asks for one.
    Vote,
}

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]):not([hidden]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
const LAUNCHER_ICON: &str = "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z";

thread_local! {
    /// The page element that had focus when the dialog opened.
    static OPENER: std::cell::RefCell<Option<web_sys::HtmlElement>> =
        const { std::cell::RefCell::new(None) };
}

/// Notes what has focus on the page as the dialog opens. Focus inside the
/// widget (the launcher) shows on the page as the widget's own element,
/// and the launcher is where focus goes back to anyway.
fn remember_opener() {
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| Some((d.active_element()?, d.body()?)));
    let opener = active.and_then(|(el, body)| {
        let own = el.tag_name().eq_ignore_ascii_case("sori-widget");
        let body: &web_sys::Element = &body;
        (!own && &el != body).then(|| el.dyn_into::<web_sys::HtmlElement>().ok())?
    });
    OPENER.with(|o| *o.borrow_mut() = opener);
}

/// The element to give focus back to, if it is still on the page.
fn take_opener() -> Option<web_sys::HtmlElement> {
    OPENER
        .with(|o| o.borrow_mut().take())
        .filter(|el| el.is_connected())
}

/// Brings launcher and dialog in line with the state, then moves focus.
pub fn render(focus: Focus) {
    let (Some(shadow), Some(mount)) = (host::shadow_root(), host::mount()) else {
        return;
    };
    let kept = focus_key(&shadow);
    read(|w| {
        sync_launcher(&mount, w);
        sync_panel(&mount, w);
    });
    patch();
    match focus {
        Focus::Keep => {
            if let Some(key) = kept {
                dom::focus(dom::find(&shadow, &key));
            }
        }
        Focus::Open => dom::focus(
            dom::find(&shadow, ".panel input:checked")
                .or_else(|| {
                    dom::find(
                        &shadow,
                        ".panel fieldset input, .panel textarea, .panel-body .primary, .panel .search",
                    )
                })
                .or_else(|| dom::find(&shadow, ".panel-body button, .panel button")),
        ),
        Focus::Step => focus_first_control(&shadow),
        Focus::Launcher => {
            // An opener that cannot take focus (disabled, hidden since)
            // leaves it on the page's body: the launcher takes it then.
            let back = take_opener().is_some_and(|opener| {
                let _ = opener.focus();
                let active = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element());
                active.is_some_and(|a| a == *opener)
            });
            if !back {
                dom::focus(dom::find(&shadow, ".launcher"));
            }
        }
        Focus::Article => dom::focus(dom::find(&shadow, ".article-title")),
        Focus::Vote => dom::focus(
            dom::find(&shadow, "#sori-why")
                .or_else(|| dom::find(&shadow, ".vote[aria-pressed=true]")),
        ),
    }
}

/// Updates in place what answering changes; see the module docs.
pub fn patch() {
    let Some(shadow) = host::shadow_root() else {
        return;
    };
    read(|w| {
        let form = &w.form;
        let t = strings(w.locale());
        if let Some(progress) = dom::find(&shadow, ".progress") {
            let (n, all) = (form.step() + 1, form.asked().len());
            set_flag(&progress, "hidden", all <= 1);
            if let Some(text) = dom::find(&shadow, ".progress-text") {
                text.set_text_content(Some(&(t.progress)(n, all)));
            }
            if let Some(bar) = dom::find(&shadow, "progress") {
                let _ = bar.set_attribute("max", &all.to_string());
                let _ = bar.set_attribute("value", &n.to_string());
            }
        }
        if let Some(button) = dom::find(&shadow, ".survey .primary") {
            let sending = form.status == SendState::Sending;
            button.set_text_content(Some(send_label(w, t)));
            let _ = button.set_attribute("aria-disabled", bool_text(sending));
            let _ = button.set_attribute("aria-busy", bool_text(sending));
        }
        if let Some(line) = dom::find(&shadow, ".survey > .problem") {
            let problem = match &form.status {
                SendState::Failed => Some(t.send_failed.to_owned()),
                SendState::Rejected(why) => Some(format!("{} {why}", t.send_rejected)),
                _ => None,
            };
            set_flag(&line, "hidden", problem.is_none());
            line.set_text_content(problem.as_deref());
        }
        if form.missing.is_none()
            && let Some(line) = dom::find(&shadow, ".question .problem")
        {
            line.remove();
        }
        question::patch(&shadow, w);
    });
}

pub fn close() {
    let was_open = crate::state::write(|w| std::mem::replace(&mut w.open, false));
    if was_open == Some(true) {
        render(Focus::Launcher);
    }
}

fn sync_launcher(mount: &Element, w: &Widget) {
    let wanted = w.env.launcher && w.site_config().is_some_and(|c| !c.surveys.is_empty());
    let existing = mount.query_selector(".launcher").ok().flatten();
    let button = match (wanted, existing) {
        (false, existing) => {
            if let Some(b) = existing {
                b.remove();
            }
            return;
        }
        (true, Some(b)) => b,
        (true, None) => {
            let b = el("button")
                .class("launcher")
                .attr("part", "launcher")
                .attr("type", "button")
                .attr("aria-haspopup", "dialog")
                .attr("data-act", "launcher")
                .child(icon("launcher-icon", LAUNCHER_ICON))
                .child(el("span"))
                .0;
            let _ = mount.prepend_with_node_1(&b);
            b
        }
    };
    let _ = button.set_attribute("aria-expanded", bool_text(w.open));
    if let Some(label) = button.query_selector("span").ok().flatten() {
        let t = strings(w.locale());
        let faq = w.site_config().is_some_and(|c| c.faq);
        label.set_text_content(Some(if faq { t.launcher_help } else { t.launcher }));
    }
}

fn sync_panel(mount: &Element, w: &Widget) {
    let existing = mount.query_selector(".panel").ok().flatten();
    if !w.open {
        if let Some(panel) = existing {
            panel.remove();
        }
        return;
    }
    let t = strings(w.locale());
    let panel = existing.unwrap_or_else(|| {
        remember_opener();
        let panel = el("div")
            .class("panel")
            .attr("part", "panel")
            .attr("role", "dialog")
            .attr("aria-modal", "true")
            .attr("aria-labelledby", "sori-title")
            .child(
                el("div")
                    .class("panel-head")
                    .child(el("h2").attr("id", "sori-title"))
                    .child(
                        el("button")
                            .class("close")
                            .attr("type", "button")
                            .attr("data-act", "close")
                            .child(icon("", "M6 6l12 12M18 6L6 18")),
                    ),
            )
            .child(
                el("div")
                    .class("tabs")
                    .attr("role", "tablist")
                    .child(tab("tab-help", "sori-tab-help"))
                    .child(tab("tab-feedback", "sori-tab-feedback")),
            )
            .child(el("div").class("panel-body").attr("id", "sori-tabpanel"))
            .0;
        let _ = mount.append_child(&panel);
        panel
    });
    let _ = panel.set_attribute("lang", w.locale().code());
    let help = on_help(w);
    let title = match &w.form.survey {
        _ if help => t.help,
        Some(s) => s.title.get(w.locale()),
        None => t.launcher,
    };
    let faq = w.site_config().is_some_and(|c| c.faq);
    if let Some(tabs) = panel.query_selector(".tabs").ok().flatten() {
        set_flag(&tabs, "hidden", !faq);
        for (id, label, selected) in [
            ("sori-tab-help", t.help, help),
            ("sori-tab-feedback", t.feedback, !help),
        ] {
            if let Some(tab) = tabs.query_selector(&["#", id].concat()).ok().flatten() {
                tab.set_text_content(Some(label));
                let _ = tab.set_attribute("aria-selected", bool_text(selected));
                let _ = tab.set_attribute("tabindex", if selected { "0" } else { "-1" });
            }
        }
    }
    if let Some(h2) = panel.query_selector("h2").ok().flatten() {
        h2.set_text_content(Some(title));
    }
    if let Some(close) = panel.query_selector(".close").ok().flatten() {
        let _ = close.set_attribute("aria-label", t.close);
    }
    if let Some(body) = panel.query_selector(".panel-body").ok().flatten() {
        if faq {
            let _ = body.set_attribute("role", "tabpanel");
            let labelled = if help {
                "sori-tab-help"
            } else {
                "sori-tab-feedback"
            };
            let _ = body.set_attribute("aria-labelledby", labelled);
        }
        dom::replace_children(&body, body_of(w, t));
    }
}

/// Whether the dialog shows the help center.
fn on_help(w: &Widget) -> bool {
    w.tab == Tab::Help && w.site_config().is_some_and(|c| c.faq)
}

fn tab(act: &str, id: &str) -> El {
    el("button")
        .class("tab")
        .attr("type", "button")
        .attr("role", "tab")
        .attr("id", id)
        .attr("aria-controls", "sori-tabpanel")
        .attr("data-act", act)
}

/// Refreshes the search results under the search box, leaving the box alone.
pub fn help_results() {
    let Some(shadow) = host::shadow_root() else {
        return;
    };
    if let Some(container) = dom::find(&shadow, ".help-results") {
        read(|w| dom::replace_children(&container, help::results(w, strings(w.locale()))));
    }
}

fn body_of(w: &Widget, t: &Strings) -> El {
    let note = |text: &str, role: Option<&str>| {
        let p = el("p").class("note").text(text);
        match role {
            Some(role) => p.attr("role", role),
            None => p,
        }
    };
    if on_help(w) {
        return help::body(w, t);
    }
    if w.form.survey.is_some() {
        return if w.form.status == SendState::Sent {
            thanks(t)
        } else {
            survey_form(w, t)
        };
    }
    match w.config {
        ConfigState::Loading => note(t.loading, Some("status")),
        ConfigState::Failed => note(t.config_failed, Some("alert")),
        ConfigState::Ready(_) => note(t.nothing_to_ask, None),
    }
}

fn survey_form(w: &Widget, t: &Strings) -> El {
    let form = &w.form;
    let progress = el("div")
        .class("progress")
        .child(
            el("span")
                .class("progress-text")
                .attr("id", "sori-progress"),
        )
        .child(el("progress").attr("aria-labelledby", "sori-progress"));
    let back = (form.step() > 0).then(|| {
        el("button")
            .class("secondary")
            .attr("type", "button")
            .attr("data-act", "back")
            .text(t.back)
    });
    el("form")
        .class("survey")
        .attr("novalidate", "")
        .child(progress)
        .maybe(form.current().map(|q| question::view(w, q, t)))
        .child(el("p").class("problem").attr("role", "alert"))
        .child(
            el("div")
                .class("actions")
                .maybe(back)
                .child(el("button").class("primary").attr("type", "submit")),
        )
}

fn send_label(w: &Widget, t: &'static Strings) -> &'static str {
    match w.form.status {
        SendState::Sending => t.sending,
        SendState::Failed | SendState::Rejected(_) => t.retry,
        _ if !w.form.is_last() => t.next,
        _ => t.submit,
    }
}

fn thanks(t: &Strings) -> El {
    el("div")
        .class("thanks")
        .attr("role", "status")
        .child(icon("thanks-icon", "M5 12.5l4.5 4.5L19 7.5"))
        .child(el("h3").text(t.thanks_title))
        .child(el("p").text(t.thanks_body))
        .child(
            el("button")
                .class("primary")
                .attr("type", "button")
                .attr("data-act", "close")
                .text(t.close),
        )
}

fn bool_text(on: bool) -> &'static str {
    if on { "true" } else { "false" }
}

pub(crate) fn set_flag(el: &Element, name: &str, on: bool) {
    let _ = if on {
        el.set_attribute(name, "")
    } else {
        el.remove_attribute(name)
    };
}

/// A selector for the focused element that also finds its rebuilt twin.
fn focus_key(shadow: &ShadowRoot) -> Option<String> {
    let active = shadow.active_element()?;
    let mut key = active.tag_name().to_ascii_lowercase();
    if let Some(class) = active.get_attribute("class")
        && let Some(first) = class.split_whitespace().next()
    {
        key = format!("{key}.{first}");
    }
    if let Some(input) = active.dyn_ref::<web_sys::HtmlInputElement>()
        && matches!(input.type_().as_str(), "radio" | "checkbox")
    {
        key = format!(
            "{key}[name=\"{}\"][value=\"{}\"]",
            input.name(),
            input.value()
        );
    }
    Some(key)
}

/// Focuses the first control of the question on screen.
fn focus_first_control(shadow: &ShadowRoot) {
    dom::focus(
        dom::find(shadow, ".question input:checked")
            .or_else(|| dom::find(shadow, ".question input, .question textarea")),
    );
}

/// Escape closes the dialog; Tab and Shift+Tab cycle inside it; arrows
/// move between the tabs.
pub fn keydown(ev: &KeyboardEvent, panel: &HtmlElement, target: &Element) {
    match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "Tab" => trap_tab(panel, ev),
        "ArrowLeft" | "ArrowRight" if target.get_attribute("role").as_deref() == Some("tab") => {
            ev.prevent_default();
            let other = if target.id() == "sori-tab-help" {
                "tab-feedback"
            } else {
                "tab-help"
            };
            crate::flow::act(other, target);
            if let Some(shadow) = host::shadow_root() {
                dom::focus(dom::find(&shadow, "[role=tab][aria-selected=true]"));
            }
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
    let active = host::shadow_root().and_then(|s| s.active_element());
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
