//! What a site's surveys ask, read once from `…/surveys`: the names the
//! breakdown and compare pages give survey and question ids, and which
//! scores the site has at all (no NPS choice on a site that asks none).

use crate::api::{self, SurveyInfo};
use crate::i18n::Lang;

/// The scores a breakdown or comparison can be asked for, in the order
/// they are offered. Each is also the `kind` of the questions it counts.
pub const SCALES: [&str; 4] = ["csat", "nps", "ces", "yes_no"];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    surveys: Vec<SurveyInfo>,
}

/// How a question id is shown: its prompt when every survey that asks it
/// words it the same, and the surveys that ask it.
pub struct QuestionName {
    pub prompt: Option<String>,
    pub surveys: Vec<String>,
}

impl Catalog {
    /// The site's surveys; an empty catalog when they cannot be read, so
    /// the pages still work, showing ids instead of names.
    pub async fn load(site: &str) -> Self {
        let path = format!("/v1/admin/sites/{}/surveys", api::encode(site));
        Self {
            surveys: api::get::<Vec<SurveyInfo>>(&path).await.unwrap_or_default(),
        }
    }

    /// The scales some question of the site asks; all of them when the
    /// surveys are unknown, as the API will say what it has.
    pub fn scales(&self) -> Vec<&'static str> {
        let asked: Vec<&'static str> = SCALES
            .into_iter()
            .filter(|scale| self.asks(scale))
            .collect();
        if asked.is_empty() {
            SCALES.to_vec()
        } else {
            asked
        }
    }

    fn asks(&self, scale: &str) -> bool {
        self.surveys
            .iter()
            .any(|s| s.questions.iter().any(|q| q.kind == scale))
    }

    /// The surveys that ask a question of `scale`, as (id, name).
    pub fn surveys_asking(&self, scale: &str) -> Vec<(String, String)> {
        self.surveys
            .iter()
            .filter(|s| s.questions.iter().any(|q| q.kind == scale))
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect()
    }

    /// The author's name for survey `id`, when it is known and not blank.
    pub fn survey_name(&self, id: &str) -> Option<&str> {
        self.surveys
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.as_str())
            .filter(|n| !n.trim().is_empty())
    }

    /// Question `id` in `lang`. A question id can be asked by more than one
    /// survey (a `csat` in each), and the rollup counts them together.
    pub fn question(&self, id: &str, lang: Lang) -> QuestionName {
        let mut prompts: Vec<&str> = Vec::new();
        let mut surveys = Vec::new();
        for s in &self.surveys {
            if let Some(q) = s.questions.iter().find(|q| q.id == id) {
                surveys.push(self.survey_name(&s.id).unwrap_or(&s.id).to_owned());
                if let Some(p) = q.prompt.get(lang).filter(|p| !prompts.contains(p)) {
                    prompts.push(p);
                }
            }
        }
        QuestionName {
            prompt: match prompts.as_slice() {
                [one] => Some((*one).to_owned()),
                _ => None,
            },
            surveys,
        }
    }
}
