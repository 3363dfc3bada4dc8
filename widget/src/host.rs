//! The one element the widget adds to the host page: `<sori-widget>` at the
//! end of `<body>`, with an open shadow root that everything renders into.
//! Styles go in as a constructed stylesheet (`adoptedStyleSheets`), which
//! strict CSPs allow and which neither leaks out nor lets page styles in.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, HtmlElement, ShadowRootInit, ShadowRootMode};

const STYLES: &str = include_str!("style.css");

/// Creates the host element and returns the element to mount the app in.
pub fn create() -> Result<HtmlElement, JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("sori: no document"))?;
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("sori: no <body>"))?;
    let host = document.create_element("sori-widget")?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLES)?;
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let root: HtmlElement = document.create_element("div")?.unchecked_into();
    root.set_class_name("root");
    shadow.append_child(&root)?;
    body.append_child(&host)?;
    Ok(root)
}

/// Our shadow root.
pub fn shadow_root() -> Option<web_sys::ShadowRoot> {
    let document = web_sys::window()?.document()?;
    document.query_selector("sori-widget").ok()??.shadow_root()
}

/// The element focused inside our shadow root, if any.
pub fn active_element() -> Option<web_sys::Element> {
    shadow_root()?.active_element()
}
