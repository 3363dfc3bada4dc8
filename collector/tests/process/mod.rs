//! The real `sori-collector` binary as a child process, for tests that kill
//! it, signal it or read its log.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_sori-collector");

/// A running collector and everything it has written to stderr so far.
pub struct Collector {
    pub child: Child,
    pub url: String,
    pub log: Arc<Mutex<String>>,
    /// Ends when the process closes its stderr.
    reader: tokio::task::JoinHandle<()>,
}

/// Starts the binary on `database_url` with `args`, through `sh` so a test
/// can lower limits with `ulimit` first (`shell_prefix`), and waits until it
/// says which port it listens on.
pub async fn start(
    database_url: &str,
    args: &[&str],
    env: &[(&str, &str)],
    shell_prefix: &str,
) -> Collector {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("{shell_prefix} exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(["--listen", "127.0.0.1:0", "--database-url", database_url])
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, _) in sori_env() {
        command.env_remove(key);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("start sori-collector");
    let stderr = child.stderr.take().expect("stderr is piped");
    let log = Arc::new(Mutex::new(String::new()));
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let sink = log.clone();
    let reader = tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        let mut port_tx = Some(port_tx);
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("sori collector listening")
                && let Some(port) = line
                    .split("port=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                && let Some(tx) = port_tx.take()
            {
                let _ = tx.send(port.to_owned());
            }
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let port = tokio::time::timeout(Duration::from_secs(30), port_rx)
        .await
        .unwrap_or_else(|_| panic!("the collector did not start: {}", log.lock().unwrap()))
        .unwrap_or_else(|_| panic!("the collector exited: {}", log.lock().unwrap()));
    Collector {
        child,
        url: format!("http://127.0.0.1:{port}"),
        log,
        reader,
    }
}

impl Collector {
    /// SIGKILL: no shutdown code runs.
    pub async fn kill_9(mut self) {
        self.child.start_kill().expect("send SIGKILL");
        self.child.wait().await.expect("the collector is reaped");
    }

    /// Sends SIGTERM and waits at most `within` for the process to exit.
    pub async fn terminate(mut self, within: Duration) -> (std::process::ExitStatus, String) {
        let pid = self
            .child
            .id()
            .expect("the collector is running")
            .to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("run kill");
        assert!(sent.success());
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "the collector was still running {within:?} after SIGTERM: {}",
                    self.log.lock().unwrap()
                )
            })
            .expect("the collector is reaped");
        // Every line is in once the reader has seen stderr close.
        let _ = (&mut self.reader).await;
        let log = self.log.lock().unwrap().clone();
        (status, log)
    }
}

/// `sori-collector check [--repair]` on `database_url`: exit code and stdout.
pub fn check(database_url: &str, repair: bool) -> (i32, String) {
    let mut command = std::process::Command::new(BIN);
    for (key, _) in sori_env() {
        command.env_remove(key);
    }
    command.args(["--database-url", database_url, "check"]);
    if repair {
        command.arg("--repair");
    }
    let output = command.output().expect("run sori-collector check");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (
        output.status.code().unwrap_or(-1),
        format!("{stdout}{stderr}"),
    )
}

/// A SQLite database in `dir`, as a URL.
pub fn sqlite_url(dir: &tempfile::TempDir) -> String {
    let path: PathBuf = dir.path().join("sori.db");
    format!("sqlite://{}", path.display())
}

/// The `SORI_*` variables of this process: the binary under test starts
/// without them, so only what a test passes configures it.
fn sori_env() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(key, _)| key.starts_with("SORI_"))
        .collect()
}
