//! Demo mode: the product page in `demo/`, served at `/demo/`, and the site
//! and surveys from `demo/seed.json`, written into an empty database.

pub mod history;

use crate::store::{Site, Store, SurveyStatus};
use anyhow::Context;
use serde::Deserialize;
use sori_protocol::{Slug, SurveyDefinition};
use std::collections::HashMap;
use std::path::Path;

/// What `seed.json` holds.
#[derive(Debug, Deserialize)]
struct Seed {
    site: Site,
    surveys: Vec<SurveyDefinition>,
}

/// A demo file ready to serve.
#[derive(Debug)]
pub struct DemoFile {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// The demo page and its static files, held in memory.
#[derive(Debug)]
pub struct Demo {
    files: HashMap<String, DemoFile>,
    /// The policy the demo page is served under: the strict one README documents.
    pub csp: String,
    /// The demo site, and the collector's own addresses it is allowed from
    /// on top of its stored origins. They are never written to the site,
    /// so a `PUT` of the site (from `demo/seed.json`, say) cannot remove them.
    own: Option<(Slug, Vec<String>)>,
}

impl Demo {
    /// Reads the page files of `dir`, pointing the page's script tag at `collector_url`.
    pub fn load(dir: &Path, collector_url: &str) -> anyhow::Result<Self> {
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            let Some(content_type) = content_type(&name) else {
                continue;
            };
            let mut body =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            if name.ends_with(".html") {
                body = String::from_utf8(body)
                    .with_context(|| format!("{} is not UTF-8", path.display()))?
                    .replace("{{SORI_URL}}", collector_url)
                    .into_bytes();
            }
            files.insert(name, DemoFile { content_type, body });
        }
        anyhow::ensure!(
            files.contains_key("index.html"),
            "{} has no index.html",
            dir.display()
        );
        let origin = crate::origin_of(collector_url);
        let csp = format!(
            "default-src 'self'; script-src 'self' {origin} 'wasm-unsafe-eval'; \
             connect-src 'self' {origin}; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        Ok(Self {
            files,
            csp,
            own: None,
        })
    }

    pub fn file(&self, name: &str) -> Option<&DemoFile> {
        self.files.get(name)
    }
}

/// Only page assets are served; `seed.json` and anything unknown are not.
fn content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => return None,
    })
}

impl Demo {
    /// The demo site `site` is allowed from `origins` (the collector's own
    /// addresses), so the demo page works whatever port it runs on.
    pub fn allow_own(&mut self, site: Slug, origins: Vec<String>) {
        self.own = Some((site, origins));
    }

    /// Whether `origin` is one of the collector's own, for the demo site.
    pub fn allows(&self, site: &Slug, origin: &str) -> bool {
        self.own
            .as_ref()
            .is_some_and(|(key, origins)| key == site && origins.iter().any(|o| o == origin))
    }
}

/// The demo's CX manager, an admin of the demo site (not an owner of the
/// instance). Its password is written here and in README, so it is created
/// only for a collector that listens on this machine alone.
pub const DEMO_OWNER: (&str, &str) = ("cx@demo.sori", "sori-demo-password");

/// Writes the seed's site, surveys and help center, and `history_days` days
/// of made-up responses, when the database has no site yet; and, when
/// `local` (the collector is reachable from this machine only), the demo
/// user. Returns the demo site's key.
pub async fn seed_if_empty(
    store: &dyn Store,
    dir: &Path,
    history_days: u32,
    local: bool,
) -> anyhow::Result<Slug> {
    let path = dir.join("seed.json");
    let seed: Seed = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("parsing {}", path.display()))?;
    let fresh = store.site_count().await? == 0;
    if !fresh {
        return Ok(seed.site.key);
    }
    let site = seed.site;
    store.put_site(&site).await?;
    for survey in &seed.surveys {
        survey
            .check()
            .with_context(|| format!("survey '{}' in {}", survey.id, path.display()))?;
        store
            .put_survey(&site.key, survey, SurveyStatus::Active)
            .await?;
    }
    let faq_path = dir.join("faq.yaml");
    let yaml = std::fs::read_to_string(&faq_path)
        .with_context(|| format!("reading {}", faq_path.display()))?;
    let articles = crate::faq::import(store, &site.key, &yaml)
        .await
        .with_context(|| format!("importing {}", faq_path.display()))?;
    if local {
        let (email, password) = DEMO_OWNER;
        let user =
            tokio::task::spawn_blocking(move || crate::accounts::new_user(email, password, false))
                .await
                .context("hashing the demo user's password")??;
        store.create_user(&user).await?;
        let created = store
            .user_by_email(email)
            .await?
            .context("reading the demo user back")?;
        store
            .set_member(&site.key, &created.id, crate::store::Role::Admin)
            .await?;
    } else {
        tracing::warn!("not creating the demo user: the collector listens beyond this machine");
    }
    let history = history::write(store, &site.key, &seed.surveys, history_days, 2026).await?;
    history::write_help(store, &site.key, history.responses, 2027).await?;
    anyhow::ensure!(
        history.refused == 0,
        "{} made-up demo responses did not validate",
        history.refused
    );
    tracing::info!(
        site = %site.key,
        surveys = seed.surveys.len(),
        articles,
        responses = history.responses,
        "seeded the demo site"
    );
    Ok(site.key)
}
