//! Fatigue control: how often one respondent may see surveys. The state
//! lives in the respondent's localStorage; these rules are pure so they can
//! be tested here and run in the widget.

use crate::pairs::Pairs;
use crate::slug::Slug;
use serde::{Deserialize, Serialize};

const DAY_MS: u64 = 86_400_000;
const HOUR_MS: u64 = 3_600_000;

/// How often one survey may come back. On the wire: `"once"`,
/// `"until_answered"` or `{"every_days": 30}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recontact {
    /// Shown at most once, answered or not.
    #[default]
    Once,
    /// Shown again (within the site's limits) until it is answered.
    UntilAnswered,
    /// Shown again this many days after it was last shown.
    EveryDays(u32),
}

/// A site's limits across all its surveys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFatigue {
    /// Hours that must pass between any two surveys shown on their own.
    pub cooldown_hours: u32,
    /// Most surveys shown on their own in one browser session.
    pub session_cap: u32,
}

impl Default for SiteFatigue {
    fn default() -> Self {
        Self {
            cooldown_hours: 24,
            session_cap: 1,
        }
    }
}

/// What one browser remembers about one survey.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    /// When it was last shown, in Unix milliseconds.
    pub shown_ms: u64,
    pub answered: bool,
}

/// What one browser remembers about one site's surveys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// One entry per survey; an object keyed by survey id in JSON.
    #[serde(default)]
    pub surveys: Pairs<Slug, Seen>,
    /// When any survey was last shown on its own.
    #[serde(default)]
    pub last_shown_ms: Option<u64>,
}

impl Memory {
    /// Records a showing; a dismissed survey counts as seen.
    pub fn shown(&mut self, survey: &Slug, now_ms: u64) {
        self.entry(survey, now_ms).shown_ms = now_ms;
        self.last_shown_ms = Some(now_ms);
    }

    pub fn answered(&mut self, survey: &Slug, now_ms: u64) {
        self.entry(survey, now_ms).answered = true;
    }

    /// `survey`'s entry, added as shown at `now_ms` if it has none.
    fn entry(&mut self, survey: &Slug, now_ms: u64) -> &mut Seen {
        let fresh = Seen {
            shown_ms: now_ms,
            answered: false,
        };
        self.surveys.get_or_insert(survey.clone(), fresh)
    }

    /// Whether `survey` may appear on its own now. `session_count` is how
    /// many surveys appeared on their own in this browser session.
    pub fn may_show(
        &self,
        survey: &Slug,
        recontact: &Recontact,
        site: &SiteFatigue,
        session_count: u32,
        now_ms: u64,
    ) -> bool {
        let seen = self.surveys.get(survey);
        let survey_ok = match (recontact, seen) {
            (_, None) => true,
            (Recontact::Once, Some(_)) => false,
            (Recontact::UntilAnswered, Some(seen)) => !seen.answered,
            (Recontact::EveryDays(days), Some(seen)) => {
                now_ms.saturating_sub(seen.shown_ms) >= u64::from(*days) * DAY_MS
            }
        };
        let cooled = self.last_shown_ms.is_none_or(|last| {
            now_ms.saturating_sub(last) >= u64::from(site.cooldown_hours) * HOUR_MS
        });
        survey_ok && cooled && session_count < site.session_cap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    fn s(id: &str) -> Slug {
        Slug::parse(id).unwrap()
    }

    fn open_site() -> SiteFatigue {
        SiteFatigue {
            cooldown_hours: 0,
            session_cap: 100,
        }
    }

    #[test]
    fn every_recontact_rule_decides_as_documented() {
        let mut shown_2_days_ago = Memory::default();
        shown_2_days_ago.shown(&s("a"), NOW - 2 * DAY_MS);
        let mut answered = shown_2_days_ago.clone();
        answered.answered(&s("a"), NOW - 2 * DAY_MS);
        let never = Memory::default();
        let table = [
            (&never, Recontact::Once, true),
            (&shown_2_days_ago, Recontact::Once, false),
            (&never, Recontact::UntilAnswered, true),
            (&shown_2_days_ago, Recontact::UntilAnswered, true),
            (&answered, Recontact::UntilAnswered, false),
            (&shown_2_days_ago, Recontact::EveryDays(1), true),
            (&shown_2_days_ago, Recontact::EveryDays(2), true),
            (&shown_2_days_ago, Recontact::EveryDays(3), false),
            (&answered, Recontact::EveryDays(3), false),
        ];
        for (i, (memory, rule, expected)) in table.iter().enumerate() {
            assert_eq!(
                memory.may_show(&s("a"), rule, &open_site(), 0, NOW),
                *expected,
                "row {i}: {rule:?}"
            );
        }
    }

    #[test]
    fn the_site_cooldown_spaces_any_two_surveys() {
        let mut memory = Memory::default();
        memory.shown(&s("a"), NOW - 3 * HOUR_MS);
        let site = SiteFatigue {
            cooldown_hours: 4,
            session_cap: 10,
        };
        assert!(!memory.may_show(&s("b"), &Recontact::Once, &site, 0, NOW));
        assert!(memory.may_show(&s("b"), &Recontact::Once, &site, 0, NOW + HOUR_MS));
    }

    #[test]
    fn the_session_cap_stops_further_surveys() {
        let site = SiteFatigue {
            cooldown_hours: 0,
            session_cap: 2,
        };
        let memory = Memory::default();
        assert!(memory.may_show(&s("b"), &Recontact::Once, &site, 1, NOW));
        assert!(!memory.may_show(&s("b"), &Recontact::Once, &site, 2, NOW));
    }

    #[test]
    fn a_dismissed_survey_counts_as_seen() {
        let mut memory = Memory::default();
        memory.shown(&s("a"), NOW);
        assert!(!memory.may_show(&s("a"), &Recontact::Once, &open_site(), 0, NOW + DAY_MS));
        assert_eq!(memory.last_shown_ms, Some(NOW));
    }

    #[test]
    fn memory_is_stored_as_an_object_keyed_by_survey() {
        let mut memory = Memory::default();
        memory.shown(&s("b"), NOW);
        memory.shown(&s("a"), NOW + 1);
        memory.answered(&s("b"), NOW + 2);
        assert_eq!(
            serde_json::to_value(&memory).unwrap(),
            serde_json::json!({
                "surveys": {
                    "b": {"shown_ms": NOW, "answered": true},
                    "a": {"shown_ms": NOW + 1, "answered": false},
                },
                "last_shown_ms": NOW + 1,
            })
        );
        let twice: Memory = serde_json::from_str(
            r#"{"surveys":{"a":{"shown_ms":1,"answered":false},"a":{"shown_ms":2,"answered":true}}}"#,
        )
        .unwrap();
        let last = Seen {
            shown_ms: 2,
            answered: true,
        };
        assert_eq!(twice.surveys, [(s("a"), last)].into_iter().collect());
    }

    #[test]
    fn memory_survives_a_round_trip_through_json() {
        let mut memory = Memory::default();
        memory.shown(&s("a"), NOW);
        memory.answered(&s("a"), NOW);
        let again: Memory = serde_json::from_str(&serde_json::to_string(&memory).unwrap()).unwrap();
        assert_eq!(again, memory);
    }

    /// The engine stores `Memory` through `JSON.stringify` of what
    /// serde-wasm-bindgen makes, which leaves out a `None` rather than
    /// writing `null`: these are the two shapes it writes, read back.
    #[test]
    fn memory_as_the_engine_writes_it_reads_back() {
        let fresh: Memory = serde_json::from_str(r#"{"surveys":{}}"#).unwrap();
        assert_eq!(fresh, Memory::default());
        let seen: Memory = serde_json::from_str(
            r#"{"surveys":{"a":{"shown_ms":1763000000000,"answered":true}},"last_shown_ms":1763000000000}"#,
        )
        .unwrap();
        let mut expected = Memory::default();
        expected.shown(&s("a"), 1_763_000_000_000);
        expected.answered(&s("a"), 1_763_000_000_000);
        assert_eq!(seen, expected);
    }
}
