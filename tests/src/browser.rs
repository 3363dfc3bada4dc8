//! Headless Chromium for browser tests: a chromedriver per test on a free
//! port, a fresh profile, and a screenshot in the test's output folder when
//! the test fails. A missing browser fails the test; it is never skipped.

use anyhow::{Context, anyhow};
use fantoccini::elements::{Element, ShadowRoot};
use fantoccini::{Client, ClientBuilder, Locator};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::app::{Options, TestApp};

const WAIT: Duration = Duration::from_secs(10);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);

/// The colour scheme pages are told the visitor prefers (Blink's numbering).
#[derive(Clone, Copy, Debug)]
pub enum Scheme {
    Dark = 0,
    Light = 1,
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn find(var: &str, names: &[&str]) -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(var).map(PathBuf::from) {
        return Ok(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!(
                "{} not found: install Debian's chromium and chromium-driver (cargo xtask test does) or set {var}",
                names[0]
            )
        })
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Browser {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_in(Scheme::Light).await
    }

    /// A browser whose pages see `prefers-color-scheme` as `scheme`.
    pub async fn start_in(scheme: Scheme) -> anyhow::Result<Self> {
        let chromium = find("CHROME", &["chromium", "chromium-browser", "google-chrome"])?;
        let chromedriver = find("CHROMEDRIVER", &["chromedriver"])?;
        let port = free_port()?;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", chromedriver.display()))?;
        let profile = tempfile::tempdir()?;
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1280,900",
                    // Headless reports no pointer at all; behave like a desktop with a mouse.
                    format!(
                        "--blink-settings=primaryPointerType=4,availablePointerTypes=4,\
                         primaryHoverType=2,availableHoverTypes=2,preferredColorScheme={}",
                        scheme as u8
                    ),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let caps = caps.as_object().cloned().unwrap_or_default();
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(_) if started.elapsed() < WAIT => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => return Err(anyhow!("chromedriver did not start a session: {e}")),
            }
        };
        Ok(Self {
            client,
            driver,
            _profile: profile,
        })
    }

    /// The widget's shadow root, once the loader has made it.
    pub async fn widget_of(client: &Client) -> anyhow::Result<ShadowRoot> {
        let host = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("sori-widget"))
            .await
            .context("the <sori-widget> element never appeared")?;
        Ok(host.shadow_root().await?)
    }

    /// Runs `test` and, if it fails, saves a screenshot to `artifacts/NAME.png`
    /// before failing with the test's error.
    pub async fn run<T, F, Fut>(self, artifacts: &Path, name: &str, test: F) -> T
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = anyhow::Result<T>>,
    {
        crate::report::record("browser", name);
        let outcome = test(self.client.clone()).await;
        let value = match outcome {
            Ok(value) => value,
            Err(e) => {
                let shot = artifacts.join(format!("{name}.png"));
                let saved = match self.client.screenshot().await {
                    Ok(png) => std::fs::create_dir_all(artifacts)
                        .and_then(|_| std::fs::write(&shot, png))
                        .map(|_| format!("screenshot: {}", shot.display()))
                        .unwrap_or_else(|e| format!("screenshot not saved: {e}")),
                    Err(e) => format!("screenshot not taken: {e}"),
                };
                let _ = self.client.clone().close().await;
                panic!("{name} failed: {e:#}\n{saved}");
            }
        };
        let _ = self.client.clone().close().await;
        value
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The demo page of `app` plus `query`, opened on `localhost` while the
/// widget comes from `127.0.0.1`: a cross-origin embed, as on a customer's
/// site.
fn demo_page(app: &TestApp, query: &str) -> String {
    format!("http://localhost:{}/demo/{query}", app.port)
}

/// Opens `page` and returns the widget's shadow root once it is there.
pub async fn open_page(client: &Client, page: &str) -> anyhow::Result<ShadowRoot> {
    client.goto(page).await?;
    Browser::widget_of(client).await
}

/// The name of the test running on this thread: libtest and nextest run
/// each test on a thread named after its path, so no test has to spell its
/// own name. A thread named otherwise (`main`, a tokio worker) cannot tell;
/// the process id then stands in, which nextest's process per test keeps
/// apart.
fn current_test() -> String {
    let path_like = |n: &&str| {
        *n != "main"
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    std::thread::current()
        .name()
        .filter(path_like)
        .and_then(|n| n.rsplit("::").next())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("browser-test-{}", std::process::id()))
}

/// Where screenshots go: cargo's `CARGO_TARGET_TMPDIR` (`target/tmp`), found
/// from the test binary (`target/debug/deps/browser-…`), as the variable is
/// only set when compiling the test files, not this library. Searched a few
/// levels up, so a `--target` build (one level deeper) finds it too; else
/// the system's temporary folder.
pub fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .skip(2)
        .take(3)
        .map(|dir| dir.join("tmp"))
        .find(|tmp| tmp.is_dir())
        .unwrap_or_else(std::env::temp_dir)
        .join("browser-artifacts")
}

/// A browser test on the demo site: its own collector (`app`, to set up
/// before the browser starts), a browser, and the page, then the collector
/// handed back for checks on what was stored. Named after the test, for the
/// screenshot of a failure and `cargo xtask test`'s tally.
pub struct DemoTest {
    pub app: TestApp,
    name: String,
    query: String,
    scheme: Scheme,
}

impl DemoTest {
    /// Starts the demo collector. Must be awaited on the test's own thread
    /// (directly in the test function, not in a spawned task), where the
    /// test's name is read.
    pub async fn new() -> Self {
        Self::with_history(0).await
    }

    /// [`Self::new`], with `days` days of the demo's made-up responses.
    pub async fn with_history(days: u32) -> Self {
        let name = current_test();
        let app = TestApp::spawn_with(Options {
            demo: true,
            demo_history_days: days,
            ..Options::default()
        })
        .await;
        Self {
            app,
            name,
            query: String::new(),
            scheme: Scheme::Light,
        }
    }

    /// Opens the demo page with `query` (`?lang=ko`, say) after its path.
    pub fn query(mut self, query: &str) -> Self {
        self.query = query.to_owned();
        self
    }

    /// The colour scheme the browser says the visitor prefers.
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// Adds `variant` to the test's name, for a test that runs the same
    /// steps more than once: each run keeps its own screenshot.
    pub fn variant(mut self, variant: &str) -> Self {
        self.name = format!("{}_{variant}", self.name);
        self
    }

    /// Opens the page and runs `test` with the browser and the widget's
    /// shadow root.
    pub async fn open<F, Fut>(self, test: F) -> TestApp
    where
        F: FnOnce(Client, ShadowRoot) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        self.open_with_app(|app, client, widget| async move {
            test(client, widget).await?;
            Ok(app)
        })
        .await
    }

    /// Like [`Self::open`], with the collector handed to `test`, which hands
    /// back the one to check afterwards (itself, or one it restarted).
    pub async fn open_with_app<F, Fut>(self, test: F) -> TestApp
    where
        F: FnOnce(TestApp, Client, ShadowRoot) -> Fut,
        Fut: Future<Output = anyhow::Result<TestApp>>,
    {
        let page = demo_page(&self.app, &self.query);
        let browser = Browser::start_in(self.scheme)
            .await
            .expect("headless Chromium starts");
        let app = self.app;
        browser
            .run(&artifacts_dir(), &self.name, |client| async move {
                let widget = open_page(&client, &page).await?;
                test(app, client, widget).await
            })
            .await
    }

    /// Runs `test` with the browser on a blank tab and the page's URL, for a
    /// test that prepares the browser before the page loads or opens more
    /// than one URL.
    pub async fn browse<F, Fut>(self, test: F) -> TestApp
    where
        F: FnOnce(Client, String) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let page = demo_page(&self.app, &self.query);
        let browser = Browser::start_in(self.scheme)
            .await
            .expect("headless Chromium starts");
        browser
            .run(&artifacts_dir(), &self.name, |client| test(client, page))
            .await;
        self.app
    }
}

/// The common case of [`DemoTest`]: nothing to set up, the plain demo page.
pub async fn on_demo_page<F, Fut>(test: F) -> TestApp
where
    F: FnOnce(Client, ShadowRoot) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    DemoTest::new().await.open(test).await
}

/// Polls `check` until it holds. For what the widget does a moment after
/// the step that caused it (a re-render, focus moved on the next frame, a
/// retry): a fixed pause would be too short on a slow machine and wasted
/// on a fast one. An error from `check` ends the wait at once.
pub async fn wait_until(
    what: &str,
    check: impl AsyncFnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    wait_until_within(WAIT, what, check).await
}

/// [`wait_until`] with its own time limit, for what is known to take long.
pub async fn wait_until_within(
    limit: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if check().await? {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < limit,
            "waited {limit:?} for {what}, in vain"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Clicks the first element matching `css` in the widget.
pub async fn click(root: &ShadowRoot, css: &str) -> anyhow::Result<()> {
    // Waits: the panel comes with the UI module, fetched on first open.
    wait_in(root, css).await?.click().await?;
    Ok(())
}

/// Polls until the first element matching `css` shows exactly `text`: a
/// re-render after a change (a new locale, say) may land a moment later.
pub async fn wait_text(root: &ShadowRoot, css: &str, text: &str) -> anyhow::Result<Element> {
    let started = Instant::now();
    loop {
        let el = wait_in(root, css).await?;
        let shown = el.text().await.unwrap_or_default();
        if shown == text {
            return Ok(el);
        }
        if started.elapsed() > WAIT {
            return Err(anyhow!("'{css}' shows '{shown}', not '{text}'"));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `find` inside a shadow root until it finds `css`.
pub async fn wait_in(root: &ShadowRoot, css: &str) -> anyhow::Result<Element> {
    let started = Instant::now();
    loop {
        match root.find(Locator::Css(css)).await {
            Ok(el) => return Ok(el),
            Err(_) if started.elapsed() < WAIT => tokio::time::sleep(POLL).await,
            Err(e) => return Err(anyhow!("'{css}' never appeared in the widget: {e}")),
        }
    }
}

/// axe-core's browser bundle: `$SORI_AXE` (set by `cargo xtask test`), or
/// where xtask installs it.
fn axe_source() -> anyhow::Result<String> {
    let path = std::env::var_os("SORI_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("target/tools/axe/node_modules/axe-core/axe.min.js"));
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "axe-core is not at {}: run `cargo xtask test`, which installs it",
            path.display()
        )
    })
}

/// What axe-core finds wrong with the widget as it is on screen (its open
/// shadow root included): one line per violated rule, with the elements at
/// fault. Empty is a pass. The page's own markup is not the widget's to fix.
pub async fn axe_violations(client: &Client) -> anyhow::Result<Vec<String>> {
    // Judge what a visitor sees once the widget is still: colours halfway
    // through a fade are not the ones it settles on.
    settle(client).await?;
    axe_run(client, "document.querySelector('sori-widget')").await
}

/// What axe-core finds wrong with the whole page: for pages that are ours
/// end to end, such as the dashboard.
pub async fn axe_page_violations(client: &Client) -> anyhow::Result<Vec<String>> {
    axe_run(client, "document").await
}

/// Fails with axe-core's findings on the whole page in `state`.
pub async fn assert_page_accessible(client: &Client, state: &str) -> anyhow::Result<()> {
    none_found(axe_page_violations(client).await?, state)
}

fn none_found(violations: Vec<String>, state: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        violations.is_empty(),
        "axe-core found {} problem(s) with {state}:\n{}",
        violations.len(),
        violations.join("\n")
    );
    Ok(())
}

/// Runs axe-core on what the expression `target` names.
async fn axe_run(client: &Client, target: &str) -> anyhow::Result<Vec<String>> {
    let loaded = client.execute("return !!window.axe;", vec![]).await?;
    if loaded != serde_json::Value::Bool(true) {
        // Run as the driver's own script: the page's CSP forbids eval.
        client
            .execute(&format!("{}\nreturn true;", axe_source()?), vec![])
            .await?;
    }
    let script = "const done = arguments[arguments.length - 1];
             axe.run(TARGET, {resultTypes: ['violations']})
               .then(r => done(r.violations.map(v =>
                 v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                 v.nodes.map(n => JSON.stringify(n.target) + ' ' +
                   (n.failureSummary || '').split('\\n').join(' ')).join('; '))))
               .catch(e => done(['axe failed: ' + e]));"
        .replace("TARGET", target);
    let found = client.execute_async(&script, vec![]).await?;
    Ok(serde_json::from_value(found)?)
}

/// Waits until the widget's transitions and animations have finished.
pub async fn settle(client: &Client) -> anyhow::Result<()> {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const root = document.querySelector('sori-widget').shadowRoot;
             Promise.all(root.getAnimations().map(a => a.finished.catch(() => null)))
               .then(() => done(true));",
            vec![],
        )
        .await?;
    Ok(())
}

/// Fails with axe-core's findings when the widget in `state` has any.
pub async fn assert_accessible(client: &Client, state: &str) -> anyhow::Result<()> {
    none_found(axe_violations(client).await?, state)
}

/// A Chrome DevTools Protocol call through chromedriver's
/// `goog/cdp/execute`, for what WebDriver cannot do (a phone's viewport,
/// pinch zoom).
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Runs DevTools method `method` with `params` in the page under test.
pub async fn cdp(
    client: &Client,
    method: &'static str,
    params: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    Ok(client.issue_cmd(Cdp { method, params }).await?)
}
