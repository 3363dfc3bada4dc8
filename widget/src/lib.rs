//! The Sori widget's engine: the part every page view loads. It decides
//! when a survey appears and keeps every answer until the collector has it;
//! what is shown once the panel opens is the UI module (`sori-widget-ui`,
//! leptos), fetched only then.
//!
//! # Layout
//!
//! - [`host`]: the one `<sori-widget>` element, its shadow root and styles;
//!   the only place that touches the host page's DOM.
//! - [`launcher`]: the launcher button, and focus back to the page on close.
//! - [`state`]: what the page told us, the site's rules, and the `sori(...)`
//!   commands that drive it all.
//! - [`triggers`]: when surveys appear: triggers, targeting, fatigue memory.
//! - [`ui`]: fetching the UI module, and the calls between it and us.
//! - [`api`]: every network call, and the outbox that keeps unsent answers.
//! - [`delivery`]: retries with backoff, online and pagehide flushes.
//!
//! The loader (`loader.js`) calls [`start`] once the wasm is in, then
//! forwards every queued and later `sori(...)` call to [`command`].

mod api;
mod delivery;
mod host;
mod launcher;
mod state;
mod triggers;
mod ui;

use wasm_bindgen::prelude::*;

/// Builds the host element and loads the site's config. `base` is the
/// collector URL ending in `/`; `locale` is the host's `data-locale` (empty
/// when absent); `launcher` is false for `data-launcher="none"`; `load_ui`
/// returns a promise of the UI module (the loader knows its file names).
#[wasm_bindgen]
pub fn start(
    base: String,
    site: String,
    locale: String,
    launcher: bool,
    load_ui: js_sys::Function,
) -> Result<(), JsValue> {
    host::create()?;
    ui::set_loader(load_ui);
    state::install(state::Widget::new(state::Env::new(
        base, site, &locale, launcher,
    )));
    state::load();
    Ok(())
}

/// One `sori(name, arg, arg2)` call from the host page.
#[wasm_bindgen]
pub fn command(name: String, arg: JsValue, arg2: JsValue) {
    state::command(&name, arg, arg2);
}
