//! Search as you type: results follow the typing after a short pause, a
//! query still there after a longer one is counted as a search, and the
//! categories show while the box is empty.

use super::open_article;
use crate::{Ui, use_ui};
use leptos::either::EitherOf4;
use leptos::prelude::*;
use sori_protocol::faq::{FaqEntry, SearchResults};

/// Results follow typing after this pause; a query still there after the
/// longer one is counted as a search (so "r", "re", "ref" are not).
const TYPING_PAUSE_MS: u64 = 250;
const SETTLED_MS: u64 = 1500;

/// Search results for the query, or the categories when there is none.
#[component]
pub(super) fn Results() -> impl IntoView {
    let ui = use_ui();
    let status = |text: String| {
        view! { <p class="note" role="status" aria-live="polite">{text}</p> }
    };
    move || {
        let t = ui.t();
        let help = ui.help;
        if !help.query.with(|q| q.trim().is_empty()) {
            return match help.results.get() {
                None => EitherOf4::A(status(t.searching.to_owned())),
                Some(hits) if hits.is_empty() => EitherOf4::A(status(t.no_results.to_owned())),
                Some(hits) => {
                    let count = (t.result_count)(hits.len());
                    let items = hits
                        .into_iter()
                        .map(|h| {
                            let id = h.id.to_string();
                            view! {
                                <li>
                                    <button class="result" type="button" on:click=move |_| open_article(ui, id.clone())>
                                        <span class="result-title" inner_html=h.title_html></span>
                                        <span class="result-snippet" inner_html=h.snippet_html></span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view();
                    EitherOf4::B(view! {
                        <div>
                            <p class="note sr-only" role="status" aria-live="polite">{count}</p>
                            <ul class="results">{items}</ul>
                        </div>
                    })
                }
            };
        }
        match help.overview.get() {
            None => EitherOf4::A(status(t.loading.to_owned())),
            Some(None) => EitherOf4::C(view! { <p class="note" role="alert">{t.help_failed}</p> }),
            Some(Some(overview)) => {
                let popular = (!overview.popular.is_empty())
                    .then(|| entries(ui, t.popular.to_owned(), overview.popular));
                let categories = overview
                    .categories
                    .into_iter()
                    .map(|c| entries(ui, c.name, c.articles))
                    .collect_view();
                EitherOf4::D(view! { <div>{popular}{categories}</div> })
            }
        }
    }
}

fn entries(ui: Ui, title: String, entries: Vec<FaqEntry>) -> impl IntoView {
    let items = entries
        .into_iter()
        .map(|e| {
            let id = e.id.to_string();
            view! {
                <li>
                    <button class="entry" type="button" on:click=move |_| open_article(ui, id.clone())>
                        {e.title}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section>
            <h3>{title}</h3>
            <ul class="entries">{items}</ul>
        </section>
    }
}

/// A keystroke in the search box.
pub(super) fn typed(ui: Ui, query: String) {
    let help = ui.help;
    help.typed.update_value(|n| *n = n.wrapping_add(1));
    let seq = help.typed.get_value();
    help.query.set(query);
    help.results.set(None);
    for (delay, partial) in [(TYPING_PAUSE_MS, true), (SETTLED_MS, false)] {
        set_timeout(
            move || search(ui, seq, partial),
            std::time::Duration::from_millis(delay),
        );
    }
}

/// Runs the query typed as keystroke `seq`, if nothing was typed since.
fn search(ui: Ui, seq: u32, partial: bool) {
    let help = ui.help;
    if help.typed.get_value() != seq {
        return;
    }
    let query = help.query.get_untracked();
    if query.trim().is_empty() {
        return;
    }
    if !partial {
        // Counted once: by the pause, by opening a result, or by asking for help.
        let trimmed = Some(query.trim().to_owned());
        if help.last_query.with_value(|last| *last == trimmed) {
            return;
        }
        help.last_query.set_value(trimmed);
    }
    let path = [
        "faq/search?locale=",
        ui.locale.get_untracked().code(),
        "&q=",
        &String::from(js_sys::encode_uri_component(&query)),
        if partial { "&partial=1" } else { "" },
    ]
    .concat();
    leptos::task::spawn_local(async move {
        let Some(found) = crate::get::<SearchResults>(path).await else {
            return;
        };
        if help.typed.get_value() != seq {
            return;
        }
        // Shown already: rebuilding the list would take focus away from a
        // result the respondent may be on.
        if !partial && help.results.with_untracked(Option::is_some) {
            return;
        }
        help.results.set(Some(found.results));
    });
}

/// Counts the query on screen now if it has not been counted yet: opening
/// a result or asking for help ends a search as surely as a pause does.
pub(super) fn settle_query(ui: Ui) {
    let help = ui.help;
    let query = help.query.get_untracked();
    let query = query.trim();
    let counted = help
        .last_query
        .with_value(|last| last.as_deref() == Some(query));
    if !query.is_empty() && !counted {
        search(ui, help.typed.get_value(), false);
    }
}
