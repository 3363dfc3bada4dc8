//! Limits on public requests that write (responses, votes, counted views and
//! searches), per collector instance: collectors share nothing but the
//! database, so each keeps its own counts.
//!
//! Two limits apply, both as GCRA (governor): a smooth rate per client IP,
//! refilled continuously rather than reset each minute, so no boundary lets
//! twice the rate through; and a ceiling per site, so one site's traffic
//! cannot crowd the others out of the writer.

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter as Gcra};
use sori_protocol::Slug;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Past this many tracked keys, keys whose limit is fully refilled are dropped.
const PRUNE_ABOVE: usize = 50_000;

type Keyed<K, C> = Gcra<K, DashMapStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// The settings: requests a minute and the largest burst, per client IP and per site.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Per client IP per minute; 0 turns the per-IP limit off.
    pub per_ip_per_minute: u32,
    /// Requests one IP may send at once after a quiet spell (at most `per_ip_per_minute`).
    pub per_ip_burst: u32,
    /// Per site per minute; 0 turns the per-site ceiling off.
    pub per_site_per_minute: u32,
}

/// Both limits, checked together for each public write.
pub struct RateLimiter<C: Clock = DefaultClock> {
    per_ip: Option<Keyed<IpAddr, C>>,
    per_site: Option<Keyed<Slug, C>>,
    clock: C,
    checks: AtomicU64,
}

impl RateLimiter {
    /// The limits on the system clock.
    pub fn new(limits: Limits) -> Self {
        Self::with_clock(limits, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    /// The limits on `clock`, which tests move by hand.
    pub fn with_clock(limits: Limits, clock: C) -> Self {
        let quota = |per_minute: u32, burst: u32| {
            let rate = NonZeroU32::new(per_minute)?;
            let burst = NonZeroU32::new(burst.clamp(1, per_minute))?;
            Some(Quota::per_minute(rate).allow_burst(burst))
        };
        let per_ip = quota(limits.per_ip_per_minute, limits.per_ip_burst)
            .map(|q| Gcra::dashmap_with_clock(q, clock.clone()));
        // A site may spend ten seconds' worth of its ceiling at once.
        let per_site = quota(limits.per_site_per_minute, limits.per_site_per_minute / 6)
            .map(|q| Gcra::dashmap_with_clock(q, clock.clone()));
        Self {
            per_ip,
            per_site,
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds)` when `ip` or `site` is over its limit: retry after that
    /// many seconds. The IP is checked first, so a client refused for its own
    /// rate spends nothing of its site's ceiling.
    pub fn check(&self, ip: IpAddr, site: &Slug) -> Result<(), u64> {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(1024)
        {
            self.prune();
        }
        self.check_one(self.per_ip.as_ref(), &ip)?;
        self.check_one(self.per_site.as_ref(), site)
    }

    fn check_one<K: Hash + Eq + Clone>(
        &self,
        limiter: Option<&Keyed<K, C>>,
        key: &K,
    ) -> Result<(), u64> {
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            whole_seconds(wait)
        })
    }

    fn prune(&self) {
        if let Some(l) = &self.per_ip
            && l.len() > PRUNE_ABOVE
        {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// Retry-After is whole seconds; round up so a client that obeys it is let in.
fn whole_seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// The client's address: the peer, or behind a proxy the last entry of
/// `X-Forwarded-For` (earlier entries are the client's own claims).
pub fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, behind_proxy: bool) -> IpAddr {
    if !behind_proxy {
        return peer;
    }
    // Only the very last entry is trusted; an unreadable one is not skipped
    // in favour of an earlier entry, which the client could have forged.
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|ip| ip.trim().parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn behind_a_proxy_the_last_forwarded_address_is_the_client() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            client_ip(proxy, &headers, true),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(proxy, &headers, false), proxy);
        assert_eq!(client_ip(proxy, &axum::http::HeaderMap::new(), true), proxy);
        headers.insert("x-forwarded-for", "203.0.113.9, garbage".parse().unwrap());
        assert_eq!(client_ip(proxy, &headers, true), proxy);
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn site(key: &str) -> Slug {
        Slug::parse(key).unwrap()
    }

    fn limiter(
        per_ip: u32,
        burst: u32,
        per_site: u32,
    ) -> (RateLimiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let limits = Limits {
            per_ip_per_minute: per_ip,
            per_ip_burst: burst,
            per_site_per_minute: per_site,
        };
        (RateLimiter::with_clock(limits, clock.clone()), clock)
    }

    /// 240 requests in 1.3 s, wherever a minute boundary falls, at 120 a minute.
    #[test]
    fn a_burst_across_any_minute_boundary_gets_only_the_burst_and_the_refill() {
        let (limiter, clock) = limiter(120, 30, 0);
        clock.advance(Duration::from_millis(59_500));
        let mut allowed = 0;
        for _ in 0..240 {
            if limiter.check(IP, &site("acme")).is_ok() {
                allowed += 1;
            }
            clock.advance(Duration::from_micros(1_300_000 / 240));
        }
        // 30 at once, then one every 0.5 s: 2 more in 1.3 s.
        assert_eq!(allowed, 32);
    }

    #[test]
    fn a_refused_client_is_told_how_long_to_wait_and_then_let_in() {
        let (limiter, clock) = limiter(2, 2, 0);
        assert!(limiter.check(IP, &site("acme")).is_ok());
        assert!(limiter.check(IP, &site("acme")).is_ok());
        assert_eq!(limiter.check(IP, &site("acme")), Err(30));
        clock.advance(Duration::from_secs(30));
        assert!(limiter.check(IP, &site("acme")).is_ok());
    }

    #[test]
    fn one_site_over_its_ceiling_leaves_other_sites_alone() {
        let (limiter, _) = limiter(0, 0, 60);
        let many: Vec<IpAddr> = (1..=20u8)
            .map(|i| IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, i)))
            .collect();
        let allowed = many
            .iter()
            .filter(|ip| limiter.check(**ip, &site("busy")).is_ok())
            .count();
        assert_eq!(allowed, 10, "ten seconds' worth of 60 a minute");
        assert!(limiter.check(many[0], &site("quiet")).is_ok());
    }

    #[test]
    fn zero_limits_never_refuse() {
        let (limiter, _) = limiter(0, 0, 0);
        assert!((0..1000).all(|_| limiter.check(IP, &site("acme")).is_ok()));
    }
}
