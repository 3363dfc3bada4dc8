//! `GET /v1/sites/{key}/summary`: CSAT for CX managers, with n, the Wilson
//! 95% interval and a low-sample flag, for the site and for each survey.

use crate::AppState;
use crate::error::AppError;
use crate::stats::{Proportion, csat};
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sori_protocol::{Scale, Slug};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/sites/{key}/summary", get(summary))
}

#[derive(Deserialize)]
struct Filter {
    survey: Option<String>,
}

#[derive(Serialize)]
struct Summary {
    site: Slug,
    csat: CsatFigure,
    surveys: Vec<SurveySummary>,
}

#[derive(Serialize)]
struct SurveySummary {
    survey: Slug,
    csat: CsatFigure,
}

#[derive(Serialize)]
struct CsatFigure {
    #[serde(flatten)]
    score: Proportion,
    /// How many answered 1, 2, 3, 4 and 5.
    distribution: [u64; 5],
}

impl CsatFigure {
    fn new(distribution: [u64; 5]) -> Self {
        Self {
            score: csat(&distribution),
            distribution,
        }
    }
}

async fn summary(
    State(app): State<AppState>,
    Path(key): Path<String>,
    Query(filter): Query<Filter>,
) -> Result<Json<Summary>, AppError> {
    let unknown = || AppError::not_found("unknown_site", format!("no site has the key '{key}'"));
    let key = Slug::parse(&key).map_err(|_| unknown())?;
    app.store.site(&key).await?.ok_or_else(unknown)?;
    let survey = filter
        .survey
        .map(|s| {
            Slug::parse(&s).map_err(|why| sori_protocol::FieldError::new("survey", "invalid", why))
        })
        .transpose()?;
    let counts = app.store.score_counts(&key, survey.as_ref()).await?;
    let mut site_total = [0u64; 5];
    let mut by_survey: BTreeMap<Slug, [u64; 5]> = BTreeMap::new();
    for c in counts.iter().filter(|c| c.scale == Scale::Csat) {
        let i = usize::from(c.value.saturating_sub(Scale::Csat.min()));
        if i < 5 {
            site_total[i] += c.count;
            by_survey.entry(c.survey.clone()).or_default()[i] += c.count;
        }
    }
    Ok(Json(Summary {
        site: key,
        csat: CsatFigure::new(site_total),
        surveys: by_survey
            .into_iter()
            .map(|(survey, d)| SurveySummary {
                survey,
                csat: CsatFigure::new(d),
            })
            .collect(),
    }))
}
