//! The languages the widget speaks, and texts given per language.

use crate::pairs::Pairs;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A language the widget ships strings for: English and Korean from day
/// one. Adding one means a new variant and a new string table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Ko,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ko];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ko => "ko",
        }
    }

    /// The locale whose code is exactly `code` (`en`, `ko`), as on the wire.
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Reads a language tag such as `ko`, `ko-KR` or `en_US`; `None` for a
    /// language we do not speak, so the caller can fall back.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "ko" => Some(Locale::Ko),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_code(d, Locale::from_code, "a language code: \"en\" or \"ko\"")
    }
}

/// Reads a unit enum from its code string. A derived enum deserializer makes
/// serde_json report `null` or a number as a syntax error; this reports it as
/// a wrong value, so the caller gets a 422 that names the field.
pub(crate) fn deserialize_code<'de, D, T>(
    d: D,
    parse: fn(&str) -> Option<T>,
    expected: &'static str,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Code<T> {
        parse: fn(&str) -> Option<T>,
        expected: &'static str,
    }
    impl<T> Visitor<'_> for Code<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expected)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.parse)(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_str(Code { parse, expected })
}

/// A text written once per locale, e.g. a question's prompt: an object
/// keyed by locale in JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub Pairs<Locale, String>);

impl Localized {
    /// The text in `locale`, else English, else any text there is.
    pub fn get(&self, locale: Locale) -> &str {
        self.0
            .get(&locale)
            .or_else(|| self.0.get(&Locale::En))
            .or_else(|| self.0.iter().next().map(|(_, text)| text))
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn is_blank(&self) -> bool {
        self.0.iter().all(|(_, t)| t.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_and_underscore_tags_resolve_to_their_language() {
        assert_eq!(Locale::from_tag("ko-KR"), Some(Locale::Ko));
        assert_eq!(Locale::from_tag("en_US"), Some(Locale::En));
        assert_eq!(Locale::from_tag("EN"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr-FR"), None);
        assert_eq!(Locale::from_tag(""), None);
    }

    #[test]
    fn a_locale_of_the_wrong_type_or_value_is_a_data_error() {
        for body in ["null", "5", "\"fr\"", "{}"] {
            let err = serde_json::from_str::<Locale>(body).unwrap_err();
            assert!(err.is_data(), "{body}: {err}");
            assert!(err.to_string().contains("\"en\" or \"ko\""), "{err}");
        }
        assert_eq!(
            serde_json::from_str::<Locale>("\"ko\"").unwrap(),
            Locale::Ko
        );
    }

    #[test]
    fn a_missing_translation_falls_back_to_english() {
        let text: Localized = serde_json::from_str(r#"{"en":"How was it?"}"#).unwrap();
        assert_eq!(text.get(Locale::Ko), "How was it?");
        let text: Localized = serde_json::from_str(r#"{"ko":"어떠셨나요?"}"#).unwrap();
        assert_eq!(text.get(Locale::En), "어떠셨나요?");
    }

    #[test]
    fn texts_compare_equal_in_any_order() {
        let en_ko: Localized = serde_json::from_str(r#"{"en":"Hi","ko":"안녕"}"#).unwrap();
        let ko_en: Localized = serde_json::from_str(r#"{"ko":"안녕","en":"Hi"}"#).unwrap();
        let en: Localized = serde_json::from_str(r#"{"en":"Hi"}"#).unwrap();
        assert_eq!(en_ko, ko_en);
        assert_ne!(en_ko, en);
        assert_eq!(ko_en.get(Locale::Ko), "안녕");
    }
}
