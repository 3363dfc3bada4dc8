//! The public help center, behind the site guard (origin allowlist):
//!
//! - `GET /v1/sites/{key}/faq?locale=`: categories with their articles, and
//!   the most viewed ones;
//! - `GET /v1/sites/{key}/faq/search?q=&locale=[&partial=1]`: ranked
//!   results with highlighted snippets; counted unless `partial` (a query
//!   still being typed);
//! - `GET /v1/sites/{key}/faq/articles/{article}?locale=`: one article's
//!   sanitized HTML; counts a view;
//! - `POST /v1/sites/{key}/faq/articles/{article}/votes`: "Was this helpful?",
//!   one vote per respondent and article.

use crate::AppState;
use crate::error::AppError;
use crate::faq;
use crate::routes::extract::{ApiJson, ApiQuery, ArticleId, KnownSite};
use crate::routes::{json, public_site};
use crate::store::{Site, Vote, VoteOutcome};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sori_protocol::faq::{
    ArticleView, FaqCategory, FaqEntry, FaqOverview, SearchHit, SearchResults, VoteBody,
};
use sori_protocol::{ErrorCode, FieldError, Locale};
use std::collections::BTreeMap;

const RESULTS: usize = 8;
const POPULAR: usize = 5;
const VOTE_BODY_LIMIT: usize = 4 * 1024;
const MAX_REASON: usize = 500;

pub fn routes(app: &AppState) -> Router<AppState> {
    let limited = || from_fn_with_state(app.clone(), public_site::rate_limit);
    let routes = Router::new()
        .route("/v1/sites/{key}/faq", get(overview))
        .route(
            "/v1/sites/{key}/faq/search",
            get(search).route_layer(limited()),
        )
        // Each read writes a view count: limited like the other writes.
        .route(
            "/v1/sites/{key}/faq/articles/{article}",
            get(article).route_layer(limited()),
        )
        .route(
            "/v1/sites/{key}/faq/articles/{article}/votes",
            post(vote)
                .route_layer(limited())
                .options(super::responses::preflight),
        );
    json::limit_body(routes, VOTE_BODY_LIMIT)
}

#[derive(Deserialize)]
struct LocaleParam {
    locale: Option<String>,
}

/// The asked-for locale when we speak it, else the site's default.
fn locale_or_default(site: &Site, raw: Option<&str>) -> Locale {
    raw.and_then(Locale::from_tag)
        .unwrap_or(site.default_locale)
}

fn cached(body: impl Serialize, cache: &'static str) -> Response {
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

async fn overview(
    State(app): State<AppState>,
    KnownSite(site): KnownSite,
    ApiQuery(params): ApiQuery<LocaleParam>,
) -> Result<Response, AppError> {
    let locale = locale_or_default(&site, params.locale.as_deref());
    let articles = app.store.articles(&site.key, Some(locale)).await?;
    // Categories in the order of their first article; articles by order.
    let mut by_category: BTreeMap<(i32, String), Vec<(i32, FaqEntry)>> = BTreeMap::new();
    let mut first_order: BTreeMap<String, i32> = BTreeMap::new();
    for a in &articles {
        let first = first_order.entry(a.category.clone()).or_insert(a.order);
        *first = (*first).min(a.order);
    }
    for a in &articles {
        let key = (first_order[&a.category], a.category.clone());
        let entry = FaqEntry {
            id: a.id.clone(),
            title: a.title.clone(),
            category: a.category.clone(),
        };
        by_category.entry(key).or_default().push((a.order, entry));
    }
    let categories = by_category
        .into_iter()
        .map(|((_, name), mut entries)| {
            entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.title.cmp(&b.1.title)));
            FaqCategory {
                name,
                articles: entries.into_iter().map(|(_, e)| e).collect(),
            }
        })
        .collect();
    // Only what people have actually read; before that, the categories say it all.
    let mut ranked: Vec<_> = articles.iter().filter(|a| a.views > 0).collect();
    ranked.sort_by(|a, b| b.views.cmp(&a.views).then(a.order.cmp(&b.order)));
    let popular = ranked
        .into_iter()
        .take(POPULAR)
        .map(|a| FaqEntry {
            id: a.id.clone(),
            title: a.title.clone(),
            category: a.category.clone(),
        })
        .collect();
    Ok(cached(
        FaqOverview {
            locale,
            categories,
            popular,
        },
        "public, max-age=60",
    ))
}

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
    locale: Option<String>,
    partial: Option<String>,
}

async fn search(
    State(app): State<AppState>,
    KnownSite(site): KnownSite,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Response, AppError> {
    if let Some(q) = &params.q {
        sori_protocol::validate::check_text(|| "q".into(), q)?;
    }
    let locale = locale_or_default(&site, params.locale.as_deref());
    let query = faq::normalize_query(params.q.as_deref().unwrap_or(""));
    let results = if query.is_empty() {
        Vec::new()
    } else {
        // Search what was typed, not its lower-cased form: "still typing"
        // depends on the trailing space, which normalizing drops.
        let typed: String = params
            .q
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(sori_protocol::validate::MAX_FAQ_QUERY)
            .collect();
        app.faq
            .get(app.store.as_ref(), &site.key, locale)
            .await?
            .search(&typed, RESULTS)
            .into_iter()
            .map(|hit| SearchHit {
                id: hit.id,
                category: hit.category,
                title_html: hit.title_html,
                snippet_html: hit.snippet_html,
            })
            .collect()
    };
    let partial = params
        .partial
        .as_deref()
        .is_some_and(|p| p == "1" || p == "true");
    if !query.is_empty() && !partial {
        app.store
            .count_search(&site.key, locale, &query, results.len())
            .await?;
    }
    Ok(cached(
        SearchResults {
            query,
            locale,
            results,
        },
        "no-store",
    ))
}

async fn article(
    State(app): State<AppState>,
    KnownSite(site): KnownSite,
    ArticleId(id): ArticleId,
    ApiQuery(params): ApiQuery<LocaleParam>,
) -> Result<Response, AppError> {
    let locale = locale_or_default(&site, params.locale.as_deref());
    let article = app
        .store
        .article(&site.key, locale, &id)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                ErrorCode::UnknownArticle,
                format!("no article '{id}' in '{}'", locale.code()),
            )
        })?;
    app.store.count_article_view(&site.key, locale, &id).await?;
    Ok(cached(
        ArticleView {
            id: article.id,
            locale,
            title: article.title,
            category: article.category,
            tags: article.tags,
            html: article.html,
        },
        "no-store",
    ))
}

#[derive(Serialize)]
struct VoteReceipt {
    vote: VoteOutcome,
}

async fn vote(
    State(app): State<AppState>,
    KnownSite(site): KnownSite,
    ArticleId(id): ArticleId,
    ApiJson(body): ApiJson<VoteBody>,
) -> Result<Json<VoteReceipt>, AppError> {
    let reason = body
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON)
    {
        return Err(FieldError::new(
            "reason",
            ErrorCode::OutOfRange,
            format!("reason is at most {MAX_REASON} characters"),
        )
        .into());
    }
    let vote = Vote {
        locale: body.locale,
        article: id.clone(),
        respondent: body.respondent,
        helpful: body.helpful,
        reason,
    };
    let outcome = app.store.put_vote(&site.key, &vote).await?.ok_or_else(|| {
        AppError::not_found(
            ErrorCode::UnknownArticle,
            format!("no article '{id}' in '{}'", vote.locale.code()),
        )
    })?;
    Ok(Json(VoteReceipt { vote: outcome }))
}
