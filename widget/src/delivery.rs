//! Getting every saved answer to the collector: retries with growing pauses
//! while the network or the collector is down, a flush as soon as the
//! browser is back online, and a last `sendBeacon` when the page goes away.

use crate::state::endpoint;
use crate::{api, triggers};
use sori_protocol::ResponseId;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The longest pause between two retries.
const MAX_PAUSE_MS: i32 = 60_000;

thread_local! {
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
}

/// Listens for the browser coming back online and for the page going away.
pub fn watch() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let online = Closure::<dyn Fn()>::new(flush_now);
    let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    online.forget();
    let leaving = Closure::<dyn Fn()>::new(move || {
        let (base, site) = endpoint();
        api::beacon_outbox(&base, &site);
    });
    let _ = window.add_event_listener_with_callback("pagehide", leaving.as_ref().unchecked_ref());
    leaving.forget();
}

/// A send failed for a reason worth retrying: try again after 1, 2, 4 …
/// seconds, up to a minute apart, or later if the collector said so with
/// `Retry-After`.
pub fn retry_later() {
    if SCHEDULED.with(|s| s.replace(true)) {
        return;
    }
    let failures = FAILURES.with(|f| {
        let n = f.get();
        f.set(n.saturating_add(1));
        n
    });
    let backoff = 1000_i32
        .saturating_mul(1 << failures.min(6))
        .min(MAX_PAUSE_MS);
    let asked = i32::try_from(api::take_retry_after())
        .unwrap_or(i32::MAX)
        .saturating_mul(1000);
    let pause = backoff.max(asked);
    let Some(window) = web_sys::window() else {
        return;
    };
    let fire = Closure::once_into_js(move || {
        SCHEDULED.with(|s| s.set(false));
        flush_now();
    });
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(fire.unchecked_ref(), pause);
}

/// Sends what waits now; schedules the next try if something is still left.
pub fn flush_now() {
    let (base, site) = endpoint();
    wasm_bindgen_futures::spawn_local(async move {
        if api::flush_outbox(&base, &site, stored).await {
            FAILURES.with(|f| f.set(0));
        } else {
            retry_later();
        }
    });
}

thread_local! {
    /// Final saves handed over in this page, by response id, with their
    /// survey: storing one counts that survey as answered.
    /// A list, not a map: it holds one or two entries at a time.
    static FINISHING: RefCell<Vec<(ResponseId, String)>> = const { RefCell::new(Vec::new()) };
}

/// Save `id` is the last of a response to `survey`.
pub fn expect_finish(id: ResponseId, survey: String) {
    FINISHING.with(|f| {
        let mut finishing = f.borrow_mut();
        finishing.retain(|(known, _)| *known != id);
        finishing.push((id, survey));
    });
}

/// The collector has save `id`: a finished survey counts as answered, and
/// the UI, if it shows that save as failed, shows it as sent.
pub fn stored(id: ResponseId) {
    let survey = FINISHING.with(|f| {
        let mut finishing = f.borrow_mut();
        let at = finishing.iter().position(|(known, _)| *known == id)?;
        Some(finishing.swap_remove(at).1)
    });
    if let Some(survey) = survey {
        triggers::answered(&survey);
        crate::ui::if_loaded(|ui| ui.delivered(&id.to_string()));
    }
}
