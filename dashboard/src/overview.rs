//! A site at a glance: CSAT, NPS and CES with how many answered, their
//! 95% interval, a warning when few did, and the change against the 30 days
//! before, marked when it is more than noise; satisfaction by day as a
//! chart. New responses arrive by themselves (server-sent events), and the
//! page says when it has lost the connection.

use crate::api::{self, Breakdown, Comparison, Figure, Summary, Trend};
use crate::chart::TrendChart;
use crate::i18n::{Text, language_name};
use crate::{number, use_app};
use leptos::either::Either;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::EventSource;

/// Everything the page shows, loaded together.
#[derive(Clone, PartialEq)]
struct Loaded {
    summary: Summary,
    trend: Trend,
    changes: [Option<Comparison>; 3],
    /// Satisfaction by device and by language.
    by_device: Option<Breakdown>,
    by_locale: Option<Breakdown>,
}

const SCALES: [&str; 3] = ["csat", "nps", "ces"];

async fn load(site: &str, granularity: &str) -> Result<Loaded, api::Failure> {
    let base = format!("/v1/admin/sites/{}", api::encode(site));
    let summary = api::get::<Summary>(&format!("{base}/summary")).await?;
    let trend = api::get::<Trend>(&format!(
        "{base}/trend?scale=csat&granularity={granularity}"
    ))
    .await?;
    let mut changes = [None, None, None];
    for (slot, scale) in changes.iter_mut().zip(SCALES) {
        *slot = api::get::<Comparison>(&format!("{base}/compare?scale={scale}"))
            .await
            .ok();
    }
    let by = |by: &str| format!("{base}/breakdown?scale=csat&by={by}");
    let by_device = api::get::<Breakdown>(&by("device")).await.ok();
    let by_locale = api::get::<Breakdown>(&by("locale")).await.ok();
    Ok(Loaded {
        summary,
        trend,
        changes,
        by_device,
        by_locale,
    })
}

#[component]
pub fn Overview(site: String) -> impl IntoView {
    let app = use_app();
    // `None` while the first load runs; `Some(Err)` when it failed.
    let data = RwSignal::new(None::<Result<Loaded, api::Failure>>);
    let live = RwSignal::new(None::<bool>);
    // The chart's buckets: `day`, `week` or `month`.
    let granularity = RwSignal::new("day");
    let loading = StoredValue::new(false);
    let again = StoredValue::new(false);
    let reload = {
        let site = site.clone();
        move || {
            if loading.get_value() {
                again.set_value(true);
                return;
            }
            loading.set_value(true);
            let site = site.clone();
            leptos::task::spawn_local(async move {
                loop {
                    again.set_value(false);
                    let result = load(&site, granularity.get_untracked()).await;
                    if let Err(failure) = &result {
                        crate::signed_out_if(app, failure);
                    }
                    // A failed refresh keeps what is on screen.
                    if result.is_ok() || data.get_untracked().is_none() {
                        data.set(Some(result));
                    }
                    if !again.get_value() {
                        break;
                    }
                }
                loading.set_value(false);
            });
        }
    };
    // Loads now, and again when the chart's buckets change.
    Effect::new({
        let reload = reload.clone();
        move || {
            granularity.track();
            reload();
        }
    });
    let source = EventSource::new(&format!("/v1/admin/sites/{}/events", api::encode(&site))).ok();
    if let Some(source) = &source {
        let on_response = Closure::<dyn Fn()>::new(reload);
        let on_open = Closure::<dyn Fn()>::new(move || live.set(Some(true)));
        let on_error = Closure::<dyn Fn()>::new(move || live.set(Some(false)));
        let _ = source
            .add_event_listener_with_callback("response", on_response.as_ref().unchecked_ref());
        let _ =
            source.add_event_listener_with_callback("lagged", on_response.as_ref().unchecked_ref());
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_response.forget();
        on_open.forget();
        on_error.forget();
    }
    let source = StoredValue::new_local(source);
    on_cleanup(move || {
        if let Some(source) = source.get_value() {
            source.close();
        }
    });
    view! {
        <p class="live" role="status">
            {move || match live.get() {
                Some(true) => Either::Left(view! { <span class="dot-live" aria-hidden="true"></span>{app.text().live} }),
                Some(false) => Either::Right(view! { <span class="offline">{app.text().offline}</span> }),
                None => Either::Right(view! { <span class="offline">""</span> }),
            }}
        </p>
        {move || {
            // Drawn again in the other language when it changes.
            app.lang.track();
            match data.get() {
            None => Either::Left(view! { <p class="quiet" role="status">{app.text().loading}</p> }),
            Some(Err(_)) => Either::Left(view! { <p class="problem" role="alert">{app.text().failed}</p> }),
            Some(Ok(loaded)) => Either::Right(view! { <Cards loaded=loaded granularity=granularity/> }),
        }}}
    }
}

#[component]
fn Cards(loaded: Loaded, granularity: RwSignal<&'static str>) -> impl IntoView {
    let app = use_app();
    let t = app.text();
    // Each with the first value of its scale: CSAT 1–5, NPS 0–10, CES 1–7.
    let figures = [
        (t.csat, loaded.summary.csat.clone(), "%", 1),
        (t.nps, loaded.summary.nps.clone(), "", 0),
        (t.ces, loaded.summary.ces.clone(), "%", 1),
    ];
    let cards = figures
        .into_iter()
        .zip(loaded.changes.clone())
        .map(|((title, figure, unit, first), change)| {
            view! { <Card title=title figure=figure unit=unit first=first change=change/> }
        })
        .collect_view();
    let tables = [
        (t.by_device, loaded.by_device.clone()),
        (t.by_locale, loaded.by_locale.clone()),
    ]
    .into_iter()
    .filter_map(|(title, b)| b.filter(|b| !b.segments.is_empty()).map(|b| (title, b)))
    .map(|(title, b)| view! { <SegmentTable title=title breakdown=b/> })
    .collect_view();
    let title = match granularity.get_untracked() {
        "week" => t.csat_by_week,
        "month" => t.csat_by_month,
        _ => t.csat_trend,
    };
    let choose =
        move |ev: leptos::ev::Targeted<leptos::ev::Event, leptos::web_sys::HtmlSelectElement>| {
            granularity.set(match ev.target().value().as_str() {
                "week" => "week",
                "month" => "month",
                _ => "day",
            });
        };
    view! {
        <div class="cards">{cards}</div>
        <div class="chart-controls">
            <label for="granularity">{t.buckets}</label>
            <select id="granularity" on:change:target=choose>
                <option value="day" selected=granularity.get_untracked() == "day">{t.by_day}</option>
                <option value="week" selected=granularity.get_untracked() == "week">{t.by_week}</option>
                <option value="month" selected=granularity.get_untracked() == "month">{t.by_month}</option>
            </select>
        </div>
        <TrendChart points=loaded.trend.points.clone() title=title/>
        <div class="segments">{tables}</div>
    }
}

fn change_text(t: &Text, change: &Comparison, unit: &str) -> Option<(String, bool)> {
    let d = change.difference.difference?;
    let sign = if d > 0.0 { "+" } else { "" };
    // A change is only called real with enough answers on both sides.
    let real = change.difference.significant && !change.difference.low_sample;
    let verdict = if change.difference.low_sample {
        t.too_few_to_tell
    } else if real {
        t.significant
    } else {
        t.not_significant
    };
    Some((
        format!("{sign}{}{unit} {} ({verdict})", number(d), t.vs_previous),
        real,
    ))
}

#[component]
fn Card(
    title: &'static str,
    figure: Figure,
    unit: &'static str,
    first: u8,
    change: Option<Comparison>,
) -> impl IntoView {
    let app = use_app();
    let t = app.text();
    let score = figure
        .score
        .map(|s| format!("{}{unit}", number(s)))
        .unwrap_or_else(|| "–".into());
    let interval = figure
        .ci95
        .map(|c| format!("{} {}–{}{unit}", t.interval, number(c.low), number(c.high)));
    let n = if figure.n == 0 {
        t.no_answers.to_owned()
    } else {
        app.lang().answers(figure.n)
    };
    // Shares move in percentage points, NPS in its own points.
    let change = change.as_ref().and_then(|c| change_text(t, c, " pt"));
    view! {
        <section class="card">
            <h2>{title}</h2>
            <p class="score">{score}</p>
            <p class="n">{n}</p>
            {interval.map(|i| view! { <p class="interval">{i}</p> })}
            {figure.low_sample.then(|| view! { <p class="badge">{t.low_sample}</p> })}
            {change.map(|(text, real)| view! { <p class=if real { "change real" } else { "change" }>{text}</p> })}
            <Distribution counts=figure.distribution.clone() first=first/>
        </section>
    }
}

/// Satisfaction per segment (device or language) over the last 30 days,
/// with each one's interval, so a segment that differs stands out.
#[component]
fn SegmentTable(title: &'static str, breakdown: Breakdown) -> impl IntoView {
    let app = use_app();
    let t = app.text();
    let rows = breakdown
        .segments
        .into_iter()
        .map(|s| {
            let name = t
                .device_name(&s.segment)
                .or_else(|| language_name(&s.segment))
                .map_or_else(|| s.segment.clone(), str::to_owned);
            let score = s
                .figure
                .score
                .map(|v| format!("{}%", number(v)))
                .unwrap_or_else(|| "–".into());
            let interval = s
                .figure
                .ci95
                .map(|c| format!("{}–{}%", number(c.low), number(c.high)))
                .unwrap_or_else(|| "–".into());
            let few = s.figure.low_sample.then_some(t.few);
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td>{score}</td>
                    <td>{interval}</td>
                    <td>{s.figure.n}{few.map(|f| format!(" ({f})"))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="segment-table">
            <h2>{title}</h2>
            <table>
                <thead><tr>
                    <th scope="col"><span class="visually-hidden">{t.segment}</span></th>
                    <th scope="col">{t.csat_short}</th>
                    <th scope="col">{t.interval}</th>
                    <th scope="col">"n"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// How the answers spread over the scale: a bar per value, its count
/// beside it for anyone who does not read the bars.
#[component]
fn Distribution(counts: Vec<u64>, first: u8) -> impl IntoView {
    let app = use_app();
    let top = counts.iter().copied().max().unwrap_or(0).max(1);
    let total: u64 = counts.iter().sum();
    (total > 0).then(|| {
        let rows = counts
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let value = usize::from(first) + i;
                // Width as a class step (0–10): the page's policy allows no
                // inline style.
                let step = (n * 10).div_ceil(top);
                view! {
                    <li>
                        <span class="value">{value}</span>
                        <span class=format!("bar w{step}") aria-hidden="true"></span>
                        <span class="count">{n}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <details class="distribution">
                <summary>{move || app.text().distribution}</summary>
                <ol>{rows}</ol>
            </details>
        }
    })
}
