//! `cargo xtask bench [--postgres] [--seconds N] [--responses N]`: the
//! figures README's Performance section quotes, reproduced.
//!
//! 1. `wrk` is installed if missing (Debian's package);
//! 2. the load bench (`collector/benches/load.rs`) builds the release
//!    collector and loads it on a fresh SQLite file, and on PostgreSQL with
//!    `--postgres`, against a bare axum server in the same run;
//! 3. the insights bench (`collector/benches/insights.rs`) seeds a million
//!    responses through the store's batched writes and times the summary.
//!
//! Both print their own figures; nothing here judges them.

use anyhow::Context;

const USAGE: &str =
    "cargo xtask bench [--postgres] [--seconds N (per load, 10)] [--responses N (1000000)]";

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut backends = "sqlite";
    let mut seconds = "10".to_owned();
    let mut responses = "1000000".to_owned();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| -> anyhow::Result<String> {
            let v = rest
                .next()
                .with_context(|| format!("{name} needs a value ({USAGE})"))?;
            anyhow::ensure!(
                v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty(),
                "{name} takes a whole number, not '{v}'"
            );
            Ok(v.clone())
        };
        match arg.as_str() {
            "--postgres" => backends = "sqlite,postgres",
            "--seconds" => seconds = value("--seconds")?,
            "--responses" => responses = value("--responses")?,
            other => anyhow::bail!("unknown option '{other}' ({USAGE})"),
        }
    }
    crate::setup::ensure_wrk()?;
    crate::run_checked(
        crate::cargo()
            .args(["bench", "--package", "sori-collector", "--bench", "load"])
            .env("SORI_BENCH_BACKENDS", backends)
            .env("SORI_LOAD_SECONDS", &seconds),
    )?;
    crate::run_checked(
        crate::cargo()
            .args([
                "bench",
                "--package",
                "sori-collector",
                "--bench",
                "insights",
            ])
            .env("SORI_BENCH_BACKENDS", backends)
            .env("SORI_BENCH_RESPONSES", &responses)
            .env("SORI_BENCH_ONLY", "summary"),
    )
}
