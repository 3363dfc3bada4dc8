//! The one element the widget adds to the host page: `<sori-widget>` at the
//! end of `<body>`, with an open shadow root that everything renders into.
//! Styles go in as a constructed stylesheet (`adoptedStyleSheets`), which
//! strict CSPs allow and which neither leaks out nor lets page styles in;
//! the UI module adds its own sheet beside this one.

use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
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
    // The box `position: fixed` is placed in (the layout viewport), measured.
    let probe = document.create_element("div")?;
    probe.set_class_name("viewport");
    shadow.append_child(&probe)?;
    body.append_child(&host)?;
    follow_visual_viewport(host.unchecked_into(), probe);
    ROOTS.with(|r| *r.borrow_mut() = Some((shadow, mount)));
    Ok(())
}

/// Launcher and panel are `position: fixed`, which places them in the
/// layout viewport. On a phone showing a page wider than the screen, or
/// zoomed in, that viewport is larger than what is visible and they end up
/// off screen. This keeps the visible part's edges in custom properties on
/// the host (`--_vv-left`, `-top`, `-right`, `-bottom`, `-width`,
/// `-height`, in CSS pixels), which the styles place them by. It writes
/// through the CSSOM, which strict CSPs allow.
fn follow_visual_viewport(host: web_sys::HtmlElement, probe: Element) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(viewport) = window.visual_viewport() else {
        return;
    };
    let update = {
        let (viewport, probe) = (viewport.clone(), probe.clone());
        move || {
            let layout = probe.get_bounding_client_rect();
            let (layout_w, layout_h) = (layout.right(), layout.bottom());
            let (left, top) = (viewport.offset_left(), viewport.offset_top());
            let (width, height) = (viewport.width(), viewport.height());
            let style = host.style();
            for (name, value) in [
                ("--_vv-left", left),
                ("--_vv-top", top),
                ("--_vv-right", layout_w - left - width),
                ("--_vv-bottom", layout_h - top - height),
                ("--_vv-width", width),
                ("--_vv-height", height),
            ] {
                // Whole pixels: no float formatting in the wasm.
                let px = value.max(0.0).round() as i32;
                let _ = style.set_property(name, &[&px.to_string(), "px"].concat());
            }
        }
    };
    update();
    let on_change = Closure::<dyn Fn()>::new(update).into_js_value();
    let callback: &js_sys::Function = on_change.unchecked_ref();
    for event in ["resize", "scroll"] {
        let _ = viewport.add_event_listener_with_callback(event, callback);
    }
    // The layout viewport grows with a page wider than the screen without
    // the visible part changing, and no event says so; the probe's size does.
    if let Ok(observer) = web_sys::ResizeObserver::new(callback) {
        observer.observe(&probe);
    }
    FOLLOW.with(|f| *f.borrow_mut() = Some(callback.clone()));
}

thread_local! {
    static FOLLOW: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Measures the visible part of the page again: the page may have changed
/// width since (content loaded later fires no event), and the launcher is
/// about to be shown or the panel opened.
pub fn follow_viewport_now() {
    if let Some(update) = FOLLOW.with(|f| f.borrow().clone()) {
        let _ = update.call0(&JsValue::NULL);
    }
}

/// Our shadow root, and the element in it that launcher and panel live in.
pub fn roots() -> Option<(ShadowRoot, Element)> {
    ROOTS.with(|r| r.borrow().clone())
}
