//! A few lines of DOM building: elements with attributes, text and
//! children, made straight through `web-sys`. The widget renders a view
//! again when its state changes shape (a new step, a new status), and
//! patches the few things that change as the respondent picks (progress,
//! button label); see `view`.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

const SVG: &str = "http://www.w3.org/2000/svg";

pub fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// An element being built. Attribute names and children here are always
/// valid, so the results of the DOM calls are not checked one by one.
pub struct El(pub Element);

pub fn el(tag: &str) -> El {
    El(create(tag, None))
}

fn create(tag: &str, namespace: Option<&str>) -> Element {
    // `start` only mounts once it has found the document, and the names
    // here are valid; matching rather than `expect` keeps `JsValue`'s Debug
    // formatting (and its glue) out of the build.
    let made = document().and_then(|d| match namespace {
        Some(ns) => d.create_element_ns(Some(ns), tag).ok(),
        None => d.create_element(tag).ok(),
    });
    match made {
        Some(element) => element,
        None => panic!("could not create <{tag}>"),
    }
}

/// A 24 × 24 line icon, hidden from screen readers.
pub fn icon(class: &str, path: &str) -> El {
    let svg = El(create("svg", Some(SVG)))
        .attr("viewBox", "0 0 24 24")
        .attr("aria-hidden", "true");
    let svg = if class.is_empty() {
        svg
    } else {
        svg.class(class)
    };
    svg.child(El(create("path", Some(SVG))).attr("d", path))
}

impl El {
    pub fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// Sets a boolean attribute (`checked`, `hidden`, `disabled`) when `on`.
    pub fn flag(self, name: &str, on: bool) -> Self {
        if on { self.attr(name, "") } else { self }
    }

    pub fn class(self, value: &str) -> Self {
        self.attr("class", value)
    }

    pub fn text(self, text: &str) -> Self {
        let _ = self.0.append_with_str_1(text);
        self
    }

    pub fn child(self, child: El) -> Self {
        let _ = self.0.append_child(&child.0);
        self
    }

    pub fn maybe(self, child: Option<El>) -> Self {
        match child {
            Some(c) => self.child(c),
            None => self,
        }
    }

    pub fn children(self, kids: impl IntoIterator<Item = El>) -> Self {
        kids.into_iter().fold(self, El::child)
    }
}

/// Replaces everything inside `parent` with `child`.
pub fn replace_children(parent: &Element, child: El) {
    parent.set_text_content(None);
    let _ = parent.append_child(&child.0);
}

pub fn find(root: &web_sys::ShadowRoot, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

pub fn focus(el: Option<Element>) {
    if let Some(el) = el.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
