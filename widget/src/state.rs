//! The widget's shared state, provided as context, and the `sori(...)`
//! commands that drive it from the host page.

use crate::api;
use leptos::prelude::*;
use sori_protocol::{AnswerValue, Locale, ResponseId, SiteConfig, Slug};
use std::cell::Cell;
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;

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

/// One respondent's answers to the survey on screen. It outlives the panel,
/// so closing and reopening keeps what was chosen, and a retry reuses the
/// response id (the idempotency key).
#[derive(Clone, Copy)]
pub struct Form {
    pub answers: RwSignal<BTreeMap<Slug, AnswerValue>>,
    pub status: RwSignal<SendState>,
    pub missing: RwSignal<Option<Slug>>,
    pub response_id: StoredValue<ResponseId>,
}

#[derive(Clone, Copy)]
pub struct Widget {
    pub env: StoredValue<Env>,
    pub open: RwSignal<bool>,
    pub config: RwSignal<ConfigState>,
    /// Set by `sori('locale', …)`; wins over everything else.
    pub explicit_locale: RwSignal<Option<Locale>>,
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
            form: Form {
                answers: RwSignal::new(BTreeMap::new()),
                status: RwSignal::new(SendState::Editing),
                missing: RwSignal::new(None),
                response_id: StoredValue::new(api::new_response_id()),
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

    /// Fetches the site config, then sends anything an earlier visit left unsent.
    pub fn load(self) {
        let (base, site) = self.env.with_value(|e| (e.base.clone(), e.site.clone()));
        leptos::task::spawn_local(async move {
            match api::fetch_config(&base, &site).await {
                Ok(config) => self.config.set(ConfigState::Ready(config)),
                Err(e) => {
                    let why = match e {
                        api::ApiError::Transient => "network or server error".to_owned(),
                        api::ApiError::Rejected(why) => why,
                    };
                    warn(&format!("sori: could not load the site config: {why}"));
                    self.config.set(ConfigState::Failed);
                }
            }
            api::flush_outbox(&base, &site).await;
        });
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
pub fn command(name: &str, arg: JsValue, _arg2: JsValue) {
    let Some(widget) = WIDGET.with(Cell::get) else {
        return;
    };
    match name {
        "open" => widget.open.set(true),
        "close" => widget.close(),
        "locale" => match arg.as_string().as_deref().and_then(Locale::from_tag) {
            Some(locale) => widget.explicit_locale.set(Some(locale)),
            None => warn("sori: unsupported locale; use 'en' or 'ko'"),
        },
        // Accepted now so host pages can call them; survey targeting uses them later.
        "identify" | "track" | "survey" => {}
        other => warn(&format!("sori: unknown command '{other}'")),
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
