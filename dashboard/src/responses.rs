//! Every response, newest first, each answer in words: choice labels,
//! "Other" text and comments in the language they were given in. More load
//! on request; the whole list downloads as CSV. New responses appear at the
//! top by themselves.

use crate::api::{self, Page, Shown};
use crate::use_app;
use leptos::either::Either;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::EventSource;

const PAGE: u32 = 20;

#[component]
pub fn Responses(site: String) -> impl IntoView {
    let app = use_app();
    let base = format!("/v1/admin/sites/{}", api::encode(&site));
    let shown = RwSignal::new(Vec::<Shown>::new());
    let cursor = RwSignal::new(None::<String>);
    // `None` while the first page loads; `Some(false)` when it failed.
    let loaded = RwSignal::new(None::<bool>);
    let fetch = {
        let base = base.clone();
        move |from: Option<String>| {
            let mut path = format!("{base}/responses?limit={PAGE}");
            if let Some(c) = &from {
                path.push_str("&cursor=");
                path.push_str(&api::encode(c));
            }
            leptos::task::spawn_local(async move {
                match api::get::<Page>(&path).await {
                    Ok(page) => {
                        let first_load = loaded.get_untracked().is_none();
                        if from.is_some() {
                            // The next page: what is not on screen already.
                            shown.update(|s| {
                                let more: Vec<Shown> = page
                                    .responses
                                    .into_iter()
                                    .filter(|r| !s.iter().any(|o| o.id == r.id))
                                    .collect();
                                s.extend(more);
                            });
                            cursor.set(page.next_cursor);
                        } else if first_load {
                            shown.set(page.responses);
                            cursor.set(page.next_cursor);
                        } else {
                            // The newest page again, after news: new ones go
                            // on top, later saves replace what they update,
                            // and whatever else was loaded stays.
                            shown.update(|s| {
                                let mut fresh = Vec::new();
                                for r in page.responses {
                                    match s.iter_mut().find(|o| o.id == r.id) {
                                        Some(old) => *old = r,
                                        None => fresh.push(r),
                                    }
                                }
                                fresh.append(s);
                                *s = fresh;
                            });
                        }
                        loaded.set(Some(true));
                    }
                    Err(failure) => {
                        crate::signed_out_if(app, &failure);
                        if loaded.get_untracked().is_none() {
                            loaded.set(Some(false));
                        }
                    }
                }
            });
        }
    };
    fetch(None);
    let refresh = fetch.clone();
    let source = EventSource::new(&format!("{base}/events")).ok();
    if let Some(source) = &source {
        // The newest page again: the new response comes in at the top.
        let on_response = Closure::<dyn Fn()>::new(move || refresh(None));
        let _ = source
            .add_event_listener_with_callback("response", on_response.as_ref().unchecked_ref());
        on_response.forget();
    }
    let source = StoredValue::new_local(source);
    on_cleanup(move || {
        if let Some(source) = source.get_value() {
            source.close();
        }
    });
    let more = move |_| {
        if let Some(c) = cursor.get_untracked() {
            fetch(Some(c));
        }
    };
    let csv = format!("{base}/responses.csv");
    view! {
        <p><a class="button" href=csv download="">{move || app.text().download_csv}</a></p>
        {move || match loaded.get() {
            None => Either::Left(view! { <p class="quiet" role="status">{app.text().loading}</p> }),
            Some(false) => Either::Left(view! { <p class="problem" role="alert">{app.text().failed}</p> }),
            Some(true) if shown.with(Vec::is_empty) => Either::Left(view! { <p class="quiet" role="status">{app.text().no_responses}</p> }),
            Some(true) => Either::Right(view! {
                <ol class="responses">
                    <For each=move || shown.get() key=|r| r.id.clone() let:r>
                        <ResponseCard response=r/>
                    </For>
                </ol>
            }),
        }}
        {move || cursor.get().is_some().then(|| {
            let more = more.clone();
            view! { <button type="button" class="secondary" on:click=more>{app.text().load_more}</button> }
        })}
    }
}

#[component]
fn ResponseCard(response: Shown) -> impl IntoView {
    let t = use_app().text();
    let datetime = response.received_at.clone();
    let when = response.received_at.replace('T', " ");
    let when = when.get(..16).unwrap_or(&when).to_owned();
    let meta = format!(
        "{} · {} · {} · {}",
        response.survey, response.locale, response.device, response.page_path
    );
    let answers = response
        .answers
        .into_iter()
        .map(|a| {
            let (class, band) = match a.band.as_deref() {
                Some("negative") => ("answer negative", Some(t.negative)),
                Some("positive") => ("answer positive", Some(t.positive)),
                _ => ("answer", None),
            };
            let prompt = if a.prompt.is_empty() {
                a.question
            } else {
                a.prompt
            };
            view! {
                <div class=class>
                    <dt>{prompt}</dt>
                    <dd lang=response.locale.clone()>
                        {a.text}
                        // Said in words too: the colour alone tells nobody who cannot see it.
                        {band.map(|b| view! { <span class="visually-hidden">{format!(" ({b})")}</span> })}
                    </dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <li class="response">
            <p class="meta"><time datetime=datetime>{when}</time>" · "{meta}</p>
            <dl>{answers}</dl>
        </li>
    }
}
