//! What every public request reads and hardly ever changes: sites, survey
//! versions and each site's config as the widget gets it, kept in memory.
//!
//! The store moves one number, the catalog version, in the transaction of
//! any change to a site, a survey or an article. Each collector polls it
//! every [`POLL`] and drops everything it keeps when it moved, so an edit
//! made through one collector is seen by all of them within a second. If
//! polling stalls (the database is unreachable), nothing older than
//! [`STALE`] is served from memory: requests read the store as before.
//!
//! Only what was found is kept; a miss (an unknown site, a survey version
//! not stored yet) is asked of the store again next time.

use crate::store::{Site, Store, StoreError, StoredSurvey};
use sori_protocol::Slug;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// How often a collector reads the catalog version.
pub const POLL: Duration = Duration::from_millis(250);

/// How long what is kept may go unchecked before it is not trusted.
pub const STALE: Duration = Duration::from_secs(1);

/// The most entries of each kind kept; past it, all of that kind are
/// dropped and read again (sites and surveys are few; this bounds memory
/// against requests naming many survey versions).
const MAX_ENTRIES: usize = 10_000;

/// A site's config as served: its JSON, compressed once, and the tag that
/// names it, bare and as its `ETag` header.
#[derive(Clone, Debug)]
pub struct RenderedConfig {
    pub json: crate::assets::Encoded,
    pub etag: String,
    pub etag_header: axum::http::HeaderValue,
}

#[derive(Default)]
struct Kept {
    /// The catalog version all of this was read at, and when that was checked.
    version: Option<u64>,
    checked: Option<Instant>,
    sites: HashMap<Slug, Arc<Site>>,
    surveys: HashMap<(Slug, Slug, u32), StoredSurvey>,
    configs: HashMap<Slug, RenderedConfig>,
}

impl Kept {
    fn fresh(&self) -> bool {
        self.checked.is_some_and(|at| at.elapsed() < STALE)
    }
}

/// Sites, survey versions and configs in memory; see the module's notes.
pub struct Catalog {
    store: Arc<dyn Store>,
    kept: Mutex<Kept>,
    /// Held while a config is rendered, so that the many page views that
    /// miss at once after a change wait for one rendering (and one
    /// compression) instead of each doing its own.
    rendering: tokio::sync::Mutex<()>,
}

impl Catalog {
    /// A catalog over `store`, polled by a task that ends when the catalog
    /// is dropped.
    pub fn start(store: Arc<dyn Store>) -> Arc<Self> {
        let catalog = Arc::new(Self {
            store,
            kept: Mutex::new(Kept::default()),
            rendering: tokio::sync::Mutex::new(()),
        });
        tokio::spawn(poll(Arc::downgrade(&catalog)));
        catalog
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        // A panic while holding the lock leaves only a cache behind: keep going.
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the catalog version; drops everything kept when it moved.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let version = self.store.catalog_version().await?;
        let mut kept = self.lock();
        if kept.version != Some(version) {
            *kept = Kept {
                version: Some(version),
                ..Kept::default()
            };
        }
        kept.checked = Some(Instant::now());
        Ok(())
    }

    /// Drops everything kept, as after a change made through this collector.
    pub fn forget(&self) {
        *self.lock() = Kept::default();
    }

    /// Keeps `value` under `key` in the map `pick` names, if what is kept
    /// is still of the version it was read at.
    fn keep<K, V>(
        &self,
        version: Option<u64>,
        pick: impl FnOnce(&mut Kept) -> &mut HashMap<K, V>,
        key: K,
        value: V,
    ) where
        K: std::hash::Hash + Eq,
    {
        let mut kept = self.lock();
        if version.is_none() || kept.version != version || !kept.fresh() {
            return;
        }
        let map = pick(&mut kept);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, value);
    }

    /// What is kept under `key` while fresh, with the version it is of.
    fn kept<K, V: Clone>(
        &self,
        pick: impl FnOnce(&Kept) -> &HashMap<K, V>,
        key: &K,
    ) -> (Option<V>, Option<u64>)
    where
        K: std::hash::Hash + Eq,
    {
        let kept = self.lock();
        if !kept.fresh() {
            return (None, None);
        }
        (pick(&kept).get(key).cloned(), kept.version)
    }

    /// A site, shared: each request holds it for its whole life.
    pub async fn site(&self, key: &Slug) -> Result<Option<Arc<Site>>, StoreError> {
        let (hit, version) = self.kept(|k| &k.sites, key);
        if hit.is_some() {
            return Ok(hit);
        }
        let site = self.store.site(key).await?.map(Arc::new);
        if let Some(site) = &site {
            self.keep(version, |k| &mut k.sites, key.clone(), site.clone());
        }
        Ok(site)
    }

    pub async fn survey_version(
        &self,
        site: &Slug,
        survey: &Slug,
        number: u32,
    ) -> Result<Option<StoredSurvey>, StoreError> {
        let key = (site.clone(), survey.clone(), number);
        let (hit, version) = self.kept(|k| &k.surveys, &key);
        if hit.is_some() {
            return Ok(hit);
        }
        let stored = self.store.survey_version(site, survey, number).await?;
        if let Some(stored) = &stored {
            self.keep(version, |k| &mut k.surveys, key, stored.clone());
        }
        Ok(stored)
    }

    /// The site's config as kept, or as `render` makes it from the store.
    pub async fn config<F, Fut>(&self, site: &Site, render: F) -> Result<RenderedConfig, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RenderedConfig, StoreError>>,
    {
        if let (Some(config), _) = self.kept(|k| &k.configs, &site.key) {
            return Ok(config);
        }
        let _one_at_a_time = self.rendering.lock().await;
        // Another request may have rendered it while this one waited.
        let (hit, version) = self.kept(|k| &k.configs, &site.key);
        if let Some(config) = hit {
            return Ok(config);
        }
        let config = render().await?;
        self.keep(
            version,
            |k| &mut k.configs,
            site.key.clone(),
            config.clone(),
        );
        Ok(config)
    }
}

/// Refreshes the catalog every [`POLL`] while it lives. A failed read is
/// logged and tried again; meanwhile what is kept goes stale and is not used.
async fn poll(catalog: Weak<Catalog>) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(catalog) = catalog.upgrade() else {
            return;
        };
        if let Err(e) = catalog.refresh().await {
            tracing::warn!(error = %e, "could not read the catalog version");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// After a change, every page view misses at once; one renders and
    /// compresses the config, the others wait for it and read it.
    #[tokio::test]
    async fn many_misses_at_once_render_the_config_once() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("sori.db").display());
        let store = crate::store::connect(&url).await.expect("a store");
        let catalog = Catalog::start(store);
        catalog.refresh().await.expect("the catalog version reads");
        let site = Site {
            key: Slug::parse("acme").expect("a slug"),
            name: "Acme".into(),
            allowed_origins: vec![],
            default_locale: sori_protocol::Locale::En,
            time_zone: "UTC".into(),
            fatigue: Default::default(),
        };
        let renders = Arc::new(AtomicUsize::new(0));
        let asks = (0..32).map(|_| {
            let (catalog, site, renders) = (catalog.clone(), site.clone(), renders.clone());
            tokio::spawn(async move {
                catalog
                    .config(&site, || async move {
                        renders.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(RenderedConfig {
                            json: crate::assets::Encoded::compress("{}".into()),
                            etag: "tag".into(),
                            etag_header: axum::http::HeaderValue::from_static("W/\"tag\""),
                        })
                    })
                    .await
                    .expect("the config")
                    .etag
            })
        });
        for ask in asks.collect::<Vec<_>>() {
            assert_eq!(ask.await.expect("the request task"), "tag");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
    }
}
