//! The admin API for the help center (admin token for now):
//!
//! - `GET /v1/admin/sites/{key}/faq`: every article in every locale;
//! - `PUT /v1/admin/sites/{key}/faq/{locale}/{article}`: create (201) or replace
//!   (200) an article; the Markdown is rendered and sanitized here;
//! - `DELETE /v1/admin/sites/{key}/faq/{locale}/{article}`: 204, or 404;
//! - `GET /v1/admin/sites/{key}/faq/insights` (also `…/faq/stats`):
//!   helpfulness, top articles, top unanswered queries and what readers said
//!   was missing, for the dashboard.

use crate::AppState;
use crate::error::AppError;
use crate::faq::{Article, ArticleInput};
use crate::routes::extract::{ApiJson, ArticleId, PathLocale, SiteManager, SiteReader};
use crate::routes::json;
use crate::stats::{Proportion, proportion};
use crate::store::{ArticleCounts, MissingReason, QueryCount};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Serialize;
use sori_protocol::{ErrorCode, Slug};

const ARTICLE_BODY_LIMIT: usize = 256 * 1024;
const TOP: usize = 10;

pub fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/v1/admin/sites/{key}/faq", get(list))
        .route(
            "/v1/admin/sites/{key}/faq/{locale}/{article}",
            put(upsert).delete(remove),
        )
        .route("/v1/admin/sites/{key}/faq/insights", get(stats))
        // The name it had before the insight API, kept for scripts.
        .route("/v1/admin/sites/{key}/faq/stats", get(stats));
    json::limit_body(routes, ARTICLE_BODY_LIMIT)
}

async fn list(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
) -> Result<Json<Vec<Article>>, AppError> {
    Ok(Json(app.store.articles(&site.key, None).await?))
}

async fn upsert(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    PathLocale(locale): PathLocale,
    ArticleId(id): ArticleId,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Response, AppError> {
    let site = site.key;
    input.check()?;
    let article = input.into_article(id.clone(), locale);
    let created = app.store.put_article(&site, &article).await?;
    let stored = app
        .store
        .article(&site, locale, &id)
        .await?
        .unwrap_or(article);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(stored)).into_response())
}

async fn remove(
    State(app): State<AppState>,
    SiteManager(site): SiteManager,
    PathLocale(locale): PathLocale,
    ArticleId(id): ArticleId,
) -> Result<StatusCode, AppError> {
    let site = site.key;
    if app.store.delete_article(&site, locale, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(
            ErrorCode::UnknownArticle,
            format!("no article '{id}' in '{}'", locale.code()),
        ))
    }
}

#[derive(Serialize)]
struct Stats {
    site: Slug,
    views: u64,
    /// Share of votes that said "helpful", with its Wilson interval.
    helpful: Proportion,
    searches: u64,
    no_result_searches: u64,
    /// Feedback sent from an article through "Still need help?".
    handoffs: u64,
    /// Most viewed first.
    top_articles: Vec<ArticleStats>,
    /// The queries that found nothing, most searched first.
    top_unanswered: Vec<QueryCount>,
    top_queries: Vec<QueryCount>,
    /// What readers said was missing, newest first.
    missing: Vec<MissingReason>,
}

#[derive(Serialize)]
struct ArticleStats {
    #[serde(flatten)]
    counts: ArticleCounts,
    helpful_rate: Proportion,
}

async fn stats(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
) -> Result<Json<Stats>, AppError> {
    let site = site.key;
    let counts = app.store.faq_counts(&site).await?;
    let sum = |f: fn(&ArticleCounts) -> u64| counts.articles.iter().map(f).sum::<u64>();
    let (helpful, not_helpful) = (sum(|a| a.helpful), sum(|a| a.not_helpful));
    let mut top_articles: Vec<ArticleStats> = counts
        .articles
        .iter()
        .map(|a| ArticleStats {
            helpful_rate: proportion(a.helpful, a.helpful + a.not_helpful),
            counts: a.clone(),
        })
        .collect();
    top_articles.sort_by(|a, b| {
        b.counts
            .views
            .cmp(&a.counts.views)
            .then_with(|| a.counts.id.cmp(&b.counts.id))
    });
    top_articles.truncate(TOP);
    let mut top_unanswered: Vec<QueryCount> = counts
        .queries
        .iter()
        .filter(|q| q.no_results > 0)
        .cloned()
        .collect();
    top_unanswered.sort_by(|a, b| b.no_results.cmp(&a.no_results).then(a.query.cmp(&b.query)));
    top_unanswered.truncate(TOP);
    Ok(Json(Stats {
        site,
        views: sum(|a| a.views),
        helpful: proportion(helpful, helpful + not_helpful),
        searches: counts.queries.iter().map(|q| q.searches).sum(),
        no_result_searches: counts.queries.iter().map(|q| q.no_results).sum(),
        handoffs: sum(|a| a.handoffs),
        top_articles,
        top_unanswered,
        top_queries: counts.queries.into_iter().take(TOP).collect(),
        missing: counts.missing,
    }))
}
