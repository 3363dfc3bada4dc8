//! A real headless Chromium against the demo page the collector serves.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use fantoccini::Locator;
use sori_tests::app::{Options, TestApp};
use sori_tests::browser::{Browser, wait_in};
use std::path::Path;

fn artifacts() -> &'static Path {
    Path::new(concat!(env!("CARGO_TARGET_TMPDIR"), "/browser-artifacts"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_rates_4_and_the_summary_counts_it() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let browser = Browser::start().await.expect("headless Chromium starts");
    let page = format!("http://localhost:{}/demo/", app.port);
    browser
        .run(
            artifacts(),
            "a_visitor_rates_4_and_the_summary_counts_it",
            |client| async move {
                client.goto(&page).await?;
                let widget = Browser::widget_of(&client).await?;
                wait_in(&widget, "button.launcher").await?.click().await?;
                wait_in(&widget, "[role=dialog] fieldset input[value='4']").await?;
                widget
                    .find(Locator::Css("label.choice:nth-child(4)"))
                    .await?
                    .click()
                    .await?;
                widget
                    .find(Locator::Css("button.primary"))
                    .await?
                    .click()
                    .await?;
                let thanks = wait_in(&widget, ".thanks").await?;
                anyhow::ensure!(
                    thanks.text().await?.contains("Thank you"),
                    "no thank-you text"
                );
                Ok(())
            },
        )
        .await;
    let summary = app.summary("demo").await;
    assert_eq!(summary["csat"]["n"], 1, "{summary}");
    assert_eq!(summary["csat"]["score"], 100.0, "{summary}");
    app.stop().await;
}

/// Reads an expression about the widget's shadow root, e.g. which element has focus.
async fn in_widget(client: &fantoccini::Client, expr: &str) -> anyhow::Result<serde_json::Value> {
    let script =
        format!("const root = document.querySelector('sori-widget').shadowRoot; return {expr};");
    Ok(client.execute(&script, vec![]).await?)
}

/// Types keys into whatever has focus, as a keyboard user does.
async fn press(client: &fantoccini::Client, keys: &str) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut sequence = KeyActions::new("keyboard".into());
    for value in keys.chars() {
        sequence = sequence
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    client.perform_actions(sequence).await?;
    Ok(())
}

/// Presses `key` while holding Shift.
async fn press_shifted(
    client: &fantoccini::Client,
    key: fantoccini::key::Key,
) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let shift = char::from(fantoccini::key::Key::Shift);
    let value = char::from(key);
    let sequence = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value })
        .then(KeyAction::Up { value })
        .then(KeyAction::Up { value: shift });
    client.perform_actions(sequence).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survey_can_be_answered_with_the_keyboard_alone() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let browser = Browser::start().await.expect("headless Chromium starts");
    let page = format!("http://localhost:{}/demo/", app.port);
    let name = "the_survey_can_be_answered_with_the_keyboard_alone";
    browser
        .run(artifacts(), name, |client| async move {
            use fantoccini::key::Key;
            client.goto(&page).await?;
            let widget = Browser::widget_of(&client).await?;
            let launcher = wait_in(&widget, "button.launcher").await?;
            // The one pointer-free way in for a test: focus the launcher, then Enter.
            launcher.send_keys(&Key::Enter.to_string()).await?;
            wait_in(&widget, "[role=dialog] fieldset input").await?;
            let focused =
                in_widget(&client, "root.activeElement && root.activeElement.value").await?;
            anyhow::ensure!(focused == "1", "focus after opening: {focused}");
            // Space picks the focused choice; arrows move the choice along the group.
            press(
                &client,
                &format!("{}{}{}", Key::Space, Key::Right, Key::Right),
            )
            .await?;
            let picked = in_widget(&client, "root.querySelector('input:checked').value").await?;
            anyhow::ensure!(picked == "3", "picked {picked}, expected 3");
            press(&client, &Key::Tab.to_string()).await?;
            let focused = in_widget(&client, "root.activeElement.tagName").await?;
            anyhow::ensure!(
                focused == "TEXTAREA",
                "Tab from the scale went to {focused}"
            );
            press(&client, "Reminders are easy to find").await?;
            press(&client, &Key::Tab.to_string()).await?;
            let focused = in_widget(&client, "root.activeElement.className").await?;
            anyhow::ensure!(
                focused == "primary",
                "Tab from the comment went to {focused}"
            );
            // Tab from the last control wraps to the first: focus stays in the dialog.
            press(&client, &Key::Tab.to_string()).await?;
            let focused = in_widget(&client, "root.activeElement.className").await?;
            anyhow::ensure!(
                focused == "close",
                "Tab from the last control went to {focused}"
            );
            press_shifted(&client, Key::Tab).await?;
            let focused = in_widget(&client, "root.activeElement.className").await?;
            anyhow::ensure!(
                focused == "primary",
                "Shift+Tab from the first control went to {focused}"
            );
            press(&client, &Key::Enter.to_string()).await?;
            wait_in(&widget, ".thanks").await?;
            let focused = in_widget(
                &client,
                "root.activeElement && root.activeElement.textContent",
            )
            .await?;
            anyhow::ensure!(focused == "Close", "focus after sending: {focused}");
            press(&client, &Key::Escape.to_string()).await?;
            let open = in_widget(&client, "!!root.querySelector('[role=dialog]')").await?;
            anyhow::ensure!(open == false, "Escape did not close the dialog");
            let focused = in_widget(
                &client,
                "root.activeElement && root.activeElement.className",
            )
            .await?;
            anyhow::ensure!(focused == "launcher", "focus after closing: {focused}");
            Ok(())
        })
        .await;
    let summary = app.summary("demo").await;
    assert_eq!(
        summary["csat"]["distribution"],
        serde_json::json!([0, 0, 1, 0, 0]),
        "{summary}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_sent_while_the_collector_is_down_is_kept_and_retried() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let browser = Browser::start().await.expect("headless Chromium starts");
    let page = format!("http://localhost:{}/demo/", app.port);
    let name = "an_answer_sent_while_the_collector_is_down_is_kept_and_retried";
    let restarted = std::sync::Arc::new(tokio::sync::Mutex::new(None));
    let slot = restarted.clone();
    browser
        .run(artifacts(), name, |client| async move {
            client.goto(&page).await?;
            let widget = Browser::widget_of(&client).await?;
            wait_in(&widget, "button.launcher").await?.click().await?;
            wait_in(&widget, "[role=dialog] fieldset input[value='2']").await?;
            widget
                .find(Locator::Css("label.choice:nth-child(2)"))
                .await?
                .click()
                .await?;
            let kept = app.stop_keeping_data().await;
            widget
                .find(Locator::Css("button.primary"))
                .await?
                .click()
                .await?;
            let problem = wait_in(&widget, ".problem[role=alert]").await?;
            anyhow::ensure!(
                problem.text().await?.contains("saved on this device"),
                "no offline notice"
            );
            let button = widget
                .find(Locator::Css("button.primary"))
                .await?
                .text()
                .await?;
            anyhow::ensure!(button == "Try again", "the send button reads {button:?}");
            let queued = client
                .execute(
                    "return JSON.parse(localStorage.getItem('sori:outbox:demo') || '[]').length",
                    vec![],
                )
                .await?;
            anyhow::ensure!(queued == 1, "outbox holds {queued} answers, expected 1");

            let app = TestApp::spawn_with(Options {
                demo: true,
                restart: Some(kept),
                ..Options::default()
            })
            .await;
            widget
                .find(Locator::Css("button.primary"))
                .await?
                .click()
                .await?;
            wait_in(&widget, ".thanks").await?;
            let queued = client
                .execute(
                    "return JSON.parse(localStorage.getItem('sori:outbox:demo') || '[]').length",
                    vec![],
                )
                .await?;
            anyhow::ensure!(
                queued == 0,
                "outbox still holds {queued} answers after the retry"
            );
            *slot.lock().await = Some(app);
            Ok(())
        })
        .await;
    let app = restarted
        .lock()
        .await
        .take()
        .expect("the collector was restarted");
    let summary = app.summary("demo").await;
    assert_eq!(summary["csat"]["n"], 1, "{summary}");
    assert_eq!(
        summary["csat"]["distribution"],
        serde_json::json!([0, 1, 0, 0, 0]),
        "{summary}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_the_page_to_korean_switches_the_widget() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let browser = Browser::start().await.expect("headless Chromium starts");
    let page = format!("http://localhost:{}/demo/", app.port);
    let name = "switching_the_page_to_korean_switches_the_widget";
    browser
        .run(artifacts(), name, |client| async move {
            client.goto(&page).await?;
            let widget = Browser::widget_of(&client).await?;
            let launcher = wait_in(&widget, "button.launcher").await?;
            anyhow::ensure!(launcher.text().await? == "Feedback", "English first");
            // The demo page's language menu calls sori('locale', 'ko').
            client
                .find(Locator::Id("language"))
                .await?
                .select_by_value("ko")
                .await?;
            anyhow::ensure!(
                launcher.text().await? == "의견 보내기",
                "the launcher stayed English"
            );
            launcher.click().await?;
            let legend = wait_in(&widget, "[role=dialog][lang=ko] legend").await?;
            let prompt = legend.text().await?;
            anyhow::ensure!(
                prompt.contains("인보이스"),
                "the question is not in Korean: {prompt}"
            );
            let label = widget
                .find(Locator::Css("label.choice:nth-child(5) .choice-label"))
                .await?;
            let text = label.prop("textContent").await?.unwrap_or_default();
            anyhow::ensure!(text == "매우 만족", "the 5 is labelled {text:?}");
            Ok(())
        })
        .await;
    app.stop().await;
}
