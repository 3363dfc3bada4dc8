//! When a survey appears (its trigger) and to whom (its targeting).

use crate::locale::Locale;
use crate::pairs::Pairs;
use crate::slug::Slug;
use serde::{Deserialize, Serialize};

/// What makes a survey appear on its own. On the wire: `"manual"`,
/// `"exit_intent"`, `{"page_view": "/invoices*"}`, `{"event": "checkout_done"}`
/// or `{"seconds": 30}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Only the launcher or `sori('survey', id)` opens it.
    #[default]
    Manual,
    /// A page view (including SPA navigation) whose path matches the pattern.
    PageView(String),
    /// `sori('track', EVENT)` with this event name.
    Event(String),
    /// This many seconds after the page loaded.
    Seconds(u32),
    /// The pointer leaves the top of the window (desktop only).
    ExitIntent,
}

/// Who may see a survey. Every part given must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targeting {
    /// Path patterns (`*` matches anything); when given, one must match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_include: Vec<String>,
    /// Path patterns that rule a page out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_exclude: Vec<String>,
    /// `identify` attributes that must equal these values, e.g. `{"plan": "pro"}`.
    #[serde(default, skip_serializing_if = "Pairs::is_empty")]
    pub attributes: Pairs<String, String>,
    /// Languages it is shown in; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<Locale>,
    /// Share of respondents (1–100) who may see it, stable per respondent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_percent: Option<u8>,
}

/// What the widget knows about the page and the person at the moment it decides.
#[derive(Clone, Copy, Debug)]
pub struct Audience<'a> {
    pub path: &'a str,
    pub locale: Locale,
    /// `identify` attributes.
    pub attributes: &'a Pairs<String, String>,
    /// The anonymous respondent id kept in localStorage.
    pub respondent: &'a str,
}

impl Targeting {
    pub fn matches(&self, survey: &Slug, who: &Audience<'_>) -> bool {
        let included = self.url_include.is_empty()
            || self.url_include.iter().any(|p| url_matches(p, who.path));
        let excluded = self.url_exclude.iter().any(|p| url_matches(p, who.path));
        let attributes = self
            .attributes
            .iter()
            .all(|(k, v)| who.attributes.get(k) == Some(v));
        let locale = self.locales.is_empty() || self.locales.contains(&who.locale);
        let sampled = self
            .sample_percent
            .is_none_or(|p| in_sample(who.respondent, survey, p));
        included && !excluded && attributes && locale && sampled
    }
}

/// Matches a path against a pattern in which `*` stands for any run of
/// characters (including `/`); everything else must match exactly.
pub fn url_matches(pattern: &str, path: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), path.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some((star_pi, star_si)) = star {
            // Let the last star swallow one more character and try again.
            pi = star_pi + 1;
            si = star_si + 1;
            star = Some((star_pi, star_si + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether this respondent falls in the first `percent` of 100 buckets for
/// this survey. The bucket comes from a hash of both ids, so it is the same
/// on every page load, and different surveys sample different people.
pub fn in_sample(respondent: &str, survey: &Slug, percent: u8) -> bool {
    u32::from(percent) > bucket(respondent, survey)
}

/// FNV-1a over `respondent:survey`, reduced to 0–99.
pub fn bucket(respondent: &str, survey: &Slug) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in respondent
        .bytes()
        .chain(std::iter::once(b':'))
        .chain(survey.as_str().bytes())
    {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_patterns_match_like_globs() {
        let table = [
            ("/invoices", "/invoices", true),
            ("/invoices", "/invoices/1", false),
            ("/invoices*", "/invoices/1", true),
            ("/invoices/*", "/invoices", false),
            ("*", "/anything/at/all", true),
            ("/app/*/settings", "/app/team-7/settings", true),
            ("/app/*/settings", "/app/team-7/billing", false),
            ("*/checkout", "/shop/eu/checkout", true),
            ("/a*b*c", "/aXXbYYc", true),
            ("/a*b*c", "/aXXcYYb", false),
            ("", "", true),
            ("", "/", false),
        ];
        for (pattern, path, expected) in table {
            assert_eq!(url_matches(pattern, path), expected, "{pattern} ~ {path}");
        }
    }

    fn audience<'a>(path: &'a str, attributes: &'a Pairs<String, String>) -> Audience<'a> {
        Audience {
            path,
            locale: Locale::Ko,
            attributes,
            respondent: "r-1",
        }
    }

    fn survey() -> Slug {
        Slug::parse("nps").unwrap()
    }

    #[test]
    fn targeting_needs_every_given_part_to_match() {
        let pro: Pairs<_, _> = [("plan".to_owned(), "pro".to_owned())]
            .into_iter()
            .collect();
        let free: Pairs<_, _> = [("plan".to_owned(), "free".to_owned())]
            .into_iter()
            .collect();
        let t = Targeting {
            url_include: vec!["/app*".into()],
            url_exclude: vec!["/app/settings*".into()],
            attributes: pro.clone(),
            locales: vec![Locale::Ko],
            sample_percent: None,
        };
        let table = [
            (audience("/app/invoices", &pro), true),
            (audience("/pricing", &pro), false),
            (audience("/app/settings/team", &pro), false),
            (audience("/app/invoices", &free), false),
            (
                Audience {
                    locale: Locale::En,
                    ..audience("/app/invoices", &pro)
                },
                false,
            ),
        ];
        for (i, (who, expected)) in table.iter().enumerate() {
            assert_eq!(t.matches(&survey(), who), *expected, "row {i}: {who:?}");
        }
        assert!(Targeting::default().matches(&survey(), &audience("/", &free)));
    }

    /// Who is in a sample must not change between releases (or between the
    /// widget and the collector): a respondent would flip in and out. These
    /// are the answers today's hash gives; a change to it fails here.
    #[test]
    fn sampling_is_stable_across_releases() {
        let s = survey();
        let picked: Vec<bool> = ["a", "b", "0199b0c4-6a1e-7c3d", "respondent-42", "r7", "r8"]
            .iter()
            .map(|r| in_sample(r, &s, 50))
            .collect();
        assert_eq!(picked, [false, false, true, false, false, false]);
    }

    #[test]
    fn sampling_takes_roughly_the_share_asked_for() {
        let s = survey();
        let taken = (0..10_000)
            .filter(|i| in_sample(&format!("respondent-{i}"), &s, 30))
            .count();
        assert!((2_700..3_300).contains(&taken), "{taken} of 10000 at 30%");
        assert!((0..1000).all(|i| in_sample(&format!("r{i}"), &s, 100)));
        assert!((0..1000).all(|i| !in_sample(&format!("r{i}"), &s, 0)));
    }

    #[test]
    fn triggers_read_from_their_short_wire_forms() {
        let read = |json: &str| serde_json::from_str::<Trigger>(json).unwrap();
        assert_eq!(read(r#""manual""#), Trigger::Manual);
        assert_eq!(read(r#""exit_intent""#), Trigger::ExitIntent);
        assert_eq!(
            read(r#"{"event":"checkout_done"}"#),
            Trigger::Event("checkout_done".into())
        );
        assert_eq!(
            read(r#"{"page_view":"/invoices*"}"#),
            Trigger::PageView("/invoices*".into())
        );
        assert_eq!(read(r#"{"seconds":30}"#), Trigger::Seconds(30));
    }
}
