//! `GET /v1/admin/sites/{key}/summary[?survey=ID]`: the scores CX managers read,
//! each with n, a 95% interval and a low-sample flag: CSAT, NPS
//! and CES across the site, and every scored question of every survey.

use crate::AppState;
use crate::error::AppError;
use crate::routes::extract::{ApiQuery, SiteReader};
use crate::stats::{Ces, Nps, Proportion, ces, csat, mean, nps, proportion};
use crate::store::ScoreCount;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sori_protocol::{ErrorCode, QuestionKind, Scale, Slug};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/admin/sites/{key}/summary", get(summary))
}

#[derive(Deserialize)]
struct Filter {
    survey: Option<String>,
}

#[derive(Serialize)]
struct Summary {
    site: Slug,
    csat: Figure,
    nps: Figure,
    ces: Figure,
    surveys: Vec<SurveySummary>,
}

#[derive(Serialize)]
struct SurveySummary {
    survey: Slug,
    /// All CSAT questions of the survey together; absent for a survey that
    /// asks no CSAT question.
    #[serde(skip_serializing_if = "Option::is_none")]
    csat: Option<Figure>,
    questions: Vec<QuestionSummary>,
}

#[derive(Serialize)]
struct QuestionSummary {
    question: Slug,
    scale: String,
    #[serde(flatten)]
    figure: Figure,
}

/// One score with how the answers spread over the scale.
#[derive(Serialize)]
pub(super) struct Figure {
    #[serde(flatten)]
    score: Score,
    /// How many gave each answer, lowest first (yes/no: no, yes).
    distribution: Vec<u64>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Score {
    /// CSAT (top two boxes) and yes/no (share of yes).
    Share(Proportion),
    Nps(Nps),
    Ces(Ces),
    /// Ratings: the mean and the spread.
    Mean {
        n: u64,
        #[serde(serialize_with = "crate::stats::two_decimals_or_none")]
        mean: Option<f64>,
        low_sample: bool,
    },
}

impl Figure {
    /// How many answers it counts.
    pub(super) fn n(&self) -> u64 {
        self.distribution.iter().sum()
    }

    /// The figure as a table row shows it: n, the score (a mean for a
    /// rating), its interval's ends, and whether the sample is small.
    pub(super) fn row(&self) -> [String; 5] {
        let (score, ci, low) = match &self.score {
            Score::Share(p) | Score::Ces(Ces { agree: p, .. }) => (p.score, p.ci95, p.low_sample),
            Score::Nps(n) => (n.score, n.ci95, n.low_sample),
            Score::Mean {
                mean, low_sample, ..
            } => (*mean, None, *low_sample),
        };
        let two = |v: Option<f64>| v.map(|v| format!("{:.2}", v)).unwrap_or_default();
        [
            self.n().to_string(),
            two(score),
            two(ci.map(|c| c.low)),
            two(ci.map(|c| c.high)),
            low.to_string(),
        ]
    }

    pub(super) fn of(scale: Scale, distribution: Vec<u64>) -> Self {
        let score = match scale {
            Scale::Csat => Score::Share(csat(&fixed(&distribution))),
            Scale::Nps => Score::Nps(nps(&fixed(&distribution))),
            Scale::Ces => Score::Ces(ces(&fixed(&distribution))),
            Scale::YesNo => Score::Share(proportion(distribution[1], distribution.iter().sum())),
            Scale::Rating(_) => {
                let n = distribution.iter().sum();
                Score::Mean {
                    n,
                    mean: mean(&distribution, 1),
                    low_sample: n < crate::stats::LOW_SAMPLE_BELOW,
                }
            }
        };
        Self {
            score,
            distribution,
        }
    }
}

/// Per question (id and scale name): its scale and distribution.
type QuestionCounts = BTreeMap<(Slug, String), (Scale, Vec<u64>)>;
/// Per survey: the CSAT distribution over all its CSAT questions, and each question's.
type SurveyCounts = (Vec<u64>, QuestionCounts);

/// A distribution as the fixed-size array a score function takes.
pub(super) fn fixed<const N: usize>(distribution: &[u64]) -> [u64; N] {
    let mut out = [0; N];
    for (o, d) in out.iter_mut().zip(distribution) {
        *o = *d;
    }
    out
}

/// Adds counts into a distribution over `scale`, ignoring values outside it.
fn add(distribution: &mut Vec<u64>, scale: Scale, count: &ScoreCount) {
    let size = usize::from(scale.max() - scale.min()) + 1;
    distribution.resize(size, 0);
    if let Some(slot) = count
        .value
        .checked_sub(scale.min())
        .and_then(|i| distribution.get_mut(usize::from(i)))
    {
        *slot += count.count;
    }
}

async fn summary(
    State(app): State<AppState>,
    SiteReader(site): SiteReader,
    ApiQuery(filter): ApiQuery<Filter>,
) -> Result<Json<Summary>, AppError> {
    let key = site.key;
    let survey = filter
        .survey
        .map(|s| {
            Slug::parse(&s)
                .map_err(|why| sori_protocol::FieldError::new("survey", ErrorCode::Invalid, why))
        })
        .transpose()?;
    let definitions = app.store.surveys(&key).await?;
    if let Some(survey) = &survey
        && !definitions.iter().any(|s| &s.definition.id == survey)
    {
        return Err(AppError::not_found(
            ErrorCode::UnknownSurvey,
            format!("site '{key}' has no survey '{survey}'"),
        ));
    }
    let counts = app.store.score_counts(&key, survey.as_ref()).await?;

    let mut site: BTreeMap<&'static str, Vec<u64>> = BTreeMap::new();
    let mut surveys: BTreeMap<Slug, SurveyCounts> = BTreeMap::new();
    for c in &counts {
        let entry = surveys.entry(c.survey.clone()).or_default();
        let (scale, dist) = entry
            .1
            .entry((c.question.clone(), c.scale.name()))
            .or_insert_with(|| (c.scale, Vec::new()));
        add(dist, *scale, c);
        let site_key = match c.scale {
            Scale::Csat => {
                add(&mut entry.0, Scale::Csat, c);
                Some("csat")
            }
            Scale::Nps => Some("nps"),
            Scale::Ces => Some("ces"),
            _ => None,
        };
        if let Some(k) = site_key {
            add(site.entry(k).or_default(), c.scale, c);
        }
    }
    let mut site_figure = |name: &'static str, scale: Scale| {
        let mut dist = site.remove(name).unwrap_or_default();
        dist.resize(usize::from(scale.max() - scale.min()) + 1, 0);
        Figure::of(scale, dist)
    };
    Ok(Json(Summary {
        site: key,
        csat: site_figure("csat", Scale::Csat),
        nps: site_figure("nps", Scale::Nps),
        ces: site_figure("ces", Scale::Ces),
        surveys: surveys
            .into_iter()
            .map(|(survey, (mut csat_dist, questions))| {
                // Counted CSAT answers show even if a later version dropped
                // the question.
                let asks_csat = !csat_dist.is_empty()
                    || definitions.iter().any(|s| {
                        s.definition.id == survey
                            && s.definition
                                .questions
                                .iter()
                                .any(|q| q.kind == QuestionKind::Csat)
                    });
                csat_dist.resize(5, 0);
                SurveySummary {
                    csat: asks_csat.then(|| Figure::of(Scale::Csat, csat_dist)),
                    survey,
                    questions: questions
                        .into_iter()
                        .map(|((question, scale_name), (scale, dist))| QuestionSummary {
                            question,
                            scale: scale_name,
                            figure: Figure::of(scale, dist),
                        })
                        .collect(),
                }
            })
            .collect(),
    }))
}
