//! The admin API for surveys, and responses to every question kind, over HTTP.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use reqwest::Method;
use serde_json::{Value, json};
use sori_tests::app::{SITE, TestApp, new_id};

fn every_kind() -> Value {
    json!({
        "id": "product", "name": "Product survey", "title": {"en": "Two minutes?", "ko": "2분만요"},
        "trigger": {"event": "checkout_done"},
        "targeting": {"url_include": ["/app*"], "sample_percent": 50},
        "recontact": {"every_days": 30},
        "questions": [
            {"id": "nps", "kind": "nps", "required": true, "prompt": {"en": "Recommend us?"}},
            {"id": "why", "kind": "text", "prompt": {"en": "What should we fix?"},
             "show_if": {"question": "nps", "op": "lte", "value": 6}},
            {"id": "ces", "kind": "ces", "prompt": {"en": "Easy?"}},
            {"id": "stars", "kind": "rating", "points": 5, "style": "stars", "prompt": {"en": "Stars?"}},
            {"id": "again", "kind": "yes_no", "prompt": {"en": "Again?"}},
            {"id": "plan", "kind": "single_choice", "prompt": {"en": "Plan?"},
             "choices": [{"id": "free", "label": {"en": "Free"}}, {"id": "pro", "label": {"en": "Pro"}}]},
            {"id": "uses", "kind": "multi_choice", "other": true, "prompt": {"en": "Uses?"},
             "choices": [{"id": "invoices", "label": {"en": "Invoices"}}, {"id": "reports", "label": {"en": "Reports"}}]}
        ]
    })
}

async fn create_active(app: &TestApp, survey: Value) -> Value {
    app.add_live_survey(SITE, survey).await
}

/// Posts a fresh, finished response to version 1 of the `product` survey.
async fn post_finished(app: &TestApp, answers: Value) -> reqwest::Response {
    app.post_response(&response(&new_id().to_string(), 1, answers, true, 0))
        .await
}

fn response(id: &str, version: u64, answers: Value, finished: bool, seq: u32) -> Value {
    json!({"id": id, "survey": "product", "survey_version": version, "locale": "en",
           "answers": answers, "finished": finished, "seq": seq})
}

#[tokio::test]
async fn a_survey_is_created_as_a_draft_then_activated_into_the_config() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/admin/sites/{SITE}/surveys");
    let created = app.admin(Method::POST, &path, Some(every_kind())).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        (created["status"].as_str(), created["version"].as_u64()),
        (Some("draft"), Some(1))
    );
    let config = |app: &TestApp| {
        let url = format!("{}/v1/sites/{SITE}/config", app.url);
        let http = app.http.clone();
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let ids = |c: &Value| {
        c["surveys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&config(&app).await), vec![json!("checkout")]);
    app.admin(Method::POST, &format!("{path}/product/activate"), None)
        .await;
    let live = config(&app).await;
    assert_eq!(ids(&live), vec![json!("checkout"), json!("product")]);
    assert_eq!(
        live["surveys"][1]["trigger"],
        json!({"event": "checkout_done"})
    );
    assert_eq!(
        live["fatigue"],
        json!({"cooldown_hours": 24, "session_cap": 1})
    );
    let paused = app
        .admin(Method::POST, &format!("{path}/product/pause"), None)
        .await;
    assert_eq!(paused.json::<Value>().await.unwrap()["status"], "paused");
    assert_eq!(ids(&config(&app).await), vec![json!("checkout")]);
    let again = app.admin(Method::POST, &path, Some(every_kind())).await;
    assert_eq!(again.status(), 409);
}

/// `DELETE` archives: the survey leaves the config and refuses new
/// responses, its stored responses and summary stay, a save of a response
/// begun before still lands, and activating brings it back.
#[tokio::test]
async fn an_archived_survey_leaves_the_config_and_keeps_its_answers() {
    let app = TestApp::spawn().await;
    create_active(&app, every_kind()).await;
    let first = post_finished(&app, json!([{"question": "nps", "value": 9}])).await;
    assert_eq!(first.status(), 200);
    let begun = new_id().to_string();
    let step = |seq, finished| {
        response(
            &begun,
            1,
            json!([{"question": "nps", "value": 3}]),
            finished,
            seq,
        )
    };
    assert_eq!(app.post_response(&step(1, false)).await.status(), 200);
    let path = format!("/v1/admin/sites/{SITE}/surveys/product");
    let archived = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(archived.status(), 200);
    assert_eq!(
        archived.json::<Value>().await.unwrap()["status"],
        "archived"
    );
    let config: Value = app.public_json("config").await;
    assert!(
        config["surveys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != "product"),
        "{config}"
    );
    let refused = post_finished(&app, json!([{"question": "nps", "value": 10}])).await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "survey_not_active");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("archived")
    );
    // Someone mid-survey when it was archived can still finish.
    assert_eq!(app.post_response(&step(2, true)).await.status(), 200);
    let stored = app.stored_for(SITE, "product").await;
    assert_eq!(stored.len(), 2, "both responses are kept");
    let listed: Value = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/surveys"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let product = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "product")
        .unwrap();
    assert_eq!(product["status"], "archived");
    let summary = app.summary(SITE).await;
    let counted = summary["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["survey"] == "product")
        .unwrap();
    let nps = counted["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["question"] == "nps")
        .unwrap();
    assert_eq!(nps["n"], 2, "{counted}");
    let back = app
        .admin(Method::POST, &format!("{path}/activate"), None)
        .await;
    assert_eq!(back.json::<Value>().await.unwrap()["status"], "active");
    let config: Value = app.public_json("config").await;
    assert!(
        config["surveys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "product")
    );
}

#[tokio::test]
async fn an_invalid_definition_is_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/admin/sites/{SITE}/surveys");
    type Edit = fn(&mut Value);
    let table: &[(Edit, &str)] = &[
        (
            |s| s["questions"][3]["points"] = json!(11),
            "questions[3].points",
        ),
        (
            |s| s["questions"][1]["show_if"]["question"] = json!("uses"),
            "questions[1].show_if.question",
        ),
        (
            |s| s["questions"][1]["show_if"]["op"] = json!("includes"),
            "questions[1].show_if",
        ),
        (
            |s| s["questions"][5]["choices"] = json!([]),
            "questions[5].choices",
        ),
        (|s| s["trigger"] = json!({"seconds": 0}), "trigger"),
        (
            |s| s["targeting"]["sample_percent"] = json!(0),
            "targeting.sample_percent",
        ),
        (
            |s| s["questions"][0]["kind"] = json!("telepathy"),
            "questions[0].kind",
        ),
        (|s| s["id"] = json!("Not A Slug"), "id"),
    ];
    for (edit, field) in table {
        let mut survey = every_kind();
        edit(&mut survey);
        let r = app.admin(Method::POST, &path, Some(survey)).await;
        assert_eq!(r.status(), 422, "{field}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], *field, "{body}");
    }
    let none = app
        .admin(Method::GET, &path, None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        none.as_array().unwrap().len(),
        1,
        "nothing but the seeded survey was stored"
    );
}

/// A site's origins are written as browsers send them, and its time zone
/// is one the IANA database knows; anything else is 422 naming the field,
/// and the site as stored is unchanged.
#[tokio::test]
async fn a_site_is_read_back_and_a_bad_origin_time_zone_or_field_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/admin/sites/{SITE}");
    let site = |origin: &str, zone: &str| {
        json!({"key": SITE, "name": "Demo", "allowed_origins": [origin],
               "default_locale": "en", "time_zone": zone})
    };
    for (body, field) in [
        (site("https://App.example.com", "UTC"), "allowed_origins[0]"),
        (
            site("https://app.example.com/", "UTC"),
            "allowed_origins[0]",
        ),
        (
            site("https://app.example.com", "Mars/Olympus_Mons"),
            "time_zone",
        ),
        (site("https://app.example.com", "KST"), "time_zone"),
        (
            {
                let mut body = site("https://app.example.com", "UTC");
                body["allowed_origin"] = json!(["https://app.example.com"]);
                body
            },
            "allowed_origin",
        ),
    ] {
        let r = app.admin(Method::PUT, &path, Some(body)).await;
        assert_eq!(r.status(), 422, "{field}");
        let error: Value = r.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    let good = site("https://app.example.com", "Asia/Seoul");
    let r = app.admin(Method::PUT, &path, Some(good.clone())).await;
    assert_eq!(r.status(), 200);
    // Read back, alone and in the list of sites.
    let read: Value = app
        .admin(Method::GET, &path, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["time_zone"], "Asia/Seoul");
    assert_eq!(read["allowed_origins"], json!(["https://app.example.com"]));
    let all: Value = app
        .admin(Method::GET, "/v1/admin/sites", None)
        .await
        .json()
        .await
        .unwrap();
    let keys: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [SITE]);
    let missing = app.admin(Method::GET, "/v1/admin/sites/nobody", None).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_summary_of_a_survey_the_site_does_not_have_is_404() {
    let app = TestApp::spawn().await;
    let r = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/summary?survey=nope"),
            None,
        )
        .await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_survey", "{body}");
}

/// Path segments are typed: one that cannot name anything is the 404 of
/// what it would name, and a `PUT` that would create it says why it cannot.
#[tokio::test]
async fn bad_path_segments_and_query_strings_get_the_error_shape() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            Method::GET,
            format!("/v1/admin/sites/{SITE}/surveys/Not%20A%20Slug"),
            404,
            "unknown_survey",
        ),
        (
            Method::GET,
            "/v1/admin/sites/NoSuch".to_owned(),
            404,
            "unknown_site",
        ),
        (
            Method::DELETE,
            format!("/v1/admin/sites/{SITE}/faq/xx/refunds"),
            404,
            "unknown_locale",
        ),
        (
            Method::DELETE,
            format!("/v1/admin/sites/{SITE}/faq/en/Bad%20Id"),
            404,
            "unknown_article",
        ),
        (
            Method::PUT,
            "/v1/admin/sites/Bad%20Key".to_owned(),
            422,
            "invalid",
        ),
        // One survey, given twice: a query string that does not parse.
        (
            Method::GET,
            format!("/v1/admin/sites/{SITE}/summary?survey=a&survey=b"),
            400,
            "malformed",
        ),
    ];
    for (method, path, status, code) in cases {
        let r = app.admin(method.clone(), &path, None).await;
        assert_eq!(r.status(), status, "{method} {path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{method} {path}: {body}");
    }
}

#[tokio::test]
async fn each_kind_of_answer_is_checked_against_its_question() {
    let app = TestApp::spawn().await;
    create_active(&app, every_kind()).await;
    let good = [
        json!([{"question": "nps", "value": 9}, {"question": "ces", "value": 6}, {"question": "stars", "value": 5},
               {"question": "again", "value": true}, {"question": "plan", "value": "pro"},
               {"question": "uses", "value": ["invoices", "other"], "other": "Payroll"}]),
        json!([{"question": "nps", "value": 3}, {"question": "why", "value": "Exports are slow"}]),
    ];
    for answers in good {
        let r = post_finished(&app, answers.clone()).await;
        assert_eq!(r.status(), 200, "{answers}");
    }
    let bad = [
        (
            json!([{"question": "nps", "value": 11}]),
            "answers[0].value",
        ),
        (
            json!([{"question": "nps", "value": 9}, {"question": "why", "value": "skipped"}]),
            "answers[1].question",
        ),
        (
            json!([{"question": "nps", "value": 9}, {"question": "ces", "value": 8}]),
            "answers[1].value",
        ),
        (
            json!([{"question": "nps", "value": 9}, {"question": "stars", "value": 0}]),
            "answers[1].value",
        ),
        (
            json!([{"question": "nps", "value": 9}, {"question": "again", "value": "yes"}]),
            "answers[1].value",
        ),
        (
            json!([{"question": "nps", "value": 9}, {"question": "plan", "value": "gold"}]),
            "answers[1].value",
        ),
        (
            json!([{"question": "nps", "value": 9}, {"question": "uses", "value": ["other"]}]),
            "answers[1].other",
        ),
        (json!([{"question": "ces", "value": 4}]), "answers"),
    ];
    for (answers, field) in bad {
        let r = post_finished(&app, answers.clone()).await;
        assert_eq!(r.status(), 422, "{answers}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn a_response_saved_step_by_step_is_one_response() {
    let app = TestApp::spawn().await;
    create_active(&app, every_kind()).await;
    let id = new_id().to_string();
    let steps = [
        (json!([{"question": "nps", "value": 4}]), false, 1),
        (
            json!([{"question": "nps", "value": 4}, {"question": "why", "value": "Slow"}]),
            false,
            2,
        ),
        // A retry of the first save arrives late: ignored, still 200.
        (json!([{"question": "nps", "value": 4}]), false, 1),
        (
            json!([{"question": "nps", "value": 10}, {"question": "ces", "value": 7}]),
            true,
            3,
        ),
        // After the finish nothing changes it.
        (json!([{"question": "nps", "value": 0}]), true, 4),
    ];
    for (answers, finished, seq) in steps {
        let r = app
            .post_response(&response(&id, 1, answers, finished, seq))
            .await;
        assert_eq!(r.status(), 200);
    }
    let counts = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/summary?survey=product"),
            None,
        )
        .await;
    assert_eq!(counts.status(), 200);
    let stored = sori_tests::app::score_counts(&app, SITE, "product").await;
    assert_eq!(
        stored,
        vec![("ces".to_owned(), 7, 1), ("nps".to_owned(), 10, 1)]
    );
}

#[tokio::test]
async fn editing_a_live_survey_keeps_answers_in_flight_valid() {
    let app = TestApp::spawn().await;
    create_active(&app, every_kind()).await;
    let mut edited = every_kind();
    edited["questions"][0]["prompt"]["en"] = json!("How likely are you to recommend Ledgerly?");
    edited["questions"].as_array_mut().unwrap().truncate(1);
    let r = app
        .admin(
            Method::PUT,
            &format!("/v1/admin/sites/{SITE}/surveys/product"),
            Some(edited),
        )
        .await;
    assert_eq!(r.status(), 200);
    let updated: Value = r.json().await.unwrap();
    assert_eq!(
        (updated["version"].as_u64(), updated["status"].as_str()),
        (Some(2), Some("active"))
    );
    // A respondent who loaded version 1 answers a question version 2 dropped.
    let old = json!([{"question": "nps", "value": 8}, {"question": "ces", "value": 5}]);
    assert_eq!(post_finished(&app, old.clone()).await.status(), 200);
    let r = app
        .post_response(&response(&new_id().to_string(), 2, old, true, 0))
        .await;
    assert_eq!(r.status(), 422, "version 2 has no 'ces'");
    let config = app.public_json("config").await;
    assert_eq!(config["surveys"][1]["version"], 2);
}

#[tokio::test]
async fn the_summary_reports_nps_ces_ratings_and_yes_no_with_their_intervals() {
    let app = TestApp::spawn().await;
    create_active(&app, every_kind()).await;
    // NPS 10, 9, 8, 3: two promoters, one detractor → NPS 25.
    let answers = [
        json!([{"question": "nps", "value": 10}, {"question": "ces", "value": 7}, {"question": "stars", "value": 5}, {"question": "again", "value": true}]),
        json!([{"question": "nps", "value": 9}, {"question": "ces", "value": 6}, {"question": "stars", "value": 4}, {"question": "again", "value": true}]),
        json!([{"question": "nps", "value": 8}, {"question": "ces", "value": 2}, {"question": "stars", "value": 3}]),
        json!([{"question": "nps", "value": 3}, {"question": "why", "value": "Slow exports"}, {"question": "again", "value": false}]),
    ];
    for a in answers {
        assert_eq!(post_finished(&app, a).await.status(), 200);
    }
    let summary: Value = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/summary"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let nps = &summary["nps"];
    assert_eq!(
        (nps["n"].as_u64(), nps["score"].as_f64()),
        (Some(4), Some(25.0)),
        "{summary}"
    );
    assert_eq!(
        (
            nps["promoters"].as_u64(),
            nps["passives"].as_u64(),
            nps["detractors"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert!(
        nps["ci95"]["low"].as_f64().unwrap() < 25.0 && nps["ci95"]["high"].as_f64().unwrap() > 25.0
    );
    let ces = &summary["ces"];
    assert_eq!(
        (
            ces["n"].as_u64(),
            ces["score"].as_f64(),
            ces["mean"].as_f64()
        ),
        // 2 of 3 agree: 66.666…%, sent with two decimals.
        (Some(3), Some(66.67), Some(5.0))
    );
    let product = summary["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["survey"] == "product")
        .unwrap();
    assert!(
        product.get("csat").is_none(),
        "a survey with no CSAT question has no CSAT figure: {product}"
    );
    let question = |id: &str| {
        product["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["question"] == id)
            .unwrap()
            .clone()
    };
    let stars = question("stars");
    assert_eq!(
        (stars["scale"].as_str(), stars["mean"].as_f64()),
        (Some("rating5"), Some(4.0))
    );
    assert_eq!(stars["distribution"], json!([0, 0, 1, 1, 1]));
    let again = question("again");
    assert_eq!(
        (again["n"].as_u64(), again["distribution"].clone()),
        (Some(3), json!([1, 2]))
    );
    assert_eq!(again["score"].as_f64(), Some(66.67));
}
