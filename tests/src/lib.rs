//! Helpers for Sori's end-to-end tests.
//!
//! # Layout
//!
//! - [`app`]: a real collector on port 0 with its own SQLite file per test.
//! - [`browser`]: headless Chromium through chromedriver, driven by fantoccini.
//! - [`report`]: the tally `cargo xtask test` prints (backends, browser tests).

// Test support: a failed set-up step should panic the test that asked for it.
#![allow(clippy::unwrap_used)]

pub mod app;
pub mod browser;
pub mod postgres;
pub mod report;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
