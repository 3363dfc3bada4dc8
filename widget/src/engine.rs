//! When surveys appear: triggers (page views, events, time on page, exit
//! intent), targeting and fatigue control. What this browser has seen is
//! kept in localStorage (never cookies); the session count in sessionStorage.

use crate::api;
use crate::state::{SendState, Tab, read, write};
use crate::view::{self, Focus};
use sori_protocol::targeting::url_matches;
use sori_protocol::{Audience, Memory, SiteConfig, Slug, SurveyDefinition, Trigger};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Commands that arrived before the config.
enum Pending {
    Open(Option<String>),
    Event(String),
    Survey(Slug),
}

thread_local! {
    static PENDING: RefCell<Vec<Pending>> = const { RefCell::new(Vec::new()) };
    static LAST_PATH: RefCell<String> = const { RefCell::new(String::new()) };
}

fn config() -> Option<SiteConfig> {
    read(|w| w.site_config().cloned()).flatten()
}

fn site() -> String {
    crate::state::endpoint().1
}

/// Puts `survey` on screen with a fresh response.
fn begin(survey: SurveyDefinition) {
    write(|w| w.begin(survey));
    view::render(Focus::Open);
}

/// The survey the launcher and `sori('open')` show: the first one that
/// appears only when asked for.
pub fn launcher_survey(config: &SiteConfig) -> Option<&SurveyDefinition> {
    config.surveys.iter().find(|s| s.trigger == Trigger::Manual)
}

/// Starts the triggers once the config is in, then runs what waited for it.
pub fn config_ready() {
    let Some(config) = config() else { return };
    watch_navigation();
    for survey in &config.surveys {
        match survey.trigger {
            Trigger::Seconds(seconds) => after_seconds(survey.id.clone(), seconds),
            Trigger::ExitIntent => watch_exit_intent(),
            _ => {}
        }
    }
    for pending in PENDING.with(|p| std::mem::take(&mut *p.borrow_mut())) {
        match pending {
            Pending::Open(what) => open(what.as_deref()),
            Pending::Event(event) => track(event),
            Pending::Survey(id) => show_by_id(id),
        }
    }
}

/// `sori('open' [, 'faq' | 'feedback'])` and the launcher: the help center
/// when the site has one (unless feedback was asked for), else the survey.
pub fn open(what: Option<&str>) {
    let Some(config) = config() else {
        PENDING.with(|p| p.borrow_mut().push(Pending::Open(what.map(str::to_owned))));
        write(|w| w.open = true);
        view::render(Focus::Open);
        return;
    };
    if config.faq && what != Some("feedback") {
        write(|w| {
            w.open = true;
            w.tab = Tab::Help;
        });
        crate::help::show();
        view::render(Focus::Open);
        return;
    }
    open_launcher_survey(None, None);
}

/// The survey in progress, else the launcher survey, on the Feedback tab;
/// `article` and `query` say which help the respondent came from.
pub fn open_launcher_survey(article: Option<Slug>, query: Option<String>) {
    let Some(config) = config() else {
        return;
    };
    let in_progress =
        read(|w| w.form.survey.is_some() && w.form.status != SendState::Sent) == Some(true);
    if let Some(survey) = launcher_survey(&config).filter(|_| !in_progress) {
        write(|w| w.begin(survey.clone()));
    }
    write(|w| {
        w.open = true;
        w.tab = Tab::Feedback;
        if article.is_some() || query.is_some() {
            w.form.faq_article = article;
            w.form.faq_query = query;
        }
    });
    view::render(Focus::Open);
}

/// `sori('survey', id)`: the host asked for it by name, so it is shown
/// whatever its trigger, targeting and fatigue rules say.
pub fn show_by_id(id: Slug) {
    let Some(config) = config() else {
        PENDING.with(|p| p.borrow_mut().push(Pending::Survey(id)));
        return;
    };
    match config.surveys.iter().find(|s| s.id == id) {
        Some(survey) => {
            remember_shown(&survey.id);
            begin(survey.clone());
        }
        None => crate::state::warn(&format!("sori: no active survey '{id}'")),
    }
}

/// `sori('track', event)`: shows the first survey this event triggers, if
/// targeting and fatigue allow.
pub fn track(event: String) {
    let Some(config) = config() else {
        PENDING.with(|p| p.borrow_mut().push(Pending::Event(event)));
        return;
    };
    let triggered = config
        .surveys
        .iter()
        .filter(|s| s.trigger == Trigger::Event(event.clone()));
    for survey in triggered {
        if try_show(&config, survey) {
            break;
        }
    }
}

/// Records that the respondent finished `survey`.
pub fn answered(survey: &Slug) {
    let site = site();
    let mut memory = load_memory(&site);
    memory.answered(survey, now_ms());
    save_memory(&site, &memory);
}

/// Shows `survey` on its own if nothing else is on screen and its
/// targeting and the fatigue rules allow it now.
fn try_show(config: &SiteConfig, survey: &SurveyDefinition) -> bool {
    let Some((open, identity, locale)) = read(|w| (w.open, w.identity.clone(), w.locale())) else {
        return false;
    };
    if open {
        return false;
    }
    let path = current_path();
    let respondent = api::respondent_id()
        .map(|u| u.to_string())
        .unwrap_or_default();
    let audience = Audience {
        path: &path,
        locale,
        attributes: &identity.attributes,
        respondent: &respondent,
    };
    if !survey.targeting.matches(&survey.id, &audience) {
        return false;
    }
    let site = site();
    let memory = load_memory(&site);
    let now = now_ms();
    if !memory.may_show(
        &survey.id,
        &survey.recontact,
        &config.fatigue,
        session_count(&site),
        now,
    ) {
        return false;
    }
    remember_shown(&survey.id);
    begin(survey.clone());
    true
}

/// A shown survey counts as seen, answered or dismissed.
fn remember_shown(survey: &Slug) {
    let site = site();
    let mut memory = load_memory(&site);
    memory.shown(survey, now_ms());
    save_memory(&site, &memory);
    if let Some(s) = session_storage() {
        let _ = s.set_item(&session_key(&site), &(session_count(&site) + 1).to_string());
    }
}

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

fn page_viewed() {
    let path = current_path();
    let changed = LAST_PATH.with(|last| {
        let mut last = last.borrow_mut();
        let changed = *last != path;
        *last = path.clone();
        changed
    });
    let Some(config) = config().filter(|_| changed) else {
        return;
    };
    for survey in &config.surveys {
        if let Trigger::PageView(pattern) = &survey.trigger
            && url_matches(pattern, &path)
            && try_show(&config, survey)
        {
            break;
        }
    }
}

/// Page views now and on SPA navigation. `popstate` catches back and
/// forward; `pushState` fires no event, so the path is also checked a few
/// times a second rather than patching the host page's `history`.
fn watch_navigation() {
    let Some(window) = web_sys::window() else {
        return;
    };
    page_viewed();
    let on_change = Closure::<dyn Fn()>::new(page_viewed);
    let callback = on_change.as_ref().unchecked_ref();
    let _ = window.add_event_listener_with_callback("popstate", callback);
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(callback, 250);
    on_change.forget();
}

fn after_seconds(survey: Slug, seconds: u32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let elapsed = window.performance().map(|p| p.now()).unwrap_or(0.0);
    let wait = (f64::from(seconds) * 1000.0 - elapsed).max(0.0) as i32;
    let fire = Closure::once_into_js(move || {
        if let Some(config) = config()
            && let Some(s) = config.surveys.iter().find(|s| s.id == survey)
        {
            try_show(&config, s);
        }
    });
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(fire.unchecked_ref(), wait);
}

thread_local! {
    static EXIT_WATCHED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The pointer leaving through the top of the window, on devices with a
/// fine pointer (desktops); touch devices have no such gesture.
fn watch_exit_intent() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let fine = window
        .match_media("(pointer: fine)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if !fine || EXIT_WATCHED.with(|e| e.replace(true)) {
        return;
    }
    let Some(document) = window.document() else {
        return;
    };
    let on_out = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if ev.related_target().is_some() || ev.client_y() > 0 {
            return;
        }
        let Some(config) = config() else { return };
        for survey in config
            .surveys
            .iter()
            .filter(|s| s.trigger == Trigger::ExitIntent)
        {
            if try_show(&config, survey) {
                break;
            }
        }
    });
    let _ = document.add_event_listener_with_callback("mouseout", on_out.as_ref().unchecked_ref());
    on_out.forget();
}

fn memory_key(site: &str) -> String {
    format!("sori:memory:{site}")
}

fn session_key(site: &str) -> String {
    format!("sori:session:{site}")
}

fn load_memory(site: &str) -> Memory {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(&memory_key(site)).ok().flatten())
        .and_then(|json| crate::api::from_json(&json))
        .unwrap_or_default()
}

fn save_memory(site: &str, memory: &Memory) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let (Some(s), Some(json)) = (storage, crate::api::to_json(memory)) {
        let _ = s.set_item(&memory_key(site), &json);
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn session_count(site: &str) -> u32 {
    session_storage()
        .and_then(|s| s.get_item(&session_key(site)).ok().flatten())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
