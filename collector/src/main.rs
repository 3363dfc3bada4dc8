//! `sori-collector`: parse config, start logging, run until Ctrl-C or SIGTERM.

use anyhow::Context;
use clap::Parser;
use sori_collector::config::Command;
use sori_collector::{Application, Config, faq, store};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let config = Config::parse();
    if let Some(Command::ImportFaq { site, file }) = &config.command {
        return import_faq(&config.database_url, site, file).await;
    }
    let app = Application::build(config).await?;
    tracing::info!(
        port = app.port(),
        url = app.public_url(),
        "sori collector listening"
    );
    app.run_until(shutdown_signal()).await
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
