//! The floating button that opens the panel.

use super::use_widget;
use crate::i18n::strings;
use leptos::html::Button;
use leptos::prelude::*;

#[component]
pub fn Launcher() -> impl IntoView {
    let widget = use_widget();
    let button = NodeRef::<Button>::new();
    // Focus comes back here when the panel closes, as a dialog's opener should.
    Effect::new(move |previous: Option<u32>| {
        let closed = widget.closed.get();
        if previous.is_some_and(|p| p != closed)
            && let Some(b) = button.get()
        {
            let _ = b.focus();
        }
        closed
    });
    let label = move || strings(widget.locale()).launcher;
    view! {
        <button
            class="launcher"
            part="launcher"
            type="button"
            node_ref=button
            aria-haspopup="dialog"
            aria-expanded=move || widget.open.get().to_string()
            on:click=move |_| if widget.open.get_untracked() { widget.close() } else { crate::engine::open_launcher_survey(widget) }
        >
            <svg class="launcher-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z" />
            </svg>
            <span>{label}</span>
        </button>
    }
}
