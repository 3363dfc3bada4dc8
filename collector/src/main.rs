//! `sori-collector`: parse config, start logging, run until Ctrl-C or SIGTERM.

use anyhow::Context;
use clap::Parser;
use sori_collector::config::{Command, UserCommand};
use sori_collector::{Application, Config, faq, store};

/// Every request allocates a few dozen small buffers and frees them on
/// another thread; glibc's allocator spent a fifth of the collector's
/// time on that under load, mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let config = Config::parse();
    if let Err(why) = config.check() {
        eprintln!("error: {why}");
        std::process::exit(2);
    }
    match &config.command {
        Some(Command::ImportFaq { site, file }) => {
            return import_faq(&config.database_url, site, file).await;
        }
        Some(Command::Check { repair }) => return check(&config.database_url, *repair).await,
        Some(Command::Migrate { from, to }) => return migrate(from, to).await,
        Some(Command::Backup { path }) => {
            let bytes = store::backup(&config.database_url, path).await?;
            println!("backed up to {} ({bytes} bytes)", path.display());
            return Ok(());
        }
        Some(Command::User(UserCommand::Add { email, role, site })) => {
            return add_user(&config.database_url, email, role, site.as_deref()).await;
        }
        None => {}
    }
    raise_file_limit(config.max_connections);
    let app = Application::build(config).await?;
    tracing::info!(
        port = app.port(),
        url = app.public_url(),
        "sori collector listening"
    );
    app.run_until(shutdown_signal()).await
}

async fn migrate(from: &str, to: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let report =
        sori_collector::migrate::sqlite_to_postgres(from, to, std::io::stderr().is_terminal())
            .await?;
    let mut short = Vec::new();
    for copied in &report {
        println!(
            "{:>16}: {} rows in SQLite, {} in PostgreSQL",
            copied.table, copied.source, copied.target
        );
        if copied.target < copied.source {
            short.push(copied.table);
        }
    }
    anyhow::ensure!(short.is_empty(), "rows missing in PostgreSQL: {short:?}");
    println!("the score rollup was recounted from the copied responses");
    Ok(())
}

async fn import_faq(database_url: &str, site: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let store = store::connect(database_url)
        .await
        .with_context(|| format!("opening {}", store::redact_url(database_url)))?;
    let key =
        sori_protocol::Slug::parse(site).map_err(|why| anyhow::anyhow!("site '{site}' {why}"))?;
    anyhow::ensure!(
        store.site(&key).await?.is_some(),
        "no site has the key '{key}'; create it first (PUT /v1/admin/sites/{key})"
    );
    let yaml =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let count = faq::import(store.as_ref(), &key, &yaml)
        .await
        .with_context(|| format!("importing {}", file.display()))?;
    println!("imported {count} articles into site '{key}'");
    Ok(())
}

/// `sori-collector user add --email E --role owner|admin|viewer [--site KEY]`.
async fn add_user(
    database_url: &str,
    email: &str,
    role: &str,
    site: Option<&str>,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    anyhow::ensure!(
        role != "owner" || site.is_none(),
        "an owner manages every site: leave out --site"
    );
    let store = store::connect(database_url)
        .await
        .with_context(|| format!("opening {}", store::redact_url(database_url)))?;
    let site = match site {
        Some(key) => {
            let key = sori_protocol::Slug::parse(key)
                .map_err(|why| anyhow::anyhow!("site '{key}' {why}"))?;
            anyhow::ensure!(
                store.site(&key).await?.is_some(),
                "no site has the key '{key}'"
            );
            Some(key)
        }
        None => None,
    };
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("password for {email}: "))?;
        let again = rpassword::prompt_password("again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        first
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    let user = sori_collector::accounts::new_user(email, &password, role == "owner")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        store.create_user(&user).await?,
        "a user with the email '{}' exists",
        user.email
    );
    let created = store
        .user_by_email(&user.email)
        .await?
        .context("reading the new user back")?;
    if let Some(site) = site {
        let role = if role == "admin" {
            store::Role::Admin
        } else {
            store::Role::Viewer
        };
        store.set_member(&site, &created.id, role).await?;
        println!("created {} as {role:?} of site '{site}'", created.email);
    } else {
        println!("created {} as an owner", created.email);
    }
    Ok(())
}

/// `sori-collector check [--repair]`: exit 0 when the rollup equals the
/// rows (or was just made equal), 1 when it does not.
async fn check(database_url: &str, repair: bool) -> anyhow::Result<()> {
    // Opening a SQLite URL creates the file: a mistyped path would check an
    // empty database and pass.
    if let Some(path) = database_url.strip_prefix("sqlite:") {
        let path = path
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or("");
        anyhow::ensure!(
            std::path::Path::new(path).exists(),
            "there is no database at {path}"
        );
    }
    let store = store::connect(database_url)
        .await
        .with_context(|| format!("opening {}", store::redact_url(database_url)))?;
    let report = store.check_rollup(repair).await?;
    for drift in &report.drift {
        println!("drift: {drift}");
    }
    println!(
        "checked {} responses and {} rollup cells: {} differences{}",
        report.responses,
        report.cells,
        report.drift.len(),
        if report.repaired { ", repaired" } else { "" }
    );
    if !report.is_clean() && !report.repaired {
        println!("run `sori-collector check --repair` to rewrite the rollup from the responses");
        std::process::exit(1);
    }
    Ok(())
}

/// Each connection is a file descriptor: raise the soft limit to the hard
/// one, and say so when the connection cap cannot fit under it.
fn raise_file_limit(max_connections: usize) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < max_connections as u64 + 64 => tracing::warn!(
            limit,
            max_connections,
            "the open-file limit is below --max-connections; lower it or raise `ulimit -n`"
        ),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not read the open-file limit"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests and writes");
}
