//! `cargo xtask test`: the one command that runs every test, as README and CI do.

use std::time::Instant;

pub fn run(_args: &[String]) -> anyhow::Result<()> {
    let started = Instant::now();
    crate::setup::ensure_wasm_target()?;
    // Read first: a broken budget file should not wait for the whole run.
    let budget = crate::build::Budget::read()?;
    let browser = crate::setup::ensure_browser()?;
    let axe = crate::setup::ensure_axe()?;
    let built = crate::build::run()?;
    lint()?;
    let report = crate::root().join("target/test-report");
    let _ = std::fs::remove_dir_all(&report);
    std::fs::create_dir_all(&report)?;

    let nextest = crate::cargo()
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = crate::cargo();
    if nextest {
        cmd.args([
            "nextest",
            "run",
            "--workspace",
            "--exclude",
            "sori-widget",
            "--exclude",
            "sori-widget-ui",
            "--exclude",
            "sori-dashboard",
            "--no-fail-fast",
        ]);
    } else {
        cmd.args([
            "test",
            "--workspace",
            "--exclude",
            "sori-widget",
            "--exclude",
            "sori-widget-ui",
            "--exclude",
            "sori-dashboard",
            "--no-fail-fast",
        ]);
    }
    cmd.env("SORI_ASSETS_DIR", crate::build::dist_dir())
        .env("SORI_DEMO_DIR", crate::root().join("demo"))
        .env("SORI_TEST_REPORT", &report)
        // Tests build their apps from `Config::defaults()`, never from the
        // environment; a value here that no test expects makes any leak fail.
        .env("SORI_RATE_LIMIT_PER_MINUTE", "1")
        .env("SORI_AXE", &axe)
        .env("CHROME", &browser.chromium)
        .env("CHROMEDRIVER", &browser.chromedriver);
    let outcome = crate::run_checked(&mut cmd);

    let count = |file: &str| {
        std::fs::read_to_string(report.join(file))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    let browser_tests = count("browser.txt");
    let sqlite_tests = count("store-sqlite.txt");
    let postgres_tests = count("store-postgres.txt");
    println!();
    println!(
        "xtask: database backends exercised: SQLite ({sqlite_tests} store tests), \
         PostgreSQL ({postgres_tests} store tests)"
    );
    println!("xtask: browser tests run in headless Chromium: {browser_tests}");
    if let Ok(figures) = std::fs::read_to_string(report.join("figures.txt")) {
        for line in figures.lines() {
            println!("xtask: {line}");
        }
    }
    let loader = built.part(crate::build::Part::Loader).brotli;
    let quiet_page = built.quiet_page().brotli;
    let open = built.open().brotli;
    let figures = [
        ("loader", loader, budget.loader),
        (
            "quiet page view (loader + engine)",
            quiet_page,
            budget.quiet_page,
        ),
        (
            "survey or help center open (loader + engine + UI)",
            open,
            budget.open,
        ),
    ];
    for (what, bytes, limit) in figures {
        println!("xtask: {what}: {bytes} B brotli; budget {limit} B");
    }
    println!("xtask: finished in {:.0?}", started.elapsed());
    outcome?;
    for (what, bytes, limit) in figures {
        anyhow::ensure!(
            bytes <= limit,
            "{what} is {bytes} B brotli, over its {limit} B budget (widget/size-budget.json)"
        );
    }
    anyhow::ensure!(
        browser_tests > 0,
        "no browser test ran: a missing browser is a failure, not a skip"
    );
    anyhow::ensure!(sqlite_tests > 0, "no store test ran against SQLite");
    anyhow::ensure!(
        postgres_tests > 0,
        "no store test ran against PostgreSQL (SORI_TEST_POSTGRES_URL)"
    );
    Ok(())
}

/// Formatting and clippy, as the tests see the code: native for every
/// crate and target, and the two widget crates for the wasm target they
/// ship for. A warning fails the run.
fn lint() -> anyhow::Result<()> {
    crate::run_checked(crate::cargo().args(["fmt", "--all", "--check"]))?;
    crate::run_checked(crate::cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    crate::run_checked(crate::cargo().args([
        "clippy",
        "--package",
        "sori-widget",
        "--package",
        "sori-widget-ui",
        "--package",
        "sori-dashboard",
        "--target",
        crate::setup::WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))
}
