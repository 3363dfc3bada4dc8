//! The widget's shared state, provided as context, and the `sori(...)`
//! commands that drive it from the host page.

use crate::{api, engine};
use leptos::prelude::*;
use sori_protocol::{AnswerValue, Locale, ResponseId, SiteConfig, Slug, SurveyDefinition};
use std::cell::Cell;
use std::collections::BTreeMap;
use wasm_bindgen::{JsCast, JsValue};

/// What the host page told us through the script tag.
pub struct Env {
    /// The collector's URL, ending in `/`.
    pub base: String,
    pub site: String,
    pub attr_locale: Option<Locale>,
    pub browser_locale: Option<Locale>,
    pub launcher: bool,
}

impl Env {
    pub fn new(base: String, site: String, attr_locale: &str, launcher: bool) -> Self {
        let browser_locale = web_sys::window()
            .and_then(|w| w.navigator().language())
            .and_then(|tag| Locale::from_tag(&tag));
        let base = if base.ends_with('/') {
            base
        } else {
            format!("{base}/")
        };
        Self {
            base,
            site,
            attr_locale: Locale::from_tag(attr_locale),
            browser_locale,
            launcher,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConfigState {
    Loading,
    Ready(SiteConfig),
    Failed,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SendState {
    Editing,
    Sending,
    Sent,
    /// Not sent; worth retrying. The answer waits in the outbox.
    Failed,
    /// Refused by the collector, with its reason.
    Rejected(String),
}

/// Who the host says the person is (`sori('identify', …)`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identity {
    pub user_id: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

/// One respondent's progress through the survey on screen. It outlives the
/// panel, so closing and reopening keeps what was chosen, and every save
/// reuses the response id (the idempotency key).
#[derive(Clone, Copy)]
pub struct Form {
    pub survey: RwSignal<Option<SurveyDefinition>>,
    pub answers: RwSignal<BTreeMap<Slug, AnswerValue>>,
    /// Text typed for a multi-choice "Other".
    pub others: RwSignal<BTreeMap<Slug, String>>,
    /// Index into the questions shown for the current answers.
    pub step: RwSignal<usize>,
    pub status: RwSignal<SendState>,
    /// The question still waiting for an answer, and what to tell the respondent.
    pub missing: RwSignal<Option<(Slug, &'static str)>>,
    pub response_id: RwSignal<ResponseId>,
    /// Saves made of this response so far; each save sends the next number.
    pub seq: StoredValue<u32>,
}

#[derive(Clone, Copy)]
pub struct Widget {
    pub env: StoredValue<Env>,
    pub open: RwSignal<bool>,
    pub config: RwSignal<ConfigState>,
    /// Set by `sori('locale', …)`; wins over everything else.
    pub explicit_locale: RwSignal<Option<Locale>>,
    pub identity: RwSignal<Identity>,
    pub form: Form,
    /// Bumped when the panel closes, so the launcher takes focus back.
    pub closed: RwSignal<u32>,
}

impl Widget {
    pub fn new(env: Env) -> Self {
        Self {
            env: StoredValue::new(env),
            open: RwSignal::new(false),
            config: RwSignal::new(ConfigState::Loading),
            explicit_locale: RwSignal::new(None),
            identity: RwSignal::new(Identity::default()),
            form: Form {
                survey: RwSignal::new(None),
                answers: RwSignal::new(BTreeMap::new()),
                others: RwSignal::new(BTreeMap::new()),
                step: RwSignal::new(0),
                status: RwSignal::new(SendState::Editing),
                missing: RwSignal::new(None),
                response_id: RwSignal::new(api::new_response_id()),
                seq: StoredValue::new(0),
            },
            closed: RwSignal::new(0),
        }
    }

    /// `sori('locale')`, then `data-locale`, then the browser's language when
    /// we speak it, then the site's default.
    pub fn locale(&self) -> Locale {
        let site_default = self.config.with(|c| match c {
            ConfigState::Ready(c) => Some(c.locale),
            _ => None,
        });
        self.explicit_locale
            .get()
            .or_else(|| self.env.with_value(|e| e.attr_locale.or(e.browser_locale)))
            .or(site_default)
            .unwrap_or(Locale::En)
    }

    /// Fetches the site config, starts the triggers, then sends anything an
    /// earlier visit left unsent.
    pub fn load(self) {
        let (base, site) = self.env.with_value(|e| (e.base.clone(), e.site.clone()));
        leptos::task::spawn_local(async move {
            match api::fetch_config(&base, &site).await {
                Ok(config) => {
                    self.config.set(ConfigState::Ready(config));
                    engine::config_ready(self);
                }
                Err(e) => {
                    let why = match e {
                        api::ApiError::Transient => "network or server error".to_owned(),
                        api::ApiError::Rejected(why) => why,
                    };
                    warn(&format!("sori: could not load the site config: {why}"));
                    self.config.set(ConfigState::Failed);
                }
            }
            crate::delivery::watch(self);
            if !api::flush_outbox(&base, &site).await {
                crate::delivery::retry_later(self);
            }
        });
    }

    /// Puts `survey` on screen with a fresh response.
    pub fn begin(&self, survey: SurveyDefinition) {
        let form = self.form;
        form.answers.set(BTreeMap::new());
        form.others.set(BTreeMap::new());
        form.step.set(0);
        form.missing.set(None);
        form.status.set(SendState::Editing);
        form.response_id.set(api::new_response_id());
        form.seq.set_value(0);
        form.survey.set(Some(survey));
        self.open.set(true);
    }

    pub fn close(&self) {
        if self.open.get_untracked() {
            self.open.set(false);
            self.closed.update(|n| *n += 1);
        }
    }
}

thread_local! {
    static WIDGET: Cell<Option<Widget>> = const { Cell::new(None) };
}

pub fn install(widget: Widget) {
    WIDGET.with(|w| w.set(Some(widget)));
}

/// Runs one `sori(...)` command. Unknown commands warn rather than throw,
/// so a page written for a newer widget keeps working.
pub fn command(name: &str, arg: JsValue, arg2: JsValue) {
    let Some(widget) = WIDGET.with(Cell::get) else {
        return;
    };
    match name {
        "open" => engine::open_launcher_survey(widget),
        "close" => widget.close(),
        "locale" => match arg.as_string().as_deref().and_then(Locale::from_tag) {
            Some(locale) => widget.explicit_locale.set(Some(locale)),
            None => warn("sori: unsupported locale; use 'en' or 'ko'"),
        },
        "identify" => widget.identity.set(identity(&arg, &arg2)),
        "track" => match arg.as_string() {
            Some(event) => engine::track(widget, event),
            None => warn("sori: track needs an event name"),
        },
        "survey" => match arg.as_string().and_then(|id| Slug::parse(&id).ok()) {
            Some(id) => engine::show_by_id(widget, id),
            None => warn("sori: survey needs a survey id"),
        },
        other => warn(&format!("sori: unknown command '{other}'")),
    }
}

/// `sori('identify', 'user-42', {plan: 'pro', seats: 5})`: strings, numbers
/// and booleans become strings; anything else is left out.
fn identity(user: &JsValue, attributes: &JsValue) -> Identity {
    let user_id = js_text(user).filter(|u| !u.is_empty());
    let mut out = BTreeMap::new();
    if let Some(object) = attributes.dyn_ref::<js_sys::Object>() {
        for entry in js_sys::Object::entries(object).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let (key, value) = (pair.get(0), pair.get(1));
            let value = js_text(&value).or_else(|| value.as_bool().map(|b| b.to_string()));
            if let (Some(key), Some(value)) = (key.as_string(), value) {
                out.insert(key, value);
            }
        }
    }
    Identity {
        user_id,
        attributes: out,
    }
}

/// A string as is, a number as JavaScript writes it (no float formatting in
/// the wasm); `None` for anything else.
fn js_text(value: &JsValue) -> Option<String> {
    value.as_string().or_else(|| {
        value.as_f64()?;
        js_sys::Number::from(value.clone())
            .to_string_with_radix(10)
            .ok()
            .map(String::from)
    })
}

pub fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
