//! What ran, tallied for `cargo xtask test`: each test that exercises a
//! database backend or the browser adds a line to a file under
//! `$SORI_TEST_REPORT`. Outside xtask (no variable) nothing is written.

use std::io::Write;

/// A measured figure for `cargo xtask test` to print after the run (nextest
/// shows a passing test's own output only on request); also printed here.
pub fn figure(line: &str) {
    println!("{line}");
    record("figures", line);
}

/// Records that the current test ran against `what` (e.g. `browser`, `store-sqlite`).
pub fn record(what: &str, test: &str) {
    let Some(dir) = std::env::var_os("SORI_TEST_REPORT") else {
        return;
    };
    let path = std::path::Path::new(&dir).join(format!("{what}.txt"));
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{test}");
    }
}
