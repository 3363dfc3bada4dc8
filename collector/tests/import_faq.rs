//! `sori-collector import-faq`: the real binary against a real SQLite file.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use sori_collector::store::{self, Site};
use sori_protocol::{Locale, SiteFatigue, Slug};
use std::process::Command;

async fn database_with_site(dir: &std::path::Path) -> String {
    let url = format!("sqlite://{}", dir.join("sori.db").display());
    let store = store::connect(&url).await.unwrap();
    store
        .put_site(&Site {
            key: Slug::parse("acme").unwrap(),
            name: "Acme".into(),
            allowed_origins: vec![],
            default_locale: Locale::En,
            time_zone: "UTC".into(),
            fatigue: SiteFatigue::default(),
        })
        .await
        .unwrap();
    url
}

fn import(url: &str, site: &str, file: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sori-collector"))
        .env("SORI_DATABASE_URL", url)
        .args(["import-faq", "--site", site])
        .arg(file)
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_yaml_file_imports_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_with_site(dir.path()).await;
    let good = dir.path().join("faq.yaml");
    std::fs::write(
        &good,
        "articles:\n  - id: refunds\n    locale: en\n    title: Refunds\n    category: Billing\n    body: |\n      Within **30 days**.\n  - id: refunds\n    locale: ko\n    title: 환불\n    body: 30일 이내\n",
    )
    .unwrap();
    let out = import(&url, "acme", &good);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "imported 2 articles into site 'acme'"
    );

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "articles:\n  - id: new-one\n    locale: en\n    title: Fine\n    body: ok\n  - id: broken\n    locale: en\n    title: ''\n    body: x\n",
    )
    .unwrap();
    let out = import(&url, "acme", &bad);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("articles[1].title"), "{err}");

    let unknown_site = import(&url, "nobody", &good);
    assert!(!unknown_site.status.success());
    assert!(String::from_utf8_lossy(&unknown_site.stderr).contains("no site has the key 'nobody'"));

    let store = store::connect(&url).await.unwrap();
    let articles = store
        .articles(&Slug::parse("acme").unwrap(), None)
        .await
        .unwrap();
    let ids: Vec<(&str, &str)> = articles
        .iter()
        .map(|a| (a.id.as_str(), a.locale.code()))
        .collect();
    assert_eq!(
        ids,
        [("refunds", "en"), ("refunds", "ko")],
        "the bad file added nothing"
    );
    assert_eq!(
        articles[0].html,
        "<p>Within <strong>30 days</strong>.</p>\n"
    );
}
