//! The UI module (`sori-widget-ui`): fetched the first time something must
//! be shown (or the launcher is pointed at), then mounted into our shadow
//! root. Calls made while it loads wait in a queue. This file is both ends
//! of the bridge on our side: [`UiModule`] is what we call, [`bridge`] is
//! the object of functions the UI calls back.

use crate::state::{self, read};
use crate::{api, delivery, host, triggers};
use sori_protocol::ResponseId;
use sori_widget_core::bridge::Delivery;
use sori_widget_core::web::to_js;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{Element, ShadowRoot};

#[wasm_bindgen]
extern "C" {
    /// The UI module's exports (see `widget-ui/src/lib.rs`).
    #[derive(Clone)]
    pub type UiModule;
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &UiModule,
        shadow: &ShadowRoot,
        root: &Element,
        engine: &JsValue,
        locale: &str,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = configure)]
    fn configure_ui(this: &UiModule, loaded: bool, faq: bool, launcher: &JsValue);
    #[wasm_bindgen(method)]
    pub fn locale(this: &UiModule, code: &str);
    #[wasm_bindgen(method)]
    pub fn open(this: &UiModule, what: Option<String>);
    #[wasm_bindgen(method)]
    pub fn survey(this: &UiModule, survey: &JsValue) -> bool;
    #[wasm_bindgen(method)]
    pub fn close(this: &UiModule);
    #[wasm_bindgen(method)]
    pub fn delivered(this: &UiModule, id: &str);
}

type Call = Box<dyn FnOnce(&UiModule)>;

enum Module {
    NotLoaded,
    Loading(Vec<Call>),
    Ready(UiModule),
}

thread_local! {
    static LOADER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    static MODULE: RefCell<Module> = const { RefCell::new(Module::NotLoaded) };
}

/// The loader's function that imports the UI module and resolves to it.
pub fn set_loader(load: js_sys::Function) {
    LOADER.with(|l| *l.borrow_mut() = Some(load));
}

/// Starts fetching the UI if nothing has yet.
pub fn prefetch() {
    let idle = MODULE.with(|m| {
        let mut m = m.borrow_mut();
        let idle = matches!(*m, Module::NotLoaded);
        if idle {
            *m = Module::Loading(Vec::new());
        }
        idle
    });
    if idle {
        load();
    }
}

/// Runs `call` with the UI, fetching it first if need be.
pub fn with(call: impl FnOnce(&UiModule) + 'static) {
    let ready = MODULE.with(|m| match &*m.borrow() {
        Module::Ready(ui) => Some(ui.clone()),
        _ => None,
    });
    if let Some(ui) = ready {
        call(&ui);
        return;
    }
    prefetch();
    MODULE.with(|m| {
        if let Module::Loading(queue) = &mut *m.borrow_mut() {
            queue.push(Box::new(call));
        }
    });
}

/// The panel was closed before the UI arrived: what was queued to show in
/// it is no longer wanted.
pub fn forget_queued() {
    MODULE.with(|m| {
        if let Module::Loading(queue) = &mut *m.borrow_mut() {
            queue.clear();
        }
    });
}

/// Runs `call` only if the UI is already here (nothing to update otherwise:
/// it reads the state when it mounts).
pub fn if_loaded(call: impl FnOnce(&UiModule)) {
    let ready = MODULE.with(|m| match &*m.borrow() {
        Module::Ready(ui) => Some(ui.clone()),
        _ => None,
    });
    if let Some(ui) = ready {
        call(&ui);
    }
}

/// The UI could not be had: what waited for it is dropped, the panel
/// counts as closed, and the next open tries again.
fn failed(why: &str, error: &JsValue) {
    MODULE.with(|m| *m.borrow_mut() = Module::NotLoaded);
    state::closed();
    web_sys::console::error_2(&why.into(), error);
}

fn load() {
    let promise = LOADER.with(|l| {
        let load = l.borrow();
        load.as_ref()
            .ok_or_else(|| JsValue::from_str("no loader"))
            .and_then(|f| f.call0(&JsValue::NULL))
    });
    let promise = match promise {
        Ok(p) => p,
        Err(e) => return failed("sori: the widget UI failed to load", &e),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = JsFuture::from(js_sys::Promise::from(promise)).await;
        let ui: UiModule = match loaded {
            Ok(module) => module.unchecked_into(),
            Err(e) => return failed("sori: the widget UI failed to load", &e),
        };
        let locale = read(|w| w.locale().code()).unwrap_or("en");
        let mounted = host::roots()
            .ok_or_else(|| JsValue::from_str("no shadow root"))
            .and_then(|(shadow, root)| ui.mount(&shadow, &root, &bridge(), locale));
        if let Err(e) = mounted {
            return failed("sori: the widget UI failed to start", &e);
        }
        configure(&ui);
        let queued = MODULE.with(|m| {
            match std::mem::replace(&mut *m.borrow_mut(), Module::Ready(ui.clone())) {
                Module::Loading(queue) => queue,
                _ => Vec::new(),
            }
        });
        for call in queued {
            call(&ui);
        }
    });
}

/// Tells the UI what the site config says (nothing while it loads).
pub fn configure(ui: &UiModule) {
    let told = read(|w| match &w.config {
        state::ConfigState::Loading => None,
        state::ConfigState::Failed => Some((false, false, JsValue::UNDEFINED)),
        state::ConfigState::Ready(config) => {
            let launcher = triggers::launcher_survey(&config.rules)
                .map(|i| config.survey_json(i))
                .unwrap_or_default();
            Some((true, config.rules.faq, launcher))
        }
    })
    .flatten();
    if let Some((loaded, faq, launcher)) = told {
        ui.configure_ui(loaded, faq, &launcher);
    }
}

/// Tells the UI the language to show (it may have changed since it mounted).
pub fn send_locale(ui: &UiModule) {
    if let Some(locale) = read(|w| w.locale()) {
        ui.locale(locale.code());
    }
}

fn site_url(path: &str) -> String {
    let (base, site) = state::endpoint();
    format!("{base}v1/sites/{site}/{path}")
}

/// The functions the UI calls (see `Engine` in `widget-ui/src/lib.rs`).
fn bridge() -> JsValue {
    let object = js_sys::Object::new();
    let set = |name: &str, f: JsValue| {
        let _ = js_sys::Reflect::set(&object, &name.into(), &f);
    };
    set(
        "get",
        Closure::<dyn Fn(String) -> js_sys::Promise>::new(|path: String| {
            future_to_promise(async move {
                api::get_value(&site_url(&path))
                    .await
                    .map_err(|_| JsValue::NULL)
            })
        })
        .into_js_value(),
    );
    set(
        "post",
        Closure::<dyn Fn(String, String)>::new(|path: String, body: String| {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = api::request(&site_url(&path), Some(&body)).await;
            });
        })
        .into_js_value(),
    );
    set(
        "send",
        Closure::<dyn Fn(String, String, String, bool) -> js_sys::Promise>::new(
            |id: String, body: String, survey: String, finished: bool| {
                future_to_promise(async move {
                    let delivery = send(&id, body, survey, finished).await;
                    Ok(to_js(&delivery).unwrap_or_default())
                })
            },
        )
        .into_js_value(),
    );
    set(
        "who",
        Closure::<dyn Fn() -> JsValue>::new(|| {
            read(|w| to_js(&w.who())).flatten().unwrap_or_default()
        })
        .into_js_value(),
    );
    set(
        "closed",
        Closure::<dyn Fn()>::new(state::closed).into_js_value(),
    );
    object.into()
}

/// One save from the UI: into the outbox, then to the collector.
async fn send(id: &str, body: String, survey: String, finished: bool) -> Delivery {
    let Ok(id) = ResponseId::parse(id) else {
        return Delivery::Refused("the response id is not valid".to_owned());
    };
    if finished {
        delivery::expect_finish(id, survey);
    }
    let (base, site) = state::endpoint();
    match api::send_response(&base, &site, id, body).await {
        Ok(()) => {
            delivery::stored(id);
            Delivery::Stored
        }
        Err(api::ApiError::Transient) => {
            delivery::retry_later();
            Delivery::Waiting
        }
        Err(api::ApiError::Rejected(why)) => Delivery::Refused(why),
    }
}
