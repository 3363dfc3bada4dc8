//! The few browser calls both wasm modules make the same way: JSON through
//! the browser's own parser, and fresh ids from `crypto.getRandomValues`.

mod de;

/// Both wasm modules allocate through a free-list allocator of about 1 KB
/// instead of the default dlmalloc (about 7 KB in each). They hold few,
/// small values (a page's rules, an outbox, a panel's state), and the bytes
/// are downloaded with every page view.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

use serde::Serialize;
use serde::de::DeserializeOwned;
use sori_protocol::ResponseId;
use wasm_bindgen::JsValue;

/// Reads JSON text into a protocol type: `JSON.parse` does the text, serde
/// the shape.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_js(js_sys::JSON::parse(text).ok()?)
}

/// Reads a JavaScript value (parsed JSON, or a value the other module
/// wrote with [`to_js`]) into `T`.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    de::from_value(value).ok()
}

/// `value` as a plain JavaScript value, as JSON would have it.
pub fn to_js<T: Serialize>(value: &T) -> Option<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
}

/// Writes a protocol type as JSON text. `None` only if the browser refuses,
/// and then nothing is written or sent.
pub fn to_json<T: Serialize>(value: &T) -> Option<String> {
    js_sys::JSON::stringify(&to_js(value)?).ok()?.as_string()
}

/// A new UUIDv7 for a response, from the clock and `crypto.getRandomValues`.
pub fn new_response_id() -> ResponseId {
    let mut random = [0u8; 10];
    random_bytes(&mut random);
    ResponseId::from_parts(js_sys::Date::now() as u64, random)
}

/// Fills `buf` from the browser's cryptographic random source.
pub fn random_bytes(buf: &mut [u8]) {
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(buf);
    }
}
