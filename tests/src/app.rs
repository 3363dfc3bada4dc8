//! A real collector per test: its own temporary folder and SQLite file (or
//! PostgreSQL schema), bound to port 0, seeded with one site and survey,
//! stopped when dropped.

use sori_collector::config::Secret;
use sori_collector::store::{self, Site, SurveyStatus};
use sori_collector::{Application, Config};
use sori_protocol::{Locale, ResponseId, Slug, SurveyDefinition};
use std::path::PathBuf;
use tokio::sync::oneshot;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
pub const SITE: &str = "acme";
pub const ORIGIN: &str = "https://app.acme.test";

pub struct TestApp {
    pub url: String,
    pub port: u16,
    /// The database this app runs on.
    pub database_url: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// `/metrics`, when the app was asked to serve it.
    pub metrics_url: Option<String>,
    /// The PostgreSQL schema this app made for itself, dropped with it.
    schema: Option<crate::postgres::Schema>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// What a test wants beyond the defaults.
#[derive(Default)]
pub struct Options {
    pub demo: bool,
    /// With `demo`: days of made-up responses to seed.
    pub demo_history_days: u32,
    pub max_body_bytes: Option<usize>,
    pub rate_limit_per_minute: Option<u32>,
    /// Restart on the data and port of a stopped app (see [`TestApp::stop_keeping_data`]).
    pub restart: Option<(tempfile::TempDir, u16)>,
    /// Another database than a fresh SQLite file, e.g. a PostgreSQL schema.
    pub database_url: Option<String>,
    /// A fresh PostgreSQL schema of the app's own instead of a SQLite file.
    pub backend: Backend,
    /// Serve `/metrics` on a port of its own.
    pub metrics: bool,
    /// Server limits, when a test wants them small: (header timeout s,
    /// request timeout s, max connections).
    pub serve_limits: Option<(u64, u64, usize)>,
}

pub fn checkout_survey() -> SurveyDefinition {
    serde_json::from_value(serde_json::json!({
        "id": "checkout", "name": "Checkout CSAT", "title": {"en": "Quick question", "ko": "잠깐만요"},
        "questions": [
            {"id": "csat", "kind": "csat", "required": true, "prompt": {"en": "How satisfied are you?"}},
            {"id": "comment", "kind": "text", "max_length": 200, "prompt": {"en": "Why?"}}
        ]
    }))
    .expect("the test survey is valid")
}

/// The built widget: `$SORI_ASSETS_DIR` (set by `cargo xtask test`) or target/widget-dist.
pub fn assets_dir() -> PathBuf {
    std::env::var_os("SORI_ASSETS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("target/widget-dist"))
}

pub fn demo_dir() -> PathBuf {
    std::env::var_os("SORI_DEMO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("demo"))
}

/// Which database a test's collector runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    #[default]
    Sqlite,
    Postgres,
}

/// Runs each `async fn(Backend)` named, as a test on SQLite (in module
/// `sqlite`) and on PostgreSQL (in module `postgres`).
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::app::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::app::Backend::Postgres).await;
                }
            )*
        }
    };
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let restart_port = options.restart.as_ref().map(|(_, port)| *port);
        let restarting = options.restart.is_some();
        let dir = match options.restart {
            Some((dir, _)) => dir,
            None => tempfile::tempdir().expect("a temporary folder"),
        };
        let schema = match options.backend {
            Backend::Postgres if options.database_url.is_none() => {
                Some(crate::postgres::Schema::create().await)
            }
            _ => None,
        };
        let db = options
            .database_url
            .clone()
            .or_else(|| schema.as_ref().map(crate::postgres::Schema::url))
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("sori.db").display()));
        // Demo mode seeds its own site into an empty database.
        if !options.demo && !restarting {
            seed_acme(&db).await;
        }

        let mut config = Config::for_database(db.clone());
        if let Some(port) = restart_port {
            config.listen.set_port(port);
        }
        config.admin_token = Some(ADMIN_TOKEN.parse::<Secret>().unwrap());
        if let Some(limit) = options.max_body_bytes {
            config.max_body_bytes = limit;
        }
        config.rate_limit_per_minute = options.rate_limit_per_minute.unwrap_or(0);
        config.site_rate_limit_per_minute = 0;
        if let Some((header, request, connections)) = options.serve_limits {
            config.header_timeout_secs = header;
            config.request_timeout_secs = request;
            config.max_connections = connections;
        }
        let assets = assets_dir();
        if assets.join("manifest.json").exists() {
            config.assets_dir = Some(assets);
        } else if options.demo {
            panic!(
                "the widget is not built at {}: run `cargo xtask build` (or `cargo xtask test`)",
                assets.display()
            );
        }
        if options.metrics {
            config.metrics_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        }
        if options.demo {
            config.demo_dir = Some(demo_dir());
            config.demo_history_days = options.demo_history_days;
        }
        let app = Application::build(config)
            .await
            .expect("the collector starts");
        let port = app.port();
        let url = app.public_url().to_owned();
        let metrics_url = app
            .metrics_port()
            .map(|p| format!("http://127.0.0.1:{p}/metrics"));
        let (stop, stopped) = oneshot::channel();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Self {
            url,
            port,
            database_url: db,
            http: reqwest::Client::new(),
            dir,
            metrics_url,
            schema,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Stops the server, waiting for in-flight writes to commit.
    pub async fn stop(mut self) {
        self.shut_down().await;
    }

    /// Stops the server but keeps its folder, to restart with `Options::restart`.
    pub async fn stop_keeping_data(mut self) -> (tempfile::TempDir, u16) {
        self.shut_down().await;
        let dir = std::mem::replace(
            &mut self.dir,
            tempfile::tempdir().expect("a temporary folder"),
        );
        (dir, self.port)
    }

    async fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server shut down cleanly");
        }
    }

    pub async fn post_response(&self, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/sites/{SITE}/responses", self.url))
            .header("origin", ORIGIN)
            .json(body)
            .send()
            .await
            .expect("the request is sent")
    }

    /// A public `GET /v1/sites/acme/{path_and_query}` from the site's origin.
    pub async fn get_public(&self, path_and_query: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/v1/sites/{SITE}/{path_and_query}", self.url))
            .header("origin", ORIGIN)
            .send()
            .await
            .expect("the request is sent")
    }

    /// [`TestApp::get_public`], read as JSON.
    pub async fn public_json(&self, path_and_query: &str) -> serde_json::Value {
        self.get_public(path_and_query)
            .await
            .json()
            .await
            .expect("the answer is JSON")
    }

    pub async fn summary(&self, site: &str) -> serde_json::Value {
        let r = self
            .http
            .get(format!("{}/v1/admin/sites/{site}/summary", self.url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("the request is sent");
        assert_eq!(r.status(), 200, "summary failed");
        r.json().await.expect("summary is JSON")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Dropped on a thread of its own: a test's runtime may be the only
        // one, and it is busy dropping us.
        if let Some(schema) = self.schema.take() {
            let dropped = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime to drop the schema")
                    .block_on(schema.drop());
            });
            let _ = dropped.join();
        }
    }
}

/// The `acme` site (allowing [`ORIGIN`]) and its active `checkout` survey.
pub async fn seed_acme(db: &str) {
    let seed = store::connect(db).await.expect("open the test database");
    let site = Slug::parse(SITE).unwrap();
    seed.put_site(&Site {
        key: site.clone(),
        name: "Acme".into(),
        allowed_origins: vec![ORIGIN.into()],
        default_locale: Locale::En,
        time_zone: "Asia/Seoul".into(),
        fatigue: Default::default(),
    })
    .await
    .expect("seed the site");
    seed.put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .expect("seed the survey");
}

/// A fresh response id, as the widget makes one.
pub fn new_id() -> ResponseId {
    let millis = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    ResponseId::from_parts(
        millis as u64,
        *uuid::Uuid::new_v4().as_bytes().first_chunk().unwrap(),
    )
}

/// A finished response to `survey` with one CSAT answer, `csat`, as the
/// store takes it, for tests that write straight to the store.
pub fn csat_response(survey: &str, version: u32, score: u8) -> sori_protocol::ValidResponse {
    use sori_protocol::{AnswerValue, DeviceClass, Locale, Scale, Slug, ValidAnswer};
    sori_protocol::ValidResponse {
        id: new_id(),
        survey: Slug::parse(survey).expect("a survey id"),
        survey_version: version,
        finished: true,
        locale: Locale::En,
        page_path: "/".into(),
        device: DeviceClass::Desktop,
        respondent: None,
        seq: 0,
        user_id: None,
        attributes: Default::default(),
        faq_article: None,
        faq_query: None,
        answers: vec![ValidAnswer {
            question: Slug::parse("csat").expect("a question id"),
            value: AnswerValue::Number(i64::from(score)),
            other: None,
            score: Some((Scale::Csat, score)),
        }],
    }
}

/// A valid response body to the checkout survey.
pub fn csat_body(id: ResponseId, score: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "survey": "checkout", "survey_version": 1, "locale": "en",
        "page_path": "/checkout", "device": "desktop",
        "answers": [{"question": "csat", "value": score}]
    })
}

impl TestApp {
    /// Creates `survey` on `site` through the admin API and activates it;
    /// returns the stored survey as the activate call answered.
    pub async fn add_live_survey(
        &self,
        site: &str,
        survey: serde_json::Value,
    ) -> serde_json::Value {
        let path = format!("/v1/admin/sites/{site}/surveys");
        let created = self
            .admin(reqwest::Method::POST, &path, Some(survey.clone()))
            .await;
        assert_eq!(created.status(), 201, "creating the survey");
        let id = survey["id"].as_str().expect("the survey has an id");
        let active = self
            .admin(
                reqwest::Method::POST,
                &format!("{path}/{id}/activate"),
                None,
            )
            .await;
        assert_eq!(active.status(), 200, "activating the survey");
        active.json().await.expect("the survey as JSON")
    }

    /// Sends an admin request with the admin token.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the request is sent")
    }
}

impl TestApp {
    /// Asserts the score rollup equals what the stored responses add up to,
    /// as `sori-collector check` does; call it after every fault test.
    pub async fn assert_rollup_matches_rows(&self) {
        let store = store::connect(&self.database_url)
            .await
            .expect("open the app's database");
        let report = store.check_rollup(false).await.expect("check the rollup");
        assert!(report.is_clean(), "the rollup drifted: {:?}", report.drift);
    }

    /// Every stored response to `survey` of `site`, oldest first, read from
    /// the app's database: what a browser test answered, read back.
    pub async fn stored_for(&self, site: &str, survey: &str) -> Vec<store::StoredResponse> {
        let sql =
            "SELECT id FROM responses WHERE site_key = $1 AND survey_id = $2 ORDER BY received_at";
        let ids: Vec<String> = if self.database_url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
            sqlx::query_scalar(sql)
                .bind(site)
                .bind(survey)
                .fetch_all(&pool)
                .await
                .unwrap()
        } else {
            let pool = store::connect_raw_postgres(&self.database_url)
                .await
                .unwrap();
            sqlx::query_scalar(sql)
                .bind(site)
                .bind(survey)
                .fetch_all(&pool)
                .await
                .unwrap()
        };
        let mut stored = Vec::with_capacity(ids.len());
        for id in ids {
            let id = ResponseId::parse(&id).unwrap();
            stored.push(self.stored(id).await.expect("listed, so stored"));
        }
        stored
    }

    /// The stored response with this id, read from the app's database.
    pub async fn stored(&self, id: ResponseId) -> Option<store::StoredResponse> {
        let store = store::connect(&self.database_url)
            .await
            .expect("open the app's database");
        store.response(id).await.expect("read the response")
    }
}

/// The rollup's non-zero counts for one survey as `(scale, value, count)`,
/// read straight from the app's SQLite file.
pub async fn score_counts(app: &TestApp, site: &str, survey: &str) -> Vec<(String, u8, u64)> {
    let url = format!("sqlite://{}", app.dir.path().join("sori.db").display());
    let store = store::connect(&url).await.expect("open the app's database");
    let site = Slug::parse(site).unwrap();
    let survey = Slug::parse(survey).unwrap();
    let mut counts: Vec<_> = store
        .score_counts(&site, Some(&survey))
        .await
        .expect("read the rollup")
        .into_iter()
        .filter(|c| c.count > 0)
        .map(|c| (c.scale.name(), c.value, c.count))
        .collect();
    counts.sort();
    counts
}
