//! When surveys appear: triggers (page views, events, time on page, exit
//! intent), targeting and fatigue control. What this browser has seen is
//! kept in localStorage (never cookies); the session count in sessionStorage.

use crate::api;
use crate::state::{self, read, warn};
use sori_protocol::targeting::url_matches;
use sori_protocol::{Audience, Memory, SiteRules, Slug, Trigger};
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

fn rules() -> Option<SiteRules> {
    read(|w| w.rules().cloned()).flatten()
}

fn site() -> String {
    state::endpoint().1
}

/// Puts survey `index` of the config on screen with a fresh response.
fn begin(index: usize) {
    let Some(json) = read(|w| w.config().map(|c| c.survey_json(index))).flatten() else {
        return;
    };
    let opens = read(|w| !w.open) == Some(true);
    state::show(move |ui| {
        if !ui.survey(&json) {
            warn("sori: the widget could not read this survey");
            if opens {
                state::closed();
            }
        }
    });
}

/// The survey the launcher and `sori('open')` show: the first one that
/// appears only when asked for.
pub fn launcher_survey(rules: &SiteRules) -> Option<usize> {
    rules
        .surveys
        .iter()
        .position(|s| s.trigger == Trigger::Manual)
}

/// Starts the triggers once the config is in, then runs what waited for it.
pub fn config_ready() {
    let Some(rules) = rules() else { return };
    watch_navigation();
    for survey in &rules.surveys {
        match survey.trigger {
            Trigger::Seconds(seconds) => after_seconds(survey.id.clone(), seconds),
            Trigger::ExitIntent => watch_exit_intent(),
            _ => {}
        }
    }
    for pending in PENDING.with(|p| std::mem::take(&mut *p.borrow_mut())) {
        match pending {
            // Closed again while "Loading…" showed: no longer wanted.
            Pending::Open(what) if read(|w| w.open) == Some(true) => open(what),
            Pending::Open(_) => {}
            Pending::Event(event) => track(event),
            Pending::Survey(id) => show_by_id(id),
        }
    }
}

/// `sori('open' [, 'faq' | 'feedback'])` and the launcher. Before the
/// config is in, the panel opens on "Loading…" and the request waits.
pub fn open(what: Option<String>) {
    if rules().is_none() {
        PENDING.with(|p| p.borrow_mut().push(Pending::Open(what)));
        state::show(|ui| ui.open(None));
        return;
    }
    state::show(move |ui| ui.open(what));
}

/// `sori('survey', id)`: the host asked for it by name, so it is shown
/// whatever its trigger, targeting and fatigue rules say.
pub fn show_by_id(id: Slug) {
    let Some(rules) = rules() else {
        PENDING.with(|p| p.borrow_mut().push(Pending::Survey(id)));
        return;
    };
    match rules.surveys.iter().position(|s| s.id == id) {
        Some(index) => {
            remember_shown(&id);
            begin(index);
        }
        None => warn(&format!("sori: no active survey '{id}'")),
    }
}

/// `sori('track', event)`: shows the first survey this event triggers, if
/// targeting and fatigue allow.
pub fn track(event: String) {
    let Some(rules) = rules() else {
        PENDING.with(|p| p.borrow_mut().push(Pending::Event(event)));
        return;
    };
    let wanted = Trigger::Event(event);
    for (index, survey) in rules.surveys.iter().enumerate() {
        if survey.trigger == wanted && try_show(&rules, index) {
            break;
        }
    }
}

/// Records that the respondent finished `survey`.
pub fn answered(survey: &str) {
    let Ok(survey) = Slug::parse(survey) else {
        return;
    };
    let site = site();
    let mut memory = load_memory(&site);
    memory.answered(&survey, now_ms());
    save_memory(&site, &memory);
}

/// Shows `survey` on its own if nothing else is on screen and its
/// targeting and the fatigue rules allow it now.
fn try_show(rules: &SiteRules, index: usize) -> bool {
    let Some(survey) = rules.surveys.get(index) else {
        return false;
    };
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
        &rules.fatigue,
        session_count(&site),
        now,
    ) {
        return false;
    }
    remember_shown(&survey.id);
    begin(index);
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
    let Some(rules) = rules().filter(|_| changed) else {
        return;
    };
    for (index, survey) in rules.surveys.iter().enumerate() {
        if let Trigger::PageView(pattern) = &survey.trigger
            && url_matches(pattern, &path)
            && try_show(&rules, index)
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
        if let Some(rules) = rules()
            && let Some(index) = rules.surveys.iter().position(|s| s.id == survey)
        {
            try_show(&rules, index);
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
        let Some(rules) = rules() else { return };
        for (index, survey) in rules.surveys.iter().enumerate() {
            if survey.trigger == Trigger::ExitIntent && try_show(&rules, index) {
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
        .and_then(|json| sori_widget_core::web::from_json(&json))
        .unwrap_or_default()
}

fn save_memory(site: &str, memory: &Memory) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let (Some(s), Some(json)) = (storage, sori_widget_core::web::to_json(memory)) {
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
