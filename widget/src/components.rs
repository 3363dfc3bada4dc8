//! The widget's views: the launcher, the panel, and the survey inside it.

mod launcher;
mod panel;
mod question;
mod survey;

use crate::state::{ConfigState, Widget};
use leptos::prelude::*;

#[component]
pub fn App(widget: Widget) -> impl IntoView {
    provide_context(widget);
    let show_launcher = move || {
        widget.env.with_value(|e| e.launcher)
            && widget
                .config
                .with(|c| matches!(c, ConfigState::Ready(c) if !c.surveys.is_empty()))
    };
    view! {
        <Show when=show_launcher>
            <launcher::Launcher />
        </Show>
        <Show when=move || widget.open.get()>
            <panel::Panel />
        </Show>
    }
}

pub fn use_widget() -> Widget {
    use_context::<Widget>().expect("the App component provides the Widget context")
}
