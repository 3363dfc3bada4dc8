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

/// The widget's size budget: `widget/size-budget.json`, brotli bytes.
/// `cargo xtask test` fails past any figure, so growth is a decision.
pub struct Budget {
    pub loader: usize,
    pub quiet_page: usize,
    pub open: usize,
}

impl Budget {
    pub fn read() -> anyhow::Result<Self> {
        let path = crate::root().join("widget/size-budget.json");
        let text = std::fs::read_to_string(&path)?;
        let json: serde_json::Value = serde_json::from_str(&text)?;
        let figure = |key: &str| {
            json[key]
                .as_u64()
                .map(|n| n as usize)
                .ok_or_else(|| anyhow::anyhow!("{} has no number '{key}'", path.display()))
        };
        Ok(Self {
            loader: figure("loader")?,
            quiet_page: figure("quiet_page")?,
            open: figure("open")?,
        })
    }
}

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
    let (wasm, glue) = shorten_imports(
        &std::fs::read(staging.join("sori_widget_bg.wasm"))?,
        &std::fs::read_to_string(staging.join("sori_widget.js"))?,
    )?;
    let glue = minify_js(&glue).into_bytes();
    let shortened = staging.join("sori_widget_short.wasm");
    std::fs::write(&shortened, &wasm)?;
    let wasm = wasm_opt(&shortened)?.unwrap_or(wasm);

    let dist = dist_dir();
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist)?;
    let wasm_name = format!("sori-{}.wasm", short_hash(&wasm));
    let glue_name = format!("sori-{}.js", short_hash(&glue));
    let loader_src = std::fs::read_to_string(crate::root().join("widget/loader.js"))?;
    let loader = minify_js(&loader_src)
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

/// Runs wasm-opt -Oz (version 116 or newer; older ones break the output)
/// when one is available; see [`setup::ensure_wasm_opt`].
fn wasm_opt(input: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(bin) = setup::ensure_wasm_opt()? else {
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

/// wasm-bindgen names each import `__wbg_<method>_<16 hex digits>` in a
/// module named after the glue file, in the wasm and again in the glue; the
/// hashes alone cost over a kilobyte compressed. This renames every import
/// the glue defines exactly once to a short name, in both files.
fn shorten_imports(wasm: &[u8], glue: &str) -> anyhow::Result<(Vec<u8>, String)> {
    const MODULE: &str = "./sori_widget_bg.js";
    let mut module = walrus::Module::from_buffer(wasm).context("reading the bindgen wasm")?;
    let mut glue = glue.replacen(&format!("\"{MODULE}\": import0"), "\"m\": import0", 1);
    anyhow::ensure!(
        glue.contains("\"m\": import0"),
        "the glue no longer names its import module as expected"
    );
    let mut next = 0usize;
    for import in module.imports.iter_mut() {
        if import.module != MODULE {
            continue;
        }
        import.module = "m".to_owned();
        // The glue defines each import as an object key on a line of its own.
        let key = format!("\n{}{}: ", IMPORT_INDENT, import.name);
        if glue.matches(&key).count() != 1 {
            continue; // keep a name the glue does not define exactly once
        }
        let short = short_name(next);
        next += 1;
        glue = glue.replacen(&key, &format!("\n{IMPORT_INDENT}{short}: "), 1);
        import.name = short;
    }
    Ok((module.emit_wasm(), glue))
}

/// How wasm-bindgen indents the keys of its import object.
const IMPORT_INDENT: &str = "        ";

/// `a`…`z`, `A`…`Z`, then `a0`, `b0`… : valid, distinct JavaScript keys.
fn short_name(n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = String::from(char::from(LETTERS[n % LETTERS.len()]));
    if n >= LETTERS.len() {
        name.push_str(&(n / LETTERS.len() - 1).to_string());
    }
    name
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
fn minify_js(src: &str) -> String {
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
        assert_eq!(minify_js(src), "var a = 1\na++\n");
    }
}
