//! The help tab: the site's articles by category, search as you type,
//! one article at a time with "Was this helpful?", and "Still need help?",
//! which opens the feedback survey with the article and query attached.
//!
//! Article and snippet HTML comes from the collector, sanitized there when
//! the article was saved (snippets are escaped text with `<mark>`); it is
//! the only HTML the widget inserts.

use crate::api::{self, ApiError};
use crate::state::{endpoint, read, write};
use crate::view::{self, Focus};
use sori_protocol::faq::{ArticleView, FaqOverview, SearchHit, SearchResults, VoteBody};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Results follow typing after this pause; a query still there after the
/// longer one is counted as a search (so "r", "re", "ref" are not).
const TYPING_PAUSE_MS: i32 = 250;
const SETTLED_MS: i32 = 1500;

#[derive(Default)]
pub struct Help {
    pub overview: Option<FaqOverview>,
    /// The overview could not be loaded.
    pub failed: bool,
    pub query: String,
    /// Results for `query`; `None` until they arrive.
    pub results: Option<Vec<SearchHit>>,
    pub article: Option<ArticleView>,
    /// The respondent's vote on the article on screen.
    pub vote: Option<bool>,
    pub reason_sent: bool,
    /// Bumped by every keystroke, so late answers to old queries are dropped.
    pub typed: u32,
    /// The last query that was counted, for "Still need help?".
    pub last_query: Option<String>,
}

fn site_url(path: &str) -> String {
    let (base, site) = endpoint();
    format!("{base}v1/sites/{site}/{path}")
}

fn locale_code() -> &'static str {
    read(|w| w.locale().code()).unwrap_or("en")
}

async fn get<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    api::get_json(&site_url(path)).await
}

/// The help tab came on screen: loads the overview if it is not in yet.
pub fn show() {
    let needed = read(|w| w.help.overview.is_none()) == Some(true);
    if !needed {
        return;
    }
    let path = ["faq?locale=", locale_code()].concat();
    wasm_bindgen_futures::spawn_local(async move {
        let overview = get::<FaqOverview>(&path).await.ok();
        write(|w| {
            w.help.failed = overview.is_none();
            w.help.overview = overview;
        });
        // Only the list under the search box: the box may be in use.
        view::help_results();
    });
}

/// Another language: what was loaded is in the old one.
pub fn locale_changed() {
    write(|w| {
        w.help = Help::default();
    });
    if read(|w| w.open && w.tab == crate::state::Tab::Help) == Some(true) {
        show();
    }
}

/// A keystroke in the search box.
pub fn typed(query: String) {
    let Some(seq) = write(|w| {
        w.help.typed = w.help.typed.wrapping_add(1);
        w.help.query = query;
        w.help.results = None;
        w.help.typed
    }) else {
        return;
    };
    view::help_results();
    for (delay, partial) in [(TYPING_PAUSE_MS, true), (SETTLED_MS, false)] {
        let fire = Closure::once_into_js(move || search(seq, partial));
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(fire.unchecked_ref(), delay);
        }
    }
}

/// Runs the query typed as keystroke `seq`, if nothing was typed since.
fn search(seq: u32, partial: bool) {
    let Some(query) = read(|w| (w.help.typed == seq).then(|| w.help.query.clone())).flatten()
    else {
        return;
    };
    if query.trim().is_empty() {
        return;
    }
    if !partial {
        // Counted once: by the pause, by opening a result, or by asking for help.
        let counted = write(|w| {
            let query = Some(query.trim().to_owned());
            let seen = w.help.last_query == query;
            w.help.last_query = query;
            seen
        });
        if counted != Some(false) {
            return;
        }
    }
    let path = [
        "faq/search?locale=",
        locale_code(),
        "&q=",
        &String::from(js_sys::encode_uri_component(&query)),
        if partial { "&partial=1" } else { "" },
    ]
    .concat();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(found) = get::<SearchResults>(&path).await else {
            return;
        };
        let hits = found.results;
        let current = write(|w| {
            if w.help.typed != seq {
                return false;
            }
            // Shown already: rebuilding the list would take focus away from
            // a result the respondent may be on.
            if !partial && w.help.results.is_some() {
                return false;
            }
            w.help.results = Some(hits);
            true
        });
        if current == Some(true) {
            view::help_results();
        }
    });
}

/// Counts the query on screen now if it has not been counted yet: opening
/// a result or asking for help ends a search as surely as a pause does.
fn settle_query() {
    let pending = read(|w| {
        let query = w.help.query.trim();
        (!query.is_empty() && w.help.last_query.as_deref() != Some(query)).then_some(w.help.typed)
    })
    .flatten();
    if let Some(seq) = pending {
        search(seq, false);
    }
}

/// Opens one article, counting a view.
pub fn open_article(id: String) {
    settle_query();
    let path = ["faq/articles/", &id, "?locale=", locale_code()].concat();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(article) = get::<ArticleView>(&path).await else {
            return;
        };
        write(|w| {
            w.help.article = Some(article);
            w.help.vote = None;
            w.help.reason_sent = false;
        });
        view::render(Focus::Article);
    });
}

pub fn close_article() {
    write(|w| w.help.article = None);
    view::render(Focus::Open);
}

/// 👍 or 👎, and later the optional reason; the collector keeps one vote per
/// respondent and article, so sending again replaces it.
pub fn vote(helpful: bool, reason: Option<String>) {
    let Some(id) = read(|w| w.help.article.as_ref().map(|a| a.id.clone())).flatten() else {
        return;
    };
    let Some(respondent) = api::respondent_id() else {
        return;
    };
    let sent_reason = reason.is_some();
    write(|w| {
        w.help.vote = Some(helpful);
        w.help.reason_sent |= sent_reason;
    });
    view::render(Focus::Vote);
    let Some(locale) = read(|w| w.locale()) else {
        return;
    };
    let body = VoteBody {
        locale,
        respondent,
        helpful,
        reason,
    };
    let url = site_url(&["faq/articles/", id.as_str(), "/votes"].concat());
    let Some(body) = api::to_json(&body) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        // A lost vote costs a figure, not an answer: no outbox for votes.
        let _ = api::request(&url, Some(&body)).await;
    });
}

/// "Still need help?": the feedback survey, told where the respondent came from.
pub fn handoff() {
    settle_query();
    let (article, query) = read(|w| {
        let article = w.help.article.as_ref().map(|a| a.id.clone());
        let query = w
            .help
            .last_query
            .clone()
            .or_else(|| Some(w.help.query.trim().to_owned()).filter(|q| !q.is_empty()));
        (article, query)
    })
    .unwrap_or_default();
    crate::engine::open_launcher_survey(article, query);
}
