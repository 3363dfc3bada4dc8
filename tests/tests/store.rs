//! The `Store` contract, run against every backend: a real SQLite file per
//! test, and a schema of its own per test in a real PostgreSQL
//! (`SORI_TEST_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/test`).

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use sori_collector::faq::ArticleInput;
use sori_collector::store::{
    self, Inserted, NewResponse, NewUser, Role, Site, Store, SurveyStatus, Vote, VoteOutcome,
};
use sori_protocol::{Locale, Scale, SiteFatigue, Slug, SurveyDefinition, ValidResponse};
use sori_tests::app::{checkout_survey, csat_response};
use sori_tests::postgres::Schema;
use sori_tests::report;
use std::sync::Arc;

struct Backend {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    schema: Option<Schema>,
}

impl Backend {
    async fn clean_up(self) {
        if let Some(schema) = self.schema {
            schema.drop().await;
        }
    }
}

/// A store in a fresh schema of its own, so tests never share state.
async fn postgres(test: &str) -> Backend {
    report::record("store-postgres", test);
    let schema = Schema::create().await;
    Backend {
        store: store::connect(&schema.url()).await.unwrap(),
        _dir: None,
        schema: Some(schema),
    }
}

async fn sqlite(test: &str) -> Backend {
    report::record("store-sqlite", test);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    Backend {
        store: store::connect(&url).await.unwrap(),
        _dir: Some(dir),
        schema: None,
    }
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

async fn with_site(store: &dyn Store) -> Slug {
    let key = slug("acme");
    store
        .put_site(&Site {
            key: key.clone(),
            name: "Acme".into(),
            allowed_origins: vec!["https://acme.test".into()],
            default_locale: Locale::Ko,
            time_zone: "Asia/Seoul".into(),
            fatigue: SiteFatigue {
                cooldown_hours: 6,
                session_cap: 2,
            },
        })
        .await
        .unwrap();
    key
}

fn response(survey: &SurveyDefinition, score: u8) -> ValidResponse {
    csat_response(survey.id.as_str(), survey.version, score)
}

fn new(site: &Slug, r: ValidResponse) -> NewResponse {
    NewResponse {
        site: site.clone(),
        response: r,
        received_at: time::OffsetDateTime::now_utc(),
    }
}

macro_rules! for_each_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite_store {
            $(
                #[tokio::test]
                async fn $name() {
                    let backend = super::sqlite(concat!("sqlite::", stringify!($name))).await;
                    super::$name(backend.store.as_ref()).await;
                    backend.clean_up().await;
                }
            )*
        }
        mod postgres_store {
            $(
                #[tokio::test]
                async fn $name() {
                    let backend = super::postgres(concat!("postgres::", stringify!($name))).await;
                    super::$name(backend.store.as_ref()).await;
                    backend.clean_up().await;
                }
            )*
        }
    };
}

for_each_backend!(
    a_site_reads_back_as_written,
    an_unchanged_survey_keeps_its_version_and_an_edit_adds_one,
    paused_surveys_are_not_active,
    a_duplicate_response_is_reported_and_not_counted_twice,
    score_counts_can_be_narrowed_to_one_survey,
    a_newer_partial_save_replaces_the_older_and_moves_its_score,
    a_finished_response_is_never_replaced,
    surveys_list_with_status_and_can_be_paused,
    an_archived_survey_leaves_the_config_and_keeps_its_responses,
    accounts_roles_sessions_and_tokens_round_trip,
    responses_are_listed_newest_first_by_filter_and_cursor,
    rollup_counts_follow_the_sites_days_and_months,
    articles_are_replaced_in_place_and_move_the_faq_version,
    votes_are_one_per_respondent_and_counted_with_views_searches_and_handoffs,
);

async fn a_site_reads_back_as_written(store: &dyn Store) {
    let key = with_site(store).await;
    let site = store.site(&key).await.unwrap().unwrap();
    assert_eq!(site.allowed_origins, vec!["https://acme.test".to_owned()]);
    assert_eq!(site.default_locale, Locale::Ko);
    assert_eq!(
        site.fatigue,
        SiteFatigue {
            cooldown_hours: 6,
            session_cap: 2
        }
    );
    assert_eq!(store.site_count().await.unwrap(), 1);
    assert!(store.site(&slug("nobody")).await.unwrap().is_none());
}

async fn an_unchanged_survey_keeps_its_version_and_an_edit_adds_one(store: &dyn Store) {
    let site = with_site(store).await;
    let first = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    let same = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    assert_eq!(same.version, 1);
    // The same texts and attributes in another order are no edit. (Parsed
    // from text: `json!` would sort the keys.)
    let ordered = |title: &str, attributes: &str| -> SurveyDefinition {
        serde_json::from_str(&format!(
            r#"{{"id": "ordered", "name": "Ordered", "title": {title},
                "targeting": {{"attributes": {attributes}}},
                "questions": [{{"id": "csat", "kind": "csat", "prompt": {{"en": "How was it?"}}}}]}}"#
        ))
        .unwrap()
    };
    let written = ordered(
        r#"{"en": "Hi", "ko": "안녕"}"#,
        r#"{"plan": "pro", "tier": "a"}"#,
    );
    let reordered = ordered(
        r#"{"ko": "안녕", "en": "Hi"}"#,
        r#"{"tier": "a", "plan": "pro"}"#,
    );
    for def in [&written, &reordered] {
        let put = store
            .put_survey(&site, def, SurveyStatus::Paused)
            .await
            .unwrap();
        assert_eq!(put.version, 1, "a reordering made a new version");
    }
    let mut edited = checkout_survey();
    edited.name = "Checkout CSAT (v2)".into();
    let second = store
        .put_survey(&site, &edited, SurveyStatus::Active)
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    // Answers in flight to version 1 still find it.
    let old = store
        .survey_version(&site, &slug("checkout"), 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.definition.name, "Checkout CSAT");
    assert_eq!(old.status, SurveyStatus::Active);
    let active = store.active_surveys(&site).await.unwrap();
    assert_eq!((active.len(), active[0].version), (1, 2));
}

async fn paused_surveys_are_not_active(store: &dyn Store) {
    let site = with_site(store).await;
    store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Paused)
        .await
        .unwrap();
    assert!(store.active_surveys(&site).await.unwrap().is_empty());
    let version = store
        .survey_version(&site, &slug("checkout"), 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(version.status, SurveyStatus::Paused);
}

async fn a_duplicate_response_is_reported_and_not_counted_twice(store: &dyn Store) {
    let site = with_site(store).await;
    let survey = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let r = response(&survey, 4);
    let other = response(&survey, 2);
    let outcomes = store
        .insert_responses(&[new(&site, r.clone()), new(&site, other)])
        .await
        .unwrap();
    assert_eq!(outcomes, vec![Inserted::New, Inserted::New]);
    let again = store.insert_responses(&[new(&site, r)]).await.unwrap();
    assert_eq!(again, vec![Inserted::Duplicate]);
    let counts = store.score_counts(&site, None).await.unwrap();
    let total: u64 = counts.iter().map(|c| c.count).sum();
    assert_eq!(total, 2);
    assert!(counts.iter().any(|c| c.value == 4 && c.count == 1));
}

async fn score_counts_can_be_narrowed_to_one_survey(store: &dyn Store) {
    let site = with_site(store).await;
    let checkout = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let mut onboarding = checkout_survey();
    onboarding.id = slug("onboarding");
    let onboarding = store
        .put_survey(&site, &onboarding, SurveyStatus::Active)
        .await
        .unwrap();
    store
        .insert_responses(&[
            new(&site, response(&checkout, 5)),
            new(&site, response(&onboarding, 1)),
            new(&site, response(&onboarding, 2)),
        ])
        .await
        .unwrap();
    let only = store
        .score_counts(&site, Some(&slug("onboarding")))
        .await
        .unwrap();
    assert_eq!(only.iter().map(|c| c.count).sum::<u64>(), 2);
    assert!(only.iter().all(|c| c.survey.as_str() == "onboarding"));
    assert_eq!(store.score_counts(&site, None).await.unwrap().len(), 3);
}

async fn total(store: &dyn Store, site: &Slug) -> Vec<(u8, u64)> {
    let mut counts: Vec<(u8, u64)> = store
        .score_counts(site, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.count > 0)
        .map(|c| (c.value, c.count))
        .collect();
    counts.sort();
    counts
}

async fn a_newer_partial_save_replaces_the_older_and_moves_its_score(store: &dyn Store) {
    let site = with_site(store).await;
    let survey = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let mut step = response(&survey, 2);
    step.finished = false;
    assert_eq!(
        store
            .insert_responses(&[new(&site, step.clone())])
            .await
            .unwrap(),
        vec![Inserted::New]
    );
    assert_eq!(total(store, &site).await, vec![(2, 1)]);
    // The respondent went back and changed 2 to 5, then finished.
    let mut last = response(&survey, 5);
    last.id = step.id;
    last.seq = 1;
    assert_eq!(
        store
            .insert_responses(&[new(&site, last.clone())])
            .await
            .unwrap(),
        vec![Inserted::Updated]
    );
    assert_eq!(total(store, &site).await, vec![(5, 1)]);
    // A late retry of the first save changes nothing.
    assert_eq!(
        store.insert_responses(&[new(&site, step)]).await.unwrap(),
        vec![Inserted::Duplicate]
    );
    assert_eq!(total(store, &site).await, vec![(5, 1)]);
}

async fn a_finished_response_is_never_replaced(store: &dyn Store) {
    let site = with_site(store).await;
    let survey = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let done = response(&survey, 4);
    store
        .insert_responses(&[new(&site, done.clone())])
        .await
        .unwrap();
    let mut later = response(&survey, 1);
    later.id = done.id;
    later.seq = 9;
    assert_eq!(
        store.insert_responses(&[new(&site, later)]).await.unwrap(),
        vec![Inserted::Duplicate]
    );
    assert_eq!(total(store, &site).await, vec![(4, 1)]);
}

async fn surveys_list_with_status_and_can_be_paused(store: &dyn Store) {
    let site = with_site(store).await;
    store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let listed = store.surveys(&site).await.unwrap();
    assert_eq!((listed.len(), listed[0].status), (1, SurveyStatus::Active));
    let paused = store
        .set_survey_status(&site, &slug("checkout"), SurveyStatus::Paused)
        .await
        .unwrap();
    assert_eq!(paused.map(|s| s.status), Some(SurveyStatus::Paused));
    assert!(store.active_surveys(&site).await.unwrap().is_empty());
    assert!(
        store
            .set_survey_status(&site, &slug("nope"), SurveyStatus::Active)
            .await
            .unwrap()
            .is_none()
    );
}

/// Archiving takes a survey out of the config and keeps its responses and
/// versions; an edit keeps it archived; activating brings it back.
async fn an_archived_survey_leaves_the_config_and_keeps_its_responses(store: &dyn Store) {
    let site = with_site(store).await;
    let id = slug("checkout");
    let survey = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let answer = response(&survey, 4);
    let response_id = answer.id;
    store.insert_responses(&[new(&site, answer)]).await.unwrap();
    let archived = store
        .set_survey_status(&site, &id, SurveyStatus::Archived)
        .await
        .unwrap();
    assert_eq!(archived.map(|s| s.status), Some(SurveyStatus::Archived));
    assert!(store.active_surveys(&site).await.unwrap().is_empty());
    assert!(store.response(response_id).await.unwrap().is_some());
    assert_eq!(total(store, &site).await, vec![(4, 1)]);
    let v1 = store.survey_version(&site, &id, 1).await.unwrap().unwrap();
    assert_eq!(v1.status, SurveyStatus::Archived);
    // An edit while archived is a new version of an archived survey.
    let mut edited = checkout_survey();
    edited.name = "Checkout, reworded".into();
    let stored = store
        .put_survey(&site, &edited, SurveyStatus::Archived)
        .await
        .unwrap();
    assert_eq!(stored.version, 2);
    let listed = store.surveys(&site).await.unwrap();
    assert_eq!(listed[0].status, SurveyStatus::Archived);
    assert!(store.active_surveys(&site).await.unwrap().is_empty());
    let back = store
        .set_survey_status(&site, &id, SurveyStatus::Active)
        .await
        .unwrap();
    assert_eq!(back.map(|s| s.status), Some(SurveyStatus::Active));
    assert_eq!(store.active_surveys(&site).await.unwrap().len(), 1);
}

/// Users, roles, sessions and tokens read back as written; an expired
/// session and a revoked token let no one in.
async fn accounts_roles_sessions_and_tokens_round_trip(store: &dyn Store) {
    let site = with_site(store).await;
    let new_user = |email: &str, owner| NewUser {
        email: email.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        owner,
    };
    assert!(
        store
            .create_user(&new_user("ana@example.com", true))
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_user(&new_user("ana@example.com", false))
            .await
            .unwrap()
    );
    assert!(
        store
            .create_user(&new_user("bo@example.com", false))
            .await
            .unwrap()
    );
    let bo = store
        .user_by_email("bo@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(!bo.owner);
    let emails: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(emails, ["ana@example.com", "bo@example.com"]);

    store.set_member(&site, &bo.id, Role::Viewer).await.unwrap();
    store.set_member(&site, &bo.id, Role::Admin).await.unwrap();
    assert_eq!(
        store.roles(&bo.id).await.unwrap(),
        vec![(site.clone(), Role::Admin)]
    );
    assert_eq!(
        store.members(&site).await.unwrap()[0].email,
        "bo@example.com"
    );
    assert!(store.remove_member(&site, &bo.id).await.unwrap());
    assert!(!store.remove_member(&site, &bo.id).await.unwrap());
    assert!(store.roles(&bo.id).await.unwrap().is_empty());

    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let earlier = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    store.create_session("live", &bo.id, later).await.unwrap();
    store
        .create_session("stale", &bo.id, earlier)
        .await
        .unwrap();
    assert_eq!(
        store.session_user("live").await.unwrap().map(|u| u.id),
        Some(bo.id.clone())
    );
    assert!(store.session_user("stale").await.unwrap().is_none());
    assert!(store.delete_session("live").await.unwrap());
    assert!(store.session_user("live").await.unwrap().is_none());

    let token = store
        .create_token(&bo.id, "export", "hash-1")
        .await
        .unwrap();
    assert_eq!(
        store.token_user("hash-1").await.unwrap().map(|u| u.id),
        Some(bo.id.clone())
    );
    let listed = store.tokens(&bo.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    assert!(store.revoke_token(&bo.id, &token.id).await.unwrap());
    assert!(!store.revoke_token(&bo.id, &token.id).await.unwrap());
    assert!(store.token_user("hash-1").await.unwrap().is_none());
}

/// Pages of responses, newest first, narrowed in the database and paged by
/// `(received_at, id)`.
async fn responses_are_listed_newest_first_by_filter_and_cursor(store: &dyn Store) {
    let site = with_site(store).await;
    let survey = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let start = time::OffsetDateTime::now_utc() - time::Duration::hours(5);
    let mut ids = Vec::new();
    for (hour, locale, path) in [
        (0, Locale::En, "/a/1"),
        (1, Locale::Ko, "/a/2"),
        (2, Locale::En, "/b_%"),
        (3, Locale::Ko, "/a/3"),
    ] {
        let mut r = response(&survey, 4);
        r.locale = locale;
        r.page_path = path.into();
        ids.push(r.id);
        let mut row = new(&site, r);
        row.received_at = start + time::Duration::hours(hour);
        store.insert_responses(&[row]).await.unwrap();
    }
    let query = |before: Option<(store::Stamp, String)>| store::ResponseQuery {
        before,
        ..store::ResponseQuery::newest(site.clone(), 10)
    };
    let listed = |q: store::ResponseQuery| async move {
        store
            .responses_page(&q)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(query(None)).await, [ids[3], ids[2], ids[1], ids[0]]);
    let mut q = query(None);
    q.locale = Some(Locale::Ko);
    assert_eq!(listed(q).await, [ids[3], ids[1]]);
    let mut q = query(None);
    q.page_path = Some("/a/*".into());
    assert_eq!(listed(q).await, [ids[3], ids[1], ids[0]]);
    // `%` and `_` in a prefix are themselves, not wildcards.
    let mut q = query(None);
    q.page_path = Some("/b_%*".into());
    assert_eq!(listed(q).await, [ids[2]]);
    let mut q = query(None);
    q.page_path = Some("/a_*".into());
    assert!(listed(q).await.is_empty());
    let mut q = query(None);
    q.from = Some(start + time::Duration::minutes(30));
    q.to = Some(start + time::Duration::hours(3));
    assert_eq!(listed(q).await, [ids[2], ids[1]]);
    // The coarse word pass reads the stored answers, lower-cased.
    let mut q = query(None);
    q.contains = Some("csat".into());
    assert_eq!(listed(q).await.len(), 4);
    let mut q = query(None);
    q.contains = Some("100%_".into());
    assert!(listed(q).await.is_empty());
    let mut q = query(None);
    q.limit = 3;
    let page = store.responses_page(&q).await.unwrap();
    let last = page.last().unwrap();
    let at = store::Stamp::parse(&last.response.received_at).unwrap();
    let rest = listed(query(Some((at, last.id.to_string())))).await;
    assert_eq!(rest, [ids[0]]);
}

/// The rollup read per day and per month in the site's zone (Seoul here,
/// UTC+9), for one scale; the days move when the site's zone does.
async fn rollup_counts_follow_the_sites_days_and_months(store: &dyn Store) {
    use store::{Grain, PeriodSpan};
    let site = with_site(store).await;
    let survey = store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    let at = |rfc3339: &str| {
        time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    // 20:00 UTC on 30 November is 05:00 on 1 December in Seoul.
    for (when, score) in [
        ("2025-11-30T10:00:00Z", 5),
        ("2025-11-30T11:00:00Z", 5),
        ("2025-11-30T20:00:00Z", 2),
        ("2025-12-02T03:00:00Z", 4),
    ] {
        let mut row = new(&site, response(&survey, score));
        row.received_at = at(when);
        store.insert_responses(&[row]).await.unwrap();
    }
    let query = |grain, from, until, scale| store::RollupQuery {
        filter: store::ScoreFilter {
            site: site.clone(),
            scale,
            survey: Some(slug("checkout")),
            question: None,
            locale: None,
            device: None,
        },
        spans: vec![PeriodSpan { grain, from, until }],
    };
    let cells = |q| async move {
        store
            .period_counts(&q)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.grain, c.period, c.value, c.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        cells(query(Grain::Day, 20_251_130, 20_251_202, Scale::Csat)).await,
        [
            (Grain::Day, 20_251_130, 5, 2),
            (Grain::Day, 20_251_201, 2, 1)
        ]
    );
    assert_eq!(
        cells(query(Grain::Month, 202_511, 202_513, Scale::Csat)).await,
        [
            (Grain::Month, 202_511, 5, 2),
            (Grain::Month, 202_512, 2, 1),
            (Grain::Month, 202_512, 4, 1)
        ]
    );
    assert!(
        cells(query(Grain::Day, 0, 30_000_000, Scale::Nps))
            .await
            .is_empty()
    );
    // The same cells by device; one slice at a time.
    let by = |dimension| {
        let q = query(Grain::Month, 0, 300_000, Scale::Csat);
        async move {
            store
                .segment_counts(&q, dimension)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.segment, c.value, c.count))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by(store::Dimension::Device).await,
        [
            ("desktop".to_owned(), 2, 1),
            ("desktop".to_owned(), 4, 1),
            ("desktop".to_owned(), 5, 2)
        ]
    );
    let mut korean = query(Grain::Month, 0, 300_000, Scale::Csat);
    korean.filter.locale = Some(Locale::Ko);
    assert!(cells(korean).await.is_empty());
    // In UTC the 20:00 answer is still on 30 November.
    let mut moved = store.site(&site).await.unwrap().unwrap();
    moved.time_zone = "UTC".into();
    store.put_site(&moved).await.unwrap();
    assert_eq!(
        cells(query(Grain::Month, 202_511, 202_513, Scale::Csat)).await,
        [
            (Grain::Month, 202_511, 2, 1),
            (Grain::Month, 202_511, 5, 2),
            (Grain::Month, 202_512, 4, 1)
        ]
    );
    assert!(store.check_rollup(false).await.unwrap().is_clean());
}

fn article(id: &str, locale: Locale, title: &str, order: i32) -> sori_collector::faq::Article {
    ArticleInput {
        title: title.into(),
        body: format!("About **{title}**."),
        category: "Billing".into(),
        tags: vec!["money".into()],
        order,
    }
    .into_article(slug(id), locale)
}

async fn articles_are_replaced_in_place_and_move_the_faq_version(store: &dyn Store) {
    let site = with_site(store).await;
    assert_eq!(store.faq_version(&site).await.unwrap(), 0);
    assert!(
        store
            .put_article(&site, &article("refunds", Locale::En, "Refunds", 2))
            .await
            .unwrap()
    );
    assert!(
        store
            .put_article(&site, &article("refunds", Locale::Ko, "환불", 2))
            .await
            .unwrap()
    );
    assert!(
        store
            .put_article(&site, &article("plans", Locale::En, "Plans", 1))
            .await
            .unwrap()
    );
    let v = store.faq_version(&site).await.unwrap();
    assert_eq!(v, 3);
    store
        .count_article_view(&site, Locale::En, &slug("refunds"))
        .await
        .unwrap();
    // Replacing keeps its views; the version moves.
    assert!(
        !store
            .put_article(&site, &article("refunds", Locale::En, "Refund policy", 2))
            .await
            .unwrap()
    );
    assert!(store.faq_version(&site).await.unwrap() > v);
    let en = store.articles(&site, Some(Locale::En)).await.unwrap();
    let titles: Vec<&str> = en.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Plans", "Refund policy"],
        "by category, then order"
    );
    assert_eq!(en[1].views, 1);
    assert_eq!(en[1].html, "<p>About <strong>Refund policy</strong>.</p>\n");
    assert_eq!(en[1].tags, vec!["money".to_owned()]);
    assert_eq!(store.articles(&site, None).await.unwrap().len(), 3);
    assert_eq!(store.article_count(&site).await.unwrap(), 3);
    let ko = store
        .article(&site, Locale::Ko, &slug("refunds"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ko.title, "환불");
    assert!(
        store
            .delete_article(&site, Locale::Ko, &slug("refunds"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_article(&site, Locale::Ko, &slug("refunds"))
            .await
            .unwrap()
    );
    assert!(
        store
            .article(&site, Locale::Ko, &slug("refunds"))
            .await
            .unwrap()
            .is_none()
    );
}

async fn votes_are_one_per_respondent_and_counted_with_views_searches_and_handoffs(
    store: &dyn Store,
) {
    let site = with_site(store).await;
    store
        .put_survey(&site, &checkout_survey(), SurveyStatus::Active)
        .await
        .unwrap();
    store
        .put_article(&site, &article("refunds", Locale::En, "Refunds", 1))
        .await
        .unwrap();
    let vote = |who: u128, helpful: bool, reason: Option<&str>| Vote {
        locale: Locale::En,
        article: slug("refunds"),
        respondent: uuid::Uuid::from_u128(who),
        helpful,
        reason: reason.map(str::to_owned),
    };
    assert_eq!(
        store.put_vote(&site, &vote(1, true, None)).await.unwrap(),
        Some(VoteOutcome::New)
    );
    assert_eq!(
        store.put_vote(&site, &vote(1, true, None)).await.unwrap(),
        Some(VoteOutcome::Same)
    );
    assert_eq!(
        store
            .put_vote(&site, &vote(1, false, Some("vague")))
            .await
            .unwrap(),
        Some(VoteOutcome::Changed)
    );
    assert_eq!(
        store.put_vote(&site, &vote(2, true, None)).await.unwrap(),
        Some(VoteOutcome::New)
    );
    let mut missing = vote(3, true, None);
    missing.article = slug("nope");
    assert_eq!(store.put_vote(&site, &missing).await.unwrap(), None);
    store
        .count_article_view(&site, Locale::En, &slug("refunds"))
        .await
        .unwrap();
    store
        .count_search(&site, Locale::En, "refund", 1)
        .await
        .unwrap();
    store
        .count_search(&site, Locale::En, "payroll", 0)
        .await
        .unwrap();
    store
        .count_search(&site, Locale::En, "payroll", 0)
        .await
        .unwrap();
    let mut handoff = response(&checkout_survey(), 2);
    handoff.faq_article = Some(slug("refunds"));
    handoff.faq_query = Some("refund".into());
    store
        .insert_responses(&[new(&site, handoff)])
        .await
        .unwrap();
    let counts = store.faq_counts(&site).await.unwrap();
    let a = &counts.articles[0];
    assert_eq!(
        (a.views, a.helpful, a.not_helpful, a.handoffs),
        (1, 1, 1, 1),
        "{a:?}"
    );
    let payroll = counts
        .queries
        .iter()
        .find(|q| q.query == "payroll")
        .unwrap();
    assert_eq!((payroll.searches, payroll.no_results), (2, 2));
    assert_eq!(counts.queries[0].query, "payroll", "most searched first");
}
