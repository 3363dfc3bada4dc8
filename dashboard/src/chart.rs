//! A trend drawn in SVG: the score as a line, its 95% interval as a band
//! around it, days without answers left as gaps. The numbers behind it are
//! in a table for anyone who cannot see the chart.

use crate::api::{Interval, Point};
use crate::{number, use_app};
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const PAD: f64 = 28.0;

fn x(i: usize, count: usize) -> f64 {
    let span = (count.max(2) - 1) as f64;
    PAD + (WIDTH - 2.0 * PAD) * i as f64 / span
}

fn y(score: f64) -> f64 {
    HEIGHT - PAD - (HEIGHT - 2.0 * PAD) * score.clamp(0.0, 100.0) / 100.0
}

/// Runs of consecutive points that have a score: each is drawn on its own.
fn runs(points: &[Point]) -> Vec<Vec<(usize, &Point)>> {
    let mut out: Vec<Vec<(usize, &Point)>> = Vec::new();
    let mut current = Vec::new();
    for (i, p) in points.iter().enumerate() {
        if p.figure.score.is_some() {
            current.push((i, p));
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn line(run: &[(usize, &Point)], count: usize) -> String {
    run.iter()
        .enumerate()
        .map(|(k, (i, p))| {
            let cmd = if k == 0 { 'M' } else { 'L' };
            format!(
                "{cmd}{:.1},{:.1}",
                x(*i, count),
                y(p.figure.score.unwrap_or(0.0))
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn band(run: &[(usize, &Point)], count: usize) -> String {
    let upper = run
        .iter()
        .filter_map(|(i, p)| p.figure.ci95.map(|c| (x(*i, count), y(c.high))));
    let lower: Vec<(f64, f64)> = run
        .iter()
        .filter_map(|(i, p)| p.figure.ci95.map(|c| (x(*i, count), y(c.low))))
        .collect();
    let mut path: Vec<String> = upper
        .enumerate()
        .map(|(k, (px, py))| format!("{}{px:.1},{py:.1}", if k == 0 { 'M' } else { 'L' }))
        .collect();
    path.extend(
        lower
            .iter()
            .rev()
            .map(|(px, py)| format!("L{px:.1},{py:.1}")),
    );
    if !path.is_empty() {
        path.push("Z".into());
    }
    path.join(" ")
}

#[component]
pub fn TrendChart(points: Vec<Point>, title: &'static str) -> impl IntoView {
    let app = use_app();
    let count = points.len();
    let latest = points
        .iter()
        .rev()
        .find_map(|p| p.figure.score.map(|s| (p.date.clone(), s)));
    let label = match &latest {
        Some((date, score)) => format!("{title}: {} ({} {date})", number(*score), app.text().on),
        None => title.to_owned(),
    };
    let drawn = runs(&points);
    let paths = drawn
        .iter()
        .map(|run| {
            let (band, line) = (band(run, count), line(run, count));
            view! {
                <path class="band" d=band/>
                <path class="line" d=line/>
            }
        })
        .collect_view();
    let dots = drawn
        .iter()
        .filter(|run| run.len() == 1)
        .map(|run| {
            let (i, p) = run[0];
            view! { <circle class="dot" cx=x(i, count) cy=y(p.figure.score.unwrap_or(0.0)) r="3"/> }
        })
        .collect_view();
    let first = points.first().map(|p| p.date.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.date.clone()).unwrap_or_default();
    let rows = points
        .iter()
        .map(|p| {
            let score = p.figure.score.map(number).unwrap_or_else(|| "–".into());
            let interval = p
                .figure
                .ci95
                .map(|c| format!("{}–{}", number(c.low), number(c.high)))
                .unwrap_or_else(|| "–".into());
            view! { <tr><td>{p.date.clone()}</td><td>{score}</td><td>{interval}</td><td>{p.figure.n}</td></tr> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label preserveAspectRatio="none">
                <line class="axis" x1=PAD y1=y(0.0) x2=WIDTH - PAD y2=y(0.0)/>
                <line class="grid" x1=PAD y1=y(50.0) x2=WIDTH - PAD y2=y(50.0)/>
                <line class="grid" x1=PAD y1=y(100.0) x2=WIDTH - PAD y2=y(100.0)/>
                <text class="tick" x="2" y=y(100.0) + 4.0>"100"</text>
                <text class="tick" x="2" y=y(50.0) + 4.0>"50"</text>
                <text class="tick" x="2" y=y(0.0) + 4.0>"0"</text>
                {paths}
                {dots}
            </svg>
            <figcaption>
                <span>{first}</span>
                <span>{title}</span>
                <span>{last}</span>
            </figcaption>
            <details>
                <summary>{move || app.text().show_numbers}</summary>
                <table>
                    <thead><tr>
                        <th scope="col">{move || app.text().day}</th>
                        <th scope="col">{move || app.text().score}</th>
                        <th scope="col">{move || app.text().interval}</th>
                        <th scope="col">"n"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}

/// A small line of the score, without axes: how a site has been doing,
/// at a glance. Named for screen readers by `label` and its latest value.
#[component]
pub fn Sparkline(points: Vec<Point>, label: &'static str) -> impl IntoView {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    let count = points.len().max(2) - 1;
    let at = |i: usize, score: f64| {
        (
            W * i as f64 / count as f64,
            H - 2.0 - (H - 4.0) * score.clamp(0.0, 100.0) / 100.0,
        )
    };
    let lines = runs(&points)
        .into_iter()
        .map(|run| {
            run.iter()
                .enumerate()
                .map(|(k, (i, p))| {
                    let (x, y) = at(*i, p.figure.score.unwrap_or(0.0));
                    format!("{}{x:.1},{y:.1}", if k == 0 { 'M' } else { 'L' })
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .map(|d| view! { <path class="line" d=d/> })
        .collect_view();
    let latest = points
        .iter()
        .rev()
        .find_map(|p| p.figure.score)
        .map(|s| format!("{label}: {}", number(s)))
        .unwrap_or_else(|| label.to_owned());
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {W} {H}") role="img" aria-label=latest>
            {lines}
        </svg>
    }
}

/// A score and its 95% interval on one small bar: the interval as a band,
/// the score as a mark across it, on the scale's whole range (0 to 100,
/// or −100 to 100 with a mark at 0 for NPS). Hidden from screen readers:
/// the same numbers are written beside it.
#[component]
pub fn IntervalBar(score: Option<f64>, ci: Option<Interval>, lowest: f64) -> impl IntoView {
    const W: f64 = 100.0;
    const H: f64 = 12.0;
    // Inset a little, so a mark at either end is drawn whole.
    let at = move |v: f64| 2.0 + (W - 4.0) * (v.clamp(lowest, 100.0) - lowest) / (100.0 - lowest);
    let zero = (lowest < 0.0).then(|| {
        view! { <line class="zero" x1=at(0.0) y1="0" x2=at(0.0) y2=H/> }
    });
    let band = ci.map(|c| {
        // At least a sliver: a very narrow interval is still drawn.
        let width = (at(c.high) - at(c.low)).max(1.0);
        view! { <rect class="ci" x=at(c.low) y="2" width=width height=H - 4.0/> }
    });
    let mark = score.map(|s| view! { <line class="mark" x1=at(s) y1="0" x2=at(s) y2=H/> });
    view! {
        <svg class="interval-bar" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none"
            aria-hidden="true" focusable="false">
            <line class="track" x1="0" y1=H / 2.0 x2=W y2=H / 2.0/>
            {zero}
            {band}
            {mark}
        </svg>
    }
}
