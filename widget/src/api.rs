//! Every network call the widget makes, and the outbox: each response is
//! written to localStorage before it is sent and removed only once the
//! collector has stored it (or refused it for good), so a closed tab or a
//! dead network does not lose an answer.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sori_protocol::{ErrorBody, ResponseId, SiteConfig};
use sori_widget_core::outbox::{Outbox, Pending};
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

/// Reads JSON into a protocol type; the one place the widget parses JSON.
/// The browser's `JSON.parse` does the text, serde the shape.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Writes a protocol type as JSON; the one place the widget writes it.
/// `None` only if the browser refuses, and then nothing is written or sent.
pub fn to_json<T: Serialize>(value: &T) -> Option<String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
        .and_then(|v| js_sys::JSON::stringify(&v).ok())
        .and_then(|s| s.as_string())
}

pub async fn fetch_config(base: &str, site: &str) -> Result<SiteConfig, ApiError> {
    get_json(&format!("{base}v1/sites/{site}/config")).await
}

/// `GET` a collector path and read the answer as `T`.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let text = request(url, None).await?;
    from_json(&text).ok_or_else(|| ApiError::Rejected("unreadable answer".to_owned()))
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

/// Sends whatever waits in the outbox, oldest first; true when it is empty after.
pub async fn flush_outbox(base: &str, site: &str) -> bool {
    for Pending { id, body } in outbox_read(site).0 {
        if send_response(base, site, id, body).await == Err(ApiError::Transient) {
            return false;
        }
    }
    true
}

/// Whether response `id` still waits to be sent.
pub fn is_pending(site: &str, id: ResponseId) -> bool {
    outbox_read(site).holds(id)
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
    random_bytes(&mut bytes);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    let _ = storage.set_item(key, &id.to_string());
    Some(id)
}

/// A new UUIDv7 for a response, from the clock and `crypto.getRandomValues`.
pub fn new_response_id() -> ResponseId {
    let mut random = [0u8; 10];
    random_bytes(&mut random);
    ResponseId::from_parts(js_sys::Date::now() as u64, random)
}

fn random_bytes(buf: &mut [u8]) {
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(buf);
    }
}
