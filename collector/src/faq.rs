//! The help center: articles per site and locale, written in
//! Markdown and stored with their sanitized HTML, searched in memory.
//!
//! - [`render`]: Markdown to sanitized HTML and plain text.
//! - [`search`]: tokenizing, BM25 ranking, snippets.
//! - [`Indexes`]: one search index per site and locale, rebuilt when the
//!   site's FAQ version in the database moves, so every collector in front
//!   of one database serves the same results.

pub mod render;
pub mod search;

use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use sori_protocol::validate::check_text;
use sori_protocol::{ErrorCode, FieldError, Locale, Slug};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 50_000;
const MAX_CATEGORY: usize = 60;
const MAX_TAGS: usize = 10;
const MAX_TAG: usize = 40;

/// What an author writes: the admin API's body and one entry of an import file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    pub title: String,
    /// Markdown.
    pub body: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Position within its category; lower comes first.
    #[serde(default)]
    pub order: i32,
}

/// An article as stored and served.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Article {
    pub id: Slug,
    pub locale: Locale,
    pub title: String,
    /// The Markdown as written.
    pub body: String,
    /// Sanitized when saved; the only form the widget receives.
    pub html: String,
    /// Plain words for search.
    #[serde(skip)]
    pub text: String,
    pub category: String,
    pub tags: Vec<String>,
    pub order: i32,
    pub views: u64,
    pub updated_at: String,
}

impl ArticleInput {
    /// Checks lengths and counts, naming the field at fault.
    pub fn check(&self) -> Result<(), FieldError> {
        let too_long = |field: &str, max: usize| {
            FieldError::new(
                field.to_owned(),
                ErrorCode::OutOfRange,
                format!("{field} is at most {max} characters"),
            )
        };
        // The YAML import comes here without the HTTP layer's check.
        check_text(|| "title".into(), &self.title)?;
        check_text(|| "body".into(), &self.body)?;
        check_text(|| "category".into(), &self.category)?;
        for (i, tag) in self.tags.iter().enumerate() {
            check_text(|| format!("tags[{i}]"), tag)?;
        }
        if self.title.trim().is_empty() {
            return Err(FieldError::new(
                "title",
                ErrorCode::Required,
                "give the article a title",
            ));
        }
        if self.title.chars().count() > MAX_TITLE {
            return Err(too_long("title", MAX_TITLE));
        }
        if self.body.trim().is_empty() {
            return Err(FieldError::new(
                "body",
                ErrorCode::Required,
                "the body is empty",
            ));
        }
        if self.body.chars().count() > MAX_BODY {
            return Err(too_long("body", MAX_BODY));
        }
        if self.category.chars().count() > MAX_CATEGORY {
            return Err(too_long("category", MAX_CATEGORY));
        }
        if self.tags.len() > MAX_TAGS {
            return Err(FieldError::new(
                "tags",
                ErrorCode::TooMany,
                format!("at most {MAX_TAGS} tags"),
            ));
        }
        if let Some(i) = self
            .tags
            .iter()
            .position(|t| t.trim().is_empty() || t.chars().count() > MAX_TAG)
        {
            return Err(FieldError::new(
                format!("tags[{i}]"),
                ErrorCode::OutOfRange,
                format!("a tag is 1 to {MAX_TAG} characters"),
            ));
        }
        Ok(())
    }

    /// Renders and sanitizes the body. Call [`ArticleInput::check`] first.
    pub fn into_article(self, id: Slug, locale: Locale) -> Article {
        let rendered = render::render(&self.body);
        Article {
            id,
            locale,
            title: self.title.trim().to_owned(),
            body: self.body,
            html: rendered.html,
            text: rendered.text,
            category: self.category.trim().to_owned(),
            tags: self.tags.into_iter().map(|t| t.trim().to_owned()).collect(),
            order: self.order,
            views: 0,
            updated_at: String::new(),
        }
    }
}

/// An import file: `articles:`, each an [`ArticleInput`] plus its `id` and `locale`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportFile {
    articles: Vec<serde_norway::Mapping>,
}

/// Reads a YAML import file and checks every article, naming the first one
/// at fault (`articles[3].title`). Nothing is stored when any is wrong.
pub fn parse_import(yaml: &str) -> Result<Vec<Article>, String> {
    let file: ImportFile = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(file.articles.len());
    for (i, mut entry) in file.articles.into_iter().enumerate() {
        let mut take = |key: &str| {
            entry
                .remove(key)
                .and_then(|v| v.as_str().map(str::to_owned))
                .ok_or_else(|| format!("articles[{i}].{key}: missing, or not text"))
        };
        let raw_id = take("id")?;
        let id =
            Slug::parse(&raw_id).map_err(|why| format!("articles[{i}].id: '{raw_id}' {why}"))?;
        let raw_locale = take("locale")?;
        let locale = Locale::from_code(&raw_locale)
            .ok_or_else(|| format!("articles[{i}].locale: '{raw_locale}'; use en or ko"))?;
        if !seen.insert((id.clone(), locale)) {
            return Err(format!(
                "articles[{i}]: '{id}' in '{}' appears twice",
                locale.code()
            ));
        }
        let input: ArticleInput = serde_norway::from_value(serde_norway::Value::Mapping(entry))
            .map_err(|e| format!("articles[{i}]: {e}"))?;
        input.check().map_err(|e| {
            let field = e.field.unwrap_or_default();
            format!("articles[{i}].{field}: {}", e.message)
        })?;
        out.push(input.into_article(id, locale));
    }
    Ok(out)
}

/// Stores every article of an import file for `site`; returns how many.
pub async fn import(store: &dyn Store, site: &Slug, yaml: &str) -> anyhow::Result<usize> {
    let articles = parse_import(yaml).map_err(anyhow::Error::msg)?;
    for article in &articles {
        store.put_article(site, article).await?;
    }
    Ok(articles.len())
}

/// Trims, folds white space and lower-cases a query, and cuts it to the
/// protocol's limit, so "Refund " and "refund" count as one query.
pub fn normalize_query(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .chars()
        .take(sori_protocol::validate::MAX_FAQ_QUERY)
        .collect()
}

type Key = (Slug, Locale);

/// Search indexes, one per site and locale, each tagged with the FAQ version
/// it was built from.
#[derive(Default)]
pub struct Indexes {
    built: Mutex<HashMap<Key, (u64, Arc<search::Index>)>>,
}

impl Indexes {
    /// The index for the site's current articles, built now if they changed.
    pub async fn get(
        &self,
        store: &dyn Store,
        site: &Slug,
        locale: Locale,
    ) -> Result<Arc<search::Index>, StoreError> {
        let version = store.faq_version(site).await?;
        let key = (site.clone(), locale);
        if let Some((v, index)) = self.lock().get(&key)
            && *v == version
        {
            return Ok(index.clone());
        }
        let docs = store
            .articles(site, Some(locale))
            .await?
            .into_iter()
            .map(|a| search::Doc {
                id: a.id,
                title: a.title,
                category: a.category,
                text: a.text,
            })
            .collect();
        let index = Arc::new(search::Index::build(docs));
        self.lock().insert(key, (version, index.clone()));
        Ok(index)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (u64, Arc<search::Index>)>> {
        // A panic while holding the lock leaves only a cache behind: keep going.
        self.built.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_file_reads_and_names_what_is_wrong() {
        let good = "articles:\n  - id: refunds\n    locale: en\n    title: Refunds\n    category: Billing\n    order: 2\n    body: |\n      Ask **within 30 days**.\n";
        let articles = parse_import(good).unwrap();
        assert_eq!(articles.len(), 1);
        assert_eq!(
            articles[0].html,
            "<p>Ask <strong>within 30 days</strong>.</p>\n"
        );
        assert_eq!(articles[0].text, "Ask within 30 days.");
        let no_title = "articles:\n  - id: refunds\n    locale: en\n    title: ' '\n    body: x\n";
        assert_eq!(
            parse_import(no_title).unwrap_err(),
            "articles[0].title: give the article a title"
        );
        let twice =
            format!("{good}  - id: refunds\n    locale: en\n    title: Again\n    body: x\n");
        assert!(parse_import(&twice).unwrap_err().contains("appears twice"));
        let stray =
            "articles:\n  - id: a\n    locale: en\n    title: t\n    body: b\n    author: me\n";
        let err = parse_import(stray).unwrap_err();
        assert!(
            err.starts_with("articles[0]: unknown field `author`"),
            "{err}"
        );
        assert!(
            parse_import("articles:\n  - id: Bad Id\n    locale: en\n    title: t\n    body: b\n")
                .is_err()
        );
        assert!(
            parse_import("articles:\n  - id: ok\n    locale: fr\n    title: t\n    body: b\n")
                .is_err()
        );
    }

    #[test]
    fn queries_are_normalized_before_counting() {
        assert_eq!(normalize_query("  Refund   POLICY "), "refund policy");
        assert_eq!(normalize_query("환불"), "환불");
        assert_eq!(normalize_query(&"x".repeat(500)).len(), 200);
    }
}
