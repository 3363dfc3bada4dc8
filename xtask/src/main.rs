//! `cargo xtask build|demo|test|bench`: everything from a fresh clone to a running
//! demo or a full test run, with no tools downloaded at run time.
//!
//! # Layout
//!
//! - [`build`]: the widget's wasm, bindings, compression, hashed names, manifest.
//! - [`demo`]: build, then run the collector with the demo page on SQLite.
//! - [`test`]: check prerequisites, build once, run every test, report.
//! - [`bench`]: the load and insight benchmarks README quotes.
//! - [`setup`]: the wasm target, Chromium and chromedriver, wrk.

mod bench;
mod build;
mod demo;
mod setup;
mod test;

use std::path::{Path, PathBuf};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  build                 build the widget into target/widget-dist (wasm, glue, loader, manifest)
  demo [--port PORT]    build, then serve the demo page and widget on SQLite (./sori.db)
  test                  install what tests need, build the widget once, run every test
  bench [--postgres]    load the release collector with wrk (64 and 256 connections) against a
                        bare axum server, then time the summary at 1M responses";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build::run().map(|_| ()),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

/// The workspace root (the folder above `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The cargo that runs us, so the xtask and the builds it starts agree.
pub fn cargo() -> std::process::Command {
    let mut cmd =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd`, failing with its command line when it fails.
pub fn run_checked(cmd: &mut std::process::Command) -> anyhow::Result<()> {
    let status = cmd
        .status()
        .map_err(|e| anyhow::anyhow!("could not start {cmd:?}: {e}"))?;
    anyhow::ensure!(status.success(), "{cmd:?} failed with {status}");
    Ok(())
}
