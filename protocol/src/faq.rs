//! The help center on the wire: what the collector answers on
//! `/v1/sites/{key}/faq…` and the widget reads, and the vote it posts.

use crate::locale::Locale;
use crate::slug::Slug;
use serde::{Deserialize, Serialize};

/// An article in a list: enough to show its title and open it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqEntry {
    pub id: Slug,
    /// Plain text.
    pub title: String,
    pub category: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqCategory {
    pub name: String,
    pub articles: Vec<FaqEntry>,
}

/// `GET …/faq`: categories in their order, and the most read articles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqOverview {
    pub locale: Locale,
    pub categories: Vec<FaqCategory>,
    pub popular: Vec<FaqEntry>,
}

/// One search result. Title and snippet are HTML-escaped text with the
/// matched words wrapped in `<mark>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: Slug,
    pub category: String,
    pub title_html: String,
    pub snippet_html: String,
}

/// `GET …/faq/search`: the best results first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as counted (normalized).
    pub query: String,
    pub locale: Locale,
    pub results: Vec<SearchHit>,
}

/// `GET …/faq/articles/{id}`: one article, its HTML sanitized when saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleView {
    pub id: Slug,
    pub locale: Locale,
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub html: String,
}

/// `POST …/faq/articles/{id}/votes`: "Was this helpful?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    pub locale: Locale,
    pub respondent: uuid::Uuid,
    pub helpful: bool,
    /// What was missing, after a 👎.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
