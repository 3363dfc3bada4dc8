//! The CX dashboard in a real browser: sign in, read a site's scores with
//! their sample and interval, watch a response answered in another tab
//! arrive without a reload, and read it on the responses page; split a
//! score by segment (page paths and `identify` attributes too), compare one
//! survey with another, and, as an instance owner, create a user and give
//! them a role.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use fantoccini::{Client, Locator};
use sori_collector::demo::DEMO_OWNER;
use sori_tests::app::{TestApp, new_id};
use sori_tests::browser::{
    DemoTest, assert_page_accessible, click, open_page, wait_in, wait_until,
};

/// The rendered text of the first element `css` names, once it is there.
/// Read in one script: a page that re-renders between finding an element
/// and reading it would leave a stale reference.
async fn text_of(client: &Client, css: &str) -> anyhow::Result<String> {
    let mut text = None;
    wait_until(&format!("{css} is on the page"), async || {
        let found = client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
                vec![serde_json::json!(css)],
            )
            .await?;
        text = found.as_str().map(str::to_owned);
        Ok(text.is_some())
    })
    .await?;
    Ok(text.unwrap_or_default())
}

/// Clicks the first element `css` names, once it is there.
async fn press(client: &Client, css: &str) -> anyhow::Result<()> {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Follows the link or presses the button whose text is `text`.
async fn follow(client: &Client, text: &str) -> anyhow::Result<()> {
    let xpath = format!("//a[text()='{text}'] | //button[text()='{text}']");
    client
        .wait()
        .for_element(Locator::XPath(&xpath))
        .await?
        .click()
        .await?;
    Ok(())
}

/// The n on the card titled `title`, once the card is there.
async fn card_n(client: &Client, title: &str) -> anyhow::Result<u64> {
    let found = client
        .execute(
            "const card = [...document.querySelectorAll('.card')]
               .find(c => c.querySelector('h2').textContent === arguments[0]);
             return card ? card.querySelector('.n').textContent : '';",
            vec![serde_json::json!(title)],
        )
        .await?;
    let text = found.as_str().unwrap_or("");
    Ok(text
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cx_manager_signs_in_reads_scores_and_sees_a_new_answer_arrive() {
    let demo = DemoTest::with_history(3).await.query("?survey=nps");
    let dashboard = format!("{}/dashboard/", demo.app.url);
    let app = demo
        .browse(|client, page| async move {
            client.goto(&dashboard).await?;
            // Signed out: the sign-in form, which passes axe.
            client
                .wait()
                .for_element(Locator::Css("input#email"))
                .await?;
            assert_page_accessible(&client, "the sign-in page").await?;
            fill_sign_in(&client, "not the password").await?;
            wait_until("the wrong password is said", async || {
                Ok(text_of(&client, "p.problem")
                    .await?
                    .contains("Wrong email or password"))
            })
            .await?;
            fill_sign_in(&client, DEMO_OWNER.1).await?;
            // The sites page: the demo site with today's figure and its
            // last two weeks drawn small.
            client
                .wait()
                .for_element(Locator::Css("ul.sites svg.sparkline path.line"))
                .await?;
            let row = text_of(&client, "ul.sites li").await?;
            anyhow::ensure!(row.contains("CSAT today:"), "{row}");
            assert_page_accessible(&client, "the sites page").await?;
            open_demo_site(&client).await?;
            let nps = "Net Promoter Score";
            let before = card_n(&client, nps).await?;
            anyhow::ensure!(
                before > 50,
                "the seeded NPS answers are not counted: {before}"
            );
            let interval = text_of(&client, ".card .interval").await?;
            anyhow::ensure!(interval.starts_with("95% interval"), "{interval}");
            wait_until("the live stream connects", async || {
                Ok(text_of(&client, ".live").await? == "Live")
            })
            .await?;
            client
                .wait()
                .for_element(Locator::Css("figure.chart svg path.line"))
                .await?;
            assert_page_accessible(&client, "the overview").await?;
            let dashboard_window = client.window().await?;

            // A visitor answers the NPS survey in another tab.
            let tab = client.new_window(true).await?;
            client.switch_to_window(tab.handle).await?;
            let widget = open_page(&client, &page).await?;
            click(&widget, "label.choice:nth-child(10)").await?; // 9
            click(&widget, "button.primary").await?;
            wait_in(&widget, "textarea")
                .await?
                .send_keys("Reminders pay for themselves")
                .await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, "input[type=checkbox][value=reminders]").await?;
            click(&widget, "label.check:nth-child(1)").await?;
            click(&widget, "label.check:nth-child(2)").await?;
            click(&widget, "button.primary").await?;
            wait_in(&widget, ".thanks").await?;

            // Back on the dashboard, with no reload: n has gone up by one.
            client.switch_to_window(dashboard_window).await?;
            wait_until("the overview counts the new answer", async || {
                Ok(card_n(&client, nps).await? == before + 1)
            })
            .await?;

            // The responses page shows it first, every answer in words.
            follow(&client, "Responses").await?;
            let first = text_of(&client, "ol.responses li:first-child").await?;
            for part in [
                "Invoices, Payment reminders",
                "Reminders pay for themselves",
                "9",
            ] {
                anyhow::ensure!(first.contains(part), "'{part}' is not in {first:?}");
            }
            assert_page_accessible(&client, "the responses page").await?;

            // In Korean.
            follow(&client, "한국어").await?;
            wait_until("the page speaks Korean", async || {
                Ok(text_of(&client, "nav a[aria-current=page]").await? == "응답")
            })
            .await?;
            let lang = client
                .execute("return document.documentElement.lang", vec![])
                .await?;
            anyhow::ensure!(lang == "ko", "the page's lang is {lang}");
            Ok(())
        })
        .await;
    let stored = app.stored_for("demo", "nps").await;
    let ours = stored
        .iter()
        .filter(|r| {
            r.answers
                .to_string()
                .contains("Reminders pay for themselves")
        })
        .count();
    assert_eq!(ours, 1);
    // Signing in is needed: without a session the API says 401.
    let r = app
        .http
        .get(format!("{}/v1/admin/sites/demo/summary", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// Types the demo owner's email and `password` into the sign-in form and sends it.
async fn fill_sign_in(client: &Client, password: &str) -> anyhow::Result<()> {
    fill_sign_in_as(client, DEMO_OWNER.0, password).await
}

/// Types `email` and `password` into the sign-in form and sends it.
async fn fill_sign_in_as(client: &Client, email: &str, password: &str) -> anyhow::Result<()> {
    for (css, value) in [("input#email", email), ("input#password", password)] {
        let field = client.wait().for_element(Locator::Css(css)).await?;
        field.clear().await?;
        field.send_keys(value).await?;
    }
    press(client, "button.primary").await?;
    Ok(())
}

/// From the sites page, the demo site's overview with its cards and chart.
async fn open_demo_site(client: &Client) -> anyhow::Result<()> {
    press(client, "ul.sites a").await?;
    client
        .wait()
        .for_element(Locator::Css(".card .interval"))
        .await?;
    client
        .wait()
        .for_element(Locator::Css("figure.chart svg path.line"))
        .await?;
    Ok(())
}

/// Signs in as the demo owner on `dashboard` and opens the demo site's overview.
async fn sign_in_to_overview(client: &Client, dashboard: &str) -> anyhow::Result<()> {
    client.goto(dashboard).await?;
    fill_sign_in(client, DEMO_OWNER.1).await?;
    open_demo_site(client).await
}

/// Saves what is on screen for a person to look at, pass or fail.
async fn keep_screenshot(client: &Client, name: &str) -> anyhow::Result<()> {
    let dir = sori_tests::browser::artifacts_dir();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), client.screenshot().await?)?;
    Ok(())
}

/// Answers the demo's invoice survey `count` times, each from its own long
/// page path, through the public API as the widget does.
async fn answer_from_long_paths(app: &TestApp, count: usize) {
    let path = "/v1/admin/sites/demo/surveys/invoice-csat";
    let survey: serde_json::Value = app
        .admin(reqwest::Method::GET, path, None)
        .await
        .json()
        .await
        .unwrap();
    for i in 0..count {
        let body = serde_json::json!({
            "id": new_id(), "survey": "invoice-csat", "survey_version": survey["version"],
            "locale": "ko", "device": "mobile", "finished": true,
            "page_path": format!("/app/customers/{i:03}/invoices/2026/statements/quarterly-summary-for-the-board"),
            "answers": [{"question": "csat", "value": 4}]
        });
        let r = app
            .http
            .post(format!("{}/v1/sites/demo/responses", app.url))
            .header("origin", &app.url)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

/// On a phone, in dark mode and in Korean: nothing runs off the side, not
/// even long page paths, the overview, the responses and the breakdowns
/// pass axe, and the screens are kept to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_fits_a_phone_in_dark_mode_in_korean() {
    let demo = DemoTest::with_history(3)
        .await
        .scheme(sori_tests::browser::Scheme::Dark);
    // More pages than a breakdown lists (100), with long paths.
    answer_from_long_paths(&demo.app, 104).await;
    let dashboard = format!("{}/dashboard/", demo.app.url);
    demo.browse(|client, _| async move {
        sori_tests::browser::cdp(
            &client,
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
        )
        .await?;
        sign_in_to_overview(&client, &dashboard).await?;
        follow(&client, "한국어").await?;
        wait_until("the overview speaks Korean", async || {
            Ok(text_of(&client, "nav a[aria-current=page]").await? == "개요")
        })
        .await?;
        // Everything on the page changes language, the cards included.
        let title = text_of(&client, ".card h2").await?;
        anyhow::ensure!(title == "만족도 (CSAT)", "a card still says {title:?}");
        fits_the_phone(&client, "the overview").await?;
        assert_page_accessible(&client, "the overview, dark, Korean, phone").await?;
        keep_screenshot(&client, "dashboard-overview-phone-dark-ko").await?;
        follow(&client, "응답").await?;
        client.wait().for_element(Locator::Css("ol.responses li")).await?;
        fits_the_phone(&client, "the responses").await?;
        assert_page_accessible(&client, "the responses, dark, Korean, phone").await?;
        keep_screenshot(&client, "dashboard-responses-phone-dark-ko").await?;
        follow(&client, "구분별 점수").await?;
        client.wait().for_element(Locator::Css("section.breakdown tbody tr")).await?;
        fits_the_phone(&client, "the breakdowns").await?;
        assert_page_accessible(&client, "the breakdowns, dark, Korean, phone").await?;
        keep_screenshot(&client, "dashboard-breakdown-phone-dark-ko").await?;

        // By page: 100 rows, the rest counted as the API counts them, and
        // the long paths wrapped inside the phone.
        show_breakdown_by(&client, "page", "페이지별").await?;
        let (rows, answer) = breakdown_as_the_api_gives_it(&client).await?;
        let left_out = answer["other_segments"].as_u64().unwrap_or(0);
        anyhow::ensure!(rows.len() == 100 && left_out == 9, "{} rows; {answer}", rows.len());
        let more = text_of(&client, ".breakdown .more").await?;
        anyhow::ensure!(more.contains(&format!("구분 {left_out}개")), "{more}");
        fits_the_phone(&client, "the page breakdown").await?;
        assert_page_accessible(&client, "by page, dark, Korean, phone").await?;
        client
            .execute(
                "document.querySelector('section.breakdown tbody tr:nth-child(6)').scrollIntoView()",
                vec![],
            )
            .await?;
        keep_screenshot(&client, "dashboard-breakdown-pages-phone-dark-ko").await?;
        client
            .execute(
                "document.querySelector('.breakdown .more').scrollIntoView()",
                vec![],
            )
            .await?;
        keep_screenshot(&client, "dashboard-breakdown-pages-more-phone-dark-ko").await?;
        Ok(())
    })
    .await;
}

/// Nothing on the page is wider than the phone, nor a breakdown table
/// wider than its box.
async fn fits_the_phone(client: &Client, what: &str) -> anyhow::Result<()> {
    let widths = client
        .execute(
            "const s = document.querySelector('section.breakdown');
             return [document.documentElement.scrollWidth - window.innerWidth,
                     s ? s.scrollWidth - s.clientWidth : 0];",
            vec![],
        )
        .await?;
    let (page, table) = (widths[0].as_f64(), widths[1].as_f64());
    anyhow::ensure!(
        page.is_some_and(|w| w <= 0.0),
        "{what} is {page:?} px wider than the phone"
    );
    anyhow::ensure!(
        table == Some(0.0),
        "{what}: the table is {table:?} px wider than its box"
    );
    Ok(())
}

/// The desktop overview and responses in light mode, kept to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_overview_on_a_desktop() {
    let demo = DemoTest::with_history(30).await;
    let dashboard = format!("{}/dashboard/", demo.app.url);
    demo.browse(|client, _| async move {
        client.set_window_size(1280, 1000).await?;
        sign_in_to_overview(&client, &dashboard).await?;
        let cards = client.find_all(Locator::Css(".card")).await?.len();
        anyhow::ensure!(cards == 3, "{cards} cards");
        // How CSAT's answers spread: a row for each of 1 to 5.
        press(&client, ".card details.distribution summary").await?;
        let spread = client
            .find_all(Locator::Css(
                ".cards .card:first-child details.distribution li",
            ))
            .await?
            .len();
        anyhow::ensure!(spread == 5, "{spread} rows for CSAT's five answers");
        // Satisfaction by device: phones, desktops and tablets each a row.
        let devices = text_of(&client, ".segment-table tbody").await?;
        for device in ["Desktop", "Phone", "Tablet"] {
            anyhow::ensure!(devices.contains(device), "no {device} row: {devices:?}");
        }
        assert_page_accessible(&client, "the overview with its segments").await?;
        keep_screenshot(&client, "dashboard-overview-desktop").await?;
        // The chart by month instead.
        client
            .find(Locator::Css("select#granularity"))
            .await?
            .select_by_value("month")
            .await?;
        wait_until("the chart is by month", async || {
            Ok(text_of(&client, "figure.chart figcaption")
                .await?
                .contains("by month"))
        })
        .await?;
        follow(&client, "Responses").await?;
        client
            .wait()
            .for_element(Locator::Css("ol.responses li"))
            .await?;
        keep_screenshot(&client, "dashboard-responses-desktop").await?;
        // Unhappy answers on phones only.
        for (select, value) in [("select#f-band", "negative"), ("select#f-device", "mobile")] {
            client
                .find(Locator::Css(select))
                .await?
                .select_by_value(value)
                .await?;
        }
        press(&client, ".filters button.primary").await?;
        wait_until("the list holds unhappy phone answers only", async || {
            let v = client
                .execute(
                    "const items = [...document.querySelectorAll('ol.responses li.response')];
                     return items.length > 0 && items.every(li =>
                       li.querySelector('.answer.negative') &&
                       li.querySelector('.meta').textContent.includes('mobile'));",
                    vec![],
                )
                .await?;
            Ok(v == serde_json::json!(true))
        })
        .await?;
        assert_page_accessible(&client, "the filtered responses").await?;

        // Phones against desktops, over the same 30 days: a real change.
        follow(&client, "Compare").await?;
        for (select, value) in [
            ("select#a-device", "mobile"),
            ("select#b-device", "desktop"),
        ] {
            client
                .wait()
                .for_element(Locator::Css(select))
                .await?
                .select_by_value(value)
                .await?;
        }
        press(&client, ".compare-form button.primary").await?;
        wait_until("the comparison is shown", async || {
            Ok(text_of(&client, "[aria-live] .cards")
                .await?
                .contains("A minus B"))
        })
        .await?;
        let outcome = text_of(&client, "[aria-live] .cards").await?;
        anyhow::ensure!(
            outcome.contains("mobile") && outcome.contains("a real change"),
            "{outcome}"
        );
        assert_page_accessible(&client, "the compare page").await?;
        keep_screenshot(&client, "dashboard-compare-desktop").await?;
        follow(&client, "Help center").await?;
        wait_until("the help center's figures", async || {
            Ok(text_of(&client, ".card h2").await? == "Found it helpful")
        })
        .await?;
        let top = text_of(&client, ".segment-table h2").await?;
        anyhow::ensure!(top == "Most read articles", "{top}");
        assert_page_accessible(&client, "the help center page").await?;
        keep_screenshot(&client, "dashboard-help-desktop").await?;

        // Members: the demo user is the site's admin; a stranger's email is
        // refused with a reason.
        follow(&client, "Members").await?;
        // The help center has a `.segment-table` too: read only once the
        // members page is the one on screen.
        wait_until("the members page is shown", async || {
            Ok(text_of(&client, "nav a[aria-current=page]").await? == "Members")
        })
        .await?;
        let members = text_of(&client, ".segment-table tbody").await?;
        anyhow::ensure!(
            members.contains("cx@demo.sori") && members.contains("Admin"),
            "{members}"
        );
        client
            .find(Locator::Css("input#member-email"))
            .await?
            .send_keys("nobody@example.com")
            .await?;
        press(&client, ".inline-form button.primary").await?;
        wait_until("the refusal is said", async || {
            Ok(text_of(&client, ".inline-form .problem")
                .await?
                .contains("no user has the email"))
        })
        .await?;
        assert_page_accessible(&client, "the members page").await?;
        // Only instance owners create users; the demo user is not one.
        anyhow::ensure!(
            client
                .find_all(Locator::Css("#new-user-email"))
                .await?
                .is_empty(),
            "a site admin who is not an owner is offered to create users"
        );

        // An API token: shown once, listed by name, revoked.
        follow(&client, "API tokens").await?;
        client
            .wait()
            .for_element(Locator::Css("input#token-name"))
            .await?
            .send_keys("nightly export")
            .await?;
        press(&client, ".inline-form button.primary").await?;
        let shown = client
            .wait()
            .for_element(Locator::Css("input#made-token"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        anyhow::ensure!(shown.starts_with("sori_pat_"), "{shown}");
        wait_until("the token is listed", async || {
            Ok(text_of(&client, "ul.tokens")
                .await?
                .contains("nightly export"))
        })
        .await?;
        assert_page_accessible(&client, "the tokens page").await?;
        press(&client, "ul.tokens button").await?;
        wait_until("the token is revoked", async || {
            Ok(text_of(&client, "ul.tokens").await?.contains("revoked"))
        })
        .await?;
        Ok(())
    })
    .await;
}

/// The rows of the breakdown on screen: each segment's id, its n, and
/// its name as shown.
async fn breakdown_rows(client: &Client) -> anyhow::Result<Vec<(String, u64, String)>> {
    let rows = client
        .execute(
            "return [...document.querySelectorAll('section.breakdown tbody tr')].map(tr =>
               [tr.dataset.segment, Number(tr.querySelector('.n').textContent),
                tr.querySelector('th').textContent]);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(rows)?)
}

/// The body of what the API answers `path` with, asked from the page with
/// its session.
async fn fetch_in_page(client: &Client, path: &str) -> anyhow::Result<String> {
    let body = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));",
            vec![serde_json::json!(path)],
        )
        .await?;
    Ok(body.as_str().unwrap_or_default().to_owned())
}

/// Sets a date field the way typing a whole date does.
async fn set_date(client: &Client, css: &str, date: &str) -> anyhow::Result<()> {
    client
        .execute(
            "const field = document.querySelector(arguments[0]);
             field.value = arguments[1];
             field.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!(css), serde_json::json!(date)],
        )
        .await?;
    Ok(())
}

/// Chooses `by` on the breakdowns page, asks, and waits for the table
/// whose title says `title`.
async fn show_breakdown_by(client: &Client, by: &str, title: &str) -> anyhow::Result<()> {
    client
        .find(Locator::Css("select#bd-by"))
        .await?
        .select_by_value(by)
        .await?;
    press(client, ".filters button.primary").await?;
    wait_until(&format!("the table is {title}"), async || {
        Ok(text_of(client, "#breakdown-title").await?.contains(title))
    })
    .await
}

/// The breakdown on screen and the API's JSON for the same query (the CSV
/// link's URL without `format=csv`), once each row's segment and n are
/// the API's, in its order.
async fn breakdown_as_the_api_gives_it(
    client: &Client,
) -> anyhow::Result<(Vec<(String, u64, String)>, serde_json::Value)> {
    let rows = breakdown_rows(client).await?;
    let csv = client
        .find(Locator::Css(".breakdown-head a"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    anyhow::ensure!(csv.ends_with("&format=csv"), "{csv}");
    let json = csv.trim_end_matches("&format=csv");
    let answer: serde_json::Value = serde_json::from_str(&fetch_in_page(client, json).await?)?;
    let from_api: Vec<(String, u64)> = answer["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["segment"].as_str().unwrap_or("").to_owned(),
                s["n"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let shown: Vec<(String, u64)> = rows.iter().map(|(id, n, _)| (id.clone(), *n)).collect();
    anyhow::ensure!(
        shown == from_api && !shown.is_empty(),
        "the table says {shown:?}, the API {from_api:?}"
    );
    Ok((rows, answer))
}

/// The text of `css` once it has some.
async fn wait_for_text(client: &Client, css: &str) -> anyhow::Result<String> {
    wait_until(&format!("{css} says something"), async || {
        Ok(!text_of(client, css).await?.trim().is_empty())
    })
    .await?;
    text_of(client, css).await
}

/// Fails unless the field `css` is marked invalid and described by the
/// element with id `reason`.
async fn ensure_marked(client: &Client, css: &str, reason: &str) -> anyhow::Result<()> {
    let field = client.find(Locator::Css(css)).await?;
    let invalid = field.attr("aria-invalid").await?;
    let described = field.attr("aria-describedby").await?;
    anyhow::ensure!(
        invalid.as_deref() == Some("true") && described.as_deref() == Some(reason),
        "{css}: aria-invalid {invalid:?}, aria-describedby {described:?}"
    );
    Ok(())
}

/// The breakdowns page splits satisfaction by survey, device, page and an
/// `identify` attribute with the API's figures, says when a range has no
/// answers and why the API refused (no attribute name, too many days),
/// and the compare page sets one survey against another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breakdowns_page_splits_a_score_and_compare_sets_survey_against_survey() {
    let demo = DemoTest::with_history(30).await;
    let dashboard = format!("{}/dashboard/", demo.app.url);
    demo.browse(|client, _| async move {
        client.set_window_size(1280, 1000).await?;
        sign_in_to_overview(&client, &dashboard).await?;
        follow(&client, "Breakdowns").await?;
        // By survey at first: each CSAT survey by its name, with its id.
        client
            .wait()
            .for_element(Locator::Css("section.breakdown tbody tr"))
            .await?;
        let rows = breakdown_rows(&client).await?;
        let invoices = rows
            .iter()
            .find(|(id, _, _)| id == "invoice-csat")
            .ok_or_else(|| anyhow::anyhow!("no invoice-csat row: {rows:?}"))?;
        anyhow::ensure!(
            invoices.2.contains("Invoices page satisfaction"),
            "{invoices:?}"
        );
        assert_page_accessible(&client, "the breakdowns page by survey").await?;
        keep_screenshot(&client, "dashboard-breakdown-survey-desktop").await?;

        // By device: the same n as the API gives for the same query.
        show_breakdown_by(&client, "device", "by device").await?;
        let (rows, _) = breakdown_as_the_api_gives_it(&client).await?;
        anyhow::ensure!(rows.len() == 3, "{rows:?}");
        let csv = client
            .find(Locator::Css(".breakdown-head a"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        anyhow::ensure!(csv.contains("by=device"), "{csv}");
        let phones = rows.iter().find(|(id, _, _)| id == "mobile").unwrap();
        anyhow::ensure!(phones.2 == "Phone" && phones.1 > 0, "{phones:?}");
        let table = fetch_in_page(&client, &csv).await?;
        anyhow::ensure!(
            // `text()` drops the byte order mark, if the CSV has one.
            table
                .trim_start_matches('\u{feff}')
                .starts_with("device,n,score,ci95_low,ci95_high,low_sample"),
            "{table:?}"
        );
        assert_page_accessible(&client, "the breakdowns page by device").await?;
        keep_screenshot(&client, "dashboard-breakdown-device-desktop").await?;

        // By page: each of the demo's five pages, as the API counts them,
        // and nothing left out.
        show_breakdown_by(&client, "page", "by page").await?;
        let (rows, answer) = breakdown_as_the_api_gives_it(&client).await?;
        anyhow::ensure!(
            rows.len() == 5
                && rows
                    .iter()
                    .any(|(id, n, _)| id == "/app/invoices/new" && *n > 0),
            "{rows:?}"
        );
        anyhow::ensure!(answer["other_segments"] == 0, "{answer}");
        // Each row reads as its path, whatever places it may break at.
        anyhow::ensure!(rows.iter().all(|(id, _, name)| id == name), "{rows:?}");
        anyhow::ensure!(
            client
                .find_all(Locator::Css(".breakdown .more"))
                .await?
                .is_empty(),
            "segments are said to be left out"
        );
        let column = text_of(&client, "section.breakdown thead th").await?;
        anyhow::ensure!(column == "Page", "{column}");
        assert_page_accessible(&client, "the breakdowns page by page").await?;
        keep_screenshot(&client, "dashboard-breakdown-page-desktop").await?;

        // By attribute without its name: the API's reason, tied to the field.
        client
            .find(Locator::Css("select#bd-by"))
            .await?
            .select_by_value("attribute")
            .await?;
        wait_until("the attribute's field is shown", async || {
            Ok(client
                .find(Locator::Css("#bd-attribute"))
                .await?
                .is_displayed()
                .await?)
        })
        .await?;
        press(&client, ".filters button.primary").await?;
        let refusal = wait_for_text(&client, "#bd-problem").await?;
        anyhow::ensure!(refusal.contains("needs the attribute's name"), "{refusal}");
        ensure_marked(&client, "#bd-attribute", "bd-problem").await?;
        anyhow::ensure!(
            client
                .find_all(Locator::Css("section.breakdown"))
                .await?
                .is_empty(),
            "the last table is still shown beside the refusal"
        );
        assert_page_accessible(&client, "by attribute with no name").await?;
        keep_screenshot(&client, "dashboard-breakdown-attribute-missing-desktop").await?;

        // By "plan", which the demo's visitors carry: free and pro.
        client
            .find(Locator::Css("#bd-attribute"))
            .await?
            .send_keys("plan")
            .await?;
        show_breakdown_by(&client, "attribute", "by “plan”").await?;
        let (rows, answer) = breakdown_as_the_api_gives_it(&client).await?;
        let mut plans: Vec<&str> = rows.iter().map(|(id, _, _)| id.as_str()).collect();
        plans.sort_unstable();
        anyhow::ensure!(plans == ["free", "pro"], "{rows:?}");
        anyhow::ensure!(answer["attribute"] == "plan", "{answer}");
        let column = text_of(&client, "section.breakdown thead th").await?;
        anyhow::ensure!(column == "plan", "{column}");
        anyhow::ensure!(
            text_of(&client, "#bd-problem").await?.is_empty(),
            "the refusal is still shown"
        );
        assert_page_accessible(&client, "the breakdowns page by attribute").await?;
        keep_screenshot(&client, "dashboard-breakdown-attribute-desktop").await?;

        // An attribute nobody sent: no answers, said so with its name.
        let name = client.find(Locator::Css("#bd-attribute")).await?;
        name.clear().await?;
        name.send_keys("team").await?;
        press(&client, ".filters button.primary").await?;
        wait_until("the empty state names the attribute", async || {
            Ok(text_of(&client, "p.empty").await?.contains("“team”"))
        })
        .await?;
        assert_page_accessible(&client, "by an attribute nobody sent").await?;

        // By page over more than a year: refused, the reason at "from".
        show_breakdown_by(&client, "page", "by page").await?;
        set_date(&client, "#bd-from", "2020-01-01").await?;
        press(&client, ".filters button.primary").await?;
        let refusal = wait_for_text(&client, "#bd-problem").await?;
        anyhow::ensure!(refusal.contains("at most 366 days"), "{refusal}");
        ensure_marked(&client, "#bd-from", "bd-problem").await?;
        assert_page_accessible(&client, "by page over too many days").await?;
        keep_screenshot(&client, "dashboard-breakdown-too-long-desktop").await?;

        // Days without answers: said so, in place of a table.
        client
            .find(Locator::Css("select#bd-by"))
            .await?
            .select_by_value("device")
            .await?;
        set_date(&client, "#bd-from", "2001-01-01").await?;
        set_date(&client, "#bd-to", "2001-01-31").await?;
        press(&client, ".filters button.primary").await?;
        let empty = text_of(&client, "p.empty").await?;
        anyhow::ensure!(empty.contains("No answers"), "{empty}");
        anyhow::ensure!(
            client
                .find_all(Locator::Css("section.breakdown"))
                .await?
                .is_empty(),
            "a table is still shown"
        );
        assert_page_accessible(&client, "the breakdowns page with no answers").await?;
        keep_screenshot(&client, "dashboard-breakdown-empty-desktop").await?;

        // One CSAT survey against the other, over the same days.
        follow(&client, "Compare").await?;
        for (select, value) in [
            ("select#a-survey", "invoice-csat"),
            ("select#b-survey", "send-csat"),
        ] {
            client
                .wait()
                .for_element(Locator::Css(&format!("{select} option[value={value}]")))
                .await?;
            client
                .find(Locator::Css(select))
                .await?
                .select_by_value(value)
                .await?;
        }
        press(&client, ".compare-form button.primary").await?;
        wait_until("the comparison is shown", async || {
            Ok(text_of(&client, "[aria-live] .cards")
                .await?
                .contains("A minus B"))
        })
        .await?;
        let outcome = text_of(&client, "[aria-live] .cards").await?;
        anyhow::ensure!(
            outcome.contains("Invoices page satisfaction")
                && outcome.contains("CSAT after sending an invoice"),
            "{outcome}"
        );
        let scores = client
            .execute(
                "return [...document.querySelectorAll('[aria-live] .card .score')]
                   .map(p => p.textContent);",
                vec![],
            )
            .await?;
        let scores: Vec<String> = serde_json::from_value(scores)?;
        let answer = fetch_in_page(
            &client,
            "/v1/admin/sites/demo/compare?scale=csat&survey=invoice-csat&b_survey=send-csat",
        )
        .await?;
        let answer: serde_json::Value = serde_json::from_str(&answer)?;
        let difference = answer["difference"]["difference"].as_f64().unwrap_or(0.0);
        anyhow::ensure!(
            scores.len() == 3 && scores[0] != scores[1] && difference != 0.0,
            "A, B and the difference: {scores:?}; the API: {answer}"
        );
        anyhow::ensure!(
            answer["a"]["n"].as_u64() > Some(0) && answer["b"]["survey"] == "send-csat",
            "{answer}"
        );
        let shown: f64 = scores[2].trim_start_matches('+').parse()?;
        anyhow::ensure!(
            (shown - difference).abs() < 0.051,
            "the page says {shown}, the API {difference}"
        );
        assert_page_accessible(&client, "the compare page, survey against survey").await?;
        client
            .execute(
                "document.querySelector('[aria-live] .cards').scrollIntoView()",
                vec![],
            )
            .await?;
        keep_screenshot(&client, "dashboard-compare-surveys-desktop").await?;

        // The breakdowns in Korean, to look at.
        follow(&client, "한국어").await?;
        follow(&client, "구분별 점수").await?;
        client
            .wait()
            .for_element(Locator::Css("section.breakdown tbody tr"))
            .await?;
        let head = text_of(&client, "section.breakdown thead").await?;
        anyhow::ensure!(head.contains("응답 수"), "{head}");
        keep_screenshot(&client, "dashboard-breakdown-survey-desktop-ko").await?;
        // One day by device: tablets are few, and marked so.
        let yesterday = client
            .execute(
                "const d = new Date(document.querySelector('#bd-to').value + 'T12:00:00Z');
                 d.setUTCDate(d.getUTCDate() - 1);
                 return d.toISOString().slice(0, 10);",
                vec![],
            )
            .await?;
        let yesterday = yesterday.as_str().unwrap_or("");
        set_date(&client, "#bd-from", yesterday).await?;
        set_date(&client, "#bd-to", yesterday).await?;
        client
            .find(Locator::Css("select#bd-by"))
            .await?
            .select_by_value("device")
            .await?;
        press(&client, ".filters button.primary").await?;
        let badge = text_of(&client, "section.breakdown tbody .badge").await?;
        anyhow::ensure!(badge == "응답 적음", "{badge}");
        assert_page_accessible(&client, "one day by device, in Korean").await?;
        keep_screenshot(&client, "dashboard-breakdown-device-day-desktop-ko").await?;
        Ok(())
    })
    .await;
}

/// An instance owner, made with the admin token as a script would, since
/// the demo's own user is only the demo site's admin.
const OWNER: (&str, &str) = ("owner@demo.test", "owner-password-123");

/// An owner creates a user on the members page: the API's reasons are
/// shown at their fields (a short password, a taken email), the new user
/// is there when the API is asked, and the page then gives them a role on
/// the site through the members form. In dark mode, then in Korean on a
/// phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_creates_a_user_and_gives_them_a_role() {
    let demo = DemoTest::with_history(1)
        .await
        .scheme(sori_tests::browser::Scheme::Dark);
    let made = demo
        .app
        .admin(
            reqwest::Method::POST,
            "/v1/admin/users",
            Some(serde_json::json!({"email": OWNER.0, "password": OWNER.1, "owner": true})),
        )
        .await;
    assert_eq!(made.status(), 201, "the owner is created");
    let dashboard = format!("{}/dashboard/", demo.app.url);
    let app = demo
        .browse(|client, _| async move {
            client.set_window_size(1280, 1000).await?;
            client.goto(&dashboard).await?;
            fill_sign_in_as(&client, OWNER.0, OWNER.1).await?;
            open_demo_site(&client).await?;
            follow(&client, "Members").await?;
            client
                .wait()
                .for_element(Locator::Css("#new-user-email"))
                .await?;
            assert_page_accessible(&client, "the members page of an owner").await?;

            // Too short a password: the API's reason, at the password.
            fill_new_user(&client, "ana@example.com", "short").await?;
            let reason = wait_for_text(&client, "#new-user-password-problem").await?;
            anyhow::ensure!(reason.contains("at least 10 characters"), "{reason}");
            ensure_marked(&client, "#new-user-password", "new-user-password-problem").await?;
            assert_page_accessible(&client, "a new user's password refused").await?;
            keep_screenshot(&client, "dashboard-new-user-short-password-dark").await?;

            // A taken email: the reason at the email, none at the password.
            fill_new_user(&client, DEMO_OWNER.0, "long-enough-password").await?;
            let reason = wait_for_text(&client, "#new-user-email-problem").await?;
            anyhow::ensure!(reason.contains("exists"), "{reason}");
            ensure_marked(&client, "#new-user-email", "new-user-email-problem").await?;
            let password = text_of(&client, "#new-user-password-problem").await?;
            anyhow::ensure!(password.is_empty(), "{password}");
            assert_page_accessible(&client, "a new user's email refused").await?;

            // A good one: made, and the API lists it, not as an owner.
            fill_new_user(&client, "Ana@Example.com", "ana-password-123").await?;
            let done = wait_for_text(&client, ".new-user .done").await?;
            anyhow::ensure!(done.contains("ana@example.com"), "{done}");
            let users: serde_json::Value =
                serde_json::from_str(&fetch_in_page(&client, "/v1/admin/users").await?)?;
            let ana = users
                .as_array()
                .into_iter()
                .flatten()
                .find(|u| u["email"] == "ana@example.com")
                .ok_or_else(|| anyhow::anyhow!("no ana@example.com in {users}"))?;
            anyhow::ensure!(ana["owner"] == false, "{ana}");
            let email = client
                .find(Locator::Css("#new-user-email"))
                .await?
                .prop("value")
                .await?;
            anyhow::ensure!(email.as_deref() == Some(""), "the form still holds {email:?}");
            assert_page_accessible(&client, "a user made").await?;
            client
                .execute(
                    "document.querySelector('.new-user .offer').scrollIntoView(false)",
                    vec![],
                )
                .await?;
            keep_screenshot(&client, "dashboard-new-user-made-dark").await?;

            // The offer: their email in the members form, the focus on the
            // role; made an admin of the site.
            press(&client, ".new-user button.offer").await?;
            let offered = client
                .find(Locator::Css("#member-email"))
                .await?
                .prop("value")
                .await?;
            anyhow::ensure!(
                offered.as_deref() == Some("ana@example.com"),
                "{offered:?}"
            );
            let focused = client
                .execute("return document.activeElement.id", vec![])
                .await?;
            anyhow::ensure!(focused == "member-role", "the focus is on {focused}");
            client
                .find(Locator::Css("select#member-role"))
                .await?
                .select_by_value("admin")
                .await?;
            press(&client, "#member-role ~ button.primary").await?;
            wait_until("ana is a member", async || {
                Ok(text_of(&client, ".segment-table tbody")
                    .await?
                    .contains("ana@example.com"))
            })
            .await?;
            let members: serde_json::Value = serde_json::from_str(
                &fetch_in_page(&client, "/v1/admin/sites/demo/members").await?,
            )?;
            anyhow::ensure!(
                members
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|m| m["email"] == "ana@example.com" && m["role"] == "admin"),
                "{members}"
            );

            // In Korean, on a phone.
            sori_tests::browser::cdp(
                &client,
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
            )
            .await?;
            follow(&client, "한국어").await?;
            wait_until("the page speaks Korean", async || {
                Ok(text_of(&client, "#new-user-title").await? == "사용자 만들기")
            })
            .await?;
            fill_new_user(&client, "bo@example.com", "short").await?;
            wait_for_text(&client, "#new-user-password-problem").await?;
            let wider = client
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth",
                    vec![],
                )
                .await?;
            anyhow::ensure!(
                wider.as_f64() <= Some(0.0),
                "the members page is {wider} px wider than the phone"
            );
            assert_page_accessible(&client, "creating a user, Korean, phone").await?;
            client
                .execute(
                    "document.querySelector('.new-user').scrollIntoView()",
                    vec![],
                )
                .await?;
            keep_screenshot(&client, "dashboard-new-user-phone-dark-ko").await?;
            Ok(())
        })
        .await;
    // Read back outside the browser too, with the admin token.
    let users: serde_json::Value = app
        .admin(reqwest::Method::GET, "/v1/admin/users", None)
        .await
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert!(emails.contains(&"ana@example.com"), "{emails:?}");
    assert!(!emails.contains(&"bo@example.com"), "{emails:?}");
}

/// Fills in the new-user form (not an owner) and sends it.
async fn fill_new_user(client: &Client, email: &str, password: &str) -> anyhow::Result<()> {
    for (css, value) in [("#new-user-email", email), ("#new-user-password", password)] {
        let field = client.find(Locator::Css(css)).await?;
        field.clear().await?;
        field.send_keys(value).await?;
    }
    press(client, ".new-user button.primary").await?;
    Ok(())
}
