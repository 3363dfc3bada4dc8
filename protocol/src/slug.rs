//! Author-chosen identifiers: short, stable, URL- and log-safe.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A short stable id such as `checkout-csat`: lower-case ASCII letters,
/// digits, `-` and `_`, starting with a letter or digit, at most 64 bytes.
///
/// Sites, surveys, questions and choices are all named by slugs, so a slug
/// can go into a URL path, a SQL key or a log line without escaping.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Longest slug we accept.
pub const MAX_SLUG_LEN: usize = 64;

impl Slug {
    /// Checks `raw` and wraps it; the error says what is wrong in a sentence.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("must not be empty".into());
        }
        if raw.len() > MAX_SLUG_LEN {
            return Err(format!("must be at most {MAX_SLUG_LEN} characters"));
        }
        let mut chars = raw.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok =
            chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if first_ok && rest_ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("may only hold a-z, 0-9, '-' and '_', and must start with a letter or digit".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Slug::parse(&raw).map_err(|why| serde::de::Error::custom(format!("id '{raw}' {why}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_lowercase_slug_is_accepted() {
        assert_eq!(
            Slug::parse("checkout-csat_2").unwrap().as_str(),
            "checkout-csat_2"
        );
    }

    #[test]
    fn slugs_with_capitals_spaces_or_a_leading_dash_are_rejected() {
        for bad in [
            "",
            "Checkout",
            "two words",
            "-lead",
            "슬러그",
            &"a".repeat(65),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn deserializing_a_bad_slug_names_the_value() {
        let err = serde_json::from_str::<Slug>("\"Bad Id\"").unwrap_err();
        assert!(err.to_string().contains("'Bad Id'"), "{err}");
    }
}
