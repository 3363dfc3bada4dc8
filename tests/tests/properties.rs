//! Property tests of request parsing and answer validation, over HTTP
//! against a real collector: random and mutated bodies never panic the
//! server and never get a 5xx, and whatever is accepted reads back from the
//! database equal to what was sent (as validation normalizes it).

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use sori_protocol::{ResponseId, Submission, SurveyDefinition, validate_submission};
use sori_tests::app::{SITE, TestApp, new_id};
use sori_tests::report;
use std::collections::HashSet;
use std::sync::Mutex;

const CASES: u32 = 400;

/// Every kind of question, so generated answers meet every validator.
fn every_kind() -> Value {
    json!({
        "id": "every-kind", "name": "Every kind", "title": {"en": "All"},
        "questions": [
            {"id": "csat", "kind": "csat", "required": true, "prompt": {"en": "How satisfied?"}},
            {"id": "nps", "kind": "nps", "prompt": {"en": "Recommend?"}},
            {"id": "ces", "kind": "ces", "prompt": {"en": "Easy?"}},
            {"id": "stars", "kind": "rating", "points": 4, "prompt": {"en": "Stars?"}},
            {"id": "again", "kind": "yes_no", "prompt": {"en": "Again?"}},
            {"id": "plan", "kind": "single_choice", "prompt": {"en": "Plan?"},
             "choices": [{"id": "free", "label": {"en": "Free"}}, {"id": "pro", "label": {"en": "Pro"}}]},
            {"id": "uses", "kind": "multi_choice", "other": true, "prompt": {"en": "Uses?"},
             "choices": [{"id": "invoices", "label": {"en": "Invoices"}}, {"id": "reports", "label": {"en": "Reports"}}]},
            {"id": "comment", "kind": "text", "max_length": 40, "prompt": {"en": "Why?"}},
            {"id": "fix", "kind": "text", "prompt": {"en": "What went wrong?"},
             "show_if": {"question": "csat", "op": "lte", "value": 2}}
        ]
    })
}

/// Text as people and attackers type it: mostly words (Korean, emoji,
/// quotes, tabs, line breaks), sometimes control characters or too long.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z ]{0,12}",
        3 => "[가-힣][가-힣 ]{0,10}",
        2 => "[\\PC]{1,30}",
        1 => Just("line one\r\nline\ttwo \"quoted\" \\ back".to_owned()),
        1 => Just("😀 👍 ✓".to_owned()),
        1 => "[\\x00-\\x1f\"\\\\ ]{1,6}",
        1 => "x{39,42}",
        1 => Just(String::new()),
    ]
}

/// A value of any type, in or out of any range.
fn wild_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-2i64..13).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        text().prop_map(Value::from),
        prop::collection::vec(
            prop_oneof![Just("invoices"), Just("reports"), Just("other"), Just("x")],
            0..4
        )
        .prop_map(|ids| json!(ids)),
        Just(Value::Null),
        Just(json!(4.5)),
        Just(json!({"nested": 1})),
    ]
}

/// The every-kind survey's questions, each with a value of its own kind
/// (mostly in range), or left out.
fn fitting_answers() -> impl Strategy<Value = Vec<Value>> {
    // Mostly in range, now and then just outside it.
    let score = |lo: i64, hi: i64| prop_oneof![12 => lo..=hi, 1 => Just(lo - 1), 1 => Just(hi + 1)];
    (
        prop::option::weighted(0.9, score(1, 5)),
        prop::option::weighted(0.6, score(0, 10)),
        prop::option::weighted(0.6, score(1, 7)),
        prop::option::weighted(0.6, score(1, 4)),
        prop::option::of(any::<bool>()),
        prop::option::of(prop_oneof![Just("free"), Just("pro"), Just("gold")]),
        prop::option::of((
            prop::sample::subsequence(vec!["invoices", "reports", "other"], 0..=3),
            text(),
        )),
        prop::option::of(text()),
        prop::option::weighted(0.15, text()),
    )
        .prop_map(|(csat, nps, ces, stars, again, plan, uses, comment, fix)| {
            let simple = [
                ("csat", csat.map(Value::from)),
                ("nps", nps.map(Value::from)),
                ("ces", ces.map(Value::from)),
                ("stars", stars.map(Value::from)),
                ("again", again.map(Value::from)),
                ("plan", plan.map(Value::from)),
                ("comment", comment.map(Value::from)),
                ("fix", fix.map(Value::from)),
            ];
            let mut answers: Vec<Value> = simple
                .into_iter()
                .filter_map(|(question, value)| {
                    Some(json!({"question": question, "value": value?}))
                })
                .collect();
            if let Some((ids, other)) = uses {
                let mut a = json!({"question": "uses", "value": ids});
                if ids.contains(&"other") {
                    a["other"] = json!(other);
                }
                answers.push(a);
            }
            answers
        })
}

/// Answers that fit, now and then with a wild one added.
fn answers() -> impl Strategy<Value = Vec<Value>> {
    let wild = (
        prop_oneof![Just("csat"), Just("comment"), Just("uses"), Just("nope")],
        wild_value(),
    )
        .prop_map(|(question, value)| json!({"question": question, "value": value}));
    (fitting_answers(), prop::option::weighted(0.2, wild)).prop_map(|(mut answers, wild)| {
        answers.extend(wild);
        answers
    })
}

/// A submission to the every-kind survey with generated answers and fields.
fn submission() -> impl Strategy<Value = Value> {
    (
        answers(),
        prop::bool::weighted(0.8),
        0u32..4,
        prop_oneof![6 => Just(json!("en")), 6 => Just(json!("ko")), 1 => Just(json!("fr")), 1 => Just(json!(null))],
        prop_oneof![6 => Just("/billing".to_owned()), 3 => Just("/a?b=c#d".to_owned()), 1 => text()],
        prop::option::weighted(0.3, text()),
        prop::collection::btree_map("[a-z]{1,6}", text(), 0..2),
        prop::option::weighted(0.3, text()),
    )
        .prop_map(
            |(answers, finished, seq, locale, page_path, user_id, attributes, faq_query)| {
                let mut body = json!({
                    "id": new_id(), "survey": "every-kind", "survey_version": 1,
                    "locale": locale, "page_path": page_path, "device": "mobile",
                    "respondent": uuid::Uuid::new_v4(), "finished": finished, "seq": seq,
                    "answers": answers, "attributes": attributes,
                });
                if let Some(user_id) = user_id {
                    body["user_id"] = json!(user_id);
                }
                if let Some(q) = faq_query {
                    body["faq_query"] = json!(q);
                }
                body
            },
        )
}

/// A generated submission with one field dropped or given a wild value.
fn reshaped() -> impl Strategy<Value = Vec<u8>> {
    let fields = [
        "id",
        "survey",
        "survey_version",
        "locale",
        "page_path",
        "device",
        "respondent",
        "finished",
        "seq",
        "answers",
        "attributes",
        "user_id",
        "faq_article",
        "faq_query",
    ];
    (
        submission(),
        prop::sample::select(fields.to_vec()),
        prop::option::of(wild_value()),
    )
        .prop_map(|(mut body, field, value)| {
            match value {
                Some(value) => body[field] = value,
                None => {
                    body.as_object_mut().unwrap().remove(field);
                }
            }
            serde_json::to_vec(&body).unwrap()
        })
}

/// Bytes: a valid body cut, spliced, flipped, padded or repeated, or a
/// generated body with a field dropped or of the wrong type.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![garbled(), reshaped()]
}

/// A valid body's bytes, then cut, spliced, flipped, padded or repeated.
fn garbled() -> impl Strategy<Value = Vec<u8>> {
    let base = json!({
        "id": ResponseId::from_parts(1_763_000_000_000, [9; 10]), "survey": "every-kind",
        "survey_version": 1, "locale": "ko", "finished": true,
        "answers": [{"question": "csat", "value": 4}, {"question": "comment", "value": "좋아요"}]
    })
    .to_string()
    .into_bytes();
    let len = base.len();
    (
        0..len,
        0..len,
        prop::collection::vec(any::<u8>(), 0..8),
        0u8..5,
    )
        .prop_map(move |(at, to, bytes, how)| {
            let mut body = base.clone();
            let (lo, hi) = (at.min(to), at.max(to));
            match how {
                0 => body.truncate(at),
                1 => {
                    body.splice(lo..hi, bytes);
                }
                2 => {
                    for (i, b) in bytes.iter().enumerate() {
                        if let Some(x) = body.get_mut(at + i) {
                            *x ^= b | 1;
                        }
                    }
                }
                3 => body.extend_from_slice(&bytes),
                _ => {
                    let copy = body[lo..hi].to_vec();
                    body.splice(at..at, copy);
                }
            }
            body
        })
}

struct Harness {
    rt: tokio::runtime::Runtime,
    app: TestApp,
    definition: SurveyDefinition,
    accepted: Mutex<HashSet<String>>,
    /// How often each error code was answered, to show what was exercised.
    refused: Mutex<std::collections::BTreeMap<String, u32>>,
}

impl Harness {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let app = rt.block_on(TestApp::spawn());
        let mut stored = rt.block_on(app.add_live_survey(SITE, every_kind()));
        stored.as_object_mut().unwrap().remove("status");
        let definition = serde_json::from_value(stored).unwrap();
        Self {
            rt,
            app,
            definition,
            accepted: Mutex::default(),
            refused: Mutex::default(),
        }
    }

    /// Posts `body` and holds the answer to the properties.
    fn post(&self, body: Vec<u8>) -> Result<(), TestCaseError> {
        let app = &self.app;
        let (status, answer) = self.rt.block_on(async {
            let r = app
                .http
                .post(format!("{}/v1/sites/{SITE}/responses", app.url))
                .header("origin", sori_tests::app::ORIGIN)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .map_err(|e| TestCaseError::fail(format!("no answer (did it panic?): {e}")))?;
            let status = r.status().as_u16();
            let answer: Value = r
                .json()
                .await
                .map_err(|e| TestCaseError::fail(format!("{status} without a JSON body: {e}")))?;
            Ok::<_, TestCaseError>((status, answer))
        })?;
        prop_assert!(status < 500, "{status}: {answer}");
        if status != 200 {
            let code = answer["error"]["code"].as_str().unwrap_or("");
            prop_assert!(!code.is_empty(), "{answer}");
            *self
                .refused
                .lock()
                .unwrap()
                .entry(code.to_owned())
                .or_default() += 1;
            return Ok(());
        }
        let sent: Submission = serde_json::from_slice(&body)
            .map_err(|e| TestCaseError::fail(format!("accepted but not a submission: {e}")))?;
        let first_time = self.accepted.lock().unwrap().insert(sent.id.to_string());
        if !first_time {
            // A repeated id is a retry: acknowledged, not stored again.
            return Ok(());
        }
        let want = validate_submission(&self.definition, sent)
            .map_err(|e| TestCaseError::fail(format!("accepted but invalid: {e}")))?;
        let stored = self
            .rt
            .block_on(app.stored(want.id))
            .ok_or_else(|| TestCaseError::fail("acknowledged but not stored"))?;
        prop_assert_eq!(stored.site.as_str(), SITE);
        prop_assert_eq!(&stored.survey, &want.survey);
        prop_assert_eq!(
            (stored.finished, stored.seq, stored.locale),
            (want.finished, want.seq, want.locale)
        );
        prop_assert_eq!(&stored.page_path, &want.page_path);
        prop_assert_eq!(&stored.user_id, &want.user_id);
        prop_assert_eq!(&stored.attributes, &want.attributes);
        prop_assert_eq!(&stored.faq_query, &want.faq_query);
        let answers = stored.answers.as_array().cloned().unwrap_or_default();
        prop_assert_eq!(answers.len(), want.answers.len());
        for (got, want) in answers.iter().zip(&want.answers) {
            prop_assert_eq!(&got["question"], &json!(want.question));
            prop_assert_eq!(&got["value"], &serde_json::to_value(&want.value).unwrap());
            prop_assert_eq!(
                got.get("other").and_then(Value::as_str),
                want.other.as_deref()
            );
        }
        Ok(())
    }
}

/// Runs `f` on a thread with a large stack: the nested strategies are deep
/// in an unoptimized build.
fn with_room(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(scope, f)
            .unwrap()
            .join()
            .unwrap()
    });
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn generated_submissions_never_fail_the_server_and_accepted_ones_read_back_equal() {
    let harness = Harness::new();
    with_room(|| {
        runner()
            .run(&submission(), |body| {
                harness.post(serde_json::to_vec(&body).unwrap())
            })
            .unwrap()
    });
    let accepted = harness.accepted.lock().unwrap().len();
    report::figure(&format!(
        "property test: {CASES} generated submissions, {accepted} accepted and read back; refused: {:?}",
        harness.refused.lock().unwrap()
    ));
    assert!(
        accepted > CASES as usize / 20,
        "too few accepted to test read-back"
    );
    harness
        .rt
        .block_on(harness.app.assert_rollup_matches_rows());
}

#[test]
fn mutated_bodies_never_fail_the_server() {
    let harness = Harness::new();
    with_room(|| runner().run(&mutated(), |body| harness.post(body)).unwrap());
    report::figure(&format!(
        "property test: {CASES} mutated bodies, {} accepted; refused: {:?}",
        harness.accepted.lock().unwrap().len(),
        harness.refused.lock().unwrap()
    ));
    harness
        .rt
        .block_on(harness.app.assert_rollup_matches_rows());
}
