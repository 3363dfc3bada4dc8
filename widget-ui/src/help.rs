//! The help tab: the site's articles by category, search as you type, one
//! article at a time with "Was this helpful?", and "Still need help?",
//! which opens the feedback survey with the article and query attached.
//!
//! Article and snippet HTML comes from the collector, sanitized there when
//! the article was saved (snippets are escaped text with `<mark>`); it is
//! the only HTML the widget inserts.

mod search;

use crate::panel::{focus_opened, focus_soon};
use crate::{Tab, Ui, use_ui};
use leptos::either::Either;
use leptos::prelude::*;
use search::{Results, settle_query, typed};
use sori_protocol::faq::{ArticleView, FaqOverview, SearchHit, VoteBody};
use sori_widget_core::web::to_json;

/// The help center's state.
#[derive(Clone, Copy)]
pub struct Help {
    /// `None` while loading; `Some(None)` when it could not be loaded.
    overview: RwSignal<Option<Option<FaqOverview>>>,
    query: RwSignal<String>,
    /// Results for `query`; `None` until they arrive.
    results: RwSignal<Option<Vec<SearchHit>>>,
    article: RwSignal<Option<ArticleView>>,
    /// The respondent's vote on the article on screen.
    vote: RwSignal<Option<bool>>,
    reason_sent: RwSignal<bool>,
    /// Bumped by every keystroke, so late answers to old queries are dropped.
    typed: StoredValue<u32>,
    /// The last query that was counted, for "Still need help?".
    last_query: StoredValue<Option<String>>,
    /// The language of the overview on its way, if one is.
    asked: StoredValue<Option<sori_protocol::Locale>>,
}

impl Default for Help {
    fn default() -> Self {
        Self {
            overview: RwSignal::new(None),
            query: RwSignal::new(String::new()),
            results: RwSignal::new(None),
            article: RwSignal::new(None),
            vote: RwSignal::new(None),
            reason_sent: RwSignal::new(false),
            typed: StoredValue::new(0),
            last_query: StoredValue::new(None),
            asked: StoredValue::new(None),
        }
    }
}

fn locale_code(ui: Ui) -> &'static str {
    ui.locale.get_untracked().code()
}

/// The help tab came on screen: loads the overview if it is not in (or on
/// its way) yet. An answer in a language no longer shown is dropped.
pub fn show(ui: Ui) {
    let locale = ui.locale.get_untracked();
    let asked = ui.help.asked.get_value() == Some(locale);
    if asked || ui.help.overview.with_untracked(Option::is_some) {
        return;
    }
    ui.help.asked.set_value(Some(locale));
    let path = ["faq?locale=", locale.code()].concat();
    leptos::task::spawn_local(async move {
        let overview = crate::get::<FaqOverview>(path).await;
        if ui.locale.get_untracked() == locale {
            ui.help.asked.set_value(None);
            ui.help.overview.set(Some(overview));
        }
    });
}

/// Another language: what was loaded is in the old one.
pub fn locale_changed(ui: Ui) {
    let help = ui.help;
    help.overview.set(None);
    help.query.set(String::new());
    help.results.set(None);
    help.article.set(None);
    help.vote.set(None);
    help.reason_sent.set(false);
    help.last_query.set_value(None);
    if ui.open.get_untracked() && ui.tab.get_untracked() == Tab::Help {
        show(ui);
    }
}

#[component]
pub fn Help() -> impl IntoView {
    let ui = use_ui();
    show(ui);
    let reading = Memo::new(move |_| ui.help.article.with(|a| a.as_ref().map(|a| a.id.clone())));
    move || match reading.get() {
        Some(_) => Either::Left(view! { <Article/> }),
        None => Either::Right(view! { <Home/> }),
    }
}

/// The search box, and under it the results or the categories.
#[component]
fn Home() -> impl IntoView {
    let ui = use_ui();
    view! {
        <div class="help">
            <div role="search">
                <input
                    class="search"
                    type="search"
                    aria-label=ui.text(|t| t.search_label)
                    placeholder=ui.text(|t| t.search_label)
                    autocomplete="off"
                    // Follows the query (emptied by a change of language);
                    // setting the value it already has leaves the caret be.
                    prop:value=move || ui.help.query.get()
                    on:input=move |ev| typed(ui, event_target_value(&ev))
                />
            </div>
            <div class="help-results">
                <Results/>
            </div>
            <Handoff/>
        </div>
    }
}

#[component]
fn Article() -> impl IntoView {
    let ui = use_ui();
    let Some(article) = ui.help.article.get_untracked() else {
        return Either::Left(());
    };
    focus_soon(".article-title");
    let back = move |_| {
        ui.help.article.set(None);
        focus_opened();
    };
    Either::Right(view! {
        <div class="help">
            <button class="link" type="button" on:click=back>
                {ui.text(|t| t.all_articles)}
            </button>
            <h3 class="article-title" tabindex="-1">{article.title}</h3>
            <div class="article" inner_html=article.html></div>
            <Votes/>
            <Handoff/>
        </div>
    })
}

#[component]
fn Votes() -> impl IntoView {
    let ui = use_ui();
    let help = ui.help;
    let why = NodeRef::<leptos::html::Textarea>::new();
    let button = move |helpful: bool| {
        let (class, face) = if helpful {
            ("vote vote-yes", "👍")
        } else {
            ("vote vote-no", "👎")
        };
        view! {
            <button
                class=class
                type="button"
                aria-pressed=move || if help.vote.get() == Some(helpful) { "true" } else { "false" }
                on:click=move |_| vote(ui, helpful, None)
            >
                <span aria-hidden="true">{face}</span>
                " "
                {ui.text(if helpful { |t| t.yes } else { |t| t.no })}
            </button>
        }
    };
    let send_why = move |_| {
        let reason = why
            .get()
            .map(|t| t.value().trim().to_owned())
            .filter(|r| !r.is_empty());
        if let Some(reason) = reason {
            vote(ui, false, Some(reason));
        }
    };
    let asking = move || help.vote.get() == Some(false) && !help.reason_sent.get();
    view! {
        <div class="votes" role="group" aria-label=ui.text(|t| t.helpful_q)>
            <p>{ui.text(|t| t.helpful_q)}</p>
            {button(true)}
            {button(false)}
            {move || {
                asking()
                    .then(|| {
                        view! {
                            <div class="why">
                                <textarea
                                    id="sori-why"
                                    rows="2"
                                    maxlength="500"
                                    aria-label=ui.t().why_label
                                    placeholder=ui.t().why_label
                                    node_ref=why
                                ></textarea>
                                <button class="secondary why-send" type="button" on:click=send_why>
                                    {ui.t().send}
                                </button>
                            </div>
                        }
                    })
            }}
            // 👎 asks why first; the thanks comes with the reason (or without
            // one, for 👍).
            {move || {
                (help.vote.get() == Some(true) || help.reason_sent.get())
                    .then(|| view! { <p class="note" role="status">{ui.t().vote_thanks}</p> })
            }}
        </div>
    }
}

#[component]
fn Handoff() -> impl IntoView {
    let ui = use_ui();
    view! {
        <button class="secondary handoff" type="button" on:click=move |_| handoff(ui)>
            {ui.text(|t| t.still_need_help)}
        </button>
    }
}

/// Opens one article, counting a view.
pub(super) fn open_article(ui: Ui, id: String) {
    settle_query(ui);
    let path = ["faq/articles/", &id, "?locale=", locale_code(ui)].concat();
    leptos::task::spawn_local(async move {
        let Some(article) = crate::get::<ArticleView>(path).await else {
            return;
        };
        ui.help.vote.set(None);
        ui.help.reason_sent.set(false);
        ui.help.article.set(Some(article));
    });
}

/// 👍 or 👎, and later the optional reason; the collector keeps one vote per
/// respondent and article, so sending again replaces it.
fn vote(ui: Ui, helpful: bool, reason: Option<String>) {
    let help = ui.help;
    let Some(id) = help
        .article
        .with_untracked(|a| a.as_ref().map(|a| a.id.clone()))
    else {
        return;
    };
    let Some(respondent) = crate::who().respondent else {
        return;
    };
    help.reason_sent.update(|sent| *sent |= reason.is_some());
    help.vote.set(Some(helpful));
    focus_soon("#sori-why | .vote[aria-pressed=true]");
    let body = VoteBody {
        locale: ui.locale.get_untracked(),
        respondent,
        helpful,
        reason,
    };
    let Some(body) = to_json(&body) else { return };
    let path = ["faq/articles/", id.as_str(), "/votes"].concat();
    // A lost vote costs a figure, not an answer: no outbox for votes.
    crate::with_engine(|e| e.post(&path, &body));
}

/// "Still need help?": the feedback survey, told where the respondent came from.
fn handoff(ui: Ui) {
    settle_query(ui);
    let help = ui.help;
    let article = help
        .article
        .with_untracked(|a| a.as_ref().map(|a| a.id.clone()));
    let query = help
        .last_query
        .get_value()
        .or_else(|| Some(help.query.get_untracked().trim().to_owned()).filter(|q| !q.is_empty()));
    ui.feedback(article, query);
}
