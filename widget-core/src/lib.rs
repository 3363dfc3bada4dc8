//! The widget's logic without a browser, so it is tested natively and both
//! wasm modules stay thin over it.
//!
//! # Layout
//!
//! - [`form`]: one response being answered: the answers, the step on
//!   screen, what is missing, and the answers as they are sent.
//! - [`outbox`]: the unsent saves kept in localStorage, as a list.
//! - [`i18n`]: every string the widget shows, in English and Korean.
//! - [`bridge`]: what the engine and the UI module pass each other.
//! - [`css`]: the build scripts' stylesheet minifier.
//! - `web` (feature `web`): JSON and ids through the browser, for both modules.
//!
//! Targeting, fatigue and skip rules live in `sori-protocol`, beside the
//! collector's side of the same rules.

pub mod bridge;
pub mod css;
pub mod form;
pub mod i18n;
pub mod outbox;
#[cfg(feature = "web")]
pub mod web;
