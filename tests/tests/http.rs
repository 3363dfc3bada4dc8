//! The collector over HTTP: a real server on port 0 with its own SQLite file.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use serde_json::{Value, json};
use sori_tests::app::{ADMIN_TOKEN, ORIGIN, Options, SITE, TestApp, csat_body, new_id};

async fn error_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.expect("errors are JSON");
    (status, body["error"].clone())
}

#[tokio::test]
async fn the_same_response_posted_twice_is_stored_once_and_both_answers_are_200() {
    let app = TestApp::spawn().await;
    let body = csat_body(new_id(), 5);
    let first = app.post_response(&body).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    let second = app.post_response(&body).await;
    assert_eq!(second.status(), 200);
    assert_eq!(second.json::<Value>().await.unwrap(), first);
    let summary = app.summary(SITE).await;
    assert_eq!(summary["csat"]["n"], 1, "{summary}");
    assert_eq!(summary["csat"]["distribution"], json!([0, 0, 0, 0, 1]));
}

#[tokio::test]
async fn a_post_from_an_origin_the_site_does_not_allow_is_403() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .post(format!("{}/v1/sites/{SITE}/responses", app.url))
        .header("origin", "https://evil.example")
        .json(&csat_body(new_id(), 4))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let (status, error) = error_of(r).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("origin_not_allowed"))
    );
    assert_eq!(app.summary(SITE).await["csat"]["n"], 0);
}

#[tokio::test]
async fn a_post_without_any_origin_is_403() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .post(format!("{}/v1/sites/{SITE}/responses", app.url))
        .json(&csat_body(new_id(), 4))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(r).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("origin_required"))
    );
}

#[tokio::test]
async fn an_allowed_origin_gets_cors_headers_and_a_preflight_answer() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/sites/{SITE}/responses", app.url),
        )
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert!(
        r.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("content-type")
    );
    let r = app.post_response(&csat_body(new_id(), 4)).await;
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_nothing_is_stored() {
    let app = TestApp::spawn_with(Options {
        max_body_bytes: Some(4096),
        ..Options::default()
    })
    .await;
    let mut body = csat_body(new_id(), 4);
    body["answers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"question": "comment", "value": "x".repeat(5000)}));
    let (status, error) = error_of(app.post_response(&body).await).await;
    assert_eq!((status, error["code"].as_str()), (413, Some("too_large")));
    assert!(error["message"].as_str().unwrap().contains("4096"));
    assert_eq!(app.summary(SITE).await["csat"]["n"], 0);
}

#[tokio::test]
async fn broken_json_is_400_with_a_message() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .post(format!("{}/v1/sites/{SITE}/responses", app.url))
        .header("origin", ORIGIN)
        .header("content-type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(r).await;
    assert_eq!((status, error["code"].as_str()), (400, Some("malformed")));
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn invalid_answers_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!([{"question": "csat", "value": 9}]),
            "answers[0].value",
            "out_of_range",
        ),
        (
            json!([{"question": "csat", "value": 4.5}]),
            "answers[0].value",
            "invalid",
        ),
        (
            json!([{"question": "csat", "value": "great"}]),
            "answers[0].value",
            "wrong_type",
        ),
        (
            json!([{"question": "mood", "value": 4}]),
            "answers[0].question",
            "unknown_question",
        ),
        (
            json!([{"question": "comment", "value": "no score"}]),
            "answers",
            "missing_required",
        ),
        (
            json!([{"question": "csat", "value": 4}, {"question": "comment", "value": "y".repeat(201)}]),
            "answers[1].value",
            "too_long",
        ),
    ];
    for (answers, field, code) in cases {
        let mut body = csat_body(new_id(), 4);
        body["answers"] = answers;
        let (status, error) = error_of(app.post_response(&body).await).await;
        assert_eq!(status, 422, "{error}");
        assert_eq!(error["field"], field, "{error}");
        assert_eq!(error["code"], code, "{error}");
    }
    assert_eq!(app.summary(SITE).await["csat"]["n"], 0);
}

#[tokio::test]
async fn a_missing_id_or_unknown_survey_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let mut body = csat_body(new_id(), 4);
    body.as_object_mut().unwrap().remove("id");
    let (status, error) = error_of(app.post_response(&body).await).await;
    assert_eq!((status, error["field"].as_str()), (422, Some("id")));

    let mut body = csat_body(new_id(), 4);
    body["survey_version"] = json!(7);
    let (status, error) = error_of(app.post_response(&body).await).await;
    assert_eq!(
        (status, error["field"].as_str(), error["code"].as_str()),
        (422, Some("survey"), Some("unknown_survey"))
    );
}

#[tokio::test]
async fn an_unknown_site_is_404() {
    let app = TestApp::spawn().await;
    for path in ["/v1/sites/nobody/config", "/v1/sites/Not%20A%20Key/config"] {
        let r = app
            .http
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        let (status, error) = error_of(r).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (404, Some("unknown_site")),
            "{path}"
        );
    }
    let r = app
        .http
        .post(format!("{}/v1/sites/nobody/responses", app.url))
        .header("origin", ORIGIN)
        .json(&csat_body(new_id(), 4))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn the_summary_needs_the_admin_token() {
    let app = TestApp::spawn().await;
    let url = format!("{}/v1/admin/sites/{SITE}/summary", app.url);
    let (status, error) = error_of(app.http.get(&url).send().await.unwrap()).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let wrong = app
        .http
        .get(&url)
        .bearer_auth("not-the-admin-token-at-all")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .http
        .get(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn the_summary_reports_csat_with_its_interval_and_sample_flag() {
    let app = TestApp::spawn().await;
    for score in [5, 4, 4, 3, 1] {
        assert_eq!(
            app.post_response(&csat_body(new_id(), score))
                .await
                .status(),
            200
        );
    }
    let summary = app.summary(SITE).await;
    let csat = &summary["csat"];
    assert_eq!(csat["n"], 5);
    assert_eq!(csat["score"], 60.0);
    assert_eq!(csat["low_sample"], true);
    assert_eq!(csat["distribution"], json!([1, 0, 1, 2, 1]));
    let (low, high) = (
        csat["ci95"]["low"].as_f64().unwrap(),
        csat["ci95"]["high"].as_f64().unwrap(),
    );
    assert!(
        (low - 23.07).abs() < 0.01 && (high - 88.24).abs() < 0.01,
        "{csat}"
    );
    assert_eq!(summary["surveys"][0]["survey"], "checkout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_responses_are_all_stored() {
    let app = TestApp::spawn().await;
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..60 {
        let request = app
            .http
            .post(format!("{}/v1/sites/{SITE}/responses", app.url))
            .header("origin", ORIGIN)
            .json(&csat_body(new_id(), 1 + i % 5));
        posts.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
    }
    let statuses: Vec<u16> = posts
        .join_all()
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(app.summary(SITE).await["csat"]["n"], 60);
}

#[tokio::test]
async fn a_beacon_sent_as_text_plain_is_accepted() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .post(format!("{}/v1/sites/{SITE}/responses", app.url))
        .header("origin", ORIGIN)
        .header("content-type", "text/plain;charset=UTF-8")
        .body(csat_body(new_id(), 4).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn past_the_rate_limit_a_client_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(Options {
        rate_limit_per_minute: Some(3),
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.post_response(&csat_body(new_id(), 4)).await.status(),
            200
        );
    }
    let r = app.post_response(&csat_body(new_id(), 4)).await;
    assert!(r.headers().contains_key("retry-after"));
    // The widget runs on another origin: it may read Retry-After only if exposed.
    assert_eq!(r.headers()["access-control-expose-headers"], "retry-after");
    let (status, error) = error_of(r).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (429, Some("rate_limited"))
    );
}

/// A browser whose copy of the config is current gets 304 and no body; one
/// that accepts brotli gets the config compressed, and it reads back the same.
#[tokio::test]
async fn the_config_has_an_etag_and_comes_compressed() {
    // The demo site's config, a few surveys long.
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let origin = app.url.clone();
    let url = format!("{}/v1/sites/demo/config", app.url);
    let get = |headers: Vec<(&'static str, String)>| {
        let mut request = app.http.get(&url).header("origin", origin.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move { request.send().await.unwrap() }
    };
    let plain = get(vec![]).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let json = plain.bytes().await.unwrap();
    assert!(
        json.len() > 1024,
        "the seeded config is over 1 KB: {}",
        json.len()
    );

    let again = get(vec![("if-none-match", etag.clone())]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(
        again.headers()["access-control-allow-origin"],
        origin.as_str()
    );
    assert!(again.bytes().await.unwrap().is_empty());
    let stale = get(vec![("if-none-match", "W/\"0123\"".into())]).await;
    assert_eq!(stale.status(), 200);

    let compressed = get(vec![("accept-encoding", "br".into())]).await;
    assert_eq!(compressed.headers()["content-encoding"], "br");
    let body = compressed.bytes().await.unwrap();
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut &body[..], &mut unpacked).unwrap();
    assert_eq!(unpacked, json);
    assert!(
        body.len() < json.len() / 2,
        "{} of {}",
        body.len(),
        json.len()
    );

    // A survey changed: a new tag.
    let mut survey = serde_json::to_value(sori_tests::app::checkout_survey()).unwrap();
    survey["name"] = "Checkout, renamed".into();
    app.add_live_survey("demo", survey).await;
    let changed = get(vec![("if-none-match", etag.clone())]).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn the_config_lists_active_surveys_for_allowed_origins_only() {
    let app = TestApp::spawn().await;
    let url = format!("{}/v1/sites/{SITE}/config", app.url);
    let r = app
        .http
        .get(&url)
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let config: Value = r.json().await.unwrap();
    assert_eq!(config["surveys"][0]["id"], "checkout");
    assert_eq!(config["surveys"][0]["questions"][0]["kind"], "csat");
    let r = app
        .http
        .get(&url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn the_loader_and_hashed_assets_are_precompressed_and_cached() {
    let app = TestApp::spawn().await;
    let loader = app
        .http
        .get(format!("{}/widget.js", app.url))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        loader.status(),
        200,
        "is the widget built? run cargo xtask build"
    );
    assert_eq!(loader.headers()["content-encoding"], "br");
    assert!(
        loader.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=300")
    );
    assert_eq!(loader.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        loader.headers()["cross-origin-resource-policy"],
        "cross-origin"
    );
    let etag = loader.headers()["etag"].clone();

    let plain = app
        .http
        .get(format!("{}/widget.js", app.url))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let text = plain.text().await.unwrap();
    let wasm = text
        .split("assets/")
        .nth(2)
        .and_then(|s| s.split('\'').next())
        .expect("the loader names the wasm");
    let asset = app
        .http
        .get(format!("{}/assets/{wasm}", app.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert_eq!(asset.headers()["content-type"], "application/wasm");
    assert_eq!(asset.headers()["content-encoding"], "gzip");
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );

    let again = app
        .http
        .get(format!("{}/widget.js", app.url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ok");
}

/// What the framework answers by itself has the same `{"error": …}` shape
/// as every other refusal: an unknown path, and a known one with a method
/// it does not take.
#[tokio::test]
async fn framework_refusals_have_the_error_shape() {
    let app = TestApp::spawn().await;
    for (method, path, status, code) in [
        (
            reqwest::Method::DELETE,
            format!("/v1/sites/{SITE}/config"),
            405,
            "method_not_allowed",
        ),
        (
            reqwest::Method::GET,
            format!("/v1/sites/{SITE}/responses"),
            405,
            "method_not_allowed",
        ),
        (
            reqwest::Method::GET,
            "/v1/nothing-here".to_owned(),
            404,
            "not_found",
        ),
    ] {
        let r = app
            .http
            .request(method.clone(), format!("{}{path}", app.url))
            .header("origin", ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{method} {path}: {body}");
    }
    app.stop().await;
}

/// The demo page is allowed on the demo site because this collector serves
/// it, not because its address is stored in the site: a `PUT` of the site
/// as `demo/seed.json` has it (no origins) leaves the demo working, and
/// reading the site back shows exactly what was put.
#[tokio::test]
async fn putting_the_demo_site_from_its_seed_keeps_the_demo_page_allowed() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let page_origin = app.url.replace("127.0.0.1", "localhost");
    let config = |origin: String| {
        let (http, url) = (
            app.http.clone(),
            format!("{}/v1/sites/demo/config", app.url),
        );
        async move {
            http.get(url)
                .header("origin", origin)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(config(page_origin.clone()).await, 200);
    let seed: Value = serde_json::from_str(
        &std::fs::read_to_string(sori_tests::app::demo_dir().join("seed.json")).unwrap(),
    )
    .unwrap();
    let r = app
        .admin(
            reqwest::Method::PUT,
            "/v1/admin/sites/demo",
            Some(seed["site"].clone()),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        config(page_origin).await,
        200,
        "the PUT cut the demo page off"
    );
    assert_eq!(config("https://elsewhere.example".to_owned()).await, 403);
    let site: Value = app
        .admin(reqwest::Method::GET, "/v1/admin/sites/demo", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(site["allowed_origins"], seed["site"]["allowed_origins"]);
    app.stop().await;
}

/// `sori-collector backup` while responses keep arriving: the copy opens,
/// passes SQLite's integrity check, and its rollup matches its rows (one
/// snapshot, not a file copied mid-write).
#[tokio::test]
async fn a_backup_taken_under_load_is_consistent() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = TestApp::spawn().await;
    let copy = app.dir.path().join("backup.db");
    let done = AtomicBool::new(false);
    let writer = |first: i64| {
        let (app, done) = (&app, &done);
        async move {
            let mut posted = 0u64;
            while !done.load(Ordering::Relaxed) {
                let r = app.post_response(&csat_body(new_id(), first % 5 + 1)).await;
                assert_eq!(r.status(), 200);
                posted += 1;
            }
            posted
        }
    };
    let backup = async {
        // Some responses first, then the copy while writes go on.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let bytes = sori_collector::store::backup(&app.database_url, &copy)
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        done.store(true, Ordering::Relaxed);
        bytes
    };
    let (bytes, a, b, c) = tokio::join!(backup, writer(0), writer(1), writer(2));
    assert!(bytes > 0);
    let copy_url = format!("sqlite://{}", copy.display());
    let pool = sqlx::SqlitePool::connect(&copy_url).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let in_copy: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM responses")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    let posted = a + b + c;
    assert!(
        in_copy > 0 && (in_copy as u64) < posted,
        "the copy holds {in_copy} of {posted}: a moment in the middle"
    );
    let store = sori_collector::store::connect(&copy_url).await.unwrap();
    assert!(store.check_rollup(false).await.unwrap().is_clean());
    // Never over an existing file, and not for PostgreSQL.
    let again = sori_collector::store::backup(&app.database_url, &copy).await;
    assert!(again.unwrap_err().to_string().contains("exists"));
    let postgres = sori_collector::store::backup("postgres://db.internal/sori", &copy).await;
    assert!(postgres.unwrap_err().to_string().contains("pg_dump"));
}

/// `/metrics` is served on its own address only, as Prometheus text, and
/// counts what happened: a stored response, the requests by route and
/// status, a refusal for too many requests, the writer's batches.
#[tokio::test]
async fn metrics_are_prometheus_text_on_their_own_address() {
    let app = TestApp::spawn_with(Options {
        metrics: true,
        rate_limit_per_minute: Some(2),
        ..Options::default()
    })
    .await;
    let metrics_url = app.metrics_url.clone().unwrap();
    let public = app
        .http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404, "not on the public address");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            app.post_response(&csat_body(new_id(), 5))
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 429]);
    let text = app
        .http
        .get(&metrics_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Every line is a comment or `name{labels} value`.
    let mut samples: Vec<(String, f64)> = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("not a sample: {line}"));
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "a bad metric name: {line}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "unclosed labels: {line}");
        }
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        samples.push((series.to_owned(), value));
    }
    let value = |series: &str| {
        samples
            .iter()
            .find(|(s, _)| s == series)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    assert_eq!(value(r#"sori_responses_stored_total{outcome="new"}"#), 2.0);
    assert_eq!(
        value(r#"sori_http_requests_total{route="/v1/sites/{key}/responses",status="200"}"#),
        2.0
    );
    assert_eq!(
        value(r#"sori_http_requests_total{route="/v1/sites/{key}/responses",status="429"}"#),
        1.0
    );
    assert_eq!(value("sori_rate_limited_total"), 1.0);
    assert!(value("sori_ingest_batch_size_count") >= 1.0);
    assert!(value("sori_ingest_commit_seconds_count") >= 1.0);
    assert!(
        text.contains("# TYPE sori_ingest_commit_seconds histogram"),
        "{text}"
    );
    assert!(text.contains("sori_ingest_queue_depth"), "{text}");
}
