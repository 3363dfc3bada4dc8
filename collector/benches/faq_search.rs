//! FAQ search speed with 1,000 articles per locale, as `cargo bench -p
//! sori-collector --bench faq_search` prints it:
//!
//! 1. the index alone (tokenize, rank, snippets) for English and Korean
//!    queries, typed and finished, with typos;
//! 2. what the search endpoint does per request on a real SQLite file:
//!    read the FAQ version, search the cached index, count the query.
//!
//! The articles are the demo help center's, varied so that no two are the
//! same. Timings are wall-clock on whatever machine runs it.

use sori_collector::faq::{self, Indexes, search};
use sori_collector::store::{self, Site};
use sori_protocol::{Locale, SiteFatigue, Slug};
use std::time::{Duration, Instant};

const ARTICLES: usize = 1_000;
const ROUNDS: usize = 20;

const QUERIES_EN: &[&str] = &[
    "refund",
    "refund policy ",
    "how do I export invoices to pdf ",
    "recurring invoice schedule ",
    "two factor",
    "refnd ",
    "paymnet reminders ",
    "acc",
    "cancel my subscription and get money back ",
    "zebra crossing ",
];

const QUERIES_KO: &[&str] = &[
    "환불",
    "환불하려면 ",
    "인보이스 내보내기 ",
    "정기 인보이스",
    "비밀번호를 잊었을 때 ",
    "2단계 인증",
    "결제",
    "없는 단어 ",
];

fn main() {
    let demo = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/faq.yaml"))
        .expect("demo/faq.yaml is readable");
    let base = faq::parse_import(&demo).expect("the demo help center imports");
    let many = |locale: Locale| -> Vec<faq::Article> {
        let of_locale: Vec<_> = base.iter().filter(|a| a.locale == locale).collect();
        (0..ARTICLES)
            .map(|i| {
                let a = of_locale[i % of_locale.len()];
                let mut copy = a.clone();
                copy.id = Slug::parse(&format!("{}-{i}", a.id)).expect("a valid id");
                // Vary each copy so terms spread like a real help center's.
                copy.title = format!("{} {}", a.title, WORDS[i % WORDS.len()]);
                copy.text = format!(
                    "{} {} {} {}",
                    a.text,
                    WORDS[(i * 7) % WORDS.len()],
                    WORDS[(i * 13) % WORDS.len()],
                    i
                );
                copy
            })
            .collect()
    };
    let en = many(Locale::En);
    let ko = many(Locale::Ko);

    println!("FAQ search, {ARTICLES} articles per locale, {ROUNDS} rounds of each query");
    for (name, articles, queries) in [("en", &en, QUERIES_EN), ("ko", &ko, QUERIES_KO)] {
        let started = Instant::now();
        let index = search::Index::build(
            articles
                .iter()
                .map(|a| search::Doc {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    category: a.category.clone(),
                    text: a.text.clone(),
                })
                .collect(),
        );
        let build = started.elapsed();
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..ROUNDS {
            for q in queries {
                let t = Instant::now();
                let hits = index.search(q, 8);
                times.push(t.elapsed());
                found += hits.len();
            }
        }
        report(&format!("index only, {name}"), &mut times);
        println!("  index build {:.1} ms; {found} hits in all", ms(build));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = store::connect(&url).await.expect("open SQLite");
        let key = Slug::parse("bench").expect("a valid key");
        store
            .put_site(&Site {
                key: key.clone(),
                name: "Bench".into(),
                allowed_origins: vec![],
                default_locale: Locale::En,
                time_zone: "UTC".into(),
                fatigue: SiteFatigue::default(),
            })
            .await
            .expect("the site is stored");
        for a in en.iter().chain(&ko) {
            store
                .put_article(&key, a)
                .await
                .expect("the article is stored");
        }
        let indexes = Indexes::default();
        for (name, locale, queries) in [
            ("en", Locale::En, QUERIES_EN),
            ("ko", Locale::Ko, QUERIES_KO),
        ] {
            // The first request builds the index; the rest use it.
            let first = Instant::now();
            indexes
                .get(store.as_ref(), &key, locale)
                .await
                .expect("the index builds");
            let cold = first.elapsed();
            let mut times = Vec::new();
            for _ in 0..ROUNDS {
                for q in queries {
                    let t = Instant::now();
                    let index = indexes
                        .get(store.as_ref(), &key, locale)
                        .await
                        .expect("the index is read");
                    let hits = index.search(q, 8);
                    store
                        .count_search(&key, locale, &faq::normalize_query(q), hits.len())
                        .await
                        .expect("the search is counted");
                    times.push(t.elapsed());
                }
            }
            report(
                &format!("per request on SQLite (version check + search + count), {name}"),
                &mut times,
            );
            println!(
                "  first request (loads articles, builds the index) {:.1} ms",
                ms(cold)
            );
        }
    });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{what}: n={} p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        ms(at(0.50)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(times[times.len() - 1]),
    );
}

/// Words to vary the copies with, in both languages.
const WORDS: &[&str] = &[
    "team",
    "client",
    "tax",
    "report",
    "schedule",
    "mobile",
    "currency",
    "discount",
    "deposit",
    "estimate",
    "receipt",
    "template",
    "reminder",
    "statement",
    "archive",
    "budget",
    "고객",
    "세금",
    "보고서",
    "일정",
    "모바일",
    "통화",
    "할인",
    "보증금",
    "견적",
    "영수증",
    "템플릿",
    "알림",
    "명세서",
    "보관",
    "예산",
    "팀",
];
