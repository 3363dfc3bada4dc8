//! The engine's state, one value per page, and the `sori(...)` commands
//! that drive it from the host page.

use crate::{api, launcher, triggers, ui};
use sori_protocol::{Locale, Pairs, SiteRules, Slug};
use sori_widget_core::bridge::Who;
use std::cell::RefCell;
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
    /// What the loader passed to `start`; the browser's language is read here.
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

/// The site config: the rules the engine reads, and the whole parsed JSON,
/// from which each survey goes to the UI as it came.
pub struct Config {
    pub rules: SiteRules,
    pub json: JsValue,
}

impl Config {
    /// Survey `index` of the config, as the collector wrote it.
    pub fn survey_json(&self, index: usize) -> JsValue {
        let surveys = js_sys::Reflect::get(&self.json, &"surveys".into()).unwrap_or_default();
        match u32::try_from(index) {
            Ok(i) => js_sys::Reflect::get_u32(&surveys, i).unwrap_or_default(),
            Err(_) => JsValue::UNDEFINED,
        }
    }
}

/// Where the site config is: on its way, in, or not to be had.
pub enum ConfigState {
    Loading,
    Ready(Config),
    Failed,
}

/// Who the host says the person is (`sori('identify', …)`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identity {
    pub user_id: Option<String>,
    pub attributes: Pairs<String, String>,
}

pub struct Widget {
    pub env: Env,
    /// Whether the panel is on screen (or on its way, while the UI loads).
    pub open: bool,
    pub config: ConfigState,
    /// Set by `sori('locale', …)`; wins over everything else.
    pub explicit_locale: Option<Locale>,
    pub identity: Identity,
}

impl Widget {
    pub fn new(env: Env) -> Self {
        Self {
            env,
            open: false,
            config: ConfigState::Loading,
            explicit_locale: None,
            identity: Identity::default(),
        }
    }

    /// `sori('locale')`, then `data-locale`, then the browser's language when
    /// we speak it, then the site's default.
    pub fn locale(&self) -> Locale {
        self.explicit_locale
            .or(self.env.attr_locale)
            .or(self.env.browser_locale)
            .or(self.rules().map(|r| r.locale))
            .unwrap_or(Locale::En)
    }

    pub fn config(&self) -> Option<&Config> {
        match &self.config {
            ConfigState::Ready(c) => Some(c),
            _ => None,
        }
    }

    pub fn rules(&self) -> Option<&SiteRules> {
        self.config().map(|c| &c.rules)
    }

    /// What goes into each save about who answers.
    pub fn who(&self) -> Who {
        Who {
            respondent: api::respondent_id(),
            user_id: self.identity.user_id.clone(),
            attributes: self.identity.attributes.clone(),
        }
    }
}

thread_local! {
    static WIDGET: RefCell<Option<Widget>> = const { RefCell::new(None) };
}

/// Makes `widget` the page's state; `start` calls it once.
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
                launcher::sync();
                ui::if_loaded(ui::configure);
                ui::if_loaded(ui::send_locale);
                triggers::config_ready();
            }
            Err(e) => {
                let why = match e {
                    api::ApiError::Transient => "network or server error".to_owned(),
                    api::ApiError::Rejected(why) => why,
                };
                warn(&format!("sori: could not load the site config: {why}"));
                write(|w| w.config = ConfigState::Failed);
                ui::if_loaded(ui::configure);
            }
        }
        crate::delivery::watch();
        crate::delivery::flush_now();
    });
}

/// Opens the panel (if it is not open) and has the UI show what `show`
/// asks of it, fetching the UI first if need be.
pub fn show(show: impl FnOnce(&ui::UiModule) + 'static) {
    let was_open = write(|w| std::mem::replace(&mut w.open, true)) == Some(true);
    if !was_open {
        crate::host::follow_viewport_now();
        launcher::remember_opener();
        launcher::sync();
    }
    ui::with(show);
}

/// The panel closed, by the respondent or by `sori('close')`.
pub fn closed() {
    let was_open = write(|w| std::mem::replace(&mut w.open, false)) == Some(true);
    if was_open {
        launcher::sync();
        launcher::focus_back();
    }
}

/// `sori('close')` and the launcher pressed while open.
pub fn close() {
    ui::forget_queued();
    ui::if_loaded(|m| m.close());
    closed();
}

/// Runs one `sori(...)` command. Unknown commands warn rather than throw,
/// so a page written for a newer widget keeps working.
pub fn command(name: &str, arg: JsValue, arg2: JsValue) {
    match name {
        "open" => triggers::open(arg.as_string()),
        "close" => close(),
        "locale" => match arg.as_string().as_deref().and_then(Locale::from_tag) {
            Some(locale) => {
                write(|w| w.explicit_locale = Some(locale));
                launcher::sync();
                ui::if_loaded(ui::send_locale);
            }
            None => warn("sori: unsupported locale; use 'en' or 'ko'"),
        },
        "identify" => {
            write(|w| w.identity = identity(&arg, &arg2));
        }
        "track" => match arg.as_string() {
            Some(event) => triggers::track(event),
            None => warn("sori: track needs an event name"),
        },
        "survey" => match arg.as_string().and_then(|id| Slug::parse(&id).ok()) {
            Some(id) => triggers::show_by_id(id),
            None => warn("sori: survey needs a survey id"),
        },
        other => warn(&format!("sori: unknown command '{other}'")),
    }
}

/// `sori('identify', 'user-42', {plan: 'pro', seats: 5})`: strings, numbers
/// and booleans become strings; anything else is left out.
fn identity(user: &JsValue, attributes: &JsValue) -> Identity {
    let user_id = js_text(user).filter(|u| !u.is_empty());
    let mut out = Pairs::new();
    if let Some(object) = attributes.dyn_ref::<js_sys::Object>() {
        for entry in js_sys::Object::entries(object).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let (key, value) = (pair.get(0), pair.get(1));
            let value = js_text(&value).or_else(|| value.as_bool().map(|b| b.to_string()));
            if let (Some(key), Some(value)) = (key.as_string(), value) {
                out.set(key, value);
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

/// A warning on the browser console, for the page's developers.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
