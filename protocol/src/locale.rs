//! The languages the widget speaks, and texts given per language.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A language the widget ships strings for. English and Korean from day one
/// (DESIGN §1); adding one means a new variant and a new string table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

/// A text written once per locale, e.g. a question's prompt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub BTreeMap<Locale, String>);

impl Localized {
    /// The text in `locale`, else English, else any text there is.
    pub fn get(&self, locale: Locale) -> &str {
        self.0
            .get(&locale)
            .or_else(|| self.0.get(&Locale::En))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn is_blank(&self) -> bool {
        self.0.values().all(|t| t.trim().is_empty())
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
    fn a_missing_translation_falls_back_to_english() {
        let text: Localized = serde_json::from_str(r#"{"en":"How was it?"}"#).unwrap();
        assert_eq!(text.get(Locale::Ko), "How was it?");
        let text: Localized = serde_json::from_str(r#"{"ko":"어떠셨나요?"}"#).unwrap();
        assert_eq!(text.get(Locale::En), "어떠셨나요?");
    }
}
