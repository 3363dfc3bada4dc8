//! One score split by survey, question, language or device over chosen
//! days: each segment's n, score and 95% interval (drawn as a small bar),
//! flagged when it has few answers, most answers first as the API sorts
//! them. The same table downloads as CSV from the same URL.

use crate::api::{self, Breakdown, Segment};
use crate::catalog::Catalog;
use crate::chart::IntervalBar;
use crate::i18n::{Lang, Text, language_name};
use crate::{number, use_app};
use leptos::either::EitherOf4;
use leptos::prelude::*;

/// What a breakdown can be by: the API's `by`.
const DIMENSIONS: [&str; 4] = ["survey", "question", "locale", "device"];

fn scale_name(t: &Text, scale: &str) -> &'static str {
    match scale {
        "nps" => t.nps,
        "ces" => t.ces,
        "yes_no" => t.yes_share,
        _ => t.csat,
    }
}

fn dimension_name(t: &Text, by: &str) -> &'static str {
    match by {
        "survey" => t.survey,
        "question" => t.question,
        "locale" => t.language,
        _ => t.device,
    }
}

fn per_dimension(t: &Text, by: &str) -> &'static str {
    match by {
        "survey" => t.per_survey,
        "question" => t.per_question,
        "locale" => t.per_language,
        _ => t.per_device,
    }
}

/// A breakdown on screen: what was asked (its URL too, for the CSV) and
/// what came back.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    scale: String,
    by: String,
    path: String,
    breakdown: Breakdown,
}

/// The form's choices.
#[derive(Clone, Copy)]
struct Choice {
    scale: RwSignal<String>,
    by: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

#[component]
pub fn Breakdowns(site: String) -> impl IntoView {
    let app = use_app();
    let catalog = RwSignal::new(None::<Catalog>);
    let choice = Choice {
        scale: RwSignal::new(String::new()),
        by: RwSignal::new("survey".to_owned()),
        // Empty at first: the API's default, the last 30 days in the
        // site's time zone, which the answer then fills in.
        from: RwSignal::new(String::new()),
        to: RwSignal::new(String::new()),
    };
    // `Err("")` when the collector gave no reason.
    let result = RwSignal::new(None::<Result<Shown, String>>);
    let busy = RwSignal::new(false);
    // Which ask is the latest: an older answer arriving late is dropped.
    let asked = StoredValue::new(0_u32);
    let base = format!("/v1/admin/sites/{}/breakdown", api::encode(&site));
    let fetch = move || {
        let (scale, by) = (choice.scale.get_untracked(), choice.by.get_untracked());
        let mut path = format!(
            "{base}?scale={}&by={}",
            api::encode(&scale),
            api::encode(&by)
        );
        for (name, value) in [("from", choice.from), ("to", choice.to)] {
            let value = value.get_untracked();
            if !value.is_empty() {
                path.push_str(&format!("&{name}={}", api::encode(&value)));
            }
        }
        asked.update_value(|n| *n += 1);
        let ticket = asked.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::get::<Breakdown>(&path).await;
            if asked.get_value() != ticket {
                return;
            }
            busy.set(false);
            match answer {
                Ok(breakdown) => {
                    choice.from.set(breakdown.from.clone());
                    choice.to.set(breakdown.to.clone());
                    result.set(Some(Ok(Shown {
                        scale,
                        by,
                        path,
                        breakdown,
                    })));
                }
                Err(failure) => {
                    crate::signed_out_if(app, &failure);
                    result.set(Some(Err(failure.message)));
                }
            }
        });
    };
    {
        let fetch = fetch.clone();
        leptos::task::spawn_local(async move {
            let found = Catalog::load(&site).await;
            let first = found.scales().first().copied().unwrap_or("csat");
            choice.scale.set(first.to_owned());
            catalog.set(Some(found));
            fetch();
        });
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        fetch();
    };
    view! {
        {move || catalog.get().map(|c| view! { <Form catalog=c choice=choice on_submit=submit.clone()/> })}
        <p class="quiet status" role="status">{move || busy.get().then(|| app.text().loading)}</p>
        {move || {
            app.lang.track();
            let t = app.text();
            match result.get() {
                None => EitherOf4::A(()),
                Some(Err(message)) => {
                    let message = if message.is_empty() { t.failed.to_owned() } else { message };
                    EitherOf4::B(view! { <p class="problem" role="alert">{message}</p> })
                }
                Some(Ok(shown)) if shown.breakdown.segments.is_empty() => EitherOf4::C(view! {
                    <p class="empty" role="status">{t.breakdown_empty}" ("{shown.breakdown.from}" – "{shown.breakdown.to}")"</p>
                }),
                Some(Ok(shown)) => {
                    let catalog = catalog.get_untracked().unwrap_or_default();
                    EitherOf4::D(view! { <Table shown=shown catalog=catalog/> })
                }
            }
        }}
    }
}

#[component]
fn Form(
    catalog: Catalog,
    choice: Choice,
    on_submit: impl Fn(leptos::ev::SubmitEvent) + 'static,
) -> impl IntoView {
    let app = use_app();
    let scales = catalog
        .scales()
        .into_iter()
        .map(|s| {
            view! {
                <option value=s selected=choice.scale.get_untracked() == s>
                    {move || scale_name(app.text(), s)}
                </option>
            }
        })
        .collect_view();
    let dimensions = DIMENSIONS
        .into_iter()
        .map(|d| {
            view! {
                <option value=d selected=choice.by.get_untracked() == d>
                    {move || dimension_name(app.text(), d)}
                </option>
            }
        })
        .collect_view();
    view! {
        <form class="filters" on:submit=on_submit>
            <div>
                <label for="bd-scale">{move || app.text().score}</label>
                <select id="bd-scale" on:change:target=move |ev| choice.scale.set(ev.target().value())>
                    {scales}
                </select>
            </div>
            <div>
                <label for="bd-by">{move || app.text().break_down_by}</label>
                <select id="bd-by" on:change:target=move |ev| choice.by.set(ev.target().value())>
                    {dimensions}
                </select>
            </div>
            <div>
                <label for="bd-from">{move || app.text().from}</label>
                <input id="bd-from" type="date" prop:value=choice.from
                    on:input:target=move |ev| choice.from.set(ev.target().value())/>
            </div>
            <div>
                <label for="bd-to">{move || app.text().to}</label>
                <input id="bd-to" type="date" prop:value=choice.to
                    on:input:target=move |ev| choice.to.set(ev.target().value())/>
            </div>
            <button type="submit" class="primary">{move || app.text().apply}</button>
        </form>
    }
}

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
        _ => (t.device_name(raw).unwrap_or(raw).to_owned(), None),
    }
}

#[component]
fn Table(shown: Shown, catalog: Catalog) -> impl IntoView {
    let app = use_app();
    let (t, lang) = (app.text(), app.lang());
    let b = &shown.breakdown;
    let title = format!(
        "{} · {} · ",
        scale_name(t, &shown.scale),
        per_dimension(t, &shown.by)
    );
    // Kept on one line: a date broken at its hyphen reads wrong.
    let days = format!("{} – {}", b.from, b.to);
    let csv = format!("{}&format=csv", shown.path);
    let few = b.segments.iter().any(|s| s.figure.low_sample);
    let rows = b
        .segments
        .iter()
        .map(|s| {
            let (name, detail) = segment_label(t, lang, &catalog, &shown.by, &s.segment);
            view! { <Row segment=s.clone() scale=shown.scale.clone() name=name detail=detail/> }
        })
        .collect_view();
    view! {
        <section class="segment-table breakdown" aria-labelledby="breakdown-title">
            <div class="breakdown-head">
                <h2 id="breakdown-title">{title}<span class="nowrap">{days}</span></h2>
                <a class="button" href=csv download="">{t.download_csv}</a>
            </div>
            <table>
                <thead><tr>
                    <th scope="col">{dimension_name(t, &shown.by)}</th>
                    <th scope="col" class="num">{t.answers_col}</th>
                    <th scope="col" class="num">{t.score}</th>
                    <th scope="col">{t.interval}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {few.then(|| view! { <p class="quiet note">{t.few_note}</p> })}
        </section>
    }
}

#[component]
fn Row(segment: Segment, scale: String, name: String, detail: Option<String>) -> impl IntoView {
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
    view! {
        <tr data-segment=segment.segment.clone()>
            <th scope="row">
                <span class="segment-name">{name}</span>
                {detail.map(|d| view! { <span class="segment-id">{d}</span> })}
            </th>
            <td class="num">
                <span class="n">{f.n}</span>
                {f.low_sample.then(|| view! { " "<span class="badge">{t.few}</span> })}
            </td>
            <td class="num">{score}</td>
            <td>
                <span class="interval-cell">
                    <IntervalBar score=f.score ci=f.ci95 lowest=lowest/>
                    <span>{interval}</span>
                </span>
            </td>
        </tr>
    }
}
