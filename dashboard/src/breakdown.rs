//! One score split by survey, question, language, device, page path or an
//! `identify` attribute over chosen days: each segment's n, score and 95%
//! interval (drawn as a small bar), flagged when it has few answers, most
//! answers first as the API sorts them. The same table downloads as CSV
//! from the same URL. The table itself is in `breakdown/table.rs`.
//!
//! By page or attribute the API reads the responses themselves, so it
//! refuses long ranges; what it says is shown beside the field it names.

mod table;

use crate::api::{self, Breakdown, Failure};
use crate::catalog::Catalog;
use crate::i18n::{Lang, Text};
use crate::use_app;
use leptos::either::EitherOf3;
use leptos::prelude::*;

/// What a breakdown can be by: the API's `by`.
const DIMENSIONS: [&str; 6] = [
    "survey",
    "question",
    "locale",
    "device",
    "page",
    "attribute",
];

/// The id of the paragraph that says why the API refused, for the fields
/// it names to point at.
const PROBLEM_ID: &str = "bd-problem";

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
        "page" => t.page,
        "attribute" => t.attribute,
        _ => t.device,
    }
}

/// "by survey", "by “plan”": the table's title after the score.
fn per_dimension(lang: Lang, by: &str, attribute: Option<&str>) -> String {
    let t = lang.text();
    match (by, attribute) {
        ("attribute", Some(name)) => lang.per_attribute(name),
        ("survey", _) => t.per_survey.to_owned(),
        ("question", _) => t.per_question.to_owned(),
        ("locale", _) => t.per_language.to_owned(),
        ("page", _) => t.per_page.to_owned(),
        _ => t.per_device.to_owned(),
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
    /// The attribute's name, with `by=attribute`.
    attribute: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl Choice {
    /// The API's URL for these choices.
    fn path(self, base: &str) -> String {
        let by = self.by.get_untracked();
        let mut path = format!(
            "{base}?scale={}&by={}",
            api::encode(&self.scale.get_untracked()),
            api::encode(&by)
        );
        // Sent even when empty: the API then says the name is needed.
        if by == "attribute" {
            let name = self.attribute.get_untracked();
            path.push_str(&format!("&attribute={}", api::encode(name.trim())));
        }
        for (name, value) in [("from", self.from), ("to", self.to)] {
            let value = value.get_untracked();
            if !value.is_empty() {
                path.push_str(&format!("&{name}={}", api::encode(&value)));
            }
        }
        path
    }
}

#[component]
pub fn Breakdowns(site: String) -> impl IntoView {
    let app = use_app();
    let catalog = RwSignal::new(None::<Catalog>);
    let choice = Choice {
        scale: RwSignal::new(String::new()),
        by: RwSignal::new("survey".to_owned()),
        attribute: RwSignal::new(String::new()),
        // Empty at first: the API's default, the last 30 days in the
        // site's time zone, which the answer then fills in.
        from: RwSignal::new(String::new()),
        to: RwSignal::new(String::new()),
    };
    let result = RwSignal::new(None::<Result<Shown, Failure>>);
    // The field the API named when it refused, for the form to mark.
    let wrong = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Which ask is the latest: an older answer arriving late is dropped.
    let asked = StoredValue::new(0_u32);
    let base = format!("/v1/admin/sites/{}/breakdown", api::encode(&site));
    let fetch = move || {
        let (scale, by) = (choice.scale.get_untracked(), choice.by.get_untracked());
        let path = choice.path(&base);
        asked.update_value(|n| *n += 1);
        let ticket = asked.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::get::<Breakdown>(&path).await;
            if asked.get_value() != ticket {
                return;
            }
            busy.set(false);
            wrong.set(answer.as_ref().err().and_then(|f| f.field.clone()));
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
                    result.set(Some(Err(failure)));
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
        {move || catalog.get().map(|c| view! { <Form catalog=c choice=choice wrong=wrong on_submit=submit.clone()/> })}
        <p class="quiet status" role="status">{move || busy.get().then(|| app.text().loading)}</p>
        <p id=PROBLEM_ID class="problem collapse" role="alert">{move || {
            app.lang.track();
            result.with(|r| match r {
                Some(Err(f)) if f.message.is_empty() => app.text().failed.to_owned(),
                Some(Err(f)) => f.message.clone(),
                _ => String::new(),
            })
        }}</p>
        {move || {
            app.lang.track();
            let (t, lang) = (app.text(), app.lang());
            match result.get() {
                None | Some(Err(_)) => EitherOf3::A(()),
                Some(Ok(shown)) if shown.breakdown.segments.is_empty() => {
                    let b = &shown.breakdown;
                    let why = match (shown.by.as_str(), &b.attribute) {
                        ("attribute", Some(name)) => lang.attribute_empty(name),
                        _ => t.breakdown_empty.to_owned(),
                    };
                    EitherOf3::B(view! {
                        <p class="empty" role="status">{why}" ("{b.from.clone()}" – "{b.to.clone()}")"</p>
                    })
                }
                Some(Ok(shown)) => {
                    let catalog = catalog.get_untracked().unwrap_or_default();
                    EitherOf3::C(view! { <table::Table shown=shown catalog=catalog/> })
                }
            }
        }}
    }
}

#[component]
fn Form(
    catalog: Catalog,
    choice: Choice,
    /// The field the API refused, if any: marked invalid and pointed at
    /// the reason.
    wrong: RwSignal<Option<String>>,
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
    let is_wrong = move |field: &'static str| move || wrong.get().as_deref() == Some(field);
    let invalid = move |field: &'static str| move || is_wrong(field)().then_some("true");
    let described = move |field: &'static str| move || is_wrong(field)().then_some(PROBLEM_ID);
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
            // Always there, hidden unless by attribute: cheaper than
            // building and dropping it as the choice changes.
            <div hidden=move || choice.by.get() != "attribute">
                <label for="bd-attribute">{move || app.text().attribute_name}</label>
                <input id="bd-attribute" type="text" placeholder="plan" autocomplete="off"
                    spellcheck="false" maxlength="200"
                    aria-invalid=invalid("attribute") aria-describedby=described("attribute")
                    prop:value=choice.attribute
                    on:input:target=move |ev| choice.attribute.set(ev.target().value())/>
            </div>
            <div>
                <label for="bd-from">{move || app.text().from}</label>
                <input id="bd-from" type="date" prop:value=choice.from
                    aria-invalid=invalid("from") aria-describedby=described("from")
                    on:input:target=move |ev| choice.from.set(ev.target().value())/>
            </div>
            <div>
                <label for="bd-to">{move || app.text().to}</label>
                <input id="bd-to" type="date" prop:value=choice.to
                    aria-invalid=invalid("to") aria-describedby=described("to")
                    on:input:target=move |ev| choice.to.set(ev.target().value())/>
            </div>
            <button type="submit" class="primary">{move || app.text().apply}</button>
        </form>
    }
}
