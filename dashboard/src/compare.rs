//! Two groups side by side: two periods, or one survey against another,
//! phones against desktops, Korean against English; the difference with
//! its 95% interval, and whether it is more than noise.

use crate::api::{self, Comparison, Side};
use crate::catalog::Catalog;
use crate::i18n::Text;
use crate::{number, use_app};
use leptos::either::Either;
use leptos::prelude::*;

/// One side of the form: its dates, survey, device and language ("" for
/// any on side A, and for "same as A" on side B).
#[derive(Clone, Copy)]
struct SideForm {
    from: RwSignal<String>,
    to: RwSignal<String>,
    survey: RwSignal<String>,
    device: RwSignal<String>,
    locale: RwSignal<String>,
}

impl SideForm {
    fn new() -> Self {
        Self {
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            survey: RwSignal::new(String::new()),
            device: RwSignal::new(String::new()),
            locale: RwSignal::new(String::new()),
        }
    }

    /// The query parameters of this side, `b_`-prefixed for side b.
    fn params(&self, prefix: &str, out: &mut Vec<String>) {
        for (name, value) in [
            ("from", self.from.get_untracked()),
            ("to", self.to.get_untracked()),
            ("survey", self.survey.get_untracked()),
            ("device", self.device.get_untracked()),
            ("locale", self.locale.get_untracked()),
        ] {
            if !value.is_empty() {
                out.push(format!("{prefix}{name}={}", api::encode(&value)));
            }
        }
    }
}

/// The fields of one side. `blank` names the empty choice: "Any" on
/// side A; on side B, where the API then takes A's, "Same as A".
#[component]
fn SideFields(
    form: SideForm,
    id: &'static str,
    legend: &'static str,
    blank: fn(&Text) -> &'static str,
    catalog: RwSignal<Option<Catalog>>,
    scale: RwSignal<String>,
) -> impl IntoView {
    let app = use_app();
    let field = move |name: &str| format!("{id}-{name}");
    // The surveys that ask the chosen score.
    let surveys = move || {
        catalog.get().map(|c| {
            c.surveys_asking(&scale.get())
                .into_iter()
                .map(|(survey, name)| {
                    let this = survey.clone();
                    view! {
                        <option value=survey prop:selected=move || form.survey.get() == this>{name}</option>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <fieldset class="side">
            <legend>{legend}</legend>
            <label for=field("from")>{move || app.text().from}</label>
            <input id=field("from") type="date" prop:value=form.from
                on:input:target=move |ev| form.from.set(ev.target().value())/>
            <label for=field("to")>{move || app.text().to}</label>
            <input id=field("to") type="date" prop:value=form.to
                on:input:target=move |ev| form.to.set(ev.target().value())/>
            <label for=field("survey")>{move || app.text().survey}</label>
            <select id=field("survey") on:change:target=move |ev| form.survey.set(ev.target().value())>
                <option value="" prop:selected=move || form.survey.get().is_empty()>{move || blank(app.text())}</option>
                {surveys}
            </select>
            <label for=field("device")>{move || app.text().device}</label>
            <select id=field("device") on:change:target=move |ev| form.device.set(ev.target().value())>
                <option value="">{move || blank(app.text())}</option>
                <option value="desktop">{move || app.text().desktop}</option>
                <option value="mobile">{move || app.text().mobile}</option>
                <option value="tablet">{move || app.text().tablet}</option>
            </select>
            <label for=field("locale")>{move || app.text().language}</label>
            <select id=field("locale") on:change:target=move |ev| form.locale.set(ev.target().value())>
                <option value="">{move || blank(app.text())}</option>
                <option value="en">"English"</option>
                <option value="ko">"한국어"</option>
            </select>
        </fieldset>
    }
}

#[component]
pub fn Compare(site: String) -> impl IntoView {
    let app = use_app();
    let scale = RwSignal::new("csat".to_owned());
    let (a, b) = (SideForm::new(), SideForm::new());
    let catalog = RwSignal::new(None::<Catalog>);
    {
        let site = site.clone();
        leptos::task::spawn_local(async move { catalog.set(Some(Catalog::load(&site).await)) });
    }
    // Another score: a chosen survey that does not ask it is let go.
    let choose_scale =
        move |ev: leptos::ev::Targeted<leptos::ev::Event, web_sys::HtmlSelectElement>| {
            let chosen = ev.target().value();
            let asking = catalog
                .get_untracked()
                .map(|c| c.surveys_asking(&chosen))
                .unwrap_or_default();
            for side in [a, b] {
                let survey = side.survey.get_untracked();
                if !survey.is_empty() && !asking.iter().any(|(id, _)| *id == survey) {
                    side.survey.set(String::new());
                }
            }
            scale.set(chosen);
        };
    // `None` before the first comparison; `Some(Err(message))` when refused.
    let result = RwSignal::new(None::<Result<Comparison, String>>);
    let base = format!("/v1/admin/sites/{}/compare", api::encode(&site));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut params = vec![format!("scale={}", scale.get_untracked())];
        a.params("", &mut params);
        b.params("b_", &mut params);
        let path = format!("{base}?{}", params.join("&"));
        leptos::task::spawn_local(async move {
            let answer = api::get::<Comparison>(&path).await;
            if let Err(failure) = &answer {
                crate::signed_out_if(app, failure);
            }
            result.set(Some(answer.map_err(|f| f.message)));
        });
    };
    view! {
        <form class="compare-form" on:submit=submit>
            <label for="compare-scale">{move || app.text().score}</label>
            <select id="compare-scale" on:change:target=choose_scale>
                <option value="csat">{move || app.text().csat}</option>
                <option value="nps">{move || app.text().nps}</option>
                <option value="ces">{move || app.text().ces}</option>
                <option value="yes_no">{move || app.text().yes_share}</option>
            </select>
            <div class="sides">
                <SideFields form=a id="a" legend="A" blank=|t| t.any catalog=catalog scale=scale/>
                <SideFields form=b id="b" legend="B" blank=|t| t.same_as_a catalog=catalog scale=scale/>
            </div>
            <p class="quiet">{move || app.text().compare_defaults}</p>
            <button type="submit" class="primary">{move || app.text().compare}</button>
        </form>
        <div aria-live="polite">
            {move || {
                app.lang.track();
                result.get().map(|r| match r {
                    Ok(c) => Either::Left(view! { <Outcome c=c catalog=catalog.get_untracked().unwrap_or_default()/> }),
                    Err(message) => Either::Right(view! { <p class="problem" role="alert">{message}</p> }),
                })
            }}
        </div>
    }
}

fn side_text(side: &Side, catalog: &Catalog) -> String {
    let mut parts = vec![format!("{} – {}", side.from, side.to)];
    parts.extend(
        side.survey
            .as_deref()
            .map(|id| catalog.survey_name(id).unwrap_or(id).to_owned()),
    );
    parts.extend(side.device.clone());
    parts.extend(side.locale.clone());
    parts.join(" · ")
}

#[component]
fn Outcome(c: Comparison, catalog: Catalog) -> impl IntoView {
    let app = use_app();
    let t = app.text();
    let card = |name: &'static str, side: &Side| {
        let score = side.figure.score.map(number).unwrap_or_else(|| "–".into());
        let n = if side.figure.n == 0 {
            t.no_answers.to_owned()
        } else {
            app.lang().answers(side.figure.n)
        };
        let interval = side
            .figure
            .ci95
            .map(|ci| format!("{} {}–{}", t.interval, number(ci.low), number(ci.high)));
        view! {
            <section class="card">
                <h2>{name}" · "{side_text(side, &catalog)}</h2>
                <p class="score">{score}</p>
                <p class="n">{n}</p>
                {interval.map(|i| view! { <p class="interval">{i}</p> })}
            </section>
        }
    };
    let d = &c.difference;
    let verdict = if d.low_sample {
        t.too_few_to_tell
    } else if d.significant {
        t.significant
    } else {
        t.not_significant
    };
    let difference = d
        .difference
        .map(|v| format!("{}{}", if v > 0.0 { "+" } else { "" }, number(v)))
        .unwrap_or_else(|| "–".into());
    // Spaced, since both ends may be negative.
    let interval = d
        .ci95
        .map(|ci| format!("{} {} – {}", t.interval, number(ci.low), number(ci.high)));
    view! {
        <div class="cards">
            {card("A", &c.a)}
            {card("B", &c.b)}
            <section class="card">
                <h2>{t.difference}</h2>
                <p class="score">{difference}</p>
                {interval.map(|i| view! { <p class="interval">{i}</p> })}
                <p class=if d.significant && !d.low_sample { "change real" } else { "change" }>{verdict}</p>
            </section>
        </div>
    }
}
