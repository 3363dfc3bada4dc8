//! `sori-collector user add`: the real binary creates users whose password
//! then verifies, with the password read from standard input.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use sori_collector::accounts::verify_password;
use sori_collector::store::{self, Role, Site};
use sori_protocol::{Locale, SiteFatigue, Slug};
use std::io::Write;
use std::process::{Command, Stdio};

fn user_add(url: &str, args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sori-collector"))
        .env("SORI_DATABASE_URL", url)
        .env_remove("SORI_ADMIN_TOKEN")
        .args(["user", "add"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused on its arguments exits before it reads the
    // password: the pipe may be closed by then, and that is fine.
    let _ = writeln!(child.stdin.take().unwrap(), "{password}");
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn an_owner_and_a_site_viewer_are_created_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("sori.db").display());
    let store = store::connect(&url).await.unwrap();
    let acme = Slug::parse("acme").unwrap();
    store
        .put_site(&Site {
            key: acme.clone(),
            name: "Acme".into(),
            allowed_origins: vec![],
            default_locale: Locale::En,
            time_zone: "UTC".into(),
            fatigue: SiteFatigue::default(),
        })
        .await
        .unwrap();

    let out = user_add(
        &url,
        &["--email", "Ana@Example.com", "--role", "owner"],
        "a long passphrase",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ana = store
        .user_by_email("ana@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(ana.owner);
    assert!(verify_password(
        "a long passphrase",
        Some(&ana.password_hash)
    ));
    assert!(!ana.password_hash.contains("passphrase"));

    let out = user_add(
        &url,
        &[
            "--email",
            "bo@example.com",
            "--role",
            "viewer",
            "--site",
            "acme",
        ],
        "another long one",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bo = store
        .user_by_email("bo@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(!bo.owner);
    assert_eq!(
        store.roles(&bo.id).await.unwrap(),
        vec![(acme, Role::Viewer)]
    );

    // A short password, a taken email and a viewer without a site are refused.
    for (args, password) in [
        (
            vec!["--email", "cy@example.com", "--role", "owner"],
            "short",
        ),
        (
            vec!["--email", "ana@example.com", "--role", "owner"],
            "a long passphrase",
        ),
        (
            vec!["--email", "dee@example.com", "--role", "viewer"],
            "a long passphrase",
        ),
        (
            vec![
                "--email",
                "eve@example.com",
                "--role",
                "owner",
                "--site",
                "acme",
            ],
            "a long passphrase",
        ),
    ] {
        let out = user_add(&url, &args, password);
        assert!(!out.status.success(), "{args:?} was accepted");
    }
    assert_eq!(store.users().await.unwrap().len(), 2);
}
