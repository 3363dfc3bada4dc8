//! `cargo xtask demo`: build the widget, then run the collector on SQLite
//! (`./sori.db`) serving the demo page, until Ctrl-C.

use anyhow::Context;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut port: u16 = 8080;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--port" => {
                port = rest
                    .next()
                    .context("--port needs a value")?
                    .parse()
                    .context("--port must be a number")?;
            }
            other => anyhow::bail!("unknown option '{other}' (cargo xtask demo [--port PORT])"),
        }
    }
    crate::build::run()?;
    crate::run_checked(crate::cargo().args(["build", "--package", "sori-collector"]))?;
    let token = std::env::var("SORI_ADMIN_TOKEN").unwrap_or_else(|_| random_token());
    let root = crate::root();
    let mut child = Command::new(root.join("target/debug/sori-collector"))
        .current_dir(&root)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", "sqlite://sori.db"])
        .arg("--assets-dir")
        .arg(crate::build::dist_dir())
        .arg("--demo-dir")
        .arg(root.join("demo"))
        .args(["--demo-history-days", "90"])
        .env("SORI_ADMIN_TOKEN", &token)
        .spawn()
        .context("starting the collector")?;
    let pid = child.id();
    // Ctrl-C reaches the collector too; we only wait for its clean shutdown.
    ctrlc::set_handler(move || {
        let _ = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status();
    })?;
    if wait_healthy(port, Duration::from_secs(30)) {
        println!();
        println!("  Demo page:   http://localhost:{port}/demo/");
        println!("  Collector:   http://127.0.0.1:{port}  (widget at /widget.js, API under /v1/)");
        println!(
            "  Summary:     curl -H 'Authorization: Bearer {token}' http://127.0.0.1:{port}/v1/admin/sites/demo/summary"
        );
        println!(
            "  Dashboard:   http://127.0.0.1:{port}/dashboard/  (cx@demo.sori / sori-demo-password)"
        );
        println!(
            "  Trend:       curl -H 'Authorization: Bearer {token}' 'http://127.0.0.1:{port}/v1/admin/sites/demo/trend?scale=csat&granularity=week'"
        );
        println!("  Database:    ./sori.db (delete it to start over)");
        println!("  Stop:        Ctrl-C");
        println!();
    }
    let status = child.wait()?;
    anyhow::ensure!(
        status.success() || status.code().is_none(),
        "the collector exited with {status}"
    );
    Ok(())
}

fn wait_healthy(port: u16, limit: Duration) -> bool {
    use std::io::{Read, Write};
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            let mut reply = String::new();
            if s.read_to_string(&mut reply).is_ok() && reply.starts_with("HTTP/1.0 200")
                || reply.starts_with("HTTP/1.1 200")
            {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// An admin token for this demo run, from the kernel's random source.
fn random_token() -> String {
    let mut bytes = [0u8; 18];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
