//! The help center's figures: how often articles helped (with the
//! interval), views, searches and hand-offs to feedback, the most read
//! articles, the searches that found nothing, and what readers said was
//! missing, in their words.

use crate::api::{self, Figure, HelpInsights};
use crate::{number, use_app};
use leptos::either::Either;
use leptos::prelude::*;

fn share(figure: &Figure) -> String {
    match (figure.score, figure.ci95) {
        (Some(score), Some(ci)) => format!(
            "{}% ({}–{}%, n = {})",
            number(score),
            number(ci.low),
            number(ci.high),
            figure.n
        ),
        _ => "–".into(),
    }
}

#[component]
pub fn Help(site: String) -> impl IntoView {
    let app = use_app();
    // `None` while loading; `Some(None)` when it failed.
    let data = RwSignal::new(None::<Option<HelpInsights>>);
    let path = format!("/v1/admin/sites/{}/faq/insights", api::encode(&site));
    leptos::task::spawn_local(async move {
        let answer = api::get::<HelpInsights>(&path).await;
        if let Err(failure) = &answer {
            crate::signed_out_if(app, failure);
        }
        data.set(Some(answer.ok()));
    });
    view! {
        {move || {
            app.lang.track();
            match data.get() {
                None => Either::Left(view! { <p class="quiet" role="status">{app.text().loading}</p> }),
                Some(None) => Either::Left(view! { <p class="problem" role="alert">{app.text().failed}</p> }),
                Some(Some(h)) => Either::Right(view! { <Figures h=h/> }),
            }
        }}
    }
}

#[component]
fn Figures(h: HelpInsights) -> impl IntoView {
    let t = use_app().text();
    let articles = h
        .top_articles
        .iter()
        .map(|a| {
            view! {
                <tr>
                    <th scope="row" lang=a.locale.clone()>{a.title.clone()}</th>
                    <td>{a.views}</td>
                    <td>{share(&a.helpful_rate)}</td>
                    <td>{a.handoffs}</td>
                </tr>
            }
        })
        .collect_view();
    let unanswered = h
        .top_unanswered
        .iter()
        .map(|q| view! { <li><span lang=q.locale.clone()>{q.query.clone()}</span>" ("{q.no_results}")"</li> })
        .collect_view();
    let missing = h
        .missing
        .iter()
        .map(|m| {
            let date = m.voted_at.get(..10).unwrap_or(&m.voted_at).to_owned();
            view! {
                <li>
                    <p class="reason" lang=m.locale.clone()>{m.reason.clone()}</p>
                    <p class="meta"><span lang=m.locale.clone()>{m.title.clone()}</span>" · "<time datetime=m.voted_at.clone()>{date}</time></p>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="cards">
            <section class="card">
                <h2>{t.helpful}</h2>
                <p class="score">{h.helpful.score.map(|s| format!("{}%", number(s))).unwrap_or_else(|| "–".into())}</p>
                <p class="n">{if h.helpful.n == 0 { t.no_answers.to_owned() } else { use_app().lang().answers(h.helpful.n) }}</p>
                {h.helpful.ci95.map(|c| view! { <p class="interval">{format!("{} {}–{}%", t.interval, number(c.low), number(c.high))}</p> })}
                {(h.helpful.low_sample && h.helpful.n > 0).then(|| view! { <p class="badge">{t.low_sample}</p> })}
            </section>
            <section class="card">
                <h2>{t.reading}</h2>
                <p class="n">{format!("{}: {}", t.views, h.views)}</p>
                <p class="n">{format!("{}: {}", t.searches, h.searches)}</p>
                <p class="n">{format!("{}: {}", t.no_result_searches, h.no_result_searches)}</p>
                <p class="n">{format!("{}: {}", t.handoffs, h.handoffs)}</p>
            </section>
        </div>
        <section class="segment-table">
            <h2>{t.top_articles}</h2>
            <table>
                <thead><tr>
                    <th scope="col">{t.article}</th>
                    <th scope="col">{t.views}</th>
                    <th scope="col">{t.helpful}</th>
                    <th scope="col">{t.handoffs}</th>
                </tr></thead>
                <tbody>{articles}</tbody>
            </table>
        </section>
        <div class="segments">
            <section class="segment-table">
                <h2>{t.unanswered}</h2>
                <ul class="plain">{unanswered}</ul>
            </section>
            <section class="segment-table">
                <h2>{t.missing}</h2>
                <ul class="plain missing">{missing}</ul>
            </section>
        </div>
    }
}
