//! The one element the widget adds to the host page: `<sori-widget>` at the
//! end of `<body>`, with an open shadow root that everything renders into.
//! Styles go in as a constructed stylesheet (`adoptedStyleSheets`), which
//! strict CSPs allow and which neither leaks out nor lets page styles in;
//! the UI module adds its own sheet beside this one.

use std::cell::RefCell;
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

thread_local! {
    static ROOTS: RefCell<Option<(ShadowRoot, Element)>> = const { RefCell::new(None) };
}

pub fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Creates the host element and its shadow root.
pub fn create() -> Result<(), JsValue> {
    let document = document().ok_or_else(|| JsValue::from_str("sori: no document"))?;
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("sori: no <body>"))?;
    let host = document.create_element("sori-widget")?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLES)?;
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let mount = document.create_element("div")?;
    mount.set_class_name("root");
    shadow.append_child(&mount)?;
    body.append_child(&host)?;
    ROOTS.with(|r| *r.borrow_mut() = Some((shadow, mount)));
    Ok(())
}

/// Our shadow root, and the element in it that launcher and panel live in.
pub fn roots() -> Option<(ShadowRoot, Element)> {
    ROOTS.with(|r| r.borrow().clone())
}
