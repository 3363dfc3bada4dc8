//! The Sori widget: a leptos app rendered inside one shadow root.
//!
//! # Layout
//!
//! - [`host`]: the one `<sori-widget>` element, its shadow root and styles;
//!   the only place that touches the host page.
//! - [`state`]: the shared [`state::Widget`] context and the `sori(...)` commands.
//! - [`engine`]: when surveys appear: triggers, targeting, fatigue memory.
//! - [`api`]: every network call, and the outbox that keeps unsent answers.
//! - [`delivery`]: retries with backoff, online and pagehide flushes.
//! - [`i18n`]: one string table per locale.
//! - [`components`]: launcher, panel, survey flow and question views.
//!
//! The loader (`loader.js`) calls [`start`] once the wasm is in, then
//! forwards every queued and later `sori(...)` call to [`command`].

mod api;
mod components;
mod delivery;
mod engine;
mod host;
mod i18n;
mod state;

use wasm_bindgen::prelude::*;

/// Builds the host element, mounts the app and loads the site's config.
/// `base` is the collector URL ending in `/`; `locale` is the host's
/// `data-locale` (empty when absent); `launcher` is false for `data-launcher="none"`.
#[wasm_bindgen]
pub fn start(base: String, site: String, locale: String, launcher: bool) -> Result<(), JsValue> {
    let mount_point = host::create()?;
    let widget = state::Widget::new(state::Env::new(base, site, &locale, launcher));
    state::install(widget);
    leptos::mount::mount_to(mount_point, move || {
        components::App(components::AppProps { widget })
    })
    .forget();
    widget.load();
    Ok(())
}

/// One `sori(name, arg, arg2)` call from the host page.
#[wasm_bindgen]
pub fn command(name: String, arg: JsValue, arg2: JsValue) {
    state::command(&name, arg, arg2);
}
