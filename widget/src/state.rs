//! The widget's state, one value per page, and the `sori(...)`
//! commands that drive it from the host page.

use crate::view::{self, Focus};
use crate::{api, engine};
use sori_protocol::{Locale, SiteConfig, Slug, SurveyDefinition};
pub use sori_widget_core::form::{Form, SendState};
use std::cell::RefCell;
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

pub enum ConfigState {
    Loading,
    Ready(SiteConfig),
    Failed,
}

/// Who the host says the person is (`sori('identify', …)`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identity {
    pub user_id: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

/// What the dialog shows when the site has help articles.
#[derive(Clone, Copy, PartialEq)]
pub enum Tab {
    Help,
    Feedback,
}

pub struct Widget {
    pub env: Env,
    pub open: bool,
    pub tab: Tab,
    pub help: crate::help::Help,
    pub config: ConfigState,
    /// Set by `sori('locale', …)`; wins over everything else.
    pub explicit_locale: Option<Locale>,
    pub identity: Identity,
    pub form: Form,
}

impl Widget {
    pub fn new(env: Env) -> Self {
        Self {
            env,
            open: false,
            tab: Tab::Feedback,
            help: crate::help::Help::default(),
            config: ConfigState::Loading,
            explicit_locale: None,
            identity: Identity::default(),
            form: Form::new(None, api::new_response_id()),
        }
    }

    /// `sori('locale')`, then `data-locale`, then the browser's language when
    /// we speak it, then the site's default.
    pub fn locale(&self) -> Locale {
        let site_default = match &self.config {
            ConfigState::Ready(c) => Some(c.locale),
            _ => None,
        };
        self.explicit_locale
            .or(self.env.attr_locale)
            .or(self.env.browser_locale)
            .or(site_default)
            .unwrap_or(Locale::En)
    }

    pub fn site_config(&self) -> Option<&SiteConfig> {
        match &self.config {
            ConfigState::Ready(c) => Some(c),
            _ => None,
        }
    }

    /// Puts `survey` on screen with a fresh response.
    pub fn begin(&mut self, survey: SurveyDefinition) {
        self.form = Form::new(Some(survey), api::new_response_id());
        self.open = true;
        self.tab = Tab::Feedback;
    }
}

thread_local! {
    static WIDGET: RefCell<Option<Widget>> = const { RefCell::new(None) };
}

pub fn install(widget: Widget) {
    WIDGET.with(|w| *w.borrow_mut() = Some(widget));
}

/// Reads the widget's state (`None` before [`install`]). Never nest a
/// [`write`] inside.
pub fn read<R>(f: impl FnOnce(&Widget) -> R) -> Option<R> {
    WIDGET.with(|w| w.borrow().as_ref().map(f))
}

/// Changes the widget's state (`None` before [`install`]).
pub fn write<R>(f: impl FnOnce(&mut Widget) -> R) -> Option<R> {
    WIDGET.with(|w| w.borrow_mut().as_mut().map(f))
}

/// The collector URL and the site key, for a network call.
pub fn endpoint() -> (String, String) {
    read(|w| (w.env.base.clone(), w.env.site.clone())).unwrap_or_default()
}

/// Fetches the site config, starts the triggers, then sends anything an
/// earlier visit left unsent.
pub fn load() {
    let (base, site) = endpoint();
    wasm_bindgen_futures::spawn_local(async move {
        match api::fetch_config(&base, &site).await {
            Ok(config) => {
                write(|w| w.config = ConfigState::Ready(config));
                view::render(Focus::Keep);
                engine::config_ready();
            }
            Err(e) => {
                let why = match e {
                    api::ApiError::Transient => "network or server error".to_owned(),
                    api::ApiError::Rejected(why) => why,
                };
                warn(&format!("sori: could not load the site config: {why}"));
                write(|w| w.config = ConfigState::Failed);
                view::render(Focus::Keep);
            }
        }
        crate::delivery::watch();
        if !api::flush_outbox(&base, &site).await {
            crate::delivery::retry_later();
        }
    });
}

/// Runs one `sori(...)` command. Unknown commands warn rather than throw,
/// so a page written for a newer widget keeps working.
pub fn command(name: &str, arg: JsValue, arg2: JsValue) {
    match name {
        "open" => engine::open(arg.as_string().as_deref()),
        "close" => view::close(),
        "locale" => match arg.as_string().as_deref().and_then(Locale::from_tag) {
            Some(locale) => {
                write(|w| w.explicit_locale = Some(locale));
                crate::help::locale_changed();
                view::render(Focus::Keep);
            }
            None => warn("sori: unsupported locale; use 'en' or 'ko'"),
        },
        "identify" => {
            write(|w| w.identity = identity(&arg, &arg2));
        }
        "track" => match arg.as_string() {
            Some(event) => engine::track(event),
            None => warn("sori: track needs an event name"),
        },
        "survey" => match arg.as_string().and_then(|id| Slug::parse(&id).ok()) {
            Some(id) => engine::show_by_id(id),
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
