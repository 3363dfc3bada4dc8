//! Every network call the widget makes, and the outbox: each response is
//! written to localStorage before it is sent and removed only once the
//! collector has stored it (or refused it for good), so a closed tab or a
//! dead network does not lose an answer.

use crate::state::Config;
use sori_protocol::{ErrorBody, ResponseId};
use sori_widget_core::outbox::{Outbox, Pending};
use sori_widget_core::web::{from_js, from_json, to_json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, RequestMode, Response};

/// Why a call failed, in the terms the UI needs.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// Worth retrying: no network, a 5xx, a 429.
    Transient,
    /// The collector refused it for good (4xx); its message says why.
    Rejected(String),
}

thread_local! {
    /// The longest `Retry-After` (seconds) the collector asked for since the
    /// last retry was scheduled.
    static RETRY_AFTER_SECS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Takes the `Retry-After` the collector last asked for, in seconds (0 for none).
pub fn take_retry_after() -> u32 {
    RETRY_AFTER_SECS.with(|r| r.replace(0))
}

/// The site config: its rules read by serde, the whole of it kept as
/// parsed JSON for the UI.
pub async fn fetch_config(base: &str, site: &str) -> Result<Config, ApiError> {
    let json = get_value(&format!("{base}v1/sites/{site}/config")).await?;
    let rules = from_js(json.clone()).ok_or_else(unreadable)?;
    Ok(Config { rules, json })
}

fn unreadable() -> ApiError {
    ApiError::Rejected("unreadable answer".to_owned())
}

/// `GET` a collector URL, its answer parsed by the browser's `JSON.parse`.
pub async fn get_value(url: &str) -> Result<JsValue, ApiError> {
    let text = request(url, None).await?;
    js_sys::JSON::parse(&text).map_err(|_| unreadable())
}

/// Posts one response JSON; resolves when it is stored (or was stored before).
pub async fn send_response(
    base: &str,
    site: &str,
    id: ResponseId,
    body: String,
) -> Result<(), ApiError> {
    outbox_put(site, id, &body);
    let result = request(&format!("{base}v1/sites/{site}/responses"), Some(&body)).await;
    if !matches!(result, Err(ApiError::Transient)) {
        outbox_remove(site, id);
    }
    result.map(|_| ())
}

/// Sends whatever waits in the outbox, oldest first, calling `stored` for
/// each the collector took; true when the outbox is empty after.
pub async fn flush_outbox(base: &str, site: &str, stored: impl Fn(ResponseId)) -> bool {
    for Pending { id, body } in outbox_read(site).0 {
        match send_response(base, site, id, body).await {
            Err(ApiError::Transient) => return false,
            Ok(()) => stored(id),
            Err(ApiError::Rejected(_)) => {}
        }
    }
    true
}

/// The page is going away: hand what waits to `sendBeacon`, which outlives
/// the page. Entries stay in the outbox (nothing confirms a beacon); the
/// next page load sends them again, and the collector stores each id once.
pub fn beacon_outbox(base: &str, site: &str) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    let url = format!("{base}v1/sites/{site}/responses");
    for Pending { body, .. } in outbox_read(site).0 {
        // Beacons over 64 KiB are refused by browsers; keep a margin.
        if body.len() < 60 * 1024 {
            let _ = navigator.send_beacon_with_opt_str(&url, Some(&body));
        }
    }
}

pub async fn request(url: &str, body: Option<&str>) -> Result<String, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Transient)?;
    let init = RequestInit::new();
    init.set_mode(RequestMode::Cors);
    if let Some(body) = body {
        init.set_method("POST");
        let headers = js_sys::Object::new();
        js_sys::Reflect::set(&headers, &"content-type".into(), &"application/json".into())
            .map_err(|_| ApiError::Transient)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(body));
    }
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::Transient)?
        .unchecked_into();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let status = response.status();
    if response.ok() {
        Ok(text)
    } else if status >= 500 || status == 429 || status == 408 {
        let wait = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok());
        RETRY_AFTER_SECS.with(|r| r.set(r.get().max(wait.unwrap_or(0))));
        Err(ApiError::Transient)
    } else {
        let message = from_json::<ErrorBody>(&text)
            .map(|e| e.error.message)
            .unwrap_or_else(|| format!("HTTP {status}"));
        Err(ApiError::Rejected(message))
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn outbox_key(site: &str) -> String {
    format!("sori:outbox:{site}")
}

fn outbox_read(site: &str) -> Outbox {
    storage()
        .and_then(|s| s.get_item(&outbox_key(site)).ok()?)
        .and_then(|json| from_json(&json))
        .unwrap_or_default()
}

fn outbox_write(site: &str, outbox: &Outbox) {
    if let (Some(s), Some(json)) = (storage(), to_json(outbox)) {
        // A full or disabled storage only costs the offline guarantee.
        let _ = s.set_item(&outbox_key(site), &json);
    }
}

fn outbox_put(site: &str, id: ResponseId, body: &str) {
    let mut outbox = outbox_read(site);
    outbox.put(id, body);
    outbox_write(site, &outbox);
}

fn outbox_remove(site: &str, id: ResponseId) {
    let mut outbox = outbox_read(site);
    outbox.remove(id);
    outbox_write(site, &outbox);
}

/// A random id kept in localStorage so answers from one browser can be told
/// apart without knowing who it is.
pub fn respondent_id() -> Option<uuid::Uuid> {
    let storage = storage()?;
    let key = "sori:respondent";
    if let Some(existing) = storage
        .get_item(key)
        .ok()?
        .and_then(|s| uuid::Uuid::try_parse(&s).ok())
    {
        return Some(existing);
    }
    let mut bytes = [0u8; 16];
    sori_widget_core::web::random_bytes(&mut bytes);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    let _ = storage.set_item(key, &id.to_string());
    Some(id)
}
