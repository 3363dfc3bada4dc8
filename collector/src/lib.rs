//! The Sori collector: serves the widget and its config, ingests responses,
//! and summarises satisfaction scores.
//!
//! # Layout
//!
//! - [`config`]: the one config struct (flags and `SORI_*` environment).
//! - [`serve`]: the accept loop: timeouts, the connection cap, draining.
//! - [`routes`]: one file per resource; HTTP in, HTTP out.
//! - [`store`]: persistence behind the [`store::Store`] trait; the only SQL.
//! - [`ingest`]: the batching writer every response goes through.
//! - [`stats`]: pure scoring: counts in, scores with intervals out.
//! - [`assets`]: the built widget held in memory with its compressed copies.
//! - [`demo`]: the demo page and its seed data.
//! - [`faq`]: help articles: rendering, sanitizing, search.
//! - [`error`]: the one error type handlers return.
//! - [`accounts`]: passwords, sessions and API tokens.
//! - [`events`]: news of stored responses, for live pages.
//!
//! [`Application::build`] binds the listener and exposes its port, so tests
//! run the real server on port 0.

pub mod accounts;
pub mod assets;
pub mod catalog;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod faq;
pub mod ingest;
pub mod migrate;
pub mod ratelimit;
pub mod routes;
pub mod serve;
pub mod stats;
pub mod store;
pub mod telemetry;

use anyhow::Context;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::Config;

/// Everything handlers share, behind one pointer: axum clones the state
/// for every layer and extractor of every request, and one reference count
/// is cheaper than one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] points to.
pub struct Shared {
    pub store: Arc<dyn store::Store>,
    /// Sites, survey versions and configs for public requests, in memory.
    pub catalog: Arc<catalog::Catalog>,
    pub ingest: ingest::Ingest,
    pub assets: Arc<assets::Assets>,
    pub demo: Option<Arc<demo::Demo>>,
    pub admin_token: Option<Arc<config::Secret>>,
    pub rate_limit: Arc<ratelimit::RateLimiter>,
    pub max_body_bytes: usize,
    pub behind_proxy: bool,
    pub faq: Arc<faq::Indexes>,
    /// From a request's headers to its answer, body included.
    pub request_timeout: std::time::Duration,
    /// The origins this collector itself is reached at: a request signed in
    /// by cookie that changes anything must come from one of them.
    pub own_origins: Arc<Vec<String>>,
    /// Session cookies carry `Secure` when the public URL is https.
    pub secure_cookies: bool,
    pub login_throttle: Arc<accounts::LoginThrottle>,
    /// Password checks running at once: each takes ~19 MiB by design, so a
    /// flood of sign-ins waits its turn instead of exhausting memory.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Announces stored responses to live pages.
    pub events: events::Events,
    /// Whether `/metrics` is served, so requests are worth counting.
    pub metrics: bool,
}

/// A collector bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    writer: JoinHandle<()>,
    /// Serves `/metrics` when `--metrics-listen` is given.
    metrics: Option<(JoinHandle<()>, u16)>,
    port: u16,
    public_url: String,
    limits: serve::ServeLimits,
}

impl Application {
    /// Checks the config, opens (and migrates) the store, binds the listener
    /// and starts the response writer; serving starts with [`Application::run_until`].
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        config.check().map_err(anyhow::Error::msg)?;
        let store = store::connect(&config.database_url)
            .await
            .with_context(|| format!("opening {}", store::redact_url(&config.database_url)))?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let port = listener.local_addr()?.port();
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{port}"))
            .trim_end_matches('/')
            .to_owned();
        let assets = match &config.assets_dir {
            Some(dir) => assets::Assets::load(dir)?,
            None => {
                tracing::warn!("no --assets-dir: /widget.js will answer 404");
                assets::Assets::default()
            }
        };
        let demo = match &config.demo_dir {
            Some(dir) => {
                let mut demo = demo::Demo::load(dir, &public_url)?;
                let site = demo::seed_if_empty(
                    store.as_ref(),
                    dir,
                    config.demo_history_days,
                    // The demo user's password is public: only for a
                    // collector nobody else can reach.
                    config.listen.ip().is_loopback() && config.public_url.is_none(),
                )
                .await?;
                demo.allow_own(
                    site,
                    vec![
                        format!("http://127.0.0.1:{port}"),
                        format!("http://localhost:{port}"),
                        origin_of(&public_url),
                    ],
                );
                Some(Arc::new(demo))
            }
            None => None,
        };
        let (ingest, writer) = ingest::Ingest::start(store.clone());
        let catalog = catalog::Catalog::start(store.clone());
        let state = AppState(Arc::new(Shared {
            store,
            catalog,
            ingest,
            assets: Arc::new(assets),
            demo,
            admin_token: config.admin_token.clone().map(Arc::new),
            rate_limit: Arc::new(ratelimit::RateLimiter::new(ratelimit::Limits {
                per_ip_per_minute: config.rate_limit_per_minute,
                per_ip_burst: config.rate_limit_burst,
                per_site_per_minute: config.site_rate_limit_per_minute,
            })),
            max_body_bytes: config.max_body_bytes,
            behind_proxy: config.behind_proxy,
            faq: Arc::new(faq::Indexes::default()),
            request_timeout: Duration::from_secs(config.request_timeout_secs),
            own_origins: Arc::new(own_origins(&public_url, port, config.public_url.is_none())),
            secure_cookies: public_url.starts_with("https://"),
            login_throttle: Arc::new(accounts::LoginThrottle::default()),
            password_checks: Arc::new(tokio::sync::Semaphore::new(accounts::PASSWORD_CHECKS)),
            events: events::Events::default(),
            metrics: config.metrics_listen.is_some(),
        }));
        let limits = serve::ServeLimits {
            header_timeout: Duration::from_secs(config.header_timeout_secs),
            max_connections: config.max_connections,
            shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
        };
        let metrics = match config.metrics_listen {
            Some(address) => {
                telemetry::handle();
                let listener = TcpListener::bind(address)
                    .await
                    .with_context(|| format!("binding the metrics address {address}"))?;
                let port = listener.local_addr()?.port();
                Some((tokio::spawn(telemetry::serve(listener)), port))
            }
            None => None,
        };
        Ok(Self {
            listener,
            router: routes::router(state),
            writer,
            metrics,
            port,
            public_url,
            limits,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on, with `--metrics-listen`.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    /// The URL the widget and demo page use to reach this collector.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Serves until `shutdown` resolves, then gives in-flight requests the
    /// grace period, closes what is left, and waits for the writer to commit
    /// everything it was handed.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        serve::serve(self.listener, self.router, self.limits, shutdown).await;
        if let Some((metrics, _)) = &self.metrics {
            metrics.abort();
        }
        // Every connection, and with it every handle on the writer, is gone:
        // the writer drains its queue and stops.
        self.writer.await.context("the response writer crashed")?;
        Ok(())
    }
}

/// The public URL's origin; without a configured one, the collector is
/// reached on this machine as `127.0.0.1` or `localhost`.
fn own_origins(public_url: &str, port: u16, defaulted: bool) -> Vec<String> {
    let mut origins = vec![origin_of(public_url)];
    if defaulted {
        origins.push(format!("http://localhost:{port}"));
    }
    origins
}

/// `scheme://host[:port]` of a URL: what browsers send as `Origin`.
fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_origin_of_a_url_drops_its_path() {
        assert_eq!(
            super::origin_of("https://fb.example.com/sori/"),
            "https://fb.example.com"
        );
        assert_eq!(
            super::origin_of("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
    }
}
