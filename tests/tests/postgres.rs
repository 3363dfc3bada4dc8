//! The collector on PostgreSQL, over HTTP: what a team running many
//! collectors against one database gets.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use reqwest::Method;
use serde_json::json;
use sori_tests::app::{Options, SITE, TestApp, csat_body, new_id};
use sori_tests::postgres::Schema;

#[tokio::test]
async fn two_collectors_on_one_postgres_share_responses_and_help_articles() {
    let schema = Schema::create().await;
    let options = || Options {
        database_url: Some(schema.url()),
        ..Options::default()
    };
    let first = TestApp::spawn_with(options()).await;
    let second = TestApp::spawn_with(options()).await;

    // Responses posted to either are stored once and summed together.
    let id = new_id();
    for (app, score) in [(&first, 5), (&second, 2), (&first, 4)] {
        let body = if score == 4 {
            csat_body(id, 4)
        } else {
            csat_body(new_id(), score)
        };
        assert_eq!(app.post_response(&body).await.status(), 200);
    }
    assert_eq!(
        second.post_response(&csat_body(id, 4)).await.status(),
        200,
        "a retry"
    );
    let summary = second.summary(SITE).await;
    assert_eq!(summary["csat"]["n"], 3, "{summary}");
    assert_eq!(summary["csat"]["distribution"], json!([0, 1, 0, 1, 1]));

    // An article written through one is found through the other at once:
    // its search index follows the FAQ version in the database.
    let put = first
        .admin(
            Method::PUT,
            &format!("/v1/admin/sites/{SITE}/faq/ko/refunds"),
            Some(
                json!({"title": "환불 정책", "body": "30일 안에 환불하려면 설정에서 요청하세요."}),
            ),
        )
        .await;
    assert_eq!(put.status(), 201);
    let found = second
        .public_json("faq/search?q=%ED%99%98%EB%B6%88&locale=ko")
        .await;
    assert_eq!(found["results"][0]["id"], "refunds", "{found}");
    let stats: serde_json::Value = first
        .admin(Method::GET, &format!("/v1/sites/{SITE}/faq/stats"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["searches"], 1, "{stats}");

    first.stop().await;
    second.stop().await;
    schema.drop().await;
}
