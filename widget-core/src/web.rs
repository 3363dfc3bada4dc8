//! What both wasm modules do the same way in the browser: JSON through the
//! browser's own parser with our value reader (`de`) in between, fresh ids
//! from `crypto.getRandomValues`, and the allocator both link.

mod de;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sori_protocol::ResponseId;
use wasm_bindgen::JsValue;

/// Both wasm modules (this crate's `web` feature is theirs alone) allocate
/// through lol_alloc's free-list allocator, about 1 KB of code, instead of
/// the default dlmalloc, about 7 KB in each download. Its cost grows with
/// the number of free blocks, which stays small: adjacent ones are merged,
/// and the engine holds a page's rules and an outbox, the UI one panel.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

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
