//! The Sori widget: a small wasm app rendered inside one shadow root.
//!
//! # Layout
//!
//! - [`host`]: the one `<sori-widget>` element, its shadow root and styles;
//!   the only place that touches the host page's DOM.
//! - [`state`]: the widget's state and the `sori(...)` commands that change it.
//! - [`view`] (with [`dom`]): the launcher and the dialog, built from the state.
//! - [`flow`]: every event in the shadow root: picks, typing, Next, Back, Send.
//! - [`help`]: the help tab: articles, search, votes, "Still need help?".
//! - [`engine`]: when surveys appear: triggers, targeting, fatigue memory.
//! - [`api`]: every network call, and the outbox that keeps unsent answers.
//! - [`delivery`]: retries with backoff, online and pagehide flushes.
//! - [`i18n`]: one string table per locale.
//!
//! The loader (`loader.js`) calls [`start`] once the wasm is in, then
//! forwards every queued and later `sori(...)` call to [`command`].

mod api;
mod delivery;
mod dom;
mod engine;
mod flow;
mod help;
mod host;
use sori_widget_core::i18n;
mod state;
mod view;

use wasm_bindgen::prelude::*;

/// Builds the host element, wires its events and loads the site's config.
/// `base` is the collector URL ending in `/`; `locale` is the host's
/// `data-locale` (empty when absent); `launcher` is false for `data-launcher="none"`.
#[wasm_bindgen]
pub fn start(base: String, site: String, locale: String, launcher: bool) -> Result<(), JsValue> {
    let shadow = host::create()?;
    flow::listen(&shadow);
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
