//! The launcher button, drawn by the engine so it appears without the UI
//! module (pointing at it or focusing it starts fetching that module), and
//! where focus goes when the panel closes.

use crate::host;
use crate::state::read;
use sori_widget_core::i18n::launcher_label;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, HtmlElement};

const SVG: &str = "http://www.w3.org/2000/svg";
const ICON: &str = "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z";

thread_local! {
    static BUTTON: RefCell<Option<(HtmlElement, Element)>> = const { RefCell::new(None) };
    /// The page element that had focus when the panel opened.
    static OPENER: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
}

/// Shows, hides or relabels the launcher to match the state.
pub fn sync() {
    let Some((wanted, open, label, lang)) = read(|w| {
        let faq = w.rules().is_some_and(|r| r.faq);
        let wanted = w.env.launcher && w.rules().is_some_and(|r| !r.surveys.is_empty());
        (
            wanted,
            w.open,
            launcher_label(w.locale(), faq),
            w.locale().code(),
        )
    }) else {
        return;
    };
    let existing = BUTTON.with(|b| b.borrow().clone());
    let (button, text) = match (wanted, existing) {
        (false, Some((button, _))) => {
            button.remove();
            BUTTON.with(|b| b.borrow_mut().take());
            return;
        }
        (false, None) => return,
        (true, Some(made)) => made,
        (true, None) => match create() {
            Some(made) => {
                host::follow_viewport_now();
                made
            }
            None => return,
        },
    };
    let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
    text.set_text_content(Some(label));
    // Its words are in the widget's language, not necessarily the page's.
    let _ = button.set_attribute("lang", lang);
}

fn create() -> Option<(HtmlElement, Element)> {
    let document = host::document()?;
    let (_, mount) = host::roots()?;
    let button: HtmlElement = document.create_element("button").ok()?.unchecked_into();
    for (name, value) in [
        ("class", "launcher"),
        ("part", "launcher"),
        ("type", "button"),
        ("aria-haspopup", "dialog"),
    ] {
        let _ = button.set_attribute(name, value);
    }
    let svg = document.create_element_ns(Some(SVG), "svg").ok()?;
    let _ = svg.set_attribute("class", "launcher-icon");
    let _ = svg.set_attribute("viewBox", "0 0 24 24");
    let _ = svg.set_attribute("aria-hidden", "true");
    let path = document.create_element_ns(Some(SVG), "path").ok()?;
    let _ = path.set_attribute("d", ICON);
    let _ = svg.append_child(&path);
    let text = document.create_element("span").ok()?;
    let _ = button.append_child(&svg);
    let _ = button.append_child(&text);
    let click = Closure::<dyn Fn()>::new(|| {
        if read(|w| w.open) == Some(true) {
            crate::state::close();
        } else {
            crate::triggers::open(None);
        }
    });
    let _ = button.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    click.forget();
    // Someone about to press it: start fetching the UI now.
    let soon = Closure::<dyn Fn()>::new(crate::ui::prefetch);
    for event in ["pointerenter", "focus"] {
        let _ = button.add_event_listener_with_callback(event, soon.as_ref().unchecked_ref());
    }
    soon.forget();
    let _ = mount.prepend_with_node_1(&button);
    BUTTON.with(|b| *b.borrow_mut() = Some((button.clone(), text.clone())));
    Some((button, text))
}

/// Notes what has focus on the page as the panel opens. Focus inside the
/// widget (the launcher) shows on the page as the widget's own element,
/// and the launcher is where focus goes back to anyway.
pub fn remember_opener() {
    let active = host::document().and_then(|d| Some((d.active_element()?, d.body()?)));
    let opener = active.and_then(|(el, body)| {
        let own = el.tag_name().eq_ignore_ascii_case("sori-widget");
        let body: &Element = &body;
        (!own && &el != body).then(|| el.dyn_into::<HtmlElement>().ok())?
    });
    OPENER.with(|o| *o.borrow_mut() = opener);
}

/// The panel closed: focus goes back to what had it on the page when the
/// panel opened (a button that triggered a survey), else to the launcher.
/// An opener that cannot take focus (disabled, hidden since) leaves it on
/// the page's body: the launcher takes it then.
pub fn focus_back() {
    let opener = OPENER
        .with(|o| o.borrow_mut().take())
        .filter(|el| el.is_connected());
    let back = opener.is_some_and(|opener| {
        let _ = opener.focus();
        let active = host::document().and_then(|d| d.active_element());
        active.is_some_and(|a| a == *opener)
    });
    if !back && let Some((button, _)) = BUTTON.with(|b| b.borrow().clone()) {
        let _ = button.focus();
    }
}
