//! What the SQLite and PostgreSQL stores share: turning column values into
//! model types, and the text form of JSON both keep.

use super::StoreError;
use super::stamp::Stamp;
use crate::faq::Article;
use sori_protocol::{Locale, Slug, SurveyDefinition};
use sqlx::{ColumnIndex, Decode, Row, Type};

pub(super) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(super) fn parse_definition(json: &str) -> Result<SurveyDefinition, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("survey definition: {e}")))
}

pub(super) fn locale_of(raw: &str) -> Result<Locale, StoreError> {
    Locale::from_tag(raw).ok_or_else(|| corrupt(format!("locale '{raw}'")))
}

pub(super) fn slug_of(raw: &str) -> Result<Slug, StoreError> {
    Slug::parse(raw).map_err(|e| corrupt(format!("id '{raw}': {e}")))
}

pub(super) fn count_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(super) const ARTICLE_COLUMNS: &str =
    "id, locale, title, body, html, text, category, tags, ord, views, updated_at";

/// An article from a row of [`ARTICLE_COLUMNS`], in either database.
pub(super) fn article_of<'r, R>(row: &'r R) -> Result<Article, StoreError>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Stamp: Decode<'r, R::Database> + Type<R::Database>,
{
    let text = |column: &'static str| -> Result<String, StoreError> {
        row.try_get::<String, _>(column).map_err(corrupt)
    };
    let number = |column: &'static str| -> Result<i64, StoreError> {
        row.try_get::<i64, _>(column).map_err(corrupt)
    };
    Ok(Article {
        id: slug_of(&text("id")?)?,
        locale: locale_of(&text("locale")?)?,
        title: text("title")?,
        body: text("body")?,
        html: text("html")?,
        text: text("text")?,
        category: text("category")?,
        tags: serde_json::from_str(&text("tags")?).map_err(corrupt)?,
        order: i32::try_from(number("ord")?).map_err(corrupt)?,
        views: count_of(number("views")?),
        updated_at: row
            .try_get::<Stamp, _>("updated_at")
            .map_err(corrupt)?
            .to_string(),
    })
}

/// A failure that says nothing about the data: PostgreSQL broke a deadlock
/// or a serialization conflict by aborting this transaction.
pub(super) fn is_transient(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}
