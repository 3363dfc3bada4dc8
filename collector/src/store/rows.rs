//! What the SQLite and PostgreSQL stores share: turning column values into
//! model types, and the text forms of times and JSON both keep.

use super::StoreError;
use crate::faq::Article;
use sori_protocol::{Locale, Slug, SurveyDefinition};
use sqlx::{ColumnIndex, Decode, Row, Type};
use time::format_description::well_known::Rfc3339;

pub(super) fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

/// Times as stored: RFC 3339 in UTC with all nine fraction digits, so
/// their text sorts in time order (`…:05Z` would sort after `…:05.5Z`).
const STORED: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
);

pub(super) fn rfc3339(t: time::OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(STORED)
        .or_else(|_| utc.format(&Rfc3339))
        .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

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
        updated_at: text("updated_at")?,
    })
}

/// A failure that says nothing about the data: PostgreSQL broke a deadlock
/// or a serialization conflict by aborting this transaction.
pub(super) fn is_transient(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_times_have_a_fixed_width_and_sort_as_text() {
        let at = |s: i64, ns: u32| {
            time::OffsetDateTime::from_unix_timestamp(s)
                .unwrap()
                .replace_nanosecond(ns)
                .unwrap()
        };
        let whole = super::rfc3339(at(1_800_000_000, 0));
        let half = super::rfc3339(at(1_800_000_000, 500_000_000));
        let later = super::rfc3339(at(1_800_000_001, 0));
        assert_eq!(whole, "2027-01-15T08:00:00.000000000Z");
        assert!(whole < half && half < later, "{whole} {half} {later}");
        let seoul = at(1_800_000_000, 0).to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap());
        assert_eq!(super::rfc3339(seoul), whole);
    }
}
