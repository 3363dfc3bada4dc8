//! Trends and comparisons over HTTP, from responses stored at known times
//! on a site in Asia/Seoul (UTC+9), so days fall where Seoul's days fall.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use reqwest::Method;
use serde_json::Value;
use sori_collector::store::{self, NewResponse};
use sori_protocol::Slug;
use sori_tests::app::{Backend, Options, SITE, TestApp, csat_response};
use time::OffsetDateTime;
use time::macros::datetime;

/// Stores CSAT answers of the seeded `checkout` survey at the given instants.
async fn store_csat(app: &TestApp, answers: &[(OffsetDateTime, u8)]) {
    let store = store::connect(&app.database_url).await.unwrap();
    let batch: Vec<NewResponse> = answers
        .iter()
        .map(|&(at, score)| NewResponse {
            site: Slug::parse(SITE).unwrap(),
            received_at: at,
            response: csat_response("checkout", 1, score),
        })
        .collect();
    store.insert_responses(&batch).await.unwrap();
}

async fn get(app: &TestApp, path_and_query: &str) -> (u16, Value) {
    let r = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/{path_and_query}"),
            None,
        )
        .await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// Each figure of `list` as (its `key`, n, score).
fn figures(v: &Value, list: &str, key: &str) -> Vec<(String, u64, Value)> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {v}"))
        .iter()
        .map(|f| {
            (
                f[key].as_str().unwrap().to_owned(),
                f["n"].as_u64().unwrap(),
                f["score"].clone(),
            )
        })
        .collect()
}

async fn a_trend_counts_each_answer_in_its_day_in_the_sites_time_zone(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    store_csat(
        &app,
        &[
            (datetime!(2026-11-02 14:30 UTC), 5), // 23:30 on 2 November in Seoul
            (datetime!(2026-11-02 15:30 UTC), 1), // 00:30 on 3 November in Seoul
            (datetime!(2026-11-03 03:00 UTC), 4), // noon on 3 November
        ],
    )
    .await;
    let (status, trend) = get(&app, "trend?scale=csat&from=2026-11-02&to=2026-11-04").await;
    assert_eq!(status, 200, "{trend}");
    assert_eq!(trend["time_zone"], "Asia/Seoul");
    let points = figures(&trend, "points", "date");
    assert_eq!(
        points,
        [
            ("2026-11-02".to_owned(), 1, Value::from(100.0)),
            ("2026-11-03".to_owned(), 2, Value::from(50.0)),
            ("2026-11-04".to_owned(), 0, Value::Null),
        ]
    );
    assert_eq!(trend["points"][0]["start"], "2026-11-01T15:00:00Z");
    assert_eq!(
        trend["points"][1]["distribution"],
        serde_json::json!([1, 0, 0, 1, 0])
    );
    assert_eq!(trend["points"][1]["low_sample"], true);
    assert!(trend["points"][1]["ci95"]["low"].as_f64().unwrap() < 50.0);

    // Monday 2 November starts a week: all three in it.
    let (_, weekly) = get(
        &app,
        "trend?scale=csat&granularity=week&from=2026-11-02&to=2026-11-08",
    )
    .await;
    assert_eq!(weekly["points"].as_array().unwrap().len(), 1);
    assert_eq!(weekly["points"][0]["n"], 3);

    for (query, status, field) in [
        ("trend?scale=rating", 422, "question"),
        ("trend?scale=stars", 422, "scale"),
        (
            "trend?scale=csat&from=2026-11-05&to=2026-11-01",
            422,
            "from",
        ),
        (
            "trend?scale=csat&from=2020-01-01&to=2026-11-01",
            422,
            "from",
        ),
        ("trend?scale=csat&from=2026-13-01", 422, "from"),
    ] {
        let (got, body) = get(&app, query).await;
        assert_eq!(
            (got, body["error"]["field"].as_str()),
            (status, Some(field)),
            "{query}: {body}"
        );
    }
    let (got, _) = get(&app, "trend?scale=csat&colour=red").await;
    assert_eq!(got, 400);
}

async fn a_comparison_of_two_periods_says_when_the_difference_is_significant(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    // 1–7 November: 40 satisfied of 50. 8–14 November: 20 of 50.
    let mut answers = Vec::new();
    for i in 0..50u8 {
        let first = datetime!(2026-11-02 03:00 UTC) + time::Duration::hours(i64::from(i));
        let second = datetime!(2026-11-09 03:00 UTC) + time::Duration::hours(i64::from(i));
        answers.push((first, if i < 40 { 5 } else { 2 }));
        answers.push((second, if i < 20 { 4 } else { 1 }));
    }
    store_csat(&app, &answers).await;
    let (status, c) = get(
        &app,
        "compare?scale=csat&from=2026-11-08&to=2026-11-14&b_from=2026-11-01&b_to=2026-11-07",
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        (c["a"]["n"].as_u64(), c["b"]["n"].as_u64()),
        (Some(50), Some(50))
    );
    assert_eq!(c["a"]["score"], 40.0);
    assert_eq!(c["b"]["score"], 80.0);
    assert_eq!(c["difference"]["difference"], -40.0);
    assert_eq!(c["difference"]["significant"], true, "{c}");
    assert!(c["difference"]["ci95"]["high"].as_f64().unwrap() < 0.0);
    // Without `b`, the same number of days just before `a`.
    let (_, same) = get(&app, "compare?scale=csat&from=2026-11-08&to=2026-11-14").await;
    assert_eq!(same["b"]["from"], "2026-11-01");
    assert_eq!(same["b"]["to"], "2026-11-07");
    assert_eq!(same["difference"]["difference"], -40.0);

    // A few answers: the same shares, not significant.
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    store_csat(
        &app,
        &[
            (datetime!(2026-11-03 03:00 UTC), 5),
            (datetime!(2026-11-03 04:00 UTC), 1),
            (datetime!(2026-11-10 03:00 UTC), 5),
            (datetime!(2026-11-10 04:00 UTC), 5),
        ],
    )
    .await;
    let (_, small) = get(&app, "compare?scale=csat&from=2026-11-08&to=2026-11-14").await;
    assert_eq!(small["difference"]["difference"], 50.0);
    assert_eq!(small["difference"]["significant"], false, "{small}");
    assert_eq!(small["difference"]["low_sample"], true);
}

/// Reads the event stream until an event of `kind` arrives; its data.
async fn next_event(stream: &mut reqwest::Response, kind: &str, seen: &mut String) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(at) = seen.find(&format!("event: {kind}\n")) {
            let rest = &seen[at..];
            if let Some(end) = rest.find("\n\n") {
                let block = rest[..end].to_owned();
                seen.replace_range(..at + end + 2, "");
                let data = block
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .unwrap();
                return serde_json::from_str(data).unwrap();
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no '{kind}' event; the stream said {seen:?}"
        );
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk())
            .await
            .expect("the stream went quiet")
            .unwrap()
            .expect("the stream ended");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// A response posted while a dashboard listens is announced on its site's
/// stream, after it is stored; another site's listener hears nothing of it.
async fn a_stored_response_is_announced_to_its_sites_listeners(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    let open = |site: &str| {
        app.http
            .get(format!("{}/v1/admin/sites/{site}/events", app.url))
            .bearer_auth(sori_tests::app::ADMIN_TOKEN)
            .send()
    };
    let mut stream = open(SITE).await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let id = sori_tests::app::new_id();
    let r = app.post_response(&sori_tests::app::csat_body(id, 5)).await;
    assert_eq!(r.status(), 200);
    let mut seen = String::new();
    let event = next_event(&mut stream, "response", &mut seen).await;
    assert_eq!(
        event,
        serde_json::json!({"id": id, "survey": "checkout", "finished": true, "new": true})
    );
    assert!(
        app.stored(id).await.is_some(),
        "announced before it was stored"
    );
    // A retry of the same save is not news.
    assert_eq!(
        app.post_response(&sori_tests::app::csat_body(id, 5))
            .await
            .status(),
        200
    );
    let other = sori_tests::app::new_id();
    app.post_response(&sori_tests::app::csat_body(other, 3))
        .await;
    let event = next_event(&mut stream, "response", &mut seen).await;
    assert_eq!(
        event["id"],
        serde_json::json!(other),
        "the retry was announced"
    );

    let refused = app
        .http
        .get(format!("{}/v1/admin/sites/{SITE}/events", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

/// The demo's made-up history tells its story through the same API: all
/// of it valid, satisfaction rising, and the demo owner can sign in.
async fn the_demo_history_shows_satisfaction_rising(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        demo: true,
        demo_history_days: 28,
        ..Default::default()
    })
    .await;
    let (email, password) = sori_collector::demo::DEMO_OWNER;
    let login = app
        .http
        .post(format!("{}/v1/auth/login", app.url))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    // A long period is one sum, not a day at a time: years compare.
    let r = app
        .admin(
            Method::GET,
            "/v1/admin/sites/demo/compare?scale=csat&from=2026-01-01&to=2027-12-31&b_from=2020-01-01&b_to=2021-12-31",
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    let years: Value = r.json().await.unwrap();
    assert!(years["a"]["n"].as_u64().unwrap() > 2000, "{years}");
    assert_eq!(years["b"]["n"], 0);
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap())
        .date();
    let (from, to) = (today - time::Duration::days(13), today);
    let r = app
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/demo/compare?scale=csat&from={from}&to={to}"),
            None,
        )
        .await;
    let c: Value = r.json().await.unwrap();
    let (a, b) = (c["a"]["n"].as_u64().unwrap(), c["b"]["n"].as_u64().unwrap());
    assert!(a > 1000 && b > 1000, "{c}");
    assert!(
        c["difference"]["difference"].as_f64().unwrap() > 0.0,
        "the last two weeks are not better: {c}"
    );
    // Readers of the help center: views, votes, and what was missing.
    let help: Value = app
        .admin(Method::GET, "/v1/admin/sites/demo/faq/insights", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(help["views"].as_u64().unwrap() > 100, "{help}");
    assert!(help["helpful"]["n"].as_u64().unwrap() > 30, "{help}");
    assert!(!help["missing"].as_array().unwrap().is_empty(), "{help}");
    assert!(
        !help["top_unanswered"].as_array().unwrap().is_empty(),
        "{help}"
    );
    // People on phones are clearly less satisfied than on desktops.
    let devices: Value = app
        .admin(
            Method::GET,
            "/v1/admin/sites/demo/compare?scale=csat&device=mobile&b_device=desktop",
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        devices["difference"]["difference"].as_f64().unwrap() < -5.0
            && devices["difference"]["significant"] == true,
        "{devices}"
    );
    let page: Value = app
        .admin(
            Method::GET,
            "/v1/admin/sites/demo/responses?locale=ko&q=%EC%9A%94",
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !page["responses"].as_array().unwrap().is_empty(),
        "no Korean comments: {page}"
    );
}

/// Stores CSAT answers with their language and device.
async fn store_segmented(app: &TestApp, answers: &[(&str, &str, u8, usize)]) {
    let store = store::connect(&app.database_url).await.unwrap();
    let mut batch = Vec::new();
    for &(locale, device, score, times) in answers {
        for _ in 0..times {
            let mut response = csat_response("checkout", 1, score);
            response.locale = sori_protocol::Locale::from_code(locale).unwrap();
            response.device = sori_protocol::DeviceClass::from_name(device).unwrap();
            batch.push(NewResponse {
                site: Slug::parse(SITE).unwrap(),
                received_at: datetime!(2026-11-10 03:00 UTC),
                response,
            });
        }
    }
    store.insert_responses(&batch).await.unwrap();
}

/// Breakdowns and comparisons by language and device read the rollup:
/// phones less satisfied than desktops by a clear margin; Korean and
/// English speakers alike.
async fn breakdowns_and_comparisons_by_language_and_device(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    store_segmented(
        &app,
        &[
            // desktop: 40 of 50 satisfied; mobile: 20 of 50. In each
            // language half of each device's answers.
            ("en", "desktop", 5, 20),
            ("ko", "desktop", 5, 20),
            ("en", "desktop", 2, 5),
            ("ko", "desktop", 2, 5),
            ("en", "mobile", 4, 10),
            ("ko", "mobile", 4, 10),
            ("en", "mobile", 1, 15),
            ("ko", "mobile", 1, 15),
        ],
    )
    .await;
    let range = "from=2026-11-01&to=2026-11-30";
    let (status, by_device) = get(&app, &format!("breakdown?scale=csat&by=device&{range}")).await;
    assert_eq!(status, 200, "{by_device}");
    let segments = figures(&by_device, "segments", "segment");
    assert_eq!(
        segments,
        [
            ("desktop".to_owned(), 50, Value::from(80.0)),
            ("mobile".to_owned(), 50, Value::from(40.0)),
        ]
    );
    let (_, by_locale) = get(&app, &format!("breakdown?scale=csat&by=locale&{range}")).await;
    let scores: Vec<&Value> = by_locale["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["score"])
        .collect();
    assert_eq!(scores, [&Value::from(60.0), &Value::from(60.0)]);
    let (_, mobile_only) = get(
        &app,
        &format!("breakdown?scale=csat&by=locale&device=mobile&{range}"),
    )
    .await;
    assert_eq!(mobile_only["segments"][0]["n"], 25);

    let (_, devices) = get(
        &app,
        &format!("compare?scale=csat&device=mobile&b_device=desktop&{range}"),
    )
    .await;
    assert_eq!(devices["a"]["device"], "mobile");
    assert_eq!(devices["b"]["device"], "desktop");
    assert_eq!(
        devices["b"]["from"], "2026-11-01",
        "another slice: the same days"
    );
    assert_eq!(devices["difference"]["difference"], -40.0);
    assert_eq!(devices["difference"]["significant"], true, "{devices}");
    let (_, languages) = get(
        &app,
        &format!("compare?scale=csat&locale=ko&b_locale=en&{range}"),
    )
    .await;
    assert_eq!(languages["difference"]["difference"], 0.0);
    assert_eq!(languages["difference"]["significant"], false, "{languages}");

    // The same tables as CSV, for a spreadsheet.
    for (query, first, rows) in [
        (
            format!("breakdown?scale=csat&by=device&format=csv&{range}"),
            "device",
            2,
        ),
        (format!("trend?scale=csat&format=csv&{range}"), "date", 30),
    ] {
        let r = app
            .admin(
                Method::GET,
                &format!("/v1/admin/sites/{SITE}/{query}"),
                None,
            )
            .await;
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
            [first, "n", "score", "ci95_low", "ci95_high", "low_sample"]
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), rows, "{query}");
        if first == "device" {
            assert_eq!(
                (&records[1][0], &records[1][1], &records[1][2]),
                ("mobile", "50", "40.00")
            );
        }
    }
    let (status, bad) = get(&app, "breakdown?scale=csat&by=shoe_size").await;
    assert_eq!(status, 400, "{bad}");
    let (status, bad) = get(&app, "compare?scale=csat&b_device=fridge").await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("b_device"))
    );
}

/// Page paths and `identify` attributes can take any number of values, so
/// a breakdown by them reads the responses themselves: each answer counts
/// under its page, or its attribute's value; answers without the attribute
/// are not counted, nor those outside the days asked for.
async fn breakdowns_by_page_and_attribute_read_the_responses(backend: Backend) {
    let app = TestApp::spawn_with(Options {
        backend,
        ..Options::default()
    })
    .await;
    let store = store::connect(&app.database_url).await.unwrap();
    let mut batch = Vec::new();
    for (page, plan, score, times, at) in [
        (
            "/checkout",
            Some("pro"),
            5,
            6,
            datetime!(2026-11-10 03:00 UTC),
        ),
        (
            "/checkout",
            Some("free"),
            1,
            2,
            datetime!(2026-11-10 03:00 UTC),
        ),
        (
            "/pricing",
            Some("free"),
            2,
            3,
            datetime!(2026-11-11 03:00 UTC),
        ),
        ("/pricing", None, 4, 1, datetime!(2026-11-11 03:00 UTC)),
        // 23:30 on 30 November in Seoul, then 00:30 on 1 December.
        ("/late", Some("pro"), 5, 1, datetime!(2026-11-30 14:30 UTC)),
        ("/late", Some("pro"), 5, 1, datetime!(2026-11-30 15:30 UTC)),
    ] {
        for _ in 0..times {
            let mut response = csat_response("checkout", 1, score);
            response.page_path = page.into();
            if let Some(plan) = plan {
                response.attributes.insert("plan".into(), plan.into());
            }
            batch.push(NewResponse {
                site: Slug::parse(SITE).unwrap(),
                received_at: at,
                response,
            });
        }
    }
    store.insert_responses(&batch).await.unwrap();
    let range = "from=2026-11-01&to=2026-11-30";
    let rows = |v: &Value| -> Vec<(String, u64, f64)> {
        figures(v, "segments", "segment")
            .into_iter()
            .map(|(segment, n, score)| (segment, n, score.as_f64().unwrap()))
            .collect()
    };
    let (status, by_page) = get(&app, &format!("breakdown?scale=csat&by=page&{range}")).await;
    assert_eq!(status, 200, "{by_page}");
    assert_eq!(
        rows(&by_page),
        [
            ("/checkout".to_owned(), 8, 75.0),
            ("/pricing".to_owned(), 4, 25.0),
            ("/late".to_owned(), 1, 100.0),
        ]
    );
    assert_eq!(by_page["other_segments"], 0);
    let (status, by_plan) = get(
        &app,
        &format!("breakdown?scale=csat&by=attribute&attribute=plan&{range}"),
    )
    .await;
    assert_eq!(status, 200, "{by_plan}");
    assert_eq!(by_plan["attribute"], "plan");
    assert_eq!(
        rows(&by_plan),
        [("pro".to_owned(), 7, 100.0), ("free".to_owned(), 5, 0.0)]
    );
    // Narrowed like any breakdown; NPS answers there are none of.
    let (_, checkout_plans) = get(
        &app,
        "breakdown?scale=csat&by=attribute&attribute=plan&survey=checkout\
         &from=2026-11-11&to=2026-11-11",
    )
    .await;
    assert_eq!(rows(&checkout_plans), [("free".to_owned(), 3, 0.0)]);
    let (_, nps) = get(&app, &format!("breakdown?scale=nps&by=page&{range}")).await;
    assert_eq!(rows(&nps), []);
    let (status, bad) = get(&app, &format!("breakdown?scale=csat&by=attribute&{range}")).await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("attribute"))
    );
    // A slice by page or attribute, in a trend, a breakdown by a dimension
    // of the rollup and a comparison, is counted from the responses too.
    let (status, checkout) = get(
        &app,
        "trend?scale=csat&page=/checkout&from=2026-11-09&to=2026-11-11",
    )
    .await;
    assert_eq!(status, 200, "{checkout}");
    let days: Vec<(String, u64)> = figures(&checkout, "points", "date")
        .into_iter()
        .map(|(date, n, _)| (date, n))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-09".to_owned(), 0),
            ("2026-11-10".to_owned(), 8),
            ("2026-11-11".to_owned(), 0)
        ]
    );
    let (_, late_days) = get(
        &app,
        "trend?scale=csat&page=/l*&from=2026-11-30&to=2026-12-01",
    )
    .await;
    assert_eq!(
        figures(&late_days, "points", "date")
            .into_iter()
            .map(|(_, n, _)| n)
            .collect::<Vec<_>>(),
        [1, 1],
        "a page prefix, and each answer in its Seoul day"
    );
    let (_, pro_surveys) = get(
        &app,
        &format!("breakdown?scale=csat&by=survey&attr.plan=pro&{range}"),
    )
    .await;
    assert_eq!(rows(&pro_surveys), [("checkout".to_owned(), 7, 100.0)]);
    let (status, plans) = get(
        &app,
        &format!("compare?scale=csat&attr.plan=pro&b_attr.plan=free&{range}"),
    )
    .await;
    assert_eq!(status, 200, "{plans}");
    assert_eq!(plans["a"]["attributes"]["plan"], "pro");
    assert_eq!(plans["b"]["attributes"]["plan"], "free");
    assert_eq!(
        (plans["a"]["n"].as_u64(), plans["b"]["n"].as_u64()),
        (Some(7), Some(5))
    );
    assert_eq!(plans["difference"]["difference"], 100.0);
    assert_eq!(plans["difference"]["significant"], true, "{plans}");
    let (status, pages) = get(
        &app,
        &format!("compare?scale=csat&page=/checkout&b_page=/pricing&{range}"),
    )
    .await;
    assert_eq!(status, 200, "{pages}");
    assert_eq!(pages["difference"]["difference"], 50.0);
    let (status, bad) = get(&app, &format!("trend?scale=csat&plan=pro&{range}")).await;
    assert_eq!(status, 400, "an unknown parameter: {bad}");
    assert!(
        bad["error"]["message"].as_str().unwrap().contains("'plan'"),
        "{bad}"
    );
    let (status, bad) = get(&app, &format!("trend?scale=csat&b_attr.plan=pro&{range}")).await;
    assert_eq!(status, 400, "b_ is for comparisons: {bad}");
    let (status, bad) = get(
        &app,
        "breakdown?scale=csat&by=page&from=2024-01-01&to=2026-11-30",
    )
    .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("from")),
        "{bad}"
    );
}

sori_tests::on_each_backend!(
    a_trend_counts_each_answer_in_its_day_in_the_sites_time_zone,
    a_comparison_of_two_periods_says_when_the_difference_is_significant,
    a_stored_response_is_announced_to_its_sites_listeners,
    the_demo_history_shows_satisfaction_rising,
    breakdowns_and_comparisons_by_language_and_device,
    breakdowns_by_page_and_attribute_read_the_responses,
);
