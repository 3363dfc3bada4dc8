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
    pub async fn run<F, Fut>(self, artifacts: &Path, name: &str, test: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        crate::report::record("browser", name);
        let outcome = test(self.client.clone()).await;
        if let Err(e) = outcome {
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
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The demo page of `app`, opened on `localhost` while the widget comes from
/// `127.0.0.1`: a cross-origin embed, as on a customer's site.
pub fn demo_page(app: &TestApp) -> String {
    format!("http://localhost:{}/demo/", app.port)
}

/// Opens `page` and returns the widget's shadow root once it is there.
pub async fn open_page(client: &Client, page: &str) -> anyhow::Result<ShadowRoot> {
    client.goto(page).await?;
    Browser::widget_of(client).await
}

/// Starts a demo collector and a browser, opens the demo page, runs `test`
/// with the browser and the widget's shadow root, and hands back the
/// collector for checks on what was stored.
pub async fn on_demo_page<F, Fut>(artifacts: &Path, name: &str, test: F) -> TestApp
where
    F: FnOnce(Client, ShadowRoot) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let browser = Browser::start().await.expect("headless Chromium starts");
    let page = demo_page(&app);
    browser
        .run(artifacts, name, |client| async move {
            let widget = open_page(&client, &page).await?;
            test(client, widget).await
        })
        .await;
    app
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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `find` inside a shadow root until it finds `css`.
pub async fn wait_in(root: &ShadowRoot, css: &str) -> anyhow::Result<Element> {
    let started = Instant::now();
    loop {
        match root.find(Locator::Css(css)).await {
            Ok(el) => return Ok(el),
            Err(_) if started.elapsed() < WAIT => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
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
    let loaded = client.execute("return !!window.axe;", vec![]).await?;
    if loaded != serde_json::Value::Bool(true) {
        // Run as the driver's own script: the page's CSP forbids eval.
        client
            .execute(&format!("{}\nreturn true;", axe_source()?), vec![])
            .await?;
    }
    // Judge what a visitor sees once the widget is still: colours halfway
    // through a fade are not the ones it settles on.
    settle(client).await?;
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document.querySelector('sori-widget'), {resultTypes: ['violations']})
               .then(r => done(r.violations.map(v =>
                 v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                 v.nodes.map(n => JSON.stringify(n.target) + ' ' +
                   (n.failureSummary || '').split('\\n').join(' ')).join('; '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await?;
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
    let violations = axe_violations(client).await?;
    anyhow::ensure!(
        violations.is_empty(),
        "axe-core found {} problem(s) with {state}:\n{}",
        violations.len(),
        violations.join("\n")
    );
    Ok(())
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
