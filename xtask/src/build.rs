//! `cargo xtask build`: the widget's two wasm modules (the engine,
//! `sori-*`, and the UI, `sori-ui-*`) and the dashboard (`sori-dash-*`, its
//! stylesheet, a boot script and `dashboard.html`) through wasm-bindgen (the
//! library, pinned to the version in Cargo.lock), an optional wasm-opt pass,
//! brotli and gzip copies, content-hashed names and the manifest the
//! collector reads.

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

/// Which download a built file belongs to.
#[derive(Clone, Copy, PartialEq)]
pub enum Part {
    /// `widget.js`, in the host page's script tag.
    Loader,
    /// The engine's wasm and glue: fetched on every page view, after idle.
    Engine,
    /// The UI's wasm and glue: fetched when something is shown.
    Ui,
    /// The CX dashboard: not part of any page that embeds the widget.
    Dashboard,
}

/// Sizes of what was built, for the report and for `xtask test`.
pub struct Built {
    pub files: Vec<(String, Part, Sizes)>,
}

impl Built {
    /// The files of `part` together.
    pub fn part(&self, part: Part) -> Sizes {
        let mut sum = Sizes::default();
        for (_, _, s) in self.files.iter().filter(|(_, p, _)| *p == part) {
            sum.raw += s.raw;
            sum.gzip += s.gzip;
            sum.brotli += s.brotli;
        }
        sum
    }

    /// What a page view where nothing opens downloads: loader and engine.
    pub fn quiet_page(&self) -> Sizes {
        self.part(Part::Loader) + self.part(Part::Engine)
    }

    /// Everything needed once a survey or the help center is on screen.
    pub fn open(&self) -> Sizes {
        self.quiet_page() + self.part(Part::Ui)
    }
}

#[derive(Clone, Copy, Default)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl std::ops::Add for Sizes {
    type Output = Sizes;
    fn add(self, other: Sizes) -> Sizes {
        Sizes {
            raw: self.raw + other.raw,
            gzip: self.gzip + other.gzip,
            brotli: self.brotli + other.brotli,
        }
    }
}

/// One wasm module after bindgen, import renaming and wasm-opt.
struct Module {
    wasm: Vec<u8>,
    glue: Vec<u8>,
}

/// Bindings, shorter import names, minified glue and wasm-opt for the
/// crate `name` (as its wasm file is called) built by cargo.
fn module(name: &str) -> anyhow::Result<Module> {
    let names = keep_names();
    let wasm_in = crate::root().join(format!("target/{WASM_TARGET}/{PROFILE}/{name}.wasm"));
    let staging = crate::root().join("target/widget-bindgen").join(name);
    let _ = std::fs::remove_dir_all(&staging);
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm_in)
        .web(true)?
        .typescript(false)
        .remove_name_section(!names)
        .remove_producers_section(true)
        .generate(&staging)
        .with_context(|| format!("generating wasm-bindgen bindings for {name}"))?;
    let (wasm, glue) = shorten_imports(
        &std::fs::read(staging.join(format!("{name}_bg.wasm")))?,
        &std::fs::read_to_string(staging.join(format!("{name}.js")))?,
        &format!("./{name}_bg.js"),
    )?;
    let (wasm, glue) = drop_stream_classes(&wasm, &glue)?;
    let (wasm, glue) = shorten_closure_exports(&wasm, &glue)?;
    let glue = minify_js(&glue).into_bytes();
    let shortened = staging.join(format!("{name}_short.wasm"));
    std::fs::write(&shortened, &wasm)?;
    let wasm = wasm_opt(&shortened, names)?.unwrap_or(wasm);
    Ok(Module { wasm, glue })
}

/// `SORI_WASM_NAMES=1` keeps function names in the wasm, for `twiggy top`
/// on `target/widget-dist`; the sizes printed then are not the real ones.
fn keep_names() -> bool {
    std::env::var_os("SORI_WASM_NAMES").is_some_and(|v| v == "1")
}

pub fn run() -> anyhow::Result<Built> {
    setup::ensure_wasm_target()?;
    check_bindgen_version()?;
    crate::run_checked(crate::cargo().args([
        "build",
        "--package",
        "sori-widget",
        "--package",
        "sori-widget-ui",
        "--package",
        "sori-dashboard",
        "--target",
        WASM_TARGET,
        "--profile",
        PROFILE,
    ]))?;
    let engine = module("sori_widget")?;
    let ui = module("sori_widget_ui")?;
    let dash = module("sori_dashboard")?;

    let dist = dist_dir();
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist)?;
    let name =
        |prefix: &str, bytes: &[u8], ext: &str| format!("{prefix}-{}.{ext}", short_hash(bytes));
    let engine_wasm = name("sori", &engine.wasm, "wasm");
    let engine_glue = name("sori", &engine.glue, "js");
    let ui_wasm = name("sori-ui", &ui.wasm, "wasm");
    let ui_glue = name("sori-ui", &ui.glue, "js");
    let loader_src = std::fs::read_to_string(crate::root().join("widget/loader.js"))?;
    let loader = minify_js(&loader_src)
        .replace("__SORI_UI_GLUE__", &ui_glue)
        .replace("__SORI_UI_WASM__", &ui_wasm)
        .replace("__SORI_GLUE__", &engine_glue)
        .replace("__SORI_WASM__", &engine_wasm);
    anyhow::ensure!(
        !loader.contains("__SORI_"),
        "loader.js has a placeholder xtask does not fill"
    );

    let dash_wasm = name("sori-dash", &dash.wasm, "wasm");
    let dash_glue = name("sori-dash", &dash.glue, "js");
    let dash_css = sori_widget_core::css::minify(&std::fs::read_to_string(
        crate::root().join("dashboard/style.css"),
    )?);
    let dash_css_name = name("sori-dash", dash_css.as_bytes(), "css");
    // The page's one script: a file, since its policy allows no inline script.
    let dash_boot = format!(
        "import init from \"./{dash_glue}\";init({{module_or_path:\"/assets/{dash_wasm}\"}});"
    );
    let dash_boot_name = name("sori-dash-boot", dash_boot.as_bytes(), "js");
    let dash_html = std::fs::read_to_string(crate::root().join("dashboard/index.html"))?
        .replace("__SORI_DASH_CSS__", &dash_css_name)
        .replace("__SORI_DASH_BOOT__", &dash_boot_name);
    anyhow::ensure!(
        !dash_html.contains("__SORI_"),
        "dashboard/index.html has a placeholder xtask does not fill"
    );

    let mut manifest = Vec::new();
    let mut built = Built { files: Vec::new() };
    const JS: &str = "text/javascript; charset=utf-8";
    const WASM: &str = "application/wasm";
    for (name, part, bytes, content_type, immutable) in [
        (
            "widget.js".to_owned(),
            Part::Loader,
            loader.into_bytes(),
            JS,
            false,
        ),
        (engine_glue, Part::Engine, engine.glue, JS, true),
        (engine_wasm, Part::Engine, engine.wasm, WASM, true),
        (ui_glue, Part::Ui, ui.glue, JS, true),
        (ui_wasm, Part::Ui, ui.wasm, WASM, true),
        (dash_glue, Part::Dashboard, dash.glue, JS, true),
        (dash_wasm, Part::Dashboard, dash.wasm, WASM, true),
        (
            dash_css_name,
            Part::Dashboard,
            dash_css.into_bytes(),
            "text/css; charset=utf-8",
            true,
        ),
        (
            dash_boot_name,
            Part::Dashboard,
            dash_boot.into_bytes(),
            JS,
            true,
        ),
        (
            "dashboard.html".to_owned(),
            Part::Dashboard,
            dash_html.into_bytes(),
            "text/html; charset=utf-8",
            false,
        ),
    ] {
        let sizes = write_encoded(&dist, &name, &bytes)?;
        manifest.push(serde_json::json!({
            "name": name, "content_type": content_type, "immutable": immutable, "etag": short_hash(&bytes),
        }));
        built.files.push((name, part, sizes));
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
fn wasm_opt(input: &Path, keep_names: bool) -> anyhow::Result<Option<Vec<u8>>> {
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
    let mut cmd = Command::new(&bin);
    if keep_names {
        cmd.arg("-g");
    }
    crate::run_checked(cmd.arg("-Oz").arg(input).arg("-o").arg(&output))?;
    Ok(Some(std::fs::read(output)?))
}

/// wasm-bindgen names each import `__wbg_<method>_<16 hex digits>` in a
/// module named after the glue file, in the wasm and again in the glue; the
/// hashes alone cost over a kilobyte compressed. This renames every import
/// the glue defines exactly once to a short name, in both files.
fn shorten_imports(
    wasm: &[u8],
    glue: &str,
    module_name: &str,
) -> anyhow::Result<(Vec<u8>, String)> {
    let mut module = walrus::Module::from_buffer(wasm).context("reading the bindgen wasm")?;
    let mut glue = glue.replacen(&format!("\"{module_name}\": import0"), "\"m\": import0", 1);
    anyhow::ensure!(
        glue.contains("\"m\": import0"),
        "the glue no longer names its import module as expected"
    );
    let mut next = 0usize;
    for import in module.imports.iter_mut() {
        if import.module != module_name {
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

/// leptos depends on `server_fn`, which brings `wasm-streams`, whose three
/// `#[wasm_bindgen]` classes (`IntoUnderlyingSource`, `…ByteSource`,
/// `…Sink`) wasm-bindgen exports from any module that links it, with their
/// code. The widget never streams: this drops the classes from the glue and
/// their exports from the wasm, so wasm-opt removes what only they reached.
/// The build fails if the glue still names them afterwards.
fn drop_stream_classes(wasm: &[u8], glue: &str) -> anyhow::Result<(Vec<u8>, String)> {
    const MARK: &str = "intounderlying";
    if !glue.contains("class IntoUnderlying") {
        return Ok((wasm.to_vec(), glue.to_owned()));
    }
    let mut out = String::with_capacity(glue.len());
    let mut lines = glue.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("export class IntoUnderlying") {
            // Up to and including its `Symbol.dispose` line.
            for inner in lines.by_ref() {
                if inner.starts_with("if (Symbol.dispose) IntoUnderlying") {
                    break;
                }
            }
            continue;
        }
        if line.starts_with("const IntoUnderlying") && line.contains("Finalization") {
            // The two lines of its FinalizationRegistry fallback.
            lines.next();
            lines.next();
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    anyhow::ensure!(
        !out.to_ascii_lowercase().contains(MARK),
        "the glue names the wasm-streams classes in a way xtask does not drop"
    );
    let mut module = walrus::Module::from_buffer(wasm).context("reading the bindgen wasm")?;
    let dropped: Vec<_> = module
        .exports
        .iter()
        .filter(|e| e.name.contains(MARK))
        .map(|e| e.id())
        .collect();
    for id in dropped {
        module.exports.delete(id);
    }
    Ok((module.emit_wasm(), out))
}

/// wasm-bindgen exports one shim per closure signature as
/// `wasm_bindgen__convert__closures_____invoke__h<16 hex digits>`, and the
/// glue names a function after each and calls it several times: 45
/// characters, and a hash, per mention. This renames each such export, in
/// the wasm and everywhere in the glue, to `$c<n>`.
fn shorten_closure_exports(wasm: &[u8], glue: &str) -> anyhow::Result<(Vec<u8>, String)> {
    const PREFIX: &str = "wasm_bindgen__convert__closures_____invoke__";
    const SHORT: &str = "$c";
    anyhow::ensure!(
        !glue.contains(SHORT),
        "the glue already uses {SHORT}, the prefix xtask gives closure shims"
    );
    let mut module = walrus::Module::from_buffer(wasm).context("reading the bindgen wasm")?;
    let mut glue = glue.to_owned();
    for (n, export) in module
        .exports
        .iter_mut()
        .filter(|e| e.name.starts_with(PREFIX))
        .enumerate()
    {
        let short = format!("{SHORT}{n}");
        glue = glue.replace(&export.name, &short);
        export.name = short;
    }
    anyhow::ensure!(
        !glue.contains(PREFIX),
        "the glue names a closure shim the wasm does not export"
    );
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
    for (name, _, s) in &built.files {
        println!("{name:<28} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
    }
    for (what, s) in [
        ("quiet page (loader+engine)", built.quiet_page()),
        ("open (all of it)", built.open()),
        ("dashboard (all of it)", built.part(Part::Dashboard)),
    ] {
        println!("{what:<28} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
    }
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
