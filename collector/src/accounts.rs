//! Passwords, session ids and API tokens: how they are made, stored and
//! checked. Passwords are hashed with argon2id; session ids and tokens are
//! 256 random bits, given to their holder once and stored only as SHA-256
//! hashes (a random 256-bit secret needs no slow hash), so the database
//! holds nothing that lets anyone in.

use crate::store::NewUser;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash};
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};
use sori_protocol::{ErrorCode, FieldError};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::LazyLock;
use std::time::Duration;

/// The name of the dashboard's session cookie.
pub const SESSION_COOKIE: &str = "sori_session";
/// How long a login lasts; signing in again starts a new session.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// What every personal API token starts with, so a leaked one is easy to
/// recognise (and to scan for) as Sori's.
pub const TOKEN_PREFIX: &str = "sori_pat_";
/// Password checks that may run at once.
pub const PASSWORD_CHECKS: usize = 4;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// An argon2id hash of `password` with a fresh salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, password_hash::Error> {
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// A hash of a password nobody has: checked against when an email is
/// unknown, so a login takes as long whether or not the account exists.
static NOBODY: LazyLock<String> = LazyLock::new(|| {
    let mut random = [0u8; 32];
    fill_random(&mut random);
    hash_password(&hex(&random)).unwrap_or_default()
});

/// Whether `password` matches `stored` (a PHC string); `None` checks
/// against a hash nobody's password matches, taking the same time.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let stored = stored.unwrap_or(&NOBODY);
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A new session id or token: 256 random bits, hex-encoded.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    hex(&bytes)
}

/// How a session id or token is stored and looked up.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn fill_random(bytes: &mut [u8]) {
    // The operating system's generator failing leaves nothing safe to do.
    #[allow(clippy::expect_used)]
    getrandom::fill(bytes).expect("the operating system's random generator works");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Emails are compared as typed, ignoring case and surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email and password for a new user and hashes the password.
pub fn new_user(email: &str, password: &str, owner: bool) -> Result<NewUser, FieldError> {
    let email = normalize_email(email);
    let plausible = email
        .split_once('@')
        .is_some_and(|(name, host)| !name.is_empty() && host.contains('.'))
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace);
    if !plausible {
        return Err(FieldError::new(
            "email",
            ErrorCode::Invalid,
            format!("'{email}' is not an email address"),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            ErrorCode::OutOfRange,
            format!("a password has at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    let password_hash = hash_password(password).map_err(|e| {
        FieldError::new(
            "password",
            ErrorCode::Invalid,
            format!("the password cannot be hashed: {e}"),
        )
    })?;
    Ok(NewUser {
        email,
        password_hash,
        owner,
    })
}

/// Limits on login attempts, so a password cannot be guessed by brute
/// force: per account (10 at once, then one every 90 seconds) whoever
/// tries, and per client IP (20 at once, then one every 30 seconds)
/// whichever account it tries.
pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    checks: std::sync::atomic::AtomicU64,
}

/// Past this many tracked emails or addresses, those whose limit is fully
/// refilled are forgotten, so made-up emails cannot fill the memory.
const FORGET_ABOVE: usize = 10_000;

impl Default for LoginThrottle {
    fn default() -> Self {
        let quota = |every: Duration, burst: u32| {
            Quota::with_period(every)
                .map(|q| q.allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN)))
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        };
        Self {
            per_account: DefaultKeyedRateLimiter::dashmap(quota(Duration::from_secs(90), 10)),
            per_ip: DefaultKeyedRateLimiter::dashmap(quota(Duration::from_secs(30), 20)),
            checks: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl LoginThrottle {
    /// `Err(seconds)` when this attempt is over a limit: retry after that
    /// many seconds. Every attempt counts, right or wrong, so the answer
    /// says nothing about the password.
    pub fn check(&self, ip: IpAddr, email: &str) -> Result<(), u64> {
        let wait = |not_until: governor::NotUntil<governor::clock::QuantaInstant>| {
            let clock = governor::clock::DefaultClock::default();
            not_until
                .wait_time_from(governor::clock::Clock::now(&clock))
                .as_secs()
                + 1
        };
        let n = self
            .checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n.is_multiple_of(256)
            && (self.per_ip.len() > FORGET_ABOVE || self.per_account.len() > FORGET_ABOVE)
        {
            self.per_ip.retain_recent();
            self.per_account.retain_recent();
            self.per_ip.shrink_to_fit();
            self.per_account.shrink_to_fit();
        }
        self.per_ip.check_key(&ip).map_err(wait)?;
        self.per_account
            .check_key(&normalize_email(email))
            .map_err(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse battery!", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert!(!verify_password("x", Some("not a phc string")));
        // A fresh salt each time.
        assert_ne!(hash, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn secrets_are_256_random_bits_stored_hashed() {
        let a = new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_secret());
        assert_eq!(secret_hash(&a), secret_hash(&a));
        assert_ne!(secret_hash(&a), a);
    }

    #[test]
    fn the_eleventh_attempt_on_one_account_waits() {
        let throttle = LoginThrottle::default();
        let ip = |n: u8| IpAddr::from([10, 0, 0, n]);
        for n in 0..10 {
            assert!(throttle.check(ip(n), "Ana@example.com").is_ok());
        }
        let wait = throttle.check(ip(99), " ana@EXAMPLE.com ").unwrap_err();
        assert!((1..=91).contains(&wait), "{wait}");
        assert!(throttle.check(ip(99), "bo@example.com").is_ok());
    }
}
