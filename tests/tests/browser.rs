//! A real headless Chromium against the demo page the collector serves.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use anyhow::Context;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use sori_tests::app::{Options, TestApp, score_counts};
use sori_tests::browser::{
    Browser, DemoTest, Scheme, artifacts_dir, assert_accessible, cdp, click, on_demo_page,
    open_page, settle, wait_in, wait_text, wait_until, wait_until_within,
};
use std::time::Duration;

/// How long the widget may take to resend an answer once the collector is
/// back: it retries after 1, 2, 4 … seconds, counted from the first failure.
const RETRIED: Duration = Duration::from_secs(20);

/// Reads an expression about the widget's shadow root, e.g. which element has focus.
async fn in_widget(client: &Client, expr: &str) -> anyhow::Result<Value> {
    let script =
        format!("const root = document.querySelector('sori-widget').shadowRoot; return {expr};");
    Ok(client.execute(&script, vec![]).await?)
}

/// The class (or, with `what`, another property) of the focused element in the widget.
async fn focused(client: &Client, what: &str) -> anyhow::Result<Value> {
    in_widget(
        client,
        &format!("root.activeElement && root.activeElement.{what}"),
    )
    .await
}

/// Waits until the focused element in the widget has `what` equal to
/// `expected`. The widget moves focus on the frame after it draws (a new
/// step, the panel opening), so a check at once could come a frame early.
/// `why` is what a failure means.
async fn expect_focus(
    client: &Client,
    what: &str,
    expected: &str,
    why: &str,
) -> anyhow::Result<()> {
    let mut seen = Value::Null;
    let waited = wait_until(&format!("focus on {expected}"), async || {
        seen = focused(client, what).await?;
        Ok(seen == expected)
    })
    .await;
    waited.with_context(|| format!("{why}: the focused element's {what} is {seen}"))
}

/// How many answers wait in the widget's outbox in localStorage.
async fn outbox_len(client: &Client) -> anyhow::Result<Value> {
    let script = "return JSON.parse(localStorage.getItem('sori:outbox:demo') || '[]').length";
    Ok(client.execute(script, vec![]).await?)
}

/// What the engine remembers of `survey` for fatigue control (in
/// localStorage), and how many surveys this browser session has shown (in
/// sessionStorage).
async fn remembered(client: &Client, survey: &str) -> anyhow::Result<(Value, Value)> {
    let script = "const memory = JSON.parse(localStorage.getItem('sori:memory:demo') || '{}');
        return [(memory.surveys || {})[arguments[0]] ?? null,
                Number(sessionStorage.getItem('sori:session:demo') || 0)];";
    let found = client.execute(script, vec![survey.into()]).await?;
    Ok((found[0].clone(), found[1].clone()))
}

/// Types keys into whatever has focus, as a keyboard user does.
async fn press(client: &Client, keys: &str) -> anyhow::Result<()> {
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
async fn press_shifted(client: &Client, key: Key) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let (shift, value) = (char::from(Key::Shift), char::from(key));
    let sequence = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value })
        .then(KeyAction::Up { value })
        .then(KeyAction::Up { value: shift });
    client.perform_actions(sequence).await?;
    Ok(())
}

/// Clicks a button of the host page (outside the widget).
async fn click_page(client: &Client, id: &str) -> anyhow::Result<()> {
    client.find(Locator::Id(id)).await?.click().await?;
    Ok(())
}

/// The title of the survey on screen, once the dialog is open. Read from the
/// DOM, not as rendered text, which is empty while the panel fades in.
async fn dialog_title(widget: &fantoccini::elements::ShadowRoot) -> anyhow::Result<String> {
    let title = wait_in(widget, "[role=dialog] h2").await?;
    Ok(title.prop("textContent").await?.unwrap_or_default())
}

/// Waits until the survey's progress text ends with `count` ("of 2"): a
/// choice redraws it a moment after the click. `why` is what a failure means.
async fn expect_progress(
    widget: &fantoccini::elements::ShadowRoot,
    count: &str,
    why: &str,
) -> anyhow::Result<()> {
    let mut shown = String::new();
    let waited = wait_until(&format!("the progress to end with {count:?}"), async || {
        shown = wait_in(widget, ".progress-text").await?.text().await?;
        Ok(shown.ends_with(count))
    })
    .await;
    waited.with_context(|| format!("{why}: the progress reads {shown:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_rates_4_and_the_summary_counts_it() {
    let app = on_demo_page(|_client, widget| async move {
        wait_in(&widget, "button.launcher").await?.click().await?;
        // The launcher opens on Help; feedback is the other tab.
        click(&widget, "#sori-tab-feedback").await?;
        wait_in(&widget, "[role=dialog] fieldset input[value='4']").await?;
        click(&widget, "label.choice:nth-child(4)").await?;
        click(&widget, "button.primary").await?; // Next: the optional comment
        wait_in(&widget, "textarea")
            .await?
            .send_keys("Quick to send, 한국어도 잘 돼요")
            .await?;
        click(&widget, "button.primary").await?; // Send
        let thanks = wait_in(&widget, ".thanks").await?;
        anyhow::ensure!(
            thanks.text().await?.contains("Thank you"),
            "no thank-you text"
        );
        Ok(())
    })
    .await;
    let summary = app.summary("demo").await;
    assert_eq!(summary["csat"]["n"], 1, "{summary}");
    assert_eq!(summary["csat"]["score"], 100.0, "{summary}");
    let stored = app.stored_for("demo", "invoice-csat").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (
            stored[0].finished,
            stored[0].locale,
            stored[0].page_path.as_str()
        ),
        (true, sori_protocol::Locale::En, "/demo/")
    );
    assert_eq!(
        stored[0].answers,
        json!([{"question": "csat", "value": 4},
               {"question": "comment", "value": "Quick to send, 한국어도 잘 돼요"}])
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survey_can_be_answered_with_the_keyboard_alone() {
    let app = on_demo_page(|client, widget| async move {
        // The one pointer-free way in for a test: focus the launcher, then Enter.
        wait_in(&widget, "button.launcher")
            .await?
            .send_keys(&Key::Enter.to_string())
            .await?;
        wait_in(&widget, "input.search").await?;
        expect_focus(
            &client,
            "className",
            "search",
            "opening did not focus the help search",
        )
        .await?;
        // Shift+Tab reaches the tabs; an arrow moves to Feedback.
        press_shifted(&client, Key::Tab).await?;
        expect_focus(
            &client,
            "id",
            "sori-tab-help",
            "Shift+Tab from search missed the Help tab",
        )
        .await?;
        press(&client, &Key::Right.to_string()).await?;
        wait_in(&widget, "[role=dialog] fieldset input").await?;
        expect_focus(
            &client,
            "id",
            "sori-tab-feedback",
            "the arrow did not move to the Feedback tab",
        )
        .await?;
        press(&client, &Key::Tab.to_string()).await?;
        expect_focus(
            &client,
            "value",
            "1",
            "Tab from the tab did not reach the first choice",
        )
        .await?;
        // Space picks the focused choice; arrows move the choice along the group.
        press(
            &client,
            &format!("{}{}{}", Key::Space, Key::Right, Key::Right),
        )
        .await?;
        let picked = in_widget(&client, "root.querySelector('input:checked').value").await?;
        anyhow::ensure!(picked == "3", "picked {picked}, expected 3");
        press(&client, &Key::Tab.to_string()).await?;
        expect_focus(
            &client,
            "className",
            "primary",
            "Tab from the scale missed Next",
        )
        .await?;
        press(&client, &Key::Enter.to_string()).await?;
        wait_in(&widget, "textarea").await?;
        expect_focus(&client, "tagName", "TEXTAREA", "Next left the focus behind").await?;
        press(&client, "Reminders are easy to find").await?;
        press(&client, &Key::Tab.to_string()).await?;
        expect_focus(
            &client,
            "className",
            "secondary",
            "Tab from the comment missed Back",
        )
        .await?;
        press(&client, &Key::Tab.to_string()).await?;
        expect_focus(&client, "className", "primary", "Tab from Back missed Send").await?;
        // Focus is trapped: Tab from the last control wraps to the first, Shift+Tab back.
        press(&client, &Key::Tab.to_string()).await?;
        expect_focus(
            &client,
            "className",
            "close",
            "Tab from Send left the dialog",
        )
        .await?;
        press_shifted(&client, Key::Tab).await?;
        expect_focus(
            &client,
            "className",
            "primary",
            "Shift+Tab from Close left the dialog",
        )
        .await?;
        press(&client, &Key::Enter.to_string()).await?;
        wait_in(&widget, ".thanks").await?;
        expect_focus(&client, "textContent", "Close", "sending dropped the focus").await?;
        press(&client, &Key::Escape.to_string()).await?;
        let open = in_widget(&client, "!!root.querySelector('[role=dialog]')").await?;
        anyhow::ensure!(open == false, "Escape did not close the dialog");
        expect_focus(
            &client,
            "className",
            "launcher",
            "closing did not return focus",
        )
        .await?;
        Ok(())
    })
    .await;
    let summary = app.summary("demo").await;
    assert_eq!(
        summary["csat"]["distribution"],
        json!([0, 0, 1, 0, 0]),
        "{summary}"
    );
    let stored = app.stored_for("demo", "invoice-csat").await;
    assert_eq!(
        stored.iter().map(|r| &r.answers).collect::<Vec<_>>(),
        [&json!([{"question": "csat", "value": 3},
                 {"question": "comment", "value": "Reminders are easy to find"}])]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_the_page_to_korean_switches_the_widget() {
    let app = on_demo_page(|client, widget| async move {
        let launcher = wait_in(&widget, "button.launcher").await?;
        anyhow::ensure!(launcher.text().await? == "Help & feedback", "English first");
        // The demo page's language menu calls sori('locale', 'ko').
        client
            .find(Locator::Id("language"))
            .await?
            .select_by_value("ko")
            .await?;
        let launcher = wait_text(&widget, "button.launcher", "도움말·의견").await?;
        launcher.click().await?;
        let tab = wait_text(&widget, "#sori-tab-feedback", "의견").await?;
        tab.click().await?;
        let prompt = wait_in(&widget, "[role=dialog][lang=ko] legend")
            .await?
            .text()
            .await?;
        anyhow::ensure!(
            prompt.contains("인보이스"),
            "the question is not in Korean: {prompt}"
        );
        let label = widget
            .find(Locator::Css("label.choice:nth-child(5) .choice-label"))
            .await?;
        let text = label.prop("textContent").await?.unwrap_or_default();
        anyhow::ensure!(text.ends_with("매우 만족"), "the 5 is labelled {text:?}");
        Ok(())
    })
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_nps_survey_appears_after_checkout_and_submits() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?;
        click_page(&client, "upgrade").await?;
        click_page(&client, "checkout-pay").await?; // sori('track', 'checkout_done')
        let title = dialog_title(&widget).await?;
        anyhow::ensure!(
            title == "Welcome to Pro!",
            "the NPS survey did not open: {title:?}"
        );
        anyhow::ensure!(
            widget
                .find_all(Locator::Css("input[type=radio]"))
                .await?
                .len()
                == 11,
            "NPS has 0–10"
        );
        click(&widget, "label.choice:nth-child(10)").await?; // 9
        click(&widget, "button.primary").await?;
        wait_in(&widget, "textarea")
            .await?
            .send_keys("Reminders pay for themselves")
            .await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, "input[type=checkbox][value=reminders]").await?;
        // Three boxes and "Other".
        for nth in [1, 2, 4] {
            click(&widget, &format!("label.check:nth-child({nth})")).await?;
        }
        let other_field = wait_in(&widget, "input.other-text").await?;
        anyhow::ensure!(
            !other_field.is_displayed().await?,
            "the Other field shows before Other is ticked"
        );
        click(&widget, "label.check:nth-child(5)").await?; // Other
        anyhow::ensure!(
            other_field.is_displayed().await?,
            "ticking Other did not show its field"
        );
        // "Other" without its text is stopped here, not refused later.
        click(&widget, "button.primary").await?;
        let problem = wait_in(&widget, "p.problem").await?.text().await?;
        anyhow::ensure!(problem.contains("Other"), "no message: {problem:?}");
        // The step was drawn again with its message: find the field anew.
        wait_in(&widget, "input.other-text")
            .await?
            .send_keys("Payroll exports")
            .await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, ".thanks").await?;
        Ok(())
    })
    .await;
    assert_eq!(
        score_counts(&app, "demo", "nps").await,
        vec![("nps".to_owned(), 9, 1)]
    );
    let stored = app.stored_for("demo", "nps").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].finished);
    assert_eq!(
        stored[0].answers,
        json!([
            {"question": "nps", "value": 9},
            {"question": "reason", "value": "Reminders pay for themselves"},
            {"question": "features", "value": ["invoices", "reminders", "reports", "other"],
             "other": "Payroll exports"}
        ])
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skip_rule_asks_what_went_wrong_only_after_a_low_score() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?;
        client
            .find(Locator::Css("button.send"))
            .await?
            .click()
            .await?; // sori('track', 'invoice_sent')
        anyhow::ensure!(
            dialog_title(&widget).await? == "Invoice sent",
            "the CSAT survey did not open"
        );
        // Before a score the follow-up may still come: the count starts at
        // the most, so it never goes backwards.
        expect_progress(
            &widget,
            "of 3",
            "before a score the follow-up should be counted",
        )
        .await?;
        click(&widget, "label.choice:nth-child(5)").await?;
        expect_progress(&widget, "of 2", "a 5 should leave two questions").await?;
        click(&widget, "label.choice:nth-child(2)").await?;
        expect_progress(&widget, "of 3", "a 2 should add the follow-up").await?;
        click(&widget, "button.primary").await?;
        let asked = wait_in(&widget, "legend").await?.text().await?;
        anyhow::ensure!(
            asked.starts_with("What went wrong?"),
            "the follow-up was not asked: {asked}"
        );
        click(&widget, "button.secondary").await?; // Back: change the 2 to a 5
        wait_in(&widget, "input[value='5']").await?;
        click(&widget, "label.choice:nth-child(5)").await?;
        click(&widget, "button.primary").await?;
        let next = wait_in(&widget, ".question label").await?.text().await?;
        anyhow::ensure!(
            next.starts_with("Anything else"),
            "after a 5 the follow-up must be skipped: {next}"
        );
        click(&widget, "button.primary").await?;
        wait_in(&widget, ".thanks").await?;
        Ok(())
    })
    .await;
    assert_eq!(
        score_counts(&app, "demo", "send-csat").await,
        vec![("csat".to_owned(), 5, 1)]
    );
    // The follow-up asked after the 2 is not in the response after the 5.
    let stored = app.stored_for("demo", "send-csat").await;
    assert_eq!(
        stored.iter().map(|r| &r.answers).collect::<Vec<_>>(),
        [&json!([{"question": "csat", "value": 5}])]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_survey_does_not_come_back_after_a_reload() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?;
        click_page(&client, "upgrade").await?;
        click_page(&client, "checkout-pay").await?;
        anyhow::ensure!(
            dialog_title(&widget).await? == "Welcome to Pro!",
            "NPS did not open"
        );
        click(&widget, "label.choice:nth-child(8)").await?;
        // Next, Next, Send: the rest is optional. Each step is awaited, so a
        // click never lands on the button of the step before.
        click(&widget, "button.primary").await?;
        wait_in(&widget, "textarea").await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, "input[type=checkbox]").await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, ".thanks").await?;

        client.refresh().await?;
        let widget = Browser::widget_of(&client).await?;
        wait_in(&widget, "button.launcher").await?;
        let (nps_before, shown_before) = remembered(&client, "nps").await?;
        anyhow::ensure!(
            nps_before["answered"] == true,
            "the answer to NPS is not remembered: {nps_before}"
        );
        click_page(&client, "upgrade").await?;
        click_page(&client, "checkout-pay").await?; // the NPS survey's event again
        // A survey that stays away cannot be waited for. But the engine
        // handles the page's events in order and one survey at a time (a
        // survey it shows holds the screen, and counts as seen at once):
        // once the survey of a later event is on screen, the checkout was
        // handled, and it showed nothing.
        click_page(&client, "export").await?;
        let title = dialog_title(&widget).await?;
        anyhow::ensure!(
            title == "Report exported",
            "the CES survey did not open; on screen: {title:?}"
        );
        let (nps_after, shown_after) = remembered(&client, "nps").await?;
        anyhow::ensure!(
            nps_after == nps_before,
            "the answered NPS survey came back: {nps_before} became {nps_after}"
        );
        anyhow::ensure!(
            shown_after.as_u64() == shown_before.as_u64().map(|n| n + 1),
            "the session showed {shown_before} surveys, then {shown_after}: \
             not just the CES survey"
        );
        // The triggers still work: a survey opens by id too.
        click(&widget, "button.close").await?;
        click_page(&client, "rate-page").await?; // sori('survey', 'page-rating')
        anyhow::ensure!(
            dialog_title(&widget).await? == "Rate this page",
            "the survey asked for by id did not open"
        );
        Ok(())
    })
    .await;
    assert_eq!(
        score_counts(&app, "demo", "nps").await,
        vec![("nps".to_owned(), 7, 1)]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_sent_while_the_collector_is_down_is_kept_and_retried_on_its_own() {
    let app = DemoTest::new()
        .await
        .open_with_app(|app, client, widget| async move {
            wait_in(&widget, "button.launcher").await?.click().await?;
            click(&widget, "#sori-tab-feedback").await?;
            wait_in(&widget, "[role=dialog] fieldset input[value='2']").await?;
            click(&widget, "label.choice:nth-child(2)").await?;
            let kept = app.stop_keeping_data().await;
            click(&widget, "button.primary").await?; // Next: its save waits in the outbox
            wait_in(&widget, "textarea").await?;
            click(&widget, "button.primary").await?; // Send
            // The notice's element is always there, hidden and empty until
            // the send fails: its words are what to wait for.
            let mut notice = String::new();
            wait_until("the offline notice", async || {
                notice = wait_in(&widget, ".problem[role=alert]")
                    .await?
                    .text()
                    .await?;
                Ok(notice.contains("saved on this device"))
            })
            .await
            .with_context(|| format!("no offline notice; the alert reads {notice:?}"))?;
            wait_text(&widget, "button.primary", "Try again").await?;
            assert_accessible(&client, "the offline notice").await?;
            anyhow::ensure!(
                outbox_len(&client).await? == 1,
                "the unsent answer is not in the outbox"
            );

            // Back up: the widget retries on its own (after 1, 2, 4 … seconds),
            // and the thank-you appears without another click.
            let app = TestApp::spawn_with(Options {
                demo: true,
                restart: Some(kept),
                ..Options::default()
            })
            .await;
            wait_until_within(RETRIED, "the answer to be retried", async || {
                Ok(widget.find(Locator::Css(".thanks")).await.is_ok())
            })
            .await?;
            anyhow::ensure!(
                outbox_len(&client).await? == 0,
                "the outbox still holds the answer"
            );
            Ok(app)
        })
        .await;
    let summary = app.summary("demo").await;
    assert_eq!(summary["csat"]["n"], 1, "{summary}");
    assert_eq!(
        summary["csat"]["distribution"],
        json!([0, 1, 0, 0, 0]),
        "{summary}"
    );
    let stored = app.stored_for("demo", "invoice-csat").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].finished, "the final save was not the one kept");
    assert_eq!(stored[0].answers, json!([{"question": "csat", "value": 2}]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_given_before_the_widget_loads_run_in_order_once_it_is_in() {
    // The demo page's own script calls sori('locale', 'ko') and
    // sori('survey', 'page-rating') at DOMContentLoaded, before the widget's
    // wasm can load (it waits for the load event): both wait in the queue.
    let app = DemoTest::new()
        .await
        .query("?lang=ko&survey=page-rating")
        .open(|_client, widget| async move {
            let title = dialog_title(&widget).await?;
            anyhow::ensure!(
                title == "이 페이지 평가하기",
                "a queued command was lost: {title:?}"
            );
            click(&widget, "label.choice:nth-child(4)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "input[value=yes]").await?;
            click(&widget, "label.choice:nth-child(1)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, ".thanks").await?;
            Ok(())
        })
        .await;
    let counts = score_counts(&app, "demo", "page-rating").await;
    assert_eq!(
        counts,
        vec![("rating5".to_owned(), 4, 1), ("yes_no".to_owned(), 1, 1)]
    );
    let stored = app.stored_for("demo", "page-rating").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].locale, sori_protocol::Locale::Ko);
    assert_eq!(
        stored[0].answers,
        json!([{"question": "stars", "value": 4}, {"question": "found", "value": true}])
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spa_navigation_and_exit_intent_trigger_their_surveys() {
    let test = DemoTest::new().await;
    for (id, title, trigger) in [
        (
            "reports-visit",
            "Reports feedback",
            json!({"page_view": "/demo/reports*"}),
        ),
        ("leaving", "Before you go", json!("exit_intent")),
    ] {
        let survey = json!({
            "id": id, "name": title, "title": {"en": title}, "trigger": trigger,
            "questions": [{"id": "ok", "kind": "yes_no", "prompt": {"en": "Did you find what you needed?"}}]
        });
        test.app.add_live_survey("demo", survey).await;
    }
    let app = test
        .open(|client, widget| async move {
            wait_in(&widget, "button.launcher").await?;
            // An SPA route change: pushState fires no event; the widget notices anyway.
            client
                .execute("history.pushState({}, '', '/demo/reports/2026-11')", vec![])
                .await?;
            // chromedriver forgets element references on any navigation, pushState included.
            let widget = Browser::widget_of(&client).await?;
            anyhow::ensure!(
                dialog_title(&widget).await? == "Reports feedback",
                "the page_view trigger missed pushState"
            );
            click(&widget, "button.close").await?;
            // The pointer leaves through the top of the window.
            client
                .execute(
                    "document.documentElement.dispatchEvent(new MouseEvent('mouseout', \
                     {bubbles: true, clientX: 300, clientY: -2, relatedTarget: null}))",
                    vec![],
                )
                .await?;
            anyhow::ensure!(
                dialog_title(&widget).await? == "Before you go",
                "exit intent did not trigger"
            );
            Ok(())
        })
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_on_page_trigger_shows_its_survey_after_the_wait() {
    let test = DemoTest::new().await;
    let survey = json!({
        "id": "dwell", "name": "Time on page", "title": {"en": "Still with us?"}, "trigger": {"seconds": 2},
        "questions": [{"id": "ok", "kind": "yes_no", "prompt": {"en": "Is this page what you expected?"}}]
    });
    test.app.add_live_survey("demo", survey).await;
    let app = test
        .browse(|client, page| async move {
            // The page notes, on its own clock, when the dialog first
            // appears: a slow page load cannot make an early one look late.
            cdp(
                &client,
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": DIALOG_CLOCK }),
            )
            .await?;
            let widget = open_page(&client, &page).await?;
            wait_in(&widget, "button.launcher").await?;
            anyhow::ensure!(
                dialog_title(&widget).await? == "Still with us?",
                "the seconds trigger never fired"
            );
            let progress = wait_in(&widget, ".progress").await?;
            anyhow::ensure!(
                !progress.is_displayed().await?,
                "a one-question survey shows a progress bar"
            );
            let shown_at = client
                .execute("return window.__soriDialogAt;", vec![])
                .await?;
            let Some(shown_at) = shown_at.as_f64() else {
                anyhow::bail!("the page's clock never saw the dialog appear");
            };
            anyhow::ensure!(
                shown_at >= 2000.0,
                "it appeared {shown_at:.0} ms after the page started, before its 2 s"
            );
            Ok(())
        })
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identified_visitor_gets_the_survey_for_their_plan_and_their_attributes_are_stored() {
    let test = DemoTest::new().await;
    // The survey for the other plan comes first: it would show if
    // targeting were ignored.
    for (id, plan) in [("for-free", "free"), ("for-pro", "pro")] {
        let survey = json!({
            "id": id, "name": id, "title": {"en": format!("Hello, {plan} plan")},
            "trigger": {"event": "plan-check"},
            "targeting": {"attributes": {"plan": plan}},
            "questions": [{"id": "ok", "kind": "yes_no", "prompt": {"en": "Is your plan working for you?"}}]
        });
        test.app.add_live_survey("demo", survey).await;
    }
    let app = test
        .open(|client, widget| async move {
            wait_in(&widget, "button.launcher").await?;
            // Numbers and booleans become strings; the event comes after.
            client
                .execute(
                    "sori('identify', 'user-42', {plan: 'pro', seats: 5, beta: true}); \
                     sori('track', 'plan-check');",
                    vec![],
                )
                .await?;
            let title = dialog_title(&widget).await?;
            anyhow::ensure!(title == "Hello, pro plan", "shown: {title:?}");
            click(&widget, "label.choice:nth-child(1)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, ".thanks").await?;
            Ok(())
        })
        .await;
    let stored = app.stored_for("demo", "for-pro").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].user_id.as_deref(), Some("user-42"));
    let attributes: Vec<(&str, &str)> = stored[0]
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attributes,
        [("beta", "true"), ("plan", "pro"), ("seats", "5")]
    );
    assert_eq!(
        stored[0].answers,
        json!([{"question": "ok", "value": true}])
    );
    assert!(app.stored_for("demo", "for-free").await.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_with_fields_this_widget_does_not_know_still_works() {
    // A collector newer than a cached widget may send more: the page's
    // fetch adds an unknown field at every level of the config.
    let app = DemoTest::new()
        .await
        .query("?survey=page-rating")
        .browse(|client, page| async move {
            cdp(
                &client,
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": NEWER_CONFIG }),
            )
            .await?;
            let widget = open_page(&client, &page).await?;
            let title = dialog_title(&widget).await?;
            anyhow::ensure!(title == "Rate this page", "shown: {title:?}");
            click(&widget, "label.choice:nth-child(5)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "input[value=yes]").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, ".thanks").await?;
            let rewritten = client
                .execute("return window.__soriConfigsRewritten || 0;", vec![])
                .await?;
            anyhow::ensure!(rewritten == json!(1), "configs rewritten: {rewritten}");
            Ok(())
        })
        .await;
    let stored = app.stored_for("demo", "page-rating").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        stored[0].answers,
        json!([{"question": "stars", "value": 5}])
    );
    app.stop().await;
}

/// Installed before the page's own scripts: the site config the widget
/// fetches comes back with a field it does not know added to the config,
/// each survey, its targeting and each question.
const NEWER_CONFIG: &str = "const fetched = window.fetch;
window.fetch = async (input, init) => {
    const response = await fetched(input, init);
    const url = typeof input === 'string' ? input : input.url;
    if (!url.endsWith('/config') || !response.ok) return response;
    const config = await response.json();
    config.added_later = { any: ['shape'] };
    for (const survey of config.surveys) {
        survey.added_later = 7;
        survey.targeting = Object.assign({}, survey.targeting, { added_later: true });
        for (const question of survey.questions) question.added_later = 'x';
    }
    window.__soriConfigsRewritten = (window.__soriConfigsRewritten || 0) + 1;
    return new Response(JSON.stringify(config), { status: 200, headers: response.headers });
};";

/// Installed before the page's own scripts: records in
/// `window.__soriDialogAt` the page time (ms) at which the widget's dialog
/// first appears.
const DIALOG_CLOCK: &str = "new MutationObserver((_, outer) => {
    const host = document.querySelector('sori-widget');
    if (!host || !host.shadowRoot) return;
    outer.disconnect();
    new MutationObserver((_, inner) => {
        if (host.shadowRoot.querySelector('[role=dialog]')) {
            window.__soriDialogAt = performance.now();
            inner.disconnect();
        }
    }).observe(host.shadowRoot, { childList: true, subtree: true });
}).observe(document, { childList: true, subtree: true });";

/// The text of the first element matching `css`, once it contains `expected`.
async fn wait_for_text(
    widget: &fantoccini::elements::ShadowRoot,
    css: &str,
    expected: &str,
) -> anyhow::Result<String> {
    let mut text = String::new();
    let waited = wait_until(&format!("{css} to show {expected:?}"), async || {
        text = match widget.find(Locator::Css(css)).await {
            Ok(el) => el.prop("textContent").await?.unwrap_or_default(),
            Err(_) => String::new(),
        };
        Ok(text.contains(expected))
    })
    .await;
    waited.with_context(|| format!("{css} shows {text:?}"))?;
    Ok(text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_korean_search_finds_the_refund_article_and_opens_it() {
    let app = DemoTest::new()
        .await
        .query("?lang=ko")
        .open(|client, widget| async move {
            wait_in(&widget, "button.launcher").await?.click().await?;
            // The help tab opens first, with categories and popular articles.
            wait_for_text(&widget, ".help-results", "요금제와 청구").await?;
            wait_in(&widget, "input.search")
                .await?
                .send_keys("환불")
                .await?;
            let title = wait_for_text(&widget, ".result .result-title", "환불 정책").await?;
            anyhow::ensure!(title == "환불 정책", "the first result is {title:?}");
            let marked = in_widget(
                &client,
                "root.querySelector('.result-title mark').textContent",
            )
            .await?;
            anyhow::ensure!(marked == "환불", "the match is not highlighted: {marked}");
            click(&widget, "button.result").await?;
            wait_for_text(&widget, ".article-title", "환불 정책").await?;
            wait_for_text(&widget, ".article", "30일 이내").await?;
            expect_focus(
                &client,
                "className",
                "article-title",
                "opening the article did not move focus to its title",
            )
            .await?;
            Ok(())
        })
        .await;
    let stats = faq_stats(&app).await;
    let viewed = stats["top_articles"][0].clone();
    assert_eq!(
        (
            viewed["id"].as_str(),
            viewed["locale"].as_str(),
            viewed["views"].as_u64()
        ),
        (Some("refund-policy"), Some("ko"), Some(1)),
        "{stats}"
    );
    app.stop().await;
}

async fn faq_stats(app: &TestApp) -> Value {
    app.admin(reqwest::Method::GET, "/v1/admin/sites/demo/faq/stats", None)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thumbs_down_then_still_need_help_sends_feedback_with_the_article() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?.click().await?;
        wait_in(&widget, "input.search")
            .await?
            .send_keys("refund")
            .await?;
        wait_for_text(&widget, ".result .result-title", "Refund policy").await?;
        click(&widget, "button.result").await?;
        wait_for_text(&widget, ".article", "within 30 days").await?;
        click(&widget, "button.vote-no").await?;
        // 👎 asks why, and the field takes focus.
        wait_in(&widget, "#sori-why").await?;
        expect_focus(
            &client,
            "id",
            "sori-why",
            "the why field did not take focus",
        )
        .await?;
        press(&client, "I paid 45 days ago").await?;
        click(&widget, "button.why-send").await?;
        wait_for_text(&widget, ".votes [role=status]", "Thanks").await?;
        click(&widget, "button.handoff").await?;
        // The feedback tab opens on the site's feedback survey.
        wait_in(&widget, "[role=dialog] fieldset input[value='2']").await?;
        let selected = in_widget(
            &client,
            "root.querySelector('#sori-tab-feedback').getAttribute('aria-selected')",
        )
        .await?;
        anyhow::ensure!(selected == "true", "the Feedback tab is not selected");
        click(&widget, "label.choice:nth-child(2)").await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, "textarea").await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, ".thanks").await?;
        Ok(())
    })
    .await;
    let stats = faq_stats(&app).await;
    assert_eq!(stats["handoffs"], 1, "{stats}");
    let refund = stats["top_articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "refund-policy" && a["locale"] == "en")
        .cloned()
        .unwrap();
    assert_eq!(
        (refund["not_helpful"].as_u64(), refund["handoffs"].as_u64()),
        (Some(1), Some(1)),
        "{stats}"
    );
    // The search was counted once it settled, as what led to the feedback.
    assert!(
        stats["top_queries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["query"] == "refund"),
        "{stats}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_in_an_article_never_runs() {
    let test = DemoTest::new().await;
    let body = "Before.\n\n<img src=\"x\" onerror=\"window.__pwned = 1\">\n\n\
                <svg onload=\"window.__pwned = 2\"></svg>\n\n\
                [click me](javascript:window.__pwned=3)\n\n\
                <a href=\"https://example.com\" onclick=\"window.__pwned = 4\">out</a>\n\nAfter.";
    let put = test
        .app
        .admin(
            reqwest::Method::PUT,
            "/v1/admin/sites/demo/faq/en/xss-check",
            Some(
                json!({"title": "Zebra crossing", "body": body, "category": "Tests", "order": 99}),
            ),
        )
        .await;
    assert_eq!(put.status(), 201);
    let app = test
        .open(|client, widget| async move {
            // Counts the widget's images that have loaded or failed: their
            // events, in whose dispatch an `onerror` or `onload` runs.
            client
                .execute(
                    "const root = document.querySelector('sori-widget').shadowRoot;
                     for (const type of ['load', 'error']) {
                       root.addEventListener(type, e => {
                         if (e.target.localName === 'img') window.__imagesDone = (window.__imagesDone || 0) + 1;
                       }, true);
                     }",
                    vec![],
                )
                .await?;
            wait_in(&widget, "button.launcher").await?.click().await?;
            wait_in(&widget, "input.search")
                .await?
                .send_keys("zebra")
                .await?;
            wait_for_text(&widget, ".result .result-title", "Zebra crossing").await?;
            click(&widget, "button.result").await?;
            wait_for_text(&widget, ".article", "After.").await?;
            // The image is done and its event dispatched: a handler left on
            // it would have run by now.
            wait_until("the article's image to load or fail", async || {
                let done = in_widget(
                    &client,
                    "root.querySelector('.article img')?.complete === true && window.__imagesDone > 0",
                )
                .await?;
                Ok(done == true)
            })
            .await?;
            let pwned = client.execute("return window.__pwned || 0", vec![]).await?;
            anyhow::ensure!(pwned == 0, "script in an article ran: {pwned}");
            let html = in_widget(&client, "root.querySelector('.article').innerHTML").await?;
            let html = html.as_str().unwrap_or_default();
            anyhow::ensure!(
                html.contains("<img src=\"x\">") && !html.contains("onerror"),
                "the image was not kept safely: {html}"
            );
            anyhow::ensure!(
                !html.contains("javascript:") && !html.contains("<svg"),
                "{html}"
            );
            // Links to other sites open in a new tab without access to us.
            let link = in_widget(
                &client,
                "[...root.querySelectorAll('.article a')].map(a => a.target + ' ' + a.rel).join('|')",
            )
            .await?;
            anyhow::ensure!(
                link.as_str()
                    .unwrap_or_default()
                    .contains("_blank noopener noreferrer"),
                "links: {link}"
            );
            Ok(())
        })
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_center_works_with_the_keyboard_alone() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher")
            .await?
            .send_keys(&Key::Enter.to_string())
            .await?;
        wait_in(&widget, "input.search").await?;
        expect_focus(
            &client,
            "className",
            "search",
            "opening did not focus the search",
        )
        .await?;
        // Escape in a filled search box clears it and leaves the panel open.
        press(&client, "nothing like this").await?;
        press(&client, &Key::Escape.to_string()).await?;
        wait_in(&widget, ".help-results .entries").await?;
        let query = in_widget(&client, "root.querySelector('input.search').value").await?;
        anyhow::ensure!(query == "", "Escape left '{query}' in the search box");
        press(&client, "export").await?;
        wait_for_text(&widget, ".result .result-title", "Export invoices").await?;
        // Screen readers hear how many were found.
        let announced = in_widget(
            &client,
            "root.querySelector('.help-results [role=status]').textContent",
        )
        .await?;
        anyhow::ensure!(
            announced
                .as_str()
                .is_some_and(|a| a.ends_with("articles found")),
            "no result count for screen readers: {announced}"
        );
        press(&client, &Key::Tab.to_string()).await?;
        expect_focus(
            &client,
            "className",
            "result",
            "Tab from the search missed the first result",
        )
        .await?;
        press(&client, &Key::Enter.to_string()).await?;
        wait_for_text(&widget, ".article-title", "Export invoices").await?;
        expect_focus(
            &client,
            "className",
            "article-title",
            "the opened article did not take focus",
        )
        .await?;
        // This article has no links, so Tab from its title reaches 👍.
        press(&client, &Key::Tab.to_string()).await?;
        expect_focus(
            &client,
            "className",
            "vote vote-yes",
            "Tab from the title missed 👍",
        )
        .await?;
        press(&client, &Key::Enter.to_string()).await?;
        wait_for_text(&widget, ".votes [role=status]", "Thanks").await?;
        let pressed = in_widget(
            &client,
            "root.querySelector('.vote-yes').getAttribute('aria-pressed')",
        )
        .await?;
        anyhow::ensure!(pressed == "true", "👍 is not marked as chosen");
        press(&client, &Key::Escape.to_string()).await?;
        expect_focus(
            &client,
            "className",
            "launcher",
            "Escape did not close the help and return focus",
        )
        .await?;
        Ok(())
    })
    .await;
    let stats = faq_stats(&app).await;
    let export = stats["top_articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "export-reports" && a["locale"] == "en")
        .cloned()
        .unwrap();
    assert_eq!(export["helpful"], 1, "{stats}");
    app.stop().await;
}

/// axe-core on every state a visitor can reach in `lang`: the launcher, the
/// help list, search results, an article and its vote, each kind of
/// question, a validation error and the thank-you.
/// With `accent`, the page sets `--sori-accent` to it first, as a host may.
async fn every_state_passes_axe(lang: &str, scheme: Scheme, accent: Option<&str>) {
    let mut test = DemoTest::new()
        .await
        .query(&format!("?lang={lang}"))
        .scheme(scheme);
    if let Some(accent) = accent {
        // Two runs in one test: each keeps its own screenshot.
        test = test.variant(accent.trim_start_matches('#'));
    }
    let search = if lang == "ko" { "환불" } else { "refund" };
    let app = test
        .open(|client, widget| async move {
            if let Some(accent) = accent {
                client
                    .execute(
                        "document.querySelector('sori-widget').style.setProperty('--sori-accent', arguments[0])",
                        vec![accent.into()],
                    )
                    .await?;
            }
            let mut problems = Vec::new();
            let mut check = async |state: &str| -> anyhow::Result<()> {
                if let Err(e) = assert_accessible(&client, state).await {
                    problems.push(format!("{e:#}"));
                }
                Ok(())
            };
            wait_in(&widget, "button.launcher").await?;
            let dark = client
                .execute("return matchMedia('(prefers-color-scheme: dark)').matches;", vec![])
                .await?;
            anyhow::ensure!(
                dark == matches!(scheme, Scheme::Dark),
                "the page does not see {scheme:?} as the preferred scheme"
            );
            if let Some(accent) = accent {
                // Black on the light accent, white on the dark one.
                let ink = in_widget(
                    &client,
                    "getComputedStyle(root.querySelector('button.launcher')).color",
                )
                .await?;
                let (oklch, rgb) = if accent == "#ffe866" {
                    ("oklch(0 0 0)", "rgb(0, 0, 0)")
                } else {
                    ("oklch(1 0 0)", "rgb(255, 255, 255)")
                };
                let ink = ink.as_str().unwrap_or_default();
                anyhow::ensure!(
                    ink == oklch || ink == rgb,
                    "the launcher's text on {accent} is {ink}"
                );
            }
            check("the launcher").await?;
            click(&widget, "button.launcher").await?;
            wait_in(&widget, ".help-results .entries").await?;
            check("the help list").await?;
            wait_in(&widget, "input.search")
                .await?
                .send_keys(search)
                .await?;
            wait_in(&widget, ".result .result-title").await?;
            check("search results").await?;
            click(&widget, "button.result").await?;
            wait_in(&widget, ".article-title").await?;
            check("an article").await?;
            click(&widget, "button.vote-no").await?;
            wait_in(&widget, "#sori-why").await?.send_keys("x").await?;
            check("the vote's why field").await?;
            click(&widget, "button.why-send").await?;
            wait_in(&widget, ".votes [role=status]").await?;
            check("a vote sent").await?;
            click(&widget, "#sori-tab-feedback").await?;
            wait_in(&widget, "[role=dialog] fieldset input[value='4']").await?;
            check("a CSAT question").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "p.problem").await?;
            check("a validation error").await?;
            click(&widget, "label.choice:nth-child(4)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "textarea").await?;
            check("a text question").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, ".thanks").await?;
            check("the thank-you").await?;
            click(&widget, "button.close").await?;
            // A single choice: the follow-up to a low score after sending an invoice.
            client
                .find(Locator::Css("button.send"))
                .await?
                .click()
                .await?;
            wait_in(&widget, "input[type=radio][value='1']").await?;
            click(&widget, "label.choice:nth-child(1)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "input[type=radio][value=slow]").await?;
            check("a single-choice question").await?;
            click(&widget, "button.close").await?;
            // NPS, a text question, then a multi-choice with Other.
            click_page(&client, "upgrade").await?;
            click_page(&client, "checkout-pay").await?;
            wait_in(&widget, "input[type=radio][value='10']").await?;
            check("an NPS question").await?;
            click(&widget, "label.choice:nth-child(10)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "textarea").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "input[type=checkbox]").await?;
            click(&widget, "label.check:nth-child(5)").await?;
            check("a multi-choice question with Other ticked").await?;
            click(&widget, "button.close").await?;
            // CES, then yes/no.
            click_page(&client, "export").await?;
            wait_in(&widget, "input[type=radio][value='7']").await?;
            check("a CES question").await?;
            click(&widget, "label.choice:nth-child(6)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "input[value=yes]").await?;
            check("a yes/no question").await?;
            click(&widget, "button.close").await?;
            // A rating (stars).
            click_page(&client, "rate-page").await?;
            wait_in(&widget, "input[type=radio][value='5']").await?;
            check("a star rating").await?;
            click(&widget, "button.close").await?;
            anyhow::ensure!(problems.is_empty(), "{}", problems.join("\n\n"));
            Ok(())
        })
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_passes_axe_in_english() {
    every_state_passes_axe("en", Scheme::Light, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_passes_axe_in_korean() {
    every_state_passes_axe("ko", Scheme::Light, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_passes_axe_in_dark_mode() {
    every_state_passes_axe("en", Scheme::Dark, None).await;
}

/// A host's accent may be any colour: text on it and in it stays readable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_very_light_or_very_dark_accent_keeps_every_text_readable() {
    every_state_passes_axe("en", Scheme::Light, Some("#ffe866")).await;
    every_state_passes_axe("en", Scheme::Dark, Some("#1a1a40")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_message_follows_a_change_of_language() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?.click().await?;
        click(&widget, "#sori-tab-feedback").await?;
        wait_in(&widget, "[role=dialog] fieldset input[value='4']").await?;
        click(&widget, "button.primary").await?;
        wait_text(&widget, "p.problem", "Please choose an answer.").await?;
        client
            .find(Locator::Id("language"))
            .await?
            .select_by_value("ko")
            .await?;
        wait_text(&widget, "p.problem", "답을 선택해 주세요.").await?;
        Ok(())
    })
    .await;
    app.stop().await;
}

/// How the points of the scale on screen lie: rows, and the smallest width
/// and height of a point, in CSS pixels.
async fn scale_layout(client: &Client) -> anyhow::Result<(u64, f64, f64)> {
    let v = in_widget(
        client,
        "(() => { const r = [...root.querySelectorAll('.choice-face')].map(f => f.getBoundingClientRect());
                  return [new Set(r.map(x => Math.round(x.top))).size,
                          Math.min(...r.map(x => x.width)), Math.min(...r.map(x => x.height))]; })()",
    )
    .await?;
    Ok((
        v[0].as_u64().unwrap_or(0),
        v[1].as_f64().unwrap_or(0.0),
        v[2].as_f64().unwrap_or(0.0),
    ))
}

/// NPS's eleven points and CES's seven each fit one row, on a desktop and
/// on a 360px-wide phone, with targets of at least 24 × 24 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scale_fits_one_row_with_targets_of_24_px() {
    let app = on_demo_page(|client, _| async move {
        for (width, height) in [(1280, 900), (360, 780)] {
            client.set_window_size(width, height).await?;
            for (button, last, what) in [("upgrade", "10", "NPS"), ("export", "7", "CES")] {
                // A fresh page each time, its fatigue memory forgotten.
                client
                    .execute("sessionStorage.clear(); localStorage.clear();", vec![])
                    .await?;
                client.refresh().await?;
                let widget = Browser::widget_of(&client).await?;
                wait_in(&widget, "button.launcher").await?;
                click_page(&client, button).await?;
                if button == "upgrade" {
                    click_page(&client, "checkout-pay").await?;
                }
                wait_in(&widget, &format!("input[type=radio][value='{last}']")).await?;
                let (rows, w, h) = scale_layout(&client).await?;
                anyhow::ensure!(
                    rows == 1 && w >= 24.0 && h >= 24.0,
                    "{what} at {width}px: {rows} rows, smallest point {w} × {h}"
                );
            }
        }
        Ok(())
    })
    .await;
    app.stop().await;
}

/// A host page whose own styles would bend any text it contains (the demo
/// page's `* { letter-spacing }` among them, and the same styles set on
/// `<sori-widget>` itself): the widget keeps its direction, size and
/// spacing, and the answer is stored as given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_host_page_style_does_not_reach_the_survey() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?.click().await?;
        click(&widget, "#sori-tab-feedback").await?;
        wait_in(&widget, "[role=dialog] fieldset input[value='4']").await?;
        let look = "(() => { const s = getComputedStyle(root.querySelector('fieldset legend'));
                      return [s.direction, s.textTransform, s.letterSpacing, s.wordSpacing,
                              s.fontSize, s.lineHeight, s.color, s.textAlign]; })()";
        let before = in_widget(&client, look).await?;
        // Through the CSSOM, which the page's CSP allows.
        client
            .execute(
                "for (const el of [document.documentElement, document.body, document.querySelector('sori-widget')]) {
                   const s = el.style;
                   s.direction = 'rtl'; s.fontSize = '30px'; s.lineHeight = '3';
                   s.letterSpacing = '4px'; s.textTransform = 'uppercase';
                   s.color = 'red'; s.wordSpacing = '12px'; s.textAlign = 'right';
                 }",
                vec![],
            )
            .await?;
        let after = in_widget(&client, look).await?;
        anyhow::ensure!(
            after == before && after[0] == "ltr" && after[2] == "normal" && after[3] == "0px",
            "the host's styles reached the question: {before} became {after}"
        );
        click(&widget, "label.choice:nth-child(4)").await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, "textarea")
            .await?
            .send_keys("fine")
            .await?;
        click(&widget, "button.primary").await?;
        wait_in(&widget, ".thanks").await?;
        Ok(())
    })
    .await;
    let stored = app.stored_for("demo", "invoice-csat").await;
    assert_eq!(
        stored.iter().map(|r| &r.answers).collect::<Vec<_>>(),
        [&json!([{"question": "csat", "value": 4}, {"question": "comment", "value": "fine"}])]
    );
    app.stop().await;
}

/// A survey that a page button brought up gives focus back to that button
/// when it closes, so a keyboard user goes on where they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_survey_returns_focus_to_what_opened_it() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?;
        click_page(&client, "export").await?; // sori('track', 'report_exported')
        wait_in(&widget, "input[type=radio][value='7']").await?;
        // Escape works from inside the dialog, where focus goes as it opens.
        wait_until("the dialog to take focus", async || {
            Ok(in_widget(&client, "!!root.activeElement?.closest('[role=dialog]')").await? == true)
        })
        .await?;
        press(&client, &Key::Escape.to_string()).await?;
        let open = in_widget(&client, "!!root.querySelector('[role=dialog]')").await?;
        anyhow::ensure!(open == false, "Escape did not close the survey");
        let on_page = client
            .execute("return document.activeElement.id;", vec![])
            .await?;
        anyhow::ensure!(
            on_page == "export",
            "focus went to {on_page}, not back to the Export button"
        );
        Ok(())
    })
    .await;
    app.stop().await;
}

/// Typing narrows the results; the search box stays where it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_box_stays_put_while_results_shrink() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?.click().await?;
        wait_in(&widget, ".help-results .entries").await?;
        let top = "Math.round(root.querySelector('input.search').getBoundingClientRect().top)";
        settle(&client).await?;
        let before = in_widget(&client, top).await?;
        wait_in(&widget, "input.search")
            .await?
            .send_keys("refund")
            .await?;
        wait_in(&widget, ".result .result-title").await?;
        settle(&client).await?;
        let after = in_widget(&client, top).await?;
        anyhow::ensure!(
            before == after,
            "the search box moved from {before} to {after}"
        );
        Ok(())
    })
    .await;
    app.stop().await;
}

/// Ratings of up to ten points, as numbers, faces or stars, also fit one
/// row at 360 px with targets of at least 24 × 24 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratings_of_up_to_ten_points_fit_one_row_on_a_phone() {
    let test = DemoTest::new().await;
    let kinds = [(10, "numbers"), (10, "stars"), (7, "emoji")];
    for (points, style) in kinds {
        let survey = json!({
            "id": format!("rate-{points}-{style}"), "name": "Rating", "title": {"en": "Rate"},
            "questions": [{"id": "r", "kind": "rating", "points": points, "style": style,
                           "required": true, "prompt": {"en": "How was it?"}}]
        });
        test.app.add_live_survey("demo", survey).await;
    }
    let app = test
        .browse(|client, page| async move {
            client.set_window_size(360, 780).await?;
            for (points, style) in kinds {
                let url = format!("{page}?survey=rate-{points}-{style}");
                let widget = open_page(&client, &url).await?;
                wait_in(&widget, &format!("input[type=radio][value='{points}']")).await?;
                let (rows, w, h) = scale_layout(&client).await?;
                anyhow::ensure!(
                    rows == 1 && w >= 24.0 && h >= 24.0,
                    "{points} {style}: {rows} rows, smallest point {w} × {h}"
                );
            }
            Ok(())
        })
        .await;
    app.stop().await;
}

/// What the page has fetched, from the browser's own network log
/// (Resource Timing): each URL's path, and when (page time, ms) it was
/// asked for.
async fn fetched(client: &Client) -> anyhow::Result<Vec<(String, f64)>> {
    let entries = client
        .execute(
            "return performance.getEntriesByType('resource')
                .map(e => [new URL(e.name).pathname, e.startTime]);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(entries)?)
}

/// The files of [`fetched`] that came from the collector's `/assets/`, by
/// name, with when they were asked for.
async fn fetched_assets(client: &Client) -> anyhow::Result<Vec<(String, f64)>> {
    Ok(fetched(client)
        .await?
        .into_iter()
        .filter(|(path, _)| path.contains("/assets/"))
        .map(|(path, at)| (path[path.rfind('/').map_or(0, |i| i + 1)..].to_owned(), at))
        .collect())
}

/// Most page views show nothing: they load the engine (the launcher
/// appears) and never the UI module; opening the panel fetches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_page_view_never_fetches_the_ui() {
    let app = on_demo_page(|client, widget| async move {
        // The engine draws the launcher once the site's config is in, in the
        // task that then runs all the config starts on its own (page-view
        // triggers, commands that waited): by now it has done so.
        let launcher = wait_in(&widget, "button.launcher").await?;
        wait_until("the config fetch in the page's network log", async || {
            let all = fetched(&client).await?;
            Ok(all.iter().any(|(path, _)| path == "/v1/sites/demo/config"))
        })
        .await?;
        let shown = client
            .execute("return localStorage.getItem('sori:memory:demo');", vec![])
            .await?;
        anyhow::ensure!(shown.is_null(), "a survey was shown on its own: {shown}");
        let expanded = launcher.attr("aria-expanded").await?;
        anyhow::ensure!(
            expanded.as_deref() == Some("false"),
            "the panel opened on its own: aria-expanded is {expanded:?}"
        );
        let quiet = fetched_assets(&client).await?;
        let ui = |f: &str| f.starts_with("sori-ui-");
        let engine = |f: &str| f.starts_with("sori-") && !ui(f);
        anyhow::ensure!(
            quiet.iter().filter(|(f, _)| engine(f)).count() == 2,
            "the engine's glue and wasm were not both fetched: {quiet:?}"
        );
        anyhow::ensure!(
            !quiet.iter().any(|(f, _)| ui(f)),
            "a page where nothing opened fetched the UI: {quiet:?}"
        );
        // Work put off until the page is idle runs before an idle callback
        // queued after it: by the time this one runs, that has begun too.
        client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestIdleCallback(() => done(true));",
                vec![],
            )
            .await?;
        // A fetch the engine began on its own may not have arrived yet: the
        // UI's files must have been asked for after the click, not before.
        let clicked_at = client.execute("return performance.now();", vec![]).await?;
        let clicked_at = clicked_at.as_f64().unwrap_or(f64::MAX);
        launcher.click().await?;
        wait_in(&widget, "[role=dialog]").await?;
        let opened = fetched_assets(&client).await?;
        let ui_files: Vec<_> = opened.iter().filter(|(f, _)| ui(f)).collect();
        anyhow::ensure!(
            ui_files.len() == 2,
            "opening the panel did not fetch the UI's glue and wasm: {opened:?}"
        );
        anyhow::ensure!(
            ui_files.iter().all(|(_, at)| *at >= clicked_at),
            "the UI was asked for before the panel was opened, at {clicked_at} ms: {ui_files:?}"
        );
        Ok(())
    })
    .await;
    app.stop().await;
}

/// Where `css` in the widget lies against the part of the page on screen
/// (the visual viewport), in CSS pixels of the layout viewport:
/// [left, top, right, bottom] of each.
async fn against_screen(client: &Client, css: &str) -> anyhow::Result<[[f64; 4]; 2]> {
    let v = in_widget(
        client,
        &format!(
            "(() => {{ const r = root.querySelector('{css}').getBoundingClientRect(), v = visualViewport;
                return [[r.left, r.top, r.right, r.bottom],
                        [v.offsetLeft, v.offsetTop, v.offsetLeft + v.width, v.offsetTop + v.height]]; }})()"
        ),
    )
    .await?;
    Ok(serde_json::from_value(v)?)
}

fn inside(rects: [[f64; 4]; 2]) -> bool {
    let [el, screen] = rects;
    el[0] >= screen[0] - 0.5
        && el[1] >= screen[1] - 0.5
        && el[2] <= screen[2] + 0.5
        && el[3] <= screen[3] + 0.5
}

/// On a phone showing a page wider than its screen, the browser makes the
/// layout viewport as wide as the page; zoomed in to read (here to scale 1,
/// the top left 390 px of a 1,400 px page), the launcher and the panel are
/// placed in what is on screen, not at the far edges of that viewport,
/// where they would be out of sight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_zoomed_phone_page_wider_than_the_screen_the_widget_stays_on_screen() {
    let app = on_demo_page(|client, widget| async move {
        wait_in(&widget, "button.launcher").await?;
        cdp(
            &client,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true }),
        )
        .await?;
        client
            .execute("document.body.style.minWidth = '1400px';", vec![])
            .await?;
        cdp(
            &client,
            "Emulation.setPageScaleFactor",
            json!({ "pageScaleFactor": 1.0 }),
        )
        .await?;
        let mut launcher = [[0.0; 4]; 2];
        let on_screen = wait_until("the launcher to be on screen", async || {
            launcher = against_screen(&client, "button.launcher").await?;
            Ok(inside(launcher))
        })
        .await;
        if let Err(e) = on_screen {
            let vars = in_widget(
                &client,
                "document.querySelector('sori-widget').style.cssText",
            )
            .await?;
            anyhow::bail!(
                "the launcher is off screen: {launcher:?} (launcher, then screen); host: {vars}: {e:#}"
            );
        }
        click(&widget, "button.launcher").await?;
        wait_in(&widget, "[role=dialog] h2").await?;
        // Judged where it comes to rest: its entrance animation over, and
        // the same place twice running.
        let mut last = Value::Null;
        wait_until("the panel to come to rest", async || {
            let now = in_widget(
                &client,
                "(() => { const panel = root.querySelector('.panel');
                          return [panel.getAnimations({subtree: true}).every(a => a.playState !== 'running'),
                                  JSON.stringify(panel.getBoundingClientRect())]; })()",
            )
            .await?;
            let still = now[0] == true && now[1] == last;
            last = now[1].clone();
            Ok(still)
        })
        .await?;
        let panel = against_screen(&client, ".panel").await?;
        anyhow::ensure!(
            inside(panel),
            "the panel is off screen: {panel:?} (panel, then screen)"
        );
        // Kept for a person to look at, pass or fail.
        let artifacts = artifacts_dir();
        std::fs::create_dir_all(&artifacts)?;
        std::fs::write(
            artifacts.join("phone-zoomed.png"),
            client.screenshot().await?,
        )?;
        Ok(())
    })
    .await;
    app.stop().await;
}
