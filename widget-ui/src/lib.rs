//! The Sori widget's UI: everything shown once the panel opens, as leptos
//! components. The engine (`sori-widget`, on every page view) loads this
//! module only when something must be shown, then drives it through the
//! functions exported here; the UI calls back through [`Engine`].
//!
//! # Layout
//!
//! - this file: the exports the engine calls, the bridge back to it, and
//!   [`Ui`], the signals every component reads from context;
//! - [`panel`]: the dialog: heading, tabs, keyboard, focus;
//! - [`survey`]: a survey on screen: progress, Back, Send, saves, thanks;
//! - [`question`]: one question of each kind, with native labelled controls;
//! - [`help`]: the help center: articles, search, votes, "Still need help?".

mod help;
mod panel;
mod question;
mod survey;

use leptos::prelude::*;
use sori_protocol::{Locale, SurveyDefinition};
use sori_widget_core::bridge::{Delivery, Who};
use sori_widget_core::form::{Form, SendState};
use sori_widget_core::i18n::{Strings, strings};
use sori_widget_core::web::{from_js, new_response_id};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot};

const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

#[wasm_bindgen]
extern "C" {
    /// The engine's side of the bridge: an object of functions it builds
    /// (see `ui.rs` in `sori-widget`). It owns the network, the outbox and
    /// the launcher; paths are relative to the site's API.
    pub type Engine;
    /// `GET` a JSON answer; rejects on any failure.
    #[wasm_bindgen(method)]
    fn get(this: &Engine, path: &str) -> js_sys::Promise;
    /// `POST` without waiting or retrying (help-center votes).
    #[wasm_bindgen(method)]
    fn post(this: &Engine, path: &str, body: &str);
    /// Hands one save to the outbox and sends it; resolves to a [`Delivery`].
    #[wasm_bindgen(method)]
    fn send(this: &Engine, id: &str, body: &str, survey: &str, finished: bool) -> js_sys::Promise;
    /// The [`Who`] to put in a save.
    #[wasm_bindgen(method)]
    fn who(this: &Engine) -> JsValue;
    /// The respondent closed the panel.
    #[wasm_bindgen(method)]
    fn closed(this: &Engine);
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    static UI: RefCell<Option<(Ui, ShadowRoot)>> = const { RefCell::new(None) };
}

fn with_engine<R>(f: impl FnOnce(&Engine) -> R) -> Option<R> {
    ENGINE.with(|e| e.borrow().as_ref().map(f))
}

/// `GET` a path of the site's API, read as `T`.
async fn get<T: serde::de::DeserializeOwned>(path: String) -> Option<T> {
    let promise = with_engine(|e| e.get(&path))?;
    from_js(JsFuture::from(promise).await.ok()?)
}

/// Gives one save to the engine and waits for what became of it.
async fn send(id: String, body: String, survey: String, finished: bool) -> Delivery {
    let Some(promise) = with_engine(|e| e.send(&id, &body, &survey, finished)) else {
        return Delivery::Waiting;
    };
    match JsFuture::from(promise).await {
        Ok(value) => from_js(value).unwrap_or(Delivery::Waiting),
        Err(_) => Delivery::Waiting,
    }
}

fn who() -> Who {
    with_engine(|e| from_js(e.who()))
        .flatten()
        .unwrap_or_default()
}

/// What the dialog shows when the site has help articles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tab {
    /// The help center: articles and search.
    Help,
    /// The survey (the launcher's, or the one a trigger brought up).
    Feedback,
}

/// The site config as the UI needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Site {
    /// Not in yet: the panel says "Loading…".
    Loading,
    /// Could not be loaded: the panel says so.
    Failed,
    Ready {
        /// Whether the site has help articles (the Help tab).
        faq: bool,
        /// The survey the launcher and `sori('open')` show.
        launcher: Option<Box<SurveyDefinition>>,
    },
}

impl Site {
    fn faq(&self) -> bool {
        matches!(self, Site::Ready { faq: true, .. })
    }
}

/// Every signal of the widget, provided as context to all components.
#[derive(Clone, Copy)]
pub struct Ui {
    /// Whether the panel is on screen.
    pub open: RwSignal<bool>,
    pub tab: RwSignal<Tab>,
    /// The language shown; the engine decides it and tells us.
    pub locale: RwSignal<Locale>,
    pub site: RwSignal<Site>,
    /// The response being answered; it outlives the panel, so closing and
    /// reopening keeps what was chosen.
    pub form: RwSignal<Form>,
    /// The help center's state.
    pub help: help::Help,
}

impl Ui {
    fn new(locale: Locale) -> Self {
        Self {
            open: RwSignal::new(false),
            tab: RwSignal::new(Tab::Feedback),
            locale: RwSignal::new(locale),
            site: RwSignal::new(Site::Loading),
            form: RwSignal::new(Form::new(None, new_response_id())),
            help: help::Help::default(),
        }
    }

    /// The strings of the language on screen, tracked.
    pub fn t(self) -> &'static Strings {
        strings(self.locale.get())
    }

    /// One string of the language on screen, to show or set as an
    /// attribute. Every call returns the same closure type, so leptos
    /// generates its rendering code once for all of them, not once each.
    pub fn text(
        self,
        pick: fn(&Strings) -> &'static str,
    ) -> impl Fn() -> &'static str + Clone + Send + Sync + 'static {
        move || pick(self.t())
    }

    /// Puts `survey` on screen with a fresh response.
    fn begin(self, survey: SurveyDefinition) {
        self.form.set(Form::new(Some(survey), new_response_id()));
        self.tab.set(Tab::Feedback);
        self.show();
        panel::focus_opened();
    }

    /// Opens the panel; focus moves in only if it was closed, so a repeated
    /// `sori('open')` leaves the respondent where they were.
    fn show(self) {
        if !self.open.get_untracked() {
            self.open.set(true);
            panel::focus_opened();
        }
    }

    /// The survey in progress, else the launcher survey, on the Feedback
    /// tab; `article` and `query` say which help the respondent came from.
    pub fn feedback(self, article: Option<sori_protocol::Slug>, query: Option<String>) {
        let in_progress = self
            .form
            .with_untracked(|f| f.survey.is_some() && f.status != SendState::Sent);
        let launcher = self.site.with_untracked(|s| match s {
            Site::Ready { launcher, .. } => launcher.clone(),
            _ => None,
        });
        if let Some(survey) = launcher.filter(|_| !in_progress) {
            self.form.set(Form::new(Some(*survey), new_response_id()));
        }
        if article.is_some() || query.is_some() {
            self.form.update(|f| {
                f.faq_article = article;
                f.faq_query = query;
            });
        }
        self.tab.set(Tab::Feedback);
        self.show();
        panel::focus_opened();
    }

    /// The respondent closed the panel (close button, Escape, the
    /// thank-you's Close): the engine puts focus back.
    pub fn close(self) {
        self.open.set(false);
        with_engine(|e| e.closed());
    }
}

/// The context every component reads.
pub fn use_ui() -> Ui {
    expect_context::<Ui>()
}

fn ui() -> Option<Ui> {
    UI.with(|u| u.borrow().as_ref().map(|(ui, _)| *ui))
}

/// The widget's shadow root, for focus moves.
pub fn shadow_root() -> Option<ShadowRoot> {
    UI.with(|u| u.borrow().as_ref().map(|(_, s)| s.clone()))
}

/// Adds the UI's styles to the engine's shadow root and mounts the panel
/// into `root` (the element the launcher lives in), in `locale`.
#[wasm_bindgen]
pub fn mount(
    shadow: ShadowRoot,
    root: Element,
    engine: Engine,
    locale: &str,
) -> Result<(), JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLES)?;
    let sheets = shadow.adopted_style_sheets();
    sheets.push(&sheet);
    shadow.set_adopted_style_sheets(&sheets);
    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
    let ui = Ui::new(Locale::from_tag(locale).unwrap_or(Locale::En));
    UI.with(|u| *u.borrow_mut() = Some((ui, shadow)));
    let root: HtmlElement = root.unchecked_into();
    leptos::mount::mount_to(root, move || {
        provide_context(ui);
        panel::Widget
    })
    .forget();
    Ok(())
}

/// The site config arrived (`loaded`), failed (`!loaded`), with whether the
/// site has help articles and the launcher survey as the collector wrote it.
#[wasm_bindgen]
pub fn configure(loaded: bool, faq: bool, launcher: JsValue) {
    let Some(ui) = ui() else { return };
    let site = if loaded {
        Site::Ready {
            faq,
            launcher: from_js(launcher),
        }
    } else {
        Site::Failed
    };
    ui.site.set(site);
}

/// The language to show, as a code (`en`, `ko`).
#[wasm_bindgen]
pub fn locale(code: &str) {
    let (Some(ui), Some(locale)) = (ui(), Locale::from_tag(code)) else {
        return;
    };
    if ui.locale.get_untracked() != locale {
        ui.locale.set(locale);
        help::locale_changed(ui);
    }
}

/// `sori('open' [, 'faq' | 'feedback'])` and the launcher: the help center
/// when the site has one (unless feedback was asked for), else the survey.
#[wasm_bindgen]
pub fn open(what: Option<String>) {
    let Some(ui) = ui() else { return };
    let site = ui.site.get_untracked();
    match site {
        Site::Ready { faq: true, .. } if what.as_deref() != Some("feedback") => {
            ui.tab.set(Tab::Help);
            ui.show();
        }
        Site::Ready { .. } => ui.feedback(None, None),
        Site::Loading | Site::Failed => ui.show(),
    }
}

/// Shows `survey` (a survey definition as the collector wrote it) with a
/// fresh response.
#[wasm_bindgen]
pub fn survey(survey: JsValue) -> bool {
    let (Some(ui), Some(survey)) = (ui(), from_js::<SurveyDefinition>(survey)) else {
        return false;
    };
    ui.begin(survey);
    true
}

/// `sori('close')`: the engine already knows.
#[wasm_bindgen]
pub fn close() {
    if let Some(ui) = ui() {
        ui.open.set(false);
    }
}

/// Save `id` went out from the outbox after all: if it is the response on
/// screen and it showed as failed, it now shows as sent.
#[wasm_bindgen]
pub fn delivered(id: &str) {
    let Some(ui) = ui() else { return };
    let current = ui
        .form
        .with_untracked(|f| f.status == SendState::Failed && f.response_id.to_string() == id);
    if current {
        ui.form.update(|f| f.status = SendState::Sent);
    }
}
