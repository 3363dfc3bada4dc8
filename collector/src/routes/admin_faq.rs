//! The admin API for the help center (admin token for now):
//!
//! - `GET /v1/admin/sites/{key}/faq`: every article in every locale;
//! - `PUT /v1/admin/sites/{key}/faq/{locale}/{id}`: create (201) or replace
//!   (200) an article; the Markdown is rendered and sanitized here;
//! - `DELETE /v1/admin/sites/{key}/faq/{locale}/{id}`: 204, or 404;
//! - `GET /v1/admin/sites/{key}/faq/stats`: helpfulness, top articles and top
//!   unanswered queries, for the dashboard.

use super::admin_surveys::{known_site, slug};
use crate::AppState;
use crate::error::AppError;
use crate::faq::{Article, ArticleInput};
use crate::routes::json;
use crate::stats::{Proportion, proportion};
use crate::store::{ArticleCounts, QueryCount};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Serialize;
use sori_protocol::{Locale, Slug};

const ARTICLE_BODY_LIMIT: usize = 256 * 1024;
const TOP: usize = 10;

pub fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/v1/admin/sites/{key}/faq", get(list))
        .route(
            "/v1/admin/sites/{key}/faq/{locale}/{id}",
            put(upsert).delete(remove),
        )
        .route("/v1/admin/sites/{key}/faq/stats", get(stats));
    json::limit_body(routes, ARTICLE_BODY_LIMIT)
}

fn locale(raw: &str) -> Result<Locale, AppError> {
    Locale::from_code(raw).ok_or_else(|| {
        AppError::not_found(
            "unknown_locale",
            format!("no locale '{raw}'; use one of: en, ko"),
        )
    })
}

async fn list(
    State(app): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Vec<Article>>, AppError> {
    let site = known_site(&app, &key).await?;
    Ok(Json(app.store.articles(&site, None).await?))
}

async fn upsert(
    State(app): State<AppState>,
    Path((key, raw_locale, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let site = known_site(&app, &key).await?;
    let locale = locale(&raw_locale)?;
    let id = Slug::parse(&id).map_err(|why| {
        sori_protocol::FieldError::new("id", "invalid", format!("article id '{id}' {why}"))
    })?;
    json::require_json_or_text(&headers)?;
    let input: ArticleInput = json::parse(&json::body(body, ARTICLE_BODY_LIMIT)?)?;
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
    Path((key, raw_locale, id)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    let site = known_site(&app, &key).await?;
    let locale = locale(&raw_locale)?;
    let id = slug(&id, "unknown_article")?;
    if app.store.delete_article(&site, locale, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(
            "unknown_article",
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
}

#[derive(Serialize)]
struct ArticleStats {
    #[serde(flatten)]
    counts: ArticleCounts,
    helpful_rate: Proportion,
}

async fn stats(
    State(app): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<Stats>, AppError> {
    let site = known_site(&app, &key).await?;
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
    }))
}
