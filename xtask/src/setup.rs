//! Prerequisites: the wasm target; binaryen's wasm-opt (from npm, into
//! target/tools) for the size pass; and Debian's Chromium and chromedriver
//! for browser tests (installed with apt-get when we are root).

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Command;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("running rustup (Sori builds with a rustup toolchain)")?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    println!("xtask: adding the {WASM_TARGET} target with rustup");
    crate::run_checked(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The binaryen release whose wasm-opt the build uses (npm's package runs
/// it on Node; Debian's binaryen 108 breaks wasm-bindgen's output).
const BINARYEN: &str = "binaryen@132.0.0";

/// A wasm-opt for the size pass: one on PATH, else the one installed in
/// target/tools, else installed there now with npm. `None` (the build goes
/// on without the pass) only when there is no npm.
pub fn ensure_wasm_opt() -> anyhow::Result<Option<PathBuf>> {
    let tools = crate::root().join("target/tools");
    let local = tools.join("node_modules/.bin/wasm-opt");
    if local.is_file() {
        return Ok(Some(local));
    }
    if let Some(found) = which("wasm-opt") {
        return Ok(Some(found));
    }
    if which("npm").is_none() {
        println!("xtask: no wasm-opt and no npm to install it; skipping the size pass");
        return Ok(None);
    }
    println!("xtask: installing {BINARYEN} (wasm-opt) into target/tools with npm");
    std::fs::create_dir_all(&tools)?;
    crate::run_checked(Command::new("npm").args([
        "install",
        "--prefix",
        &tools.to_string_lossy(),
        "--no-audit",
        "--no-fund",
        "--no-save",
        BINARYEN,
    ]))?;
    Ok(Some(local).filter(|p| p.is_file()))
}

/// axe-core, whose browser bundle the accessibility checks inject into the
/// page under test.
const AXE: &str = "axe-core@4.14.1";

/// axe-core's `axe.min.js`, installed into target/tools/axe with npm when
/// it is not there. Without npm the browser tests cannot check
/// accessibility, which is a failure, not a skip.
pub fn ensure_axe() -> anyhow::Result<PathBuf> {
    let dir = crate::root().join("target/tools/axe");
    let script = dir.join("node_modules/axe-core/axe.min.js");
    if script.is_file() {
        return Ok(script);
    }
    if which("npm").is_none() {
        bail!(
            "the accessibility checks need axe-core from npm, and there is no npm: install Node.js"
        );
    }
    println!("xtask: installing {AXE} into target/tools/axe with npm");
    std::fs::create_dir_all(&dir)?;
    crate::run_checked(Command::new("npm").args([
        "install",
        "--prefix",
        &dir.to_string_lossy(),
        "--no-audit",
        "--no-fund",
        "--no-save",
        AXE,
    ]))?;
    anyhow::ensure!(script.is_file(), "npm installed {AXE} without axe.min.js");
    Ok(script)
}

/// Paths of the browser and its driver.
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

pub fn ensure_browser() -> anyhow::Result<Browser> {
    if let Some(found) = find_browser() {
        return Ok(found);
    }
    if !is_root() {
        bail!(
            "browser tests need Chromium and chromedriver: install Debian's `chromium` and \
             `chromium-driver` packages (sudo apt-get install chromium chromium-driver), or set \
             CHROME and CHROMEDRIVER to their paths"
        );
    }
    apt_install(&["chromium", "chromium-driver"])?;
    find_browser()
        .context("apt-get installed chromium-driver, but chromium/chromedriver are still missing")
}

/// Installs Debian packages (as root), saying so first.
fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    println!("xtask: installing {} with apt-get", packages.join(" and "));
    let apt = |args: &[&str]| {
        crate::run_checked(
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    apt(&["update", "-q"])?;
    let mut install = vec!["install", "-y", "-q", "--no-install-recommends"];
    install.extend_from_slice(packages);
    apt(&install)
}

/// `wrk`, the load generator `cargo xtask bench` drives.
pub fn ensure_wrk() -> anyhow::Result<()> {
    let present = || Command::new("wrk").arg("-v").output().is_ok();
    if present() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "the load bench drives wrk: install Debian's `wrk` package (sudo apt-get install wrk)"
        );
    }
    apt_install(&["wrk"])?;
    anyhow::ensure!(present(), "apt-get installed wrk, but it does not run");
    Ok(())
}

fn find_browser() -> Option<Browser> {
    let pick = |var: &str, names: &[&str]| -> Option<PathBuf> {
        if let Some(p) = std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.exists())
        {
            return Some(p);
        }
        names.iter().find_map(|n| which(n))
    };
    Some(Browser {
        chromium: pick("CHROME", &["chromium", "chromium-browser", "google-chrome"])?,
        chromedriver: pick("CHROMEDRIVER", &["chromedriver"])?,
    })
}

pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
