//! A breakdown as a table: each segment by the name people know it by,
//! its n, score and interval, and a note of what was left out.

use super::{Shown, dimension_name, per_dimension, scale_name};
use crate::api::Segment;
use crate::catalog::Catalog;
use crate::chart::IntervalBar;
use crate::i18n::{Lang, Text, language_name};
use crate::{number, use_app};
use leptos::prelude::*;

/// A segment's name as people read it, and below it, quieter, the id and
/// where it comes from.
fn segment_label(
    t: &Text,
    lang: Lang,
    catalog: &Catalog,
    by: &str,
    raw: &str,
) -> (String, Option<String>) {
    match by {
        "survey" => match catalog.survey_name(raw) {
            Some(name) => (name.to_owned(), Some(raw.to_owned())),
            None => (raw.to_owned(), None),
        },
        "question" => {
            let q = catalog.question(raw, lang);
            let surveys = q.surveys.join(", ");
            match q.prompt {
                Some(prompt) if surveys.is_empty() => (prompt, Some(raw.to_owned())),
                Some(prompt) => (prompt, Some(format!("{raw} · {surveys}"))),
                None => (raw.to_owned(), Some(surveys).filter(|s| !s.is_empty())),
            }
        }
        "locale" => (language_name(raw).unwrap_or(raw).to_owned(), None),
        "device" => (t.device_name(raw).unwrap_or(raw).to_owned(), None),
        // Page paths and attribute values are shown as they were sent.
        _ => (raw.to_owned(), None),
    }
}

#[component]
pub(super) fn Table(shown: Shown, catalog: Catalog) -> impl IntoView {
    let app = use_app();
    let (t, lang) = (app.text(), app.lang());
    let b = &shown.breakdown;
    let attribute = b.attribute.as_deref();
    let title = format!(
        "{} · {} · ",
        scale_name(t, &shown.scale),
        per_dimension(lang, &shown.by, attribute)
    );
    // An attribute's column is headed by its name.
    let column = match attribute {
        Some(name) if shown.by == "attribute" => name.to_owned(),
        _ => dimension_name(t, &shown.by).to_owned(),
    };
    // Kept on one line: a date broken at its hyphen reads wrong.
    let days = format!("{} – {}", b.from, b.to);
    let csv = format!("{}&format=csv", shown.path);
    let few = b.segments.iter().any(|s| s.figure.low_sample);
    let paths = shown.by == "page";
    let rows = b
        .segments
        .iter()
        .map(|s| {
            let (name, detail) = segment_label(t, lang, &catalog, &shown.by, &s.segment);
            view! { <Row segment=s.clone() scale=shown.scale.clone() name=name detail=detail path=paths/> }
        })
        .collect_view();
    let more = (b.other_segments > 0)
        .then(|| view! { <p class="quiet note more">{lang.more_segments(b.other_segments)}</p> });
    view! {
        <section class="segment-table breakdown" aria-labelledby="breakdown-title">
            <div class="breakdown-head">
                <h2 id="breakdown-title">{title}<span class="nowrap">{days}</span></h2>
                <a class="button" href=csv download="">{t.download_csv}</a>
            </div>
            // The roles are the elements' own: said again because on a phone
            // the rows are laid out as grids, and some screen readers stop
            // reading a table as one when its display changes.
            <table role="table">
                <thead role="rowgroup"><tr role="row">
                    <th scope="col" role="columnheader">{column}</th>
                    <th scope="col" role="columnheader" class="num">{t.answers_col}</th>
                    <th scope="col" role="columnheader" class="num">{t.score}</th>
                    <th scope="col" role="columnheader">{t.interval}</th>
                </tr></thead>
                <tbody role="rowgroup">{rows}</tbody>
            </table>
            {more}
            {few.then(|| view! { <p class="quiet note">{t.few_note}</p> })}
        </section>
    }
}

#[component]
fn Row(
    segment: Segment,
    scale: String,
    name: String,
    detail: Option<String>,
    /// The name is a page path.
    path: bool,
) -> impl IntoView {
    let t = use_app().text();
    let f = &segment.figure;
    // NPS runs from −100 to 100 and is not a share.
    let (unit, lowest, dash) = if scale == "nps" {
        ("", -100.0, " – ")
    } else {
        ("%", 0.0, "–")
    };
    let score = f
        .score
        .map(|s| format!("{}{unit}", number(s)))
        .unwrap_or_else(|| "–".into());
    let interval = f
        .ci95
        .map(|c| format!("{}{dash}{}{unit}", number(c.low), number(c.high)))
        .unwrap_or_else(|| "–".into());
    // A page path may break after each `/`, so a long one wraps between
    // its parts on a phone rather than anywhere.
    let parts: Vec<String> = if path {
        name.split_inclusive('/').map(str::to_owned).collect()
    } else {
        vec![name]
    };
    let name = parts
        .into_iter()
        .map(|part| view! { {part}<wbr/> })
        .collect_view();
    view! {
        <tr role="row" data-segment=segment.segment.clone()>
            <th scope="row" role="rowheader">
                <span class="segment-name" class:path=path>{name}</span>
                {detail.map(|d| view! { <span class="segment-id">{d}</span> })}
            </th>
            <td role="cell" class="num">
                <span class="n">{f.n}</span>
                {f.low_sample.then(|| view! { " "<span class="badge">{t.few}</span> })}
            </td>
            <td role="cell" class="num">{score}</td>
            <td role="cell">
                <span class="interval-cell">
                    <IntervalBar score=f.score ci=f.ci95 lowest=lowest/>
                    <span>{interval}</span>
                </span>
            </td>
        </tr>
    }
}
