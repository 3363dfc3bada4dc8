//! Per-client-IP limits on public writes, per instance (DESIGN §6: collectors
//! are stateless, so each instance keeps its own window).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Above this many tracked clients, windows from past minutes are dropped.
const PRUNE_ABOVE: usize = 50_000;

/// A fixed one-minute window per client IP.
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (u64, u32)>>,
}

impl RateLimiter {
    /// `per_minute == 0` turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` when `ip` is over its limit: retry after that many seconds.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.check_at(ip, now)
    }

    fn check_at(&self, ip: IpAddr, now_secs: u64) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let minute = now_secs / 60;
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (m, _)| *m == minute);
        }
        let window = windows.entry(ip).or_insert((minute, 0));
        if window.0 != minute {
            *window = (minute, 0);
        }
        if window.1 >= self.per_minute {
            return Err(60 - now_secs % 60);
        }
        window.1 += 1;
        Ok(())
    }
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

    #[test]
    fn the_request_after_the_limit_waits_for_the_next_minute() {
        let limiter = RateLimiter::new(2);
        assert!(limiter.check_at(IP, 6_000).is_ok());
        assert!(limiter.check_at(IP, 6_001).is_ok());
        assert_eq!(limiter.check_at(IP, 6_015), Err(45));
        assert!(limiter.check_at(IP, 6_060).is_ok());
    }

    #[test]
    fn a_zero_limit_never_refuses() {
        let limiter = RateLimiter::new(0);
        assert!((0..1000).all(|i| limiter.check_at(IP, i).is_ok()));
    }
}
