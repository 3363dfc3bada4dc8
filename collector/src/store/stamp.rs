//! Times in the store. SQLite has no time type: a time there is RFC 3339
//! text in UTC with all nine fraction digits, so its text sorts in time
//! order. PostgreSQL keeps a `timestamptz` (microseconds). The queries bind
//! and read a [`Stamp`] and are the same for both.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};
use std::fmt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A point in time as a column holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub OffsetDateTime);

/// SQLite's text form: `[year]-[month]-[day]T[hour]:[minute]:[second].[9 digits]Z`.
const STORED: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
);

impl Stamp {
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    /// A time as the API writes it (and as SQLite stores it).
    pub fn parse(text: &str) -> Result<Self, time::error::Parse> {
        OffsetDateTime::parse(text, &Rfc3339).map(Self)
    }
}

/// RFC 3339 in UTC with nine fraction digits, whichever database it came from.
impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let utc = self.0.to_offset(time::UtcOffset::UTC);
        match utc.format(STORED) {
            Ok(text) => f.write_str(&text),
            // Only a year beyond 9999 does not fit the fixed form.
            Err(_) => write!(f, "{}", utc.unix_timestamp()),
        }
    }
}

impl From<Stamp> for String {
    fn from(s: Stamp) -> String {
        s.to_string()
    }
}

impl Type<Sqlite> for Stamp {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Stamp {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.to_string(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Stamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Self::parse(text)?)
    }
}

impl Type<Postgres> for Stamp {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <OffsetDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Stamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Stamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <OffsetDateTime as Decode<Postgres>>::decode(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::Stamp;

    #[test]
    fn stored_times_have_a_fixed_width_and_sort_as_text() {
        let at = |s: i64, ns: u32| {
            Stamp(
                time::OffsetDateTime::from_unix_timestamp(s)
                    .unwrap()
                    .replace_nanosecond(ns)
                    .unwrap(),
            )
        };
        let whole = at(1_800_000_000, 0).to_string();
        let half = at(1_800_000_000, 500_000_000).to_string();
        let later = at(1_800_000_001, 0).to_string();
        assert_eq!(whole, "2027-01-15T08:00:00.000000000Z");
        assert!(whole < half && half < later, "{whole} {half} {later}");
        let seoul = Stamp(
            at(1_800_000_000, 0)
                .0
                .to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap()),
        );
        assert_eq!(seoul.to_string(), whole);
        assert_eq!(Stamp::parse(&half).unwrap(), at(1_800_000_000, 500_000_000));
    }
}
