//! Throughput under load, as `cargo bench -p sori-collector --bench load`
//! prints it (`cargo xtask bench` runs it, with `--postgres` for both
//! backends):
//!
//! 1. a fresh database gets one site (`acme`, origin `https://app.acme.test`)
//!    with a live CSAT-and-comment survey, and the release collector binary
//!    serves it in a process of its own; rate limits are off, since all the
//!    load comes from one address;
//! 2. `wrk` (2 threads) asks for the site's config as a browser does
//!    (brotli accepted) at 64 connections, then posts new responses
//!    (`load/load.lua`: a CSAT score and a comment, a fresh UUIDv7 each) at
//!    64 and 256 connections; each load runs against the bare axum server
//!    of `load/bare.rs` too, right before, as the yardstick;
//! 3. printed per load: answers per second (acknowledged: 2xx only), p50,
//!    p99, the bare server's figures and the ratio; then the responses the
//!    database holds against those acknowledged, whether its rollup matches
//!    them, and the collector's peak resident memory. On PostgreSQL, two
//!    collectors on the one database are loaded at once as well.
//!
//! Settings (environment): `SORI_BENCH_BACKENDS` (`sqlite`, `postgres` or
//! both, comma-separated; `sqlite` by default), `SORI_LOAD_SECONDS` (per
//! load, 10 by default), `SORI_TEST_POSTGRES_URL` (as for the tests).
//!
//! Client and server share this machine's cores; nothing is asserted.

#[path = "load/bare.rs"]
mod bare;
mod common;

use common::{mib, thousands};
use sori_collector::store;
use sori_tests::app::{ADMIN_TOKEN, ORIGIN, seed_acme};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const COLLECTOR: &str = env!("CARGO_BIN_EXE_sori-collector");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/load/load.lua");

fn main() {
    if Command::new("wrk").arg("-v").output().is_err() {
        eprintln!(
            "the load bench drives `wrk`: install it (apt-get install wrk) or run `cargo xtask bench`"
        );
        std::process::exit(2);
    }
    let seconds: u64 = std::env::var("SORI_LOAD_SECONDS")
        .ok()
        .map(|v| v.parse().expect("SORI_LOAD_SECONDS is a number of seconds"))
        .unwrap_or(10);
    let backends = std::env::var("SORI_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let load = Load { seconds };

    println!(
        "Load over loopback: wrk, 2 threads, {seconds} s per load, on {} cores; the collector is \
         the release binary; the bare axum server runs in this process",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    let mut bare_port = None;
    for backend in backends.split(',').map(str::trim) {
        let (name, url, schema) = match backend {
            "sqlite" => {
                let file = dir.path().join("sori.db");
                let url = format!("sqlite://{}", file.display());
                ("SQLite (WAL, synchronous=FULL)", url, None)
            }
            "postgres" => {
                let schema = runtime.block_on(sori_tests::postgres::Schema::create());
                ("PostgreSQL", schema.url(), Some(schema))
            }
            other => panic!("SORI_BENCH_BACKENDS: no backend '{other}'; use sqlite, postgres"),
        };
        runtime.block_on(seed_acme(&url));
        let collector = Collector::start(&url, dir.path());
        let bare = *bare_port.get_or_insert_with(|| {
            let config = runtime.block_on(collector.config());
            bare::start(&runtime, &dir.path().join("bare.db"), config)
        });
        println!();
        println!("== {name} ==");
        let mut acknowledged = 0;
        // A short warm-up of both, not reported.
        for port in [bare, collector.port] {
            let target = if port == bare {
                "/responses"
            } else {
                POST_PATH
            };
            let warm = load.run_for(port, 64, "post", target, 2);
            if port == collector.port {
                acknowledged += warm.acknowledged;
            }
        }
        println!(
            "{:<24}{:>6}  {:>10}{:>8}{:>8}   {:>10}{:>8}{:>8}  {:>6}",
            "load",
            "conns",
            "answered/s",
            "p50 ms",
            "p99 ms",
            "bare /s",
            "p50 ms",
            "p99 ms",
            "ratio"
        );
        for (what, mode, connections) in [
            ("GET config", "get", 64),
            ("POST response", "post", 64),
            ("POST response", "post", 256),
        ] {
            let (bare_path, path) = match mode {
                "get" => ("/config", CONFIG_PATH),
                _ => ("/responses", POST_PATH),
            };
            let yardstick = load.run(bare, connections, mode, bare_path);
            let ours = load.run(collector.port, connections, mode, path);
            if mode == "post" {
                acknowledged += ours.acknowledged;
            }
            println!(
                "{what:<24}{connections:>6}  {:>10}{:>8.1}{:>8.1}   {:>10}{:>8.1}{:>8.1}  {:>5.2}x  {:>9}",
                thousands(ours.per_second() as u64),
                ours.p50_ms,
                ours.p99_ms,
                thousands(yardstick.per_second() as u64),
                yardstick.p50_ms,
                yardstick.p99_ms,
                ours.per_second() / yardstick.per_second().max(1.0),
                mib(collector.peak_rss()),
            );
            ours.warn_refusals();
        }
        if schema.is_some() {
            let second = Collector::start(&url, dir.path());
            for total in [64, 256] {
                let both =
                    load.run_pair([collector.port, second.port], total / 2, "post", POST_PATH);
                acknowledged += both.iter().map(|r| r.acknowledged).sum::<u64>();
                println!(
                    "{:<24}{total:>6}  {:>10}{:>8.1}{:>8.1}   (two collectors, {} connections each; slower one's p50/p99)",
                    "POST response",
                    thousands(both.iter().map(Run::per_second).sum::<f64>() as u64),
                    both.iter().map(|r| r.p50_ms).fold(0.0, f64::max),
                    both.iter().map(|r| r.p99_ms).fold(0.0, f64::max),
                    total / 2,
                );
                for run in &both {
                    run.warn_refusals();
                }
            }
            second.stop();
        }
        let peak = collector.peak_rss();
        collector.stop();
        runtime.block_on(report_stored(&url, acknowledged));
        println!("collector peak resident memory: {}", mib(peak));
        if let Some(schema) = schema {
            runtime.block_on(schema.drop());
        }
    }
}

const CONFIG_PATH: &str = "/v1/sites/acme/config";
const POST_PATH: &str = "/v1/sites/acme/responses";

/// Reads back what the database holds and checks its rollup.
async fn report_stored(url: &str, acknowledged: u64) {
    let store = store::connect(url).await.expect("reopen the database");
    let report = store
        .check_rollup(false)
        .await
        .expect("count the stored responses");
    println!(
        "stored: {} responses for {} acknowledged; rollup {}",
        thousands(report.responses),
        thousands(acknowledged),
        if report.is_clean() {
            "matches the rows".to_owned()
        } else {
            format!("differs in {} cells", report.drift.len())
        }
    );
}

/// The release collector in a process of its own.
struct Collector {
    child: Child,
    port: u16,
}

impl Collector {
    fn start(url: &str, dir: &Path) -> Self {
        let port = free_port();
        let log = std::fs::File::create(dir.join(format!("collector-{port}.log")))
            .expect("a log file for the collector");
        let child = Command::new(COLLECTOR)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", url])
            .args(["--rate-limit-per-minute", "0"])
            .args(["--site-rate-limit-per-minute", "0"])
            .env("SORI_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the collector binary starts");
        let collector = Self { child, port };
        let started = Instant::now();
        while !collector.healthy() {
            if started.elapsed() > Duration::from_secs(30) {
                let log = std::fs::read_to_string(dir.join(format!("collector-{port}.log")));
                panic!(
                    "the collector did not answer /healthz within 30 s; it logged:\n{}",
                    log.unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        collector
    }

    fn healthy(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        let mut reply = String::new();
        s.read_to_string(&mut reply).is_ok()
            && (reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200"))
    }

    /// The site's config as the widget reads it, uncompressed.
    async fn config(&self) -> Vec<u8> {
        let answer = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{}{CONFIG_PATH}", self.port))
            .header("Origin", ORIGIN)
            .send()
            .await
            .expect("the config answers");
        assert!(answer.status().is_success(), "config: {}", answer.status());
        answer.bytes().await.expect("the config's body").to_vec()
    }

    /// The most memory the process has held resident, from /proc.
    fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// SIGTERM, then wait for the writes to finish.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Collector {
    /// A bench that panics leaves no collector running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

struct Load {
    seconds: u64,
}

/// What one wrk run printed.
#[derive(Debug, Default)]
struct Run {
    acknowledged: u64,
    refused: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.acknowledged as f64 / self.seconds.max(f64::EPSILON)
    }

    fn warn_refusals(&self) {
        if self.refused > 0 {
            println!(
                "  ! {} requests were refused or failed (not counted above)",
                thousands(self.refused)
            );
        }
    }
}

impl Load {
    fn run(&self, port: u16, connections: u32, mode: &str, path: &str) -> Run {
        self.run_for(port, connections, mode, path, self.seconds)
    }

    fn run_for(&self, port: u16, connections: u32, mode: &str, path: &str, seconds: u64) -> Run {
        let output = wrk(port, connections, mode, path, seconds, 0)
            .output()
            .expect("wrk runs");
        parse(&output)
    }

    /// Two wrk processes at once, one per collector.
    fn run_pair(&self, ports: [u16; 2], connections: u32, mode: &str, path: &str) -> Vec<Run> {
        let children: Vec<Child> = ports
            .iter()
            .zip(1..)
            .map(|(&port, stream)| {
                wrk(port, connections, mode, path, self.seconds, stream)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("wrk starts")
            })
            .collect();
        children
            .into_iter()
            .map(|c| parse(&c.wait_with_output().expect("wrk finishes")))
            .collect()
    }
}

/// `stream` tells apart the ids of wrk processes that run at once.
fn wrk(port: u16, connections: u32, mode: &str, path: &str, seconds: u64, stream: u32) -> Command {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .args(["--timeout", "10s", "-s", SCRIPT])
        .arg(format!("http://127.0.0.1:{port}"))
        .args(["--", mode, path, ORIGIN, &stream.to_string()]);
    cmd
}

/// Reads the `WRK_RESULT` line `load.lua` prints.
fn parse(output: &std::process::Output) -> Run {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("WRK_RESULT ")) else {
        panic!(
            "wrk printed no result:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let field = |name: &str| -> u64 {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("wrk's result has no {name}: {line}"))
    };
    let failed = field("status_errors") + field("socket_errors");
    Run {
        acknowledged: field("requests").saturating_sub(failed),
        refused: failed,
        seconds: field("duration_us") as f64 / 1e6,
        p50_ms: field("p50_us") as f64 / 1000.0,
        p99_ms: field("p99_us") as f64 / 1000.0,
    }
}
