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
    // The filter as query parameters (`&band=negative&q=slow`), set by the form.
    let filter = RwSignal::new(String::new());
    let fetch = {
        let base = base.clone();
        move |from: Option<String>| {
            let mut path = format!("{base}/responses?limit={PAGE}{}", filter.get_untracked());
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
    let more = {
        let fetch = fetch.clone();
        move |_| {
            if let Some(c) = cursor.get_untracked() {
                fetch(Some(c));
            }
        }
    };
    let csv = move || {
        format!(
            "{base}/responses.csv?{}",
            filter.get().trim_start_matches('&')
        )
    };
    let (band, locale, device, words) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let apply = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mut query = String::new();
            for (name, value) in [
                ("band", band.get_untracked()),
                ("locale", locale.get_untracked()),
                ("device", device.get_untracked()),
                ("q", words.get_untracked().trim().to_owned()),
            ] {
                if !value.is_empty() {
                    query.push_str(&format!("&{name}={}", api::encode(&value)));
                }
            }
            filter.set(query);
            loaded.set(None);
            shown.set(Vec::new());
            fetch(None);
        }
    };
    view! {
        <form class="filters" on:submit=apply>
            <div>
                <label for="f-band">{move || app.text().band}</label>
                <select id="f-band" on:change:target=move |ev| band.set(ev.target().value())>
                    <option value="">{move || app.text().any}</option>
                    <option value="negative">{move || app.text().negative}</option>
                    <option value="neutral">{move || app.text().neutral}</option>
                    <option value="positive">{move || app.text().positive}</option>
                </select>
            </div>
            <div>
                <label for="f-locale">{move || app.text().language}</label>
                <select id="f-locale" on:change:target=move |ev| locale.set(ev.target().value())>
                    <option value="">{move || app.text().any}</option>
                    <option value="en">"English"</option>
                    <option value="ko">"한국어"</option>
                </select>
            </div>
            <div>
                <label for="f-device">{move || app.text().device}</label>
                <select id="f-device" on:change:target=move |ev| device.set(ev.target().value())>
                    <option value="">{move || app.text().any}</option>
                    <option value="desktop">{move || app.text().desktop}</option>
                    <option value="mobile">{move || app.text().mobile}</option>
                    <option value="tablet">{move || app.text().tablet}</option>
                </select>
            </div>
            <div>
                <label for="f-words">{move || app.text().words}</label>
                <input id="f-words" type="search" prop:value=words
                    on:input:target=move |ev| words.set(ev.target().value())/>
            </div>
            <button type="submit" class="primary">{move || app.text().apply}</button>
        </form>
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
