//! The help center over HTTP: the admin API, search, counting, votes.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use reqwest::Method;
use serde_json::{Value, json};
use sori_tests::app::{ORIGIN, SITE, TestApp, new_id};

fn article(title: &str, body: &str, category: &str, order: i32) -> Value {
    json!({"title": title, "body": body, "category": category, "order": order, "tags": ["help"]})
}

async fn put_article(app: &TestApp, locale: &str, id: &str, body: Value) -> reqwest::Response {
    let path = format!("/v1/admin/sites/{SITE}/faq/{locale}/{id}");
    app.admin(Method::PUT, &path, Some(body)).await
}

/// A small help center in both languages.
async fn seed(app: &TestApp) {
    for (locale, id, title, body, category, order) in [
        (
            "en",
            "refunds",
            "Refund policy",
            "Ask for a refund within **30 days** of a payment.",
            "Billing",
            1,
        ),
        (
            "en",
            "cancel",
            "Cancel your plan",
            "Cancelling stops the next payment; refunds are not given after 30 days.",
            "Billing",
            2,
        ),
        (
            "en",
            "export",
            "Export invoices to PDF",
            "Open an invoice and choose Export.",
            "Reports",
            10,
        ),
        (
            "ko",
            "refunds",
            "환불 정책",
            "결제 후 30일 안에 환불을 요청할 수 있습니다. 환불하려면 설정에서 요청하세요.",
            "청구",
            1,
        ),
        (
            "ko",
            "export",
            "PDF로 내보내기",
            "인보이스를 열고 내보내기를 누르세요.",
            "보고서",
            10,
        ),
    ] {
        let r = put_article(app, locale, id, article(title, body, category, order)).await;
        assert_eq!(r.status(), 201, "{locale}/{id}");
    }
}

async fn search(app: &TestApp, query: &str) -> Value {
    let r = app.get_public(query).await;
    assert_eq!(r.status(), 200, "{query}");
    r.json().await.unwrap()
}

fn ids(results: &Value) -> Vec<&str> {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

/// The English "refunds" article's figures in the stats.
fn english_refunds(stats: &Value) -> &Value {
    stats["top_articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "refunds" && a["locale"] == "en")
        .unwrap()
}

async fn stats(app: &TestApp) -> Value {
    let r = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/faq/insights"),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_admin_api_creates_updates_lists_and_deletes_articles() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/admin/sites/{SITE}/faq/en/refunds");
    // The token is required.
    let anonymous = app
        .http
        .put(format!("{}{path}", app.url))
        .json(&article("Refunds", "x", "Billing", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let created = put_article(
        &app,
        "en",
        "refunds",
        article(
            "Refunds",
            "See [our terms](https://example.com/terms) and [billing](/billing).",
            "Billing",
            1,
        ),
    )
    .await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    let html = body["html"].as_str().unwrap();
    assert!(
        html.contains(
            r#"<a target="_blank" href="https://example.com/terms" rel="noopener noreferrer">"#
        ),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/billing" rel="noopener noreferrer""#),
        "{html}"
    );

    let updated = put_article(
        &app,
        "en",
        "refunds",
        article("Refund policy", "Within 30 days.", "Billing", 1),
    )
    .await;
    assert_eq!(updated.status(), 200);
    let list: Value = app
        .admin(Method::GET, &format!("/v1/admin/sites/{SITE}/faq"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["title"], "Refund policy");

    // Mistakes are named.
    let no_title = put_article(&app, "en", "x", json!({"title": " ", "body": "b"})).await;
    assert_eq!(no_title.status(), 422);
    let e: Value = no_title.json().await.unwrap();
    assert_eq!(e["error"]["field"], "title");
    let stray = put_article(
        &app,
        "en",
        "x",
        json!({"title": "t", "body": "b", "author": "me"}),
    )
    .await;
    assert_eq!(stray.status(), 422);
    let bad_id = put_article(&app, "en", "Not An Id", article("t", "b", "c", 1)).await;
    assert_eq!(bad_id.status(), 422);
    let bad_locale = put_article(&app, "fr", "x", article("t", "b", "c", 1)).await;
    assert_eq!(bad_locale.status(), 404);

    let gone = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(gone.status(), 204);
    let again = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(again.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn search_ranks_both_languages_and_counts_what_found_nothing() {
    let app = TestApp::spawn().await;
    seed(&app).await;

    let found = search(&app, "faq/search?q=refund&locale=en").await;
    assert_eq!(ids(&found), ["refunds", "cancel"], "the title match first");
    let snippet = found["results"][0]["snippet_html"].as_str().unwrap();
    assert!(snippet.contains("<mark>refund</mark>"), "{snippet}");
    assert_eq!(
        found["results"][0]["title_html"],
        "<mark>Refund</mark> policy"
    );

    let korean = search(&app, "faq/search?q=%ED%99%98%EB%B6%88&locale=ko").await; // 환불
    assert_eq!(ids(&korean), ["refunds"]);
    let typo = search(&app, "faq/search?q=refnd%20&locale=en").await;
    assert_eq!(ids(&typo)[0], "refunds");

    // A query typed but unfinished is not counted; a finished one is.
    search(&app, "faq/search?q=payrol&locale=en&partial=1").await;
    for _ in 0..2 {
        let none = search(&app, "faq/search?q=%20Payroll%20%20&locale=en").await;
        assert!(none["results"].as_array().unwrap().is_empty());
    }
    search(&app, "faq/search?q=%EA%B8%89%EC%97%AC&locale=ko").await; // 급여
    let s = stats(&app).await;
    assert_eq!(s["searches"], 6, "{s}");
    assert_eq!(s["no_result_searches"], 3, "{s}");
    assert_eq!(
        s["top_unanswered"],
        json!([
            {"query": "payroll", "locale": "en", "searches": 2, "no_results": 2},
            {"query": "급여", "locale": "ko", "searches": 1, "no_results": 1}
        ])
    );

    // An edit is searchable at once: the index follows the FAQ version.
    put_article(
        &app,
        "en",
        "payroll",
        article("Payroll export", "Export payroll runs.", "Reports", 11),
    )
    .await;
    let now = search(&app, "faq/search?q=payroll&locale=en&partial=1").await;
    assert_eq!(ids(&now), ["payroll"]);
    app.stop().await;
}

#[tokio::test]
async fn the_overview_and_articles_are_served_to_allowed_origins_and_counted() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let overview = app.public_json("faq?locale=en").await;
    let categories: Vec<&str> = overview["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["Billing", "Reports"]);
    assert_eq!(overview["categories"][0]["articles"][1]["id"], "cancel");
    assert_eq!(overview["popular"], json!([]), "nothing read yet");

    for _ in 0..3 {
        let r = app.get_public("faq/articles/export?locale=en").await;
        assert_eq!(r.status(), 200);
    }
    let read: Value = app
        .get_public("faq/articles/refunds?locale=ko")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["title"], "환불 정책");
    assert!(read["html"].as_str().unwrap().starts_with("<p>"));
    assert_eq!(
        app.get_public("faq/articles/nope?locale=en").await.status(),
        404
    );
    // The most viewed comes first among the popular ones.
    let overview = app.public_json("faq?locale=en").await;
    assert_eq!(overview["popular"][0]["id"], "export");
    let s = stats(&app).await;
    assert_eq!(s["views"], 4);
    assert_eq!(s["top_articles"][0]["id"], "export");
    assert_eq!(s["top_articles"][0]["views"], 3);

    // Another site's page may not read this help center.
    let foreign = app
        .http
        .get(format!("{}/v1/sites/{SITE}/faq/search?q=refund", app.url))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    app.stop().await;
}

async fn vote(
    app: &TestApp,
    respondent: &str,
    helpful: bool,
    reason: Option<&str>,
) -> reqwest::Response {
    app.http
        .post(format!("{}/v1/sites/{SITE}/faq/articles/refunds/votes", app.url))
        .header("origin", ORIGIN)
        .json(&json!({"locale": "en", "respondent": respondent, "helpful": helpful, "reason": reason}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_vote_per_respondent_and_article() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let alice = "0199b0c4-0000-4000-8000-00000000000a";
    let bob = "0199b0c4-0000-4000-8000-00000000000b";
    let outcome = |r: Value| r["vote"].as_str().unwrap().to_owned();
    assert_eq!(
        outcome(vote(&app, alice, true, None).await.json().await.unwrap()),
        "new"
    );
    assert_eq!(
        outcome(vote(&app, alice, true, None).await.json().await.unwrap()),
        "same"
    );
    assert_eq!(
        outcome(
            vote(&app, bob, false, Some("Too vague"))
                .await
                .json()
                .await
                .unwrap()
        ),
        "new"
    );
    assert_eq!(
        outcome(vote(&app, alice, false, None).await.json().await.unwrap()),
        "changed"
    );
    let s = stats(&app).await;
    assert_eq!(s["helpful"]["n"], 2, "{s}");
    assert_eq!(s["helpful"]["score"], 0.0, "{s}");
    assert_eq!(english_refunds(&s)["not_helpful"], 2);
    // What was missing: Bob's reason, with its article; Alice gave none.
    let missing = s["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{s}");
    assert_eq!(
        (
            &missing[0]["article"],
            &missing[0]["reason"],
            &missing[0]["locale"]
        ),
        (&json!("refunds"), &json!("Too vague"), &json!("en"))
    );

    // Bad votes are refused without counting.
    let no_origin = app
        .http
        .post(format!(
            "{}/v1/sites/{SITE}/faq/articles/refunds/votes",
            app.url
        ))
        .json(&json!({"locale": "en", "respondent": alice, "helpful": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_origin.status(), 403);
    assert_eq!(vote(&app, "not-a-uuid", true, None).await.status(), 422);
    let long = "x".repeat(501);
    assert_eq!(vote(&app, alice, false, Some(&long)).await.status(), 422);
    let unknown = app
        .http
        .post(format!(
            "{}/v1/sites/{SITE}/faq/articles/nope/votes",
            app.url
        ))
        .header("origin", ORIGIN)
        .json(&json!({"locale": "en", "respondent": alice, "helpful": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(stats(&app).await["helpful"]["n"], 2);
    app.stop().await;
}

#[tokio::test]
async fn feedback_sent_from_an_article_is_counted_as_a_handoff() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let mut body = sori_tests::app::csat_body(new_id(), 2);
    body["faq_article"] = json!("refunds");
    body["faq_query"] = json!("refund after 60 days");
    let r = app.post_response(&body).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let mut long = sori_tests::app::csat_body(new_id(), 2);
    long["faq_query"] = json!("q".repeat(201));
    assert_eq!(app.post_response(&long).await.status(), 422);
    let s = stats(&app).await;
    assert_eq!(s["handoffs"], 1, "{s}");
    assert_eq!(english_refunds(&s)["handoffs"], 1);
    app.stop().await;
}
