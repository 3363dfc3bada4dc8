//! Reading every answer: the responses list, one response, and the CSV.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use reqwest::Method;
use serde_json::{Value, json};
use sori_tests::app::{Backend, Options, SITE, TestApp, new_id};

fn survey() -> Value {
    json!({
        "id": "product", "name": "Product", "title": {"en": "Two minutes?", "ko": "2분만요"},
        "questions": [
            {"id": "nps", "kind": "nps", "prompt": {"en": "Recommend us?", "ko": "추천하시겠어요?"}},
            {"id": "plan", "kind": "single_choice", "prompt": {"en": "Plan?", "ko": "요금제?"},
             "choices": [{"id": "free", "label": {"en": "Free", "ko": "무료"}},
                         {"id": "pro", "label": {"en": "Pro", "ko": "프로"}}]},
            {"id": "uses", "kind": "multi_choice", "other": true, "prompt": {"en": "Uses?", "ko": "용도?"},
             "choices": [{"id": "invoices", "label": {"en": "Invoices", "ko": "인보이스"}},
                         {"id": "reports", "label": {"en": "Reports", "ko": "보고서"}}]},
            {"id": "again", "kind": "yes_no", "prompt": {"en": "Again?", "ko": "다시?"}},
            {"id": "why", "kind": "text", "prompt": {"en": "Why?", "ko": "이유는?"}}
        ]
    })
}

/// Posts one response and returns its id.
async fn answer(app: &TestApp, locale: &str, plan: &str, answers: Value) -> String {
    let id = new_id().to_string();
    let r = app
        .post_response(&json!({
            "id": id, "survey": "product", "survey_version": 1, "locale": locale,
            "page_path": "/app/billing", "device": "mobile",
            "attributes": {"plan": plan}, "answers": answers
        }))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    id
}

/// Three responses, newest last: a Korean promoter with a comment and an
/// "Other", an English detractor, an English passive.
async fn app_with_answers(backend: Backend) -> (TestApp, Vec<String>) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    app.add_live_survey(SITE, survey()).await;
    let ko = answer(
        &app,
        "ko",
        "pro",
        json!([
            {"question": "nps", "value": 10},
            {"question": "plan", "value": "pro"},
            {"question": "uses", "value": ["invoices", "reports", "other"], "other": "급여 계산"},
            {"question": "again", "value": true},
            {"question": "why", "value": "보고서가 정말 빨라요"}
        ]),
    )
    .await;
    let detractor = answer(
        &app,
        "en",
        "free",
        json!([
            {"question": "nps", "value": 3},
            {"question": "why", "value": "Exports are slow"}
        ]),
    )
    .await;
    let passive = answer(&app, "en", "pro", json!([{"question": "nps", "value": 8}])).await;
    (app, vec![ko, detractor, passive])
}

async fn page(app: &TestApp, query: &str) -> Value {
    let r = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/responses{query}"),
            None,
        )
        .await;
    assert_eq!(r.status(), 200, "{query}");
    r.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn responses_read_newest_first_with_every_answer_in_words(backend: Backend) {
    let (app, posted) = app_with_answers(backend).await;
    let all = page(&app, "").await;
    assert_eq!(
        ids(&all),
        [posted[2].clone(), posted[1].clone(), posted[0].clone()]
    );
    assert!(all["next_cursor"].is_null());
    let korean = &all["responses"][2];
    let texts: Vec<(&str, &str)> = korean["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["question"].as_str().unwrap(), a["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        texts,
        [
            ("nps", "10"),
            ("plan", "프로"),
            ("uses", "인보이스, 보고서, 기타: 급여 계산"),
            ("again", "예"),
            ("why", "보고서가 정말 빨라요"),
        ]
    );
    assert_eq!(korean["answers"][0]["prompt"], "추천하시겠어요?");
    assert_eq!(korean["answers"][0]["band"], "positive");
    assert_eq!(korean["answers"][2]["other"], "급여 계산");
    assert_eq!(korean["attributes"], json!({"plan": "pro"}));
    // In the site's time zone, Asia/Seoul.
    let at = korean["received_at"].as_str().unwrap();
    assert!(at.ends_with("+09:00") && at.len() == 25, "{at}");

    let one = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/responses/{}", posted[1]),
            None,
        )
        .await;
    assert_eq!(one.status(), 200);
    let one: Value = one.json().await.unwrap();
    assert_eq!(one["answers"][1]["text"], "Exports are slow");
    let missing = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/responses/{}", new_id()),
            None,
        )
        .await;
    assert_eq!(missing.status(), 404);
}

async fn filters_narrow_the_list_and_a_cursor_pages_through_it(backend: Backend) {
    let (app, posted) = app_with_answers(backend).await;
    for (query, expected) in [
        ("?band=negative", vec![posted[1].clone()]),
        ("?band=positive", vec![posted[0].clone()]),
        ("?band=neutral", vec![posted[2].clone()]),
        ("?locale=ko", vec![posted[0].clone()]),
        ("?attr.plan=pro", vec![posted[2].clone(), posted[0].clone()]),
        ("?q=%EB%B9%A8%EB%9D%BC%EC%9A%94", vec![posted[0].clone()]), // 빨라요
        ("?q=exports+SLOW", vec![posted[1].clone()]),
        ("?q=payroll", Vec::<String>::new()),
        (
            "?page=/app/*",
            vec![posted[2].clone(), posted[1].clone(), posted[0].clone()],
        ),
        ("?page=/app", Vec::<String>::new()),
        ("?device=desktop", Vec::<String>::new()),
        ("?survey=checkout", Vec::<String>::new()),
    ] {
        assert_eq!(ids(&page(&app, query).await), expected, "{query}");
    }
    // Today in the site's zone holds them all; yesterday none.
    let seoul = time::UtcOffset::from_hms(9, 0, 0).unwrap();
    let today = time::OffsetDateTime::now_utc().to_offset(seoul).date();
    let near: Vec<String> = ["?from=", "?to="]
        .iter()
        .flat_map(|k| [-1i64, 1].map(|d| format!("{k}{}", today + time::Duration::days(d))))
        .collect();
    assert_eq!(ids(&page(&app, &near[0]).await).len(), 3, "{}", near[0]);
    assert_eq!(ids(&page(&app, &near[1]).await).len(), 0, "{}", near[1]);
    assert_eq!(ids(&page(&app, &near[2]).await).len(), 0, "{}", near[2]);
    assert_eq!(ids(&page(&app, &near[3]).await).len(), 3, "{}", near[3]);

    let first = page(&app, "?limit=2").await;
    assert_eq!(ids(&first), [posted[2].clone(), posted[1].clone()]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = page(&app, &format!("?limit=2&cursor={}", urlencode(cursor))).await;
    assert_eq!(ids(&rest), [posted[0].clone()]);
    assert!(rest["next_cursor"].is_null());

    for (query, status) in [
        ("?from=yesterday", 422),
        ("?nope=1", 400),
        ("?limit=0", 422),
    ] {
        let r = app
            .admin(
                Method::GET,
                &format!("/v1/admin/sites/{SITE}/responses{query}"),
                None,
            )
            .await;
        assert_eq!(r.status(), status, "{query}");
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn the_csv_has_one_row_per_response_and_reads_back_with_korean_intact(backend: Backend) {
    let (app, posted) = app_with_answers(backend).await;
    let r = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/responses.csv?survey=product"),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "received_at",
            "survey",
            "survey_version",
            "finished",
            "locale",
            "device",
            "page_path",
            "user_id",
            "nps",
            "plan",
            "uses",
            "again",
            "why"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[2][0], posted[0].as_str());
    assert_eq!(&rows[2][10], "프로");
    assert_eq!(&rows[2][11], "인보이스, 보고서, 기타: 급여 계산");
    assert_eq!(&rows[2][13], "보고서가 정말 빨라요");
    assert_eq!(&rows[1][13], "Exports are slow");
    assert_eq!(&rows[0][10], "");

    // Filtered, and across every survey: columns are survey/question.
    let r = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/responses.csv?band=negative"),
            None,
        )
        .await;
    let bytes = r.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert!(reader.headers().unwrap().iter().any(|h| h == "product/why"));
    assert_eq!(reader.records().count(), 1);
}

sori_tests::on_each_backend!(
    responses_read_newest_first_with_every_answer_in_words,
    filters_narrow_the_list_and_a_cursor_pages_through_it,
    the_csv_has_one_row_per_response_and_reads_back_with_korean_intact,
);
