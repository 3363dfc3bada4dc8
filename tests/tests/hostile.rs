//! The collector against hostile clients over HTTP: ids reused across
//! surveys and sites, strict parsing, surveys that are not live, control
//! characters, slow and idle connections. Every test that writes ends by
//! checking that the rollup still equals what the stored rows say.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use serde_json::{Value, json};
use sori_protocol::ResponseId;
use sori_tests::app::{ORIGIN, Options, SITE, TestApp, checkout_survey, csat_body, new_id};
use sori_tests::postgres::Schema;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn error_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("errors are JSON");
    (status, body["error"].clone())
}

/// Runs each named test body once on a fresh SQLite file and once in a
/// fresh PostgreSQL schema, since both backends must answer the same.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let app = super::TestApp::spawn().await;
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let schema = super::Schema::create().await;
                    let app = super::TestApp::spawn_with(super::Options {
                        database_url: Some(schema.url()),
                        ..super::Options::default()
                    })
                    .await;
                    super::$name(&app).await;
                    app.stop().await;
                    schema.drop().await;
                }
            )*
        }
    };
}

on_both_backends!(
    an_id_first_saved_for_one_survey_is_refused_for_another,
    an_id_first_saved_for_one_site_is_refused_for_another,
    control_characters_are_refused_the_same_on_every_backend,
    a_paused_survey_refuses_new_responses_but_lets_begun_ones_finish,
);

fn partial(id: ResponseId, score: i64, seq: u32) -> Value {
    let mut body = csat_body(id, score);
    body["finished"] = json!(false);
    body["seq"] = json!(seq);
    body
}

async fn an_id_first_saved_for_one_survey_is_refused_for_another(app: &TestApp) {
    let mut other = serde_json::to_value(checkout_survey()).unwrap();
    other["id"] = json!("other");
    app.add_live_survey(SITE, other).await;
    let id = new_id();
    assert_eq!(app.post_response(&partial(id, 2, 1)).await.status(), 200);

    let mut moved = partial(id, 5, 2);
    moved["survey"] = json!("other");
    moved["finished"] = json!(true);
    let (status, error) = error_of(app.post_response(&moved).await).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("id_taken")));

    let stored = app.stored(id).await.unwrap();
    assert_eq!((stored.survey.as_str(), stored.seq), ("checkout", 1));
    assert_eq!(stored.answers[0]["value"], 2);
    let summary = app.summary(SITE).await;
    assert_eq!(summary["csat"]["distribution"], json!([0, 1, 0, 0, 0]));
    app.assert_rollup_matches_rows().await;
}

async fn an_id_first_saved_for_one_site_is_refused_for_another(app: &TestApp) {
    let other_origin = "https://beta.example";
    let site = json!({"key": "beta", "name": "Beta", "allowed_origins": [other_origin],
                      "default_locale": "en", "time_zone": "UTC"});
    let r = app
        .admin(reqwest::Method::PUT, "/v1/admin/sites/beta", Some(site))
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    app.add_live_survey("beta", serde_json::to_value(checkout_survey()).unwrap())
        .await;
    let id = new_id();
    assert_eq!(app.post_response(&partial(id, 1, 1)).await.status(), 200);

    let r = app
        .http
        .post(format!("{}/v1/sites/beta/responses", app.url))
        .header("origin", other_origin)
        .json(&partial(id, 5, 2))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(r).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("id_taken")));
    assert_eq!(app.stored(id).await.unwrap().site.as_str(), SITE);
    assert_eq!(app.summary("beta").await["csat"]["n"], 0);
    assert_eq!(app.summary(SITE).await["csat"]["n"], 1);
    app.assert_rollup_matches_rows().await;
}

async fn control_characters_are_refused_the_same_on_every_backend(app: &TestApp) {
    for (field, value) in [
        ("user_id", "user\u{0}42"),
        ("page_path", "/checkout\u{0}"),
        ("faq_query", "refund\u{0}"),
        ("page_path", "/\u{1b}[31m"),
    ] {
        let id = new_id();
        let mut body = csat_body(id, 4);
        body[field] = json!(value);
        let (status, error) = error_of(app.post_response(&body).await).await;
        assert_eq!(
            (status, error["code"].as_str(), error["field"].as_str()),
            (422, Some("control_character"), Some(field)),
            "{field}: {error}"
        );
        assert!(app.stored(id).await.is_none());
    }
    let mut body = csat_body(new_id(), 4);
    body["answers"] =
        json!([{"question": "csat", "value": 4}, {"question": "comment", "value": "ok\u{0}"}]);
    let (status, error) = error_of(app.post_response(&body).await).await;
    assert_eq!(
        (status, error["field"].as_str()),
        (422, Some("answers[1].value"))
    );

    let (status, error) = error_of(app.get_public("faq/search?q=refund%00&locale=en").await).await;
    assert_eq!((status, error["field"].as_str()), (422, Some("q")));
    // Tabs and line breaks are text.
    let mut body = csat_body(new_id(), 4);
    body["answers"] = json!([{"question": "csat", "value": 4},
                             {"question": "comment", "value": "line one\r\nline\ttwo"}]);
    assert_eq!(app.post_response(&body).await.status(), 200);
    assert_eq!(app.summary(SITE).await["csat"]["n"], 1);
    app.assert_rollup_matches_rows().await;
}

async fn a_paused_survey_refuses_new_responses_but_lets_begun_ones_finish(app: &TestApp) {
    let begun = new_id();
    assert_eq!(app.post_response(&partial(begun, 3, 1)).await.status(), 200);
    let r = app
        .admin(
            reqwest::Method::POST,
            &format!("/v1/admin/sites/{SITE}/surveys/checkout/pause"),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);

    let (status, error) = error_of(app.post_response(&csat_body(new_id(), 5)).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("survey_not_active"))
    );
    let mut finish = csat_body(begun, 4);
    finish["seq"] = json!(2);
    assert_eq!(app.post_response(&finish).await.status(), 200);
    let stored = app.stored(begun).await.unwrap();
    assert!(stored.finished);
    assert_eq!(stored.answers[0]["value"], 4);
    // A retry of that last save is still a plain success.
    assert_eq!(app.post_response(&finish).await.status(), 200);
    assert_eq!(app.summary(SITE).await["csat"]["n"], 1);
    app.assert_rollup_matches_rows().await;
}

#[tokio::test]
async fn a_draft_survey_takes_no_responses() {
    let app = TestApp::spawn().await;
    let mut draft = serde_json::to_value(checkout_survey()).unwrap();
    draft["id"] = json!("draft-one");
    let r = app
        .admin(
            reqwest::Method::POST,
            &format!("/v1/admin/sites/{SITE}/surveys"),
            Some(draft),
        )
        .await;
    assert_eq!(r.status(), 201);
    let mut body = csat_body(new_id(), 5);
    body["survey"] = json!("draft-one");
    let (status, error) = error_of(app.post_response(&body).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("survey_not_active"))
    );
    assert!(error["message"].as_str().unwrap().contains("draft"));
    app.assert_rollup_matches_rows().await;
}

async fn post_raw(app: &TestApp, body: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/v1/sites/{SITE}/responses", app.url))
        .header("origin", ORIGIN)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn anything_after_the_json_body_is_400_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    for tail in [" junk", "]]]", r#"{"id": 1}"#] {
        let id = new_id();
        let body = format!("{}{tail}", csat_body(id, 5));
        let (status, error) = error_of(post_raw(&app, &body).await).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (400, Some("malformed")),
            "{tail}"
        );
        assert!(app.stored(id).await.is_none());
    }
    assert_eq!(app.summary(SITE).await["csat"]["n"], 0);
    app.assert_rollup_matches_rows().await;
}

#[tokio::test]
async fn a_wrong_type_in_an_enum_field_is_422_naming_the_field() {
    let app = TestApp::spawn().await;
    for (field, value) in [
        ("locale", json!(null)),
        ("locale", json!(5)),
        ("locale", json!("fr")),
        ("device", json!(null)),
        ("device", json!(["desktop"])),
    ] {
        let mut body = csat_body(new_id(), 5);
        body[field] = value.clone();
        let (status, error) = error_of(app.post_response(&body).await).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (422, Some(field)),
            "{field}: {value} gave {error}"
        );
    }
    app.assert_rollup_matches_rows().await;
}

#[tokio::test]
async fn an_id_from_more_than_a_day_ahead_is_422() {
    let app = TestApp::spawn().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64 * 1000;
    let fifty_years = 50 * 365 * 24 * 3600 * 1000;
    let two_days = 2 * 24 * 3600 * 1000;
    for id in [
        ResponseId::parse("ffffffff-ffff-7fff-bfff-ffffffffffff").unwrap(),
        ResponseId::from_parts(now + fifty_years, [3; 10]),
        ResponseId::from_parts(now + two_days, [4; 10]),
    ] {
        let (status, error) = error_of(app.post_response(&csat_body(id, 5)).await).await;
        assert_eq!(
            (status, error["code"].as_str(), error["field"].as_str()),
            (422, Some("id_in_future"), Some("id"))
        );
        assert!(app.stored(id).await.is_none());
    }
    // An hour ahead is a browser clock that drifted: accepted.
    let drifted = ResponseId::from_parts(now + 3_600_000, [5; 10]);
    assert_eq!(
        app.post_response(&csat_body(drifted, 5)).await.status(),
        200
    );
}

/// A collector with small limits: 1 s to send headers (and to sit idle),
/// 1 s for a whole request, at most `connections` at once.
async fn strict_app(header_secs: u64, connections: usize) -> TestApp {
    TestApp::spawn_with(Options {
        serve_limits: Some((header_secs, 1, connections)),
        ..Options::default()
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(("127.0.0.1", app.port)).await.unwrap()
}

/// Everything the server sends until it closes the connection; fails the
/// test if it has not closed within `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut seen)).await;
    assert!(
        read.is_ok(),
        "the server kept the connection open; it sent: {}",
        String::from_utf8_lossy(&seen)
    );
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn idle_connections_are_closed_before_and_between_requests() {
    let app = strict_app(1, 100).await;
    let mut silent = connect(&app).await;
    assert_eq!(
        read_until_closed(&mut silent, Duration::from_secs(5)).await,
        ""
    );

    let mut kept_alive = connect(&app).await;
    kept_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let seen = read_until_closed(&mut kept_alive, Duration::from_secs(5)).await;
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
}

#[tokio::test]
async fn headers_sent_a_line_at_a_time_are_cut_off() {
    let app = strict_app(1, 100).await;
    let mut slow = connect(&app).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut closed = false;
    while started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if slow.write_all(b"X-Slow: 1\r\n").await.is_err() {
            closed = true;
            break;
        }
        let mut byte = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(1), slow.read(&mut byte)).await
        {
            closed = true;
            break;
        }
    }
    assert!(
        closed,
        "a client sending a header line every 300 ms was kept"
    );
}

#[tokio::test]
async fn a_body_that_never_finishes_gets_408() {
    let app = strict_app(5, 100).await;
    let mut slow = connect(&app).await;
    let head = format!(
        "POST /v1/sites/{SITE}/responses HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"id\":"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let seen = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(seen.starts_with("HTTP/1.1 408"), "{seen}");
    assert!(seen.contains("\"code\":\"timeout\""), "{seen}");
}

#[tokio::test]
async fn a_declared_body_over_the_limit_is_413_at_once() {
    let app = strict_app(5, 100).await;
    let mut liar = connect(&app).await;
    let head = format!(
        "POST /v1/sites/{SITE}/responses HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n"
    );
    liar.write_all(head.as_bytes()).await.unwrap();
    let mut seen = vec![0u8; 4096];
    // Without the early answer this would wait for the request timeout (1 s)
    // and be a 408.
    let n = tokio::time::timeout(Duration::from_secs(5), liar.read(&mut seen))
        .await
        .expect("an answer")
        .unwrap();
    let seen = String::from_utf8_lossy(&seen[..n]);
    assert!(seen.starts_with("HTTP/1.1 413"), "{seen}");
    assert!(seen.contains("\"code\":\"too_large\""), "{seen}");
}

#[tokio::test]
async fn past_the_connection_cap_a_client_gets_503_and_is_served_once_a_slot_frees() {
    let app = strict_app(10, 3).await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(connect(&app).await);
    }
    let mut extra = connect(&app).await;
    extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let seen = read_until_closed(&mut extra, Duration::from_secs(5)).await;
    assert!(seen.starts_with("HTTP/1.1 503"), "{seen}");
    assert!(
        seen.to_ascii_lowercase().contains("retry-after: 1"),
        "{seen}"
    );
    drop(idle);
    // The server notices the closed sockets in its own time: ask until it has.
    let started = std::time::Instant::now();
    loop {
        let r = app.http.get(format!("{}/healthz", app.url)).send().await;
        if r.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no slot freed up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn pages_carry_a_strict_csp_and_security_headers() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let r = app
        .http
        .get(format!("{}/demo/", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
}

#[tokio::test]
async fn an_edit_may_not_move_a_scored_question_to_another_scale() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.post_response(&csat_body(new_id(), 4)).await.status(),
        200
    );
    let mut edited = serde_json::to_value(checkout_survey()).unwrap();
    edited["questions"][0]["kind"] = json!("nps");
    let path = format!("/v1/admin/sites/{SITE}/surveys/checkout");
    let r = app.admin(reqwest::Method::PUT, &path, Some(edited)).await;
    let (status, error) = error_of(r).await;
    assert_eq!(
        (status, error["code"].as_str(), error["field"].as_str()),
        (422, Some("scale_changed"), Some("questions[0].kind"))
    );
    let mut reworded = serde_json::to_value(checkout_survey()).unwrap();
    reworded["questions"][0]["prompt"] = json!({"en": "All good?"});
    let r = app.admin(reqwest::Method::PUT, &path, Some(reworded)).await;
    assert_eq!(r.status(), 200);
    app.assert_rollup_matches_rows().await;
}

/// At 120 a minute with bursts of 30, a client firing 240 requests gets the
/// burst and the steady refill, not a minute's worth (or two, across a
/// minute boundary, as a fixed window allowed).
#[tokio::test]
async fn a_rapid_burst_gets_the_burst_and_the_refill_only() {
    let app = TestApp::spawn_with(Options {
        rate_limit_per_minute: Some(120),
        ..Options::default()
    })
    .await;
    let started = std::time::Instant::now();
    let mut accepted = 0u64;
    for _ in 0..240 {
        let r = app.post_response(&csat_body(new_id(), 4)).await;
        match r.status().as_u16() {
            200 => accepted += 1,
            429 => assert!(r.headers().contains_key("retry-after")),
            other => panic!("unexpected {other}"),
        }
    }
    // One more every half second after the burst of 30.
    let refill = started.elapsed().as_millis() as u64 / 500 + 1;
    assert!(
        (30..=30 + refill).contains(&accepted),
        "{accepted} accepted in {:?}",
        started.elapsed()
    );
    assert_eq!(app.summary(SITE).await["csat"]["n"], accepted);
    app.assert_rollup_matches_rows().await;
}
