//! What the widget fetches at start-up: `GET /v1/sites/{key}/config`.

use crate::fatigue::Recontact;
use crate::fatigue::SiteFatigue;
use crate::locale::Locale;
use crate::slug::Slug;
use crate::survey::SurveyDefinition;
use crate::targeting::{Targeting, Trigger};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteConfig {
    pub site: Slug,
    /// The site's default language; `data-locale` and `sori('locale')` win over it.
    pub locale: Locale,
    /// Limits across all the site's surveys.
    #[serde(default)]
    pub fatigue: SiteFatigue,
    /// Active surveys, newest version of each.
    pub surveys: Vec<SurveyDefinition>,
    /// Whether the site has help articles, so the widget opens on Help.
    #[serde(default)]
    pub faq: bool,
}

/// What the widget's engine reads of a [`SiteConfig`]: when and to whom
/// each survey appears, not what it asks. The engine runs on every page
/// view, so it skips the questions (serde ignores the fields it does not
/// name) and hands each survey to the UI as it came.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SiteRules {
    pub locale: Locale,
    #[serde(default)]
    pub fatigue: SiteFatigue,
    pub surveys: Vec<SurveyRules>,
    #[serde(default)]
    pub faq: bool,
}

/// The part of a [`SurveyDefinition`] that decides whether it is shown.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SurveyRules {
    pub id: Slug,
    #[serde(default)]
    pub trigger: Trigger,
    #[serde(default)]
    pub targeting: Targeting,
    #[serde(default)]
    pub recontact: Recontact,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::{Question, QuestionKind};
    use crate::targeting::Trigger;

    fn text(s: &str) -> crate::Localized {
        crate::Localized([(Locale::En, s.to_owned())].into_iter().collect())
    }

    #[test]
    fn the_rules_read_from_a_config_are_the_configs_own() {
        let survey = |id: &str, trigger: Trigger| SurveyDefinition {
            id: Slug::parse(id).unwrap(),
            version: 3,
            name: id.to_owned(),
            title: text("Quick question"),
            questions: vec![Question {
                id: Slug::parse("score").unwrap(),
                prompt: text("How was it?"),
                kind: QuestionKind::Csat,
                required: true,
                show_if: None,
            }],
            trigger,
            targeting: Targeting {
                sample_percent: Some(40),
                ..Targeting::default()
            },
            recontact: Recontact::default(),
        };
        let config = SiteConfig {
            site: Slug::parse("demo").unwrap(),
            locale: Locale::Ko,
            fatigue: SiteFatigue::default(),
            surveys: vec![
                survey("manual", Trigger::Manual),
                survey("checkout", Trigger::Event("paid".to_owned())),
            ],
            faq: true,
        };
        let json = serde_json::to_string(&config).unwrap();
        let rules: SiteRules = serde_json::from_str(&json).unwrap();
        assert_eq!((rules.locale, rules.faq), (config.locale, config.faq));
        assert_eq!(rules.fatigue, config.fatigue);
        let expected: Vec<_> = config
            .surveys
            .iter()
            .map(|s| SurveyRules {
                id: s.id.clone(),
                trigger: s.trigger.clone(),
                targeting: s.targeting.clone(),
                recontact: s.recontact.clone(),
            })
            .collect();
        assert_eq!(rules.surveys, expected);
    }
}
