//! The collector on PostgreSQL, over HTTP: what a team running many
//! collectors against one database gets.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use reqwest::Method;
use serde_json::json;
use sori_tests::app::{Options, SITE, TestApp, csat_body, new_id};
use sori_tests::postgres::Schema;

/// Two collectors on one fresh PostgreSQL schema.
async fn collectors_on_one_schema() -> (Schema, [TestApp; 2]) {
    let schema = Schema::create().await;
    let options = || Options {
        database_url: Some(schema.url()),
        ..Options::default()
    };
    let apps = [
        TestApp::spawn_with(options()).await,
        TestApp::spawn_with(options()).await,
    ];
    (schema, apps)
}

#[tokio::test]
async fn two_collectors_on_one_postgres_share_responses_and_help_articles() {
    let (schema, [first, second]) = collectors_on_one_schema().await;

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
        .admin(
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/faq/stats"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["searches"], 1, "{stats}");

    first.stop().await;
    second.stop().await;
    schema.drop().await;
}

/// Two collectors take turns saving the same responses, as a load balancer
/// may send one browser's saves to either. Each write is guarded against
/// the other collector's, so the newest save wins and the rollup counts
/// each response once.
#[tokio::test]
async fn saves_of_one_response_racing_through_two_collectors_keep_the_rollup_exact() {
    const RESPONSES: usize = 40;
    const SAVES: u32 = 12;
    let (schema, apps) = collectors_on_one_schema().await;
    let ids: Vec<_> = (0..RESPONSES).map(|_| new_id()).collect();
    let save = |id, seq: u32| {
        let mut body = csat_body(id, i64::from(seq % 5 + 1));
        body["seq"] = json!(seq);
        body["finished"] = json!(seq == SAVES);
        body
    };
    // Odd saves through one collector, even ones through the other, all at once.
    let sends = apps.iter().enumerate().flat_map(|(parity, app)| {
        ids.iter().flat_map(move |id| {
            (1..=SAVES)
                .filter(move |seq| *seq as usize % 2 == parity)
                .map(move |seq| (app, *id, seq))
        })
    });
    let answers = futures_util::future::join_all(
        sends.map(|(app, id, seq)| async move { app.post_response(&save(id, seq)).await.status() }),
    )
    .await;
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    for id in &ids {
        let stored = apps[0].stored(*id).await.unwrap();
        assert_eq!((stored.seq, stored.finished), (SAVES, true));
    }
    let summary = apps[0].summary(SITE).await;
    assert_eq!(summary["csat"]["n"], RESPONSES, "{summary}");
    let last = (SAVES % 5) as usize;
    assert_eq!(
        summary["csat"]["distribution"][last], RESPONSES,
        "{summary}"
    );
    apps[0].assert_rollup_matches_rows().await;
    for app in apps {
        app.stop().await;
    }
    schema.drop().await;
}

/// Each collector keeps sites, survey versions and configs in memory. An
/// edit through one collector reaches the other: a new survey version at
/// once (it is not kept yet, so it is read), a changed site or a paused
/// survey within a second (when the other sees the catalog version move).
#[tokio::test]
async fn an_edit_through_one_collector_reaches_the_others_memory() {
    let (schema, [first, second]) = collectors_on_one_schema().await;
    let config = |origin: &'static str| {
        let request = second
            .http
            .get(format!("{}/v1/sites/{SITE}/config", second.url))
            .header("origin", origin);
        async move { request.send().await.unwrap() }
    };
    // The second collector now keeps the site, version 1 and the config.
    assert_eq!(
        second.post_response(&csat_body(new_id(), 4)).await.status(),
        200
    );
    let before = config(sori_tests::app::ORIGIN).await;
    assert_eq!(before.status(), 200);
    let etag = before.headers()["etag"].to_str().unwrap().to_owned();

    // A new version, answered through the other collector at once.
    let mut survey = serde_json::to_value(sori_tests::app::checkout_survey()).unwrap();
    survey["questions"][0]["prompt"]["en"] = json!("How satisfied are you today?");
    let updated = first
        .admin(
            Method::PUT,
            &format!("/v1/admin/sites/{SITE}/surveys/checkout"),
            Some(survey),
        )
        .await;
    assert_eq!(updated.status(), 200, "{}", updated.text().await.unwrap());
    let mut body = csat_body(new_id(), 5);
    body["survey_version"] = json!(2);
    let r = second.post_response(&body).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // The site now allows another origin only; the config follows.
    let site = first
        .admin(
            Method::PUT,
            &format!("/v1/admin/sites/{SITE}"),
            Some(json!({
                "key": SITE, "name": "Acme", "allowed_origins": ["https://new.acme.test"],
                "default_locale": "en", "time_zone": "Asia/Seoul",
                "fatigue": {"cooldown_hours": 24, "session_cap": 1}
            })),
        )
        .await;
    assert_eq!(site.status(), 200, "{}", site.text().await.unwrap());
    let started = std::time::Instant::now();
    loop {
        let (old, new) = (
            config(sori_tests::app::ORIGIN).await.status(),
            config("https://new.acme.test").await,
        );
        if old == 403 && new.status() == 200 {
            assert_ne!(new.headers()["etag"].to_str().unwrap(), etag);
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "the second collector still serves the old site: {old}, {}",
            new.status()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1500),
        "seen after {:?}",
        started.elapsed()
    );
    first.stop().await;
    second.stop().await;
    schema.drop().await;
}

/// `sori-collector migrate` moves a SQLite database with every kind of row
/// (the demo's sites, surveys, responses, articles, votes and searches; a
/// user, a role, a session and a token) into PostgreSQL: every table's
/// rows arrive, the rollup sums to the same scores, a response and the
/// users read back the same, and running it again changes nothing.
#[tokio::test]
async fn a_sqlite_database_migrates_to_postgres_and_again() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        demo_history_days: 3,
        ..Options::default()
    })
    .await;
    let (email, password) = sori_collector::demo::DEMO_OWNER;
    let login = app
        .http
        .post(format!("{}/v1/auth/login", app.url))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = app
        .http
        .post(format!("{}/v1/admin/tokens", app.url))
        .header("cookie", cookie)
        .header("origin", app.url.clone())
        .json(&json!({"name": "script"}))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 201);
    let from = app.database_url.clone();
    let schema = Schema::create().await;
    let to = schema.url();

    let first = sori_collector::migrate::sqlite_to_postgres(&from, &to, false)
        .await
        .unwrap();
    for copied in &first {
        assert_eq!(copied.source, copied.target, "{copied:?}");
    }
    let nonempty: Vec<&str> = first
        .iter()
        .filter(|c| c.source > 0)
        .map(|c| c.table)
        .collect();
    assert_eq!(
        nonempty,
        sori_collector::migrate::TABLES,
        "every kind of row is in the test"
    );
    let sqlite = sori_collector::store::connect(&from).await.unwrap();
    let postgres = sori_collector::store::connect(&to).await.unwrap();
    let demo = sori_protocol::Slug::parse("demo").unwrap();
    assert_eq!(
        sqlite.score_counts(&demo, None).await.unwrap(),
        postgres.score_counts(&demo, None).await.unwrap()
    );
    assert!(postgres.check_rollup(false).await.unwrap().is_clean());
    let page = |store: std::sync::Arc<dyn sori_collector::store::Store>| {
        let demo = demo.clone();
        async move {
            store
                .responses_page(&sori_collector::store::ResponseQuery::newest(demo, 20))
                .await
                .unwrap()
                .into_iter()
                .map(|l| {
                    let at = sori_collector::store::Stamp::parse(&l.response.received_at).unwrap();
                    // PostgreSQL keeps microseconds, rounded.
                    let micros = (at.0.unix_timestamp_nanos() + 500) / 1000;
                    (l.id, l.response.answers, micros)
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(sqlite.clone()).await, page(postgres.clone()).await);
    let emails = |users: Vec<sori_collector::store::User>| {
        users
            .into_iter()
            .map(|u| (u.email, u.owner))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        emails(sqlite.users().await.unwrap()),
        emails(postgres.users().await.unwrap())
    );

    let again = sori_collector::migrate::sqlite_to_postgres(&from, &to, false)
        .await
        .unwrap();
    assert_eq!(again, first, "a second run adds nothing");
    assert!(postgres.check_rollup(false).await.unwrap().is_clean());
    drop((sqlite, postgres));
    schema.drop().await;
}
