//! `cargo xtask build`: the widget's wasm through wasm-bindgen (the library,
//! pinned to the version in Cargo.lock), an optional wasm-opt pass, brotli
//! and gzip copies, content-hashed names and the manifest the collector reads.

use crate::setup::{self, WASM_TARGET};
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Must equal the `wasm-bindgen` version in Cargo.lock: bindings made by
/// another version do not load. Cargo.toml pins both with `=`.
const BINDGEN_VERSION: &str = "0.2.130";
/// wasm-opt older than this (Debian's 108) breaks wasm-bindgen 0.2.130 output.
const MIN_WASM_OPT: u32 = 116;
const PROFILE: &str = "wasm-release";

pub fn dist_dir() -> PathBuf {
    crate::root().join("target/widget-dist")
}

/// The most the wasm and its glue may weigh together, brotli-compressed
/// (issue 3). `cargo xtask test` fails past it, so growth is a decision.
pub const WIDGET_BUDGET_BROTLI: usize = 60_000;

/// Sizes of what was built, for the report and for `xtask test`.
pub struct Built {
    pub files: Vec<(String, Sizes)>,
}

impl Built {
    /// The wasm and its glue together: what a visitor downloads once the
    /// loader asks for the widget.
    pub fn widget(&self) -> Sizes {
        let mut sum = Sizes::default();
        for (_, s) in self.files.iter().filter(|(n, _)| n != "widget.js") {
            sum.raw += s.raw;
            sum.gzip += s.gzip;
            sum.brotli += s.brotli;
        }
        sum
    }
}

#[derive(Clone, Copy, Default)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

pub fn run() -> anyhow::Result<Built> {
    setup::ensure_wasm_target()?;
    check_bindgen_version()?;
    crate::run_checked(crate::cargo().args([
        "build",
        "--package",
        "sori-widget",
        "--target",
        WASM_TARGET,
        "--profile",
        PROFILE,
    ]))?;
    let wasm_in = crate::root().join(format!("target/{WASM_TARGET}/{PROFILE}/sori_widget.wasm"));
    let staging = crate::root().join("target/widget-bindgen");
    let _ = std::fs::remove_dir_all(&staging);
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm_in)
        .web(true)?
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&staging)
        .context("generating wasm-bindgen bindings")?;
    let mut wasm = std::fs::read(staging.join("sori_widget_bg.wasm"))?;
    let glue = std::fs::read(staging.join("sori_widget.js"))?;
    if let Some(optimized) = wasm_opt(&staging.join("sori_widget_bg.wasm"))? {
        wasm = optimized;
    }

    let dist = dist_dir();
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist)?;
    let wasm_name = format!("sori-{}.wasm", short_hash(&wasm));
    let glue_name = format!("sori-{}.js", short_hash(&glue));
    let loader_src = std::fs::read_to_string(crate::root().join("widget/loader.js"))?;
    let loader = minify_loader(&loader_src)
        .replace("__SORI_GLUE__", &glue_name)
        .replace("__SORI_WASM__", &wasm_name);
    anyhow::ensure!(
        !loader.contains("__SORI_"),
        "loader.js has a placeholder xtask does not fill"
    );

    let mut manifest = Vec::new();
    let mut built = Built { files: Vec::new() };
    for (name, bytes, content_type, immutable) in [
        (
            "widget.js".to_owned(),
            loader.into_bytes(),
            "text/javascript; charset=utf-8",
            false,
        ),
        (glue_name, glue, "text/javascript; charset=utf-8", true),
        (wasm_name, wasm, "application/wasm", true),
    ] {
        let sizes = write_encoded(&dist, &name, &bytes)?;
        manifest.push(serde_json::json!({
            "name": name, "content_type": content_type, "immutable": immutable, "etag": short_hash(&bytes),
        }));
        built.files.push((name, sizes));
    }
    std::fs::write(
        dist.join("manifest.json"),
        serde_json::to_vec_pretty(&serde_json::json!({ "files": manifest }))?,
    )?;
    print_sizes(&built);
    println!("xtask: widget written to {}", dist.display());
    Ok(built)
}

fn check_bindgen_version() -> anyhow::Result<()> {
    let lock =
        std::fs::read_to_string(crate::root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines
                .next()
                .unwrap_or("")
                .trim_start_matches("version = ")
                .trim_matches('"');
            if version != BINDGEN_VERSION {
                bail!(
                    "Cargo.lock has wasm-bindgen {version} but xtask generates bindings with \
                     {BINDGEN_VERSION}; pin both to the same version"
                );
            }
            return Ok(());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen entry")
}

/// Runs a wasm-opt of version 116 or newer when one is on PATH; skips it
/// otherwise (it saves only a few percent, and old ones break the output).
fn wasm_opt(input: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(bin) = setup::which("wasm-opt") else {
        println!("xtask: no wasm-opt on PATH; skipping the optional size pass");
        return Ok(None);
    };
    let out = Command::new(&bin).arg("--version").output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
        .unwrap_or(0);
    if version < MIN_WASM_OPT {
        println!(
            "xtask: skipping {} (version {version}; {MIN_WASM_OPT} or newer needed)",
            bin.display()
        );
        return Ok(None);
    }
    let output = input.with_extension("opt.wasm");
    crate::run_checked(
        Command::new(&bin)
            .arg("-Oz")
            .arg(input)
            .arg("-o")
            .arg(&output),
    )?;
    Ok(Some(std::fs::read(output)?))
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Drops comments and indentation; keeps line breaks, so semicolon
/// insertion behaves exactly as in the source.
fn minify_loader(src: &str) -> String {
    let mut out = String::new();
    let mut in_comment = false;
    for line in src.lines() {
        let line = line.trim();
        if in_comment {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.starts_with("/*") {
            in_comment = !line.contains("*/");
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn write_encoded(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<Sizes> {
    std::fs::write(dir.join(name), bytes)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gz = gz.finish()?;
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
    std::fs::write(dir.join(format!("{name}.gz")), &gz)?;
    std::fs::write(dir.join(format!("{name}.br")), &br)?;
    Ok(Sizes {
        raw: bytes.len(),
        gzip: gz.len(),
        brotli: br.len(),
    })
}

fn print_sizes(built: &Built) {
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    for (name, s) in &built.files {
        println!("{name:<28} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
    }
    let widget = built.widget();
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "wasm + glue", widget.raw, widget.gzip, widget.brotli
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minifying_keeps_code_lines_and_drops_comments() {
        let src = "/* header\n spans lines */\n  var a = 1\n  // note\n\n  a++\n";
        assert_eq!(minify_loader(src), "var a = 1\na++\n");
    }
}
