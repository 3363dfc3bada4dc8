//! What the widget fetches at start-up: `GET /v1/sites/{key}/config`.

use crate::fatigue::SiteFatigue;
use crate::locale::Locale;
use crate::slug::Slug;
use crate::survey::SurveyDefinition;
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
