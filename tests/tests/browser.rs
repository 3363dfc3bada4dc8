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
