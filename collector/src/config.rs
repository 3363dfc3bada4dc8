//! The one config struct, read from flags and `SORI_*` environment variables.

use clap::Parser;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Clone, Debug, Parser)]
#[command(name = "sori-collector", version, about = "Sori feedback collector")]
pub struct Config {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "SORI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where responses live: sqlite://PATH (created if missing).
    #[arg(long, env = "SORI_DATABASE_URL", default_value = "sqlite://sori.db")]
    pub database_url: String,

    /// The built widget (`cargo xtask build` writes target/widget-dist).
    #[arg(long, env = "SORI_ASSETS_DIR")]
    pub assets_dir: Option<PathBuf>,

    /// Serve the demo page from this folder at /demo/ and seed its site and
    /// surveys into an empty database.
    #[arg(long, env = "SORI_DEMO_DIR")]
    pub demo_dir: Option<PathBuf>,

    /// With --demo-dir: days of made-up responses to write into a new demo
    /// database, so trends and comparisons have something to show.
    #[arg(long, env = "SORI_DEMO_HISTORY_DAYS", default_value_t = 0)]
    pub demo_history_days: u32,

    /// The URL browsers reach this collector at, e.g. https://feedback.example.com.
    /// Defaults to http://127.0.0.1:PORT.
    #[arg(long, env = "SORI_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Token for the admin API (at least 16 characters). Without it the
    /// admin API answers 401 to everyone.
    #[arg(long, env = "SORI_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<Secret>,

    /// Largest request body accepted on public endpoints, in bytes.
    #[arg(long, env = "SORI_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Public writes (responses, votes, counted reads and searches) accepted
    /// per client IP per minute on each instance, refilled continuously; 0
    /// turns the limit off.
    #[arg(long, env = "SORI_RATE_LIMIT_PER_MINUTE", default_value_t = 120)]
    pub rate_limit_per_minute: u32,

    /// How many of those one client IP may send at once after a quiet spell.
    #[arg(long, env = "SORI_RATE_LIMIT_BURST", default_value_t = 30)]
    pub rate_limit_burst: u32,

    /// Public writes accepted per site per minute on each instance, whatever
    /// the client; 0 turns the ceiling off.
    #[arg(
        long,
        env = "SORI_SITE_RATE_LIMIT_PER_MINUTE",
        default_value_t = 30_000
    )]
    pub site_rate_limit_per_minute: u32,

    /// Seconds a connection may take to send a request's headers, and may
    /// stay idle between requests, before it is closed.
    #[arg(long, env = "SORI_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Seconds a request may take from its headers to its answer, body
    /// included; past it the answer is 408.
    #[arg(long, env = "SORI_REQUEST_TIMEOUT_SECS", default_value_t = 15)]
    pub request_timeout_secs: u64,

    /// Open connections served at once; past it a new connection gets 503.
    #[arg(long, env = "SORI_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C
    /// before their connections are closed.
    #[arg(long, env = "SORI_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// Behind one reverse proxy or load balancer: take the client IP from the
    /// last `X-Forwarded-For` entry (the one that proxy added) for rate limits.
    #[arg(long, env = "SORI_BEHIND_PROXY")]
    pub behind_proxy: bool,

    /// Serve Prometheus metrics at `/metrics` on this address (e.g.
    /// 127.0.0.1:9464), apart from the public one; none without it.
    #[arg(long, env = "SORI_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Without a command the collector serves; a command does one job and exits.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum Command {
    /// Recomputes every score rollup from the stored responses and reports
    /// any difference; exits 1 when there is one and `--repair` was not given.
    Check {
        /// Rewrite the rollup from the responses where they differ.
        #[arg(long)]
        repair: bool,
    },
    /// Manages the people who sign in to the dashboard and the admin API.
    #[command(subcommand)]
    User(UserCommand),
    /// Copies a SQLite database into PostgreSQL (sites, surveys, responses,
    /// help articles, votes, searches, users, roles, sessions, tokens),
    /// recounts the rollup there and checks each table's count. Safe to run
    /// again: rows already copied are left alone.
    Migrate {
        /// sqlite://PATH
        #[arg(long)]
        from: String,
        /// postgres://USER@HOST/DB
        #[arg(long)]
        to: String,
    },
    /// Writes a consistent copy of the SQLite database to a new file, while
    /// collectors keep running (PostgreSQL: use pg_dump).
    Backup {
        /// The copy to write; it must not exist yet.
        path: PathBuf,
    },
    /// Creates or replaces the help articles of a YAML file in the database
    /// (the site must exist). Nothing is written if any article is invalid.
    ImportFaq {
        /// The site's key.
        #[arg(long)]
        site: String,
        /// The YAML file: `articles:` with id, locale, title, body, and
        /// optional category, tags and order.
        file: PathBuf,
    },
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Creates a user. The password is read from standard input (one line)
    /// or, at a terminal, asked for twice without echo.
    Add {
        #[arg(long)]
        email: String,
        /// `owner` manages users and every site; `admin` and `viewer` are
        /// roles on the site named by `--site`.
        #[arg(long, value_parser = ["owner", "admin", "viewer"])]
        role: String,
        /// The site an `admin` or `viewer` belongs to.
        #[arg(long, required_if_eq_any = [("role", "admin"), ("role", "viewer")])]
        site: Option<String>,
    },
}

impl Config {
    /// Defaults for tests and embedding: port 0, the given database, nothing else.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        let mut config = Config::defaults();
        config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config.database_url = database_url.into();
        config
    }

    /// Every setting at its default, whatever `SORI_*` variables the
    /// process has: tests build on this, so the shell that runs them cannot
    /// change the app they test.
    pub fn defaults() -> Self {
        use clap::{CommandFactory, FromArgMatches};
        let command = Config::command().mut_args(|arg| arg.env(None::<&str>));
        let matches = command.get_matches_from(["sori-collector"]);
        match Config::from_arg_matches(&matches) {
            Ok(config) => config,
            Err(e) => panic!("the defaults do not parse: {e}"),
        }
    }

    /// The one place settings are judged. Clap is not asked to: its error
    /// for a refused value repeats the value, and a token must not be shown.
    pub fn check(&self) -> Result<(), String> {
        if let Some(token) = &self.admin_token
            && token.0.chars().count() < 16
        {
            return Err(
                "the admin token (--admin-token, SORI_ADMIN_TOKEN) must be at least 16 characters"
                    .into(),
            );
        }
        for (flag, value) in [
            ("--max-connections", self.max_connections as u64),
            ("--header-timeout-secs", self.header_timeout_secs),
            ("--request-timeout-secs", self.request_timeout_secs),
        ] {
            if value == 0 {
                return Err(format!("{flag} must be at least 1"));
            }
        }
        Ok(())
    }
}

/// A secret whose `Debug` and `Display` never show it, so it cannot reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    /// Takes any text; [`Config::check`] judges its length.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let s: Secret = "a-very-long-admin-token".parse().unwrap();
        assert!(!format!("{s:?}").contains("admin-token"));
    }

    #[test]
    fn the_defaults_are_the_documented_ones_whatever_the_environment() {
        // `cargo xtask test` runs this with SORI_RATE_LIMIT_PER_MINUTE=1 set.
        let config = Config::defaults();
        assert_eq!(config.rate_limit_per_minute, 120);
        assert_eq!(config.max_body_bytes, 64 * 1024);
        assert_eq!(config.database_url, "sqlite://sori.db");
        assert!(config.admin_token.is_none() && config.assets_dir.is_none());
    }

    #[test]
    fn a_short_admin_token_is_refused_without_repeating_it() {
        let config = Config::parse_from(["sori-collector", "--admin-token", "hunter2-short"]);
        let error = config.check().unwrap_err();
        assert!(error.contains("16 characters"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}
