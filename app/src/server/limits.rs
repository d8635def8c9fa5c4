//! Per-address limits on the requests anyone can make without a session:
//! sign-in, "Passwort vergessen" and the links from mails. The counting is
//! governor's (GCRA); this module only decides whose address a request has.

use super::config::{Config, RequestLimits};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::request::Parts;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedAction {
    Login,
    PasswordReset,
    /// Opening or using an invitation or reset link.
    Link,
    /// The app's token and revocation endpoints.
    AppToken,
    /// Writing a refused request to the audit log: past this, refusals of
    /// the address go to the server log only, so that nobody can fill the
    /// database with refusals.
    RefusalAudit,
}

/// Refusals per address and minute that are written to the audit log.
const REFUSAL_AUDITS_PER_MINUTE: u32 = 30;

/// Keys that have not been seen for a while are swept once this many exist,
/// at most once a minute (a sweep walks the whole map).
const SWEEP_ABOVE: usize = 10_000;
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

pub struct RateLimits {
    login: DefaultKeyedRateLimiter<IpAddr>,
    reset: DefaultKeyedRateLimiter<IpAddr>,
    link: DefaultKeyedRateLimiter<IpAddr>,
    app_token: DefaultKeyedRateLimiter<IpAddr>,
    refusal_audit: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    last_sweep: Mutex<Instant>,
}

/// The key a client is counted under. An IPv6 client usually owns a whole
/// /64 and could take a fresh address for every request, so IPv6 counts per
/// /64 prefix.
pub fn limit_key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

fn per_minute(n: u32) -> DefaultKeyedRateLimiter<IpAddr> {
    RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one")))
}

impl RateLimits {
    pub fn new(limits: RequestLimits) -> Self {
        Self {
            login: per_minute(limits.login_per_minute),
            reset: per_minute(limits.reset_per_minute),
            link: per_minute(limits.token_per_minute),
            app_token: per_minute(limits.app_token_per_minute),
            refusal_audit: per_minute(REFUSAL_AUDITS_PER_MINUTE),
            clock: DefaultClock::default(),
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// Counts one request of `client`; `Err` carries how long it must wait.
    pub fn check(&self, action: LimitedAction, client: IpAddr) -> Result<(), Duration> {
        let limiter = match action {
            LimitedAction::Login => &self.login,
            LimitedAction::PasswordReset => &self.reset,
            LimitedAction::Link => &self.link,
            LimitedAction::AppToken => &self.app_token,
            LimitedAction::RefusalAudit => &self.refusal_audit,
        };
        if limiter.len() > SWEEP_ABOVE {
            self.sweep();
        }
        limiter.check_key(&limit_key(client)).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    fn sweep(&self) {
        let Ok(mut last) = self.last_sweep.try_lock() else { return };
        if last.elapsed() < SWEEP_INTERVAL {
            return;
        }
        *last = Instant::now();
        for limiter in [&self.login, &self.reset, &self.link, &self.app_token, &self.refusal_audit] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The address a request comes from. From a configured proxy, the
/// `X-Forwarded-For` entries are walked from the right — each was added by
/// the hop before — past every address that is itself a trusted proxy; the
/// first one that is not is the client. Entries left of it are whatever
/// the client sent and count for nothing. (All of them proxies: the
/// leftmost; an entry that is no address: the last proxy before it.)
pub fn client_address(parts: &Parts, config: &Config) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_canonical())?;
    let trusted = |ip: &IpAddr| config.trusted_proxies.iter().any(|range| range.contains(ip));
    if !trusted(&peer) {
        return Some(peer);
    }
    let entries: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Ok(hop) = entry.parse::<IpAddr>().map(|ip| ip.to_canonical()) else { break };
        client = hop;
        if !trusted(&hop) {
            break;
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned()).unwrap()
    }

    fn request(peer: &str, forwarded: Option<&str>) -> Parts {
        let mut builder = http::Request::get("/");
        if let Some(forwarded) = forwarded {
            builder = builder.header("x-forwarded-for", forwarded);
        }
        let (mut parts, ()) = builder.body(()).unwrap().into_parts();
        parts.extensions.insert(axum::extract::ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        parts
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy_and_only_its_rightmost_entry() {
        let direct = config(&[]);
        let parts = request("203.0.113.7:5000", Some("198.51.100.1"));
        assert_eq!(client_address(&parts, &direct), Some("203.0.113.7".parse().unwrap()));

        let proxied = config(&[("KP_TRUSTED_PROXIES", "10.0.0.2")]);
        let parts = request("10.0.0.2:5000", Some("1.2.3.4, 198.51.100.9"));
        assert_eq!(client_address(&parts, &proxied), Some("198.51.100.9".parse().unwrap()));
        let parts = request("10.0.0.2:5000", None);
        assert_eq!(client_address(&parts, &proxied), Some("10.0.0.2".parse().unwrap()));
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right_to_the_first_address_that_is_not_one() {
        // Client → CDN edge (203.0.113.0/24) → load balancer (10.0.0.2) → portal.
        let chained = config(&[("KP_TRUSTED_PROXIES", "10.0.0.2, 203.0.113.0/24, 2001:db8:ffff::/48")]);
        let client = |peer: &str, forwarded: &str| client_address(&request(peer, Some(forwarded)), &chained).unwrap().to_string();
        assert_eq!(client("10.0.0.2:5000", "198.51.100.7, 203.0.113.9"), "198.51.100.7");
        assert_eq!(client("10.0.0.2:5000", "192.0.2.44, 203.0.113.10"), "192.0.2.44", "another client behind another edge node");
        // Whatever the client wrote further left is not believed.
        assert_eq!(client("10.0.0.2:5000", "1.1.1.1, 198.51.100.7, 203.0.113.9"), "198.51.100.7");
        assert_eq!(client("10.0.0.2:5000", "2001:db8:1::5, 2001:db8:ffff:1::1"), "2001:db8:1::5");
        // A header split over several lines is one list.
        let parts = {
            let (mut parts, ()) = http::Request::get("/")
                .header("x-forwarded-for", "198.51.100.8")
                .header("x-forwarded-for", "203.0.113.9")
                .body(())
                .unwrap()
                .into_parts();
            parts.extensions.insert(axum::extract::ConnectInfo("10.0.0.2:5000".parse::<SocketAddr>().unwrap()));
            parts
        };
        assert_eq!(client_address(&parts, &chained).unwrap().to_string(), "198.51.100.8");
        // Only proxies in the list: the leftmost is the best we know; garbage stops the walk at the last proxy.
        assert_eq!(client("10.0.0.2:5000", "203.0.113.4, 203.0.113.9"), "203.0.113.4");
        assert_eq!(client("10.0.0.2:5000", "kein-ip, 203.0.113.9"), "203.0.113.9");
        // From an address that is no proxy, the header counts for nothing.
        assert_eq!(client("192.0.2.1:5000", "198.51.100.7"), "192.0.2.1");
        assert!(Config::from_lookup(|name| (name == "KP_TRUSTED_PROXIES").then(|| "10.0.0.0/33".to_owned())).is_err());
    }

    #[test]
    fn ipv6_clients_count_per_64_prefix() {
        let limits = RateLimits::new(RequestLimits { login_per_minute: 1, reset_per_minute: 1, token_per_minute: 1, app_token_per_minute: 1 });
        let first: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let same_prefix: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_prefix: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limits.check(LimitedAction::Login, first).is_ok());
        assert!(limits.check(LimitedAction::Login, same_prefix).is_err());
        assert!(limits.check(LimitedAction::Login, other_prefix).is_ok());
        assert_eq!(limit_key("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn each_address_has_its_own_allowance() {
        let limits = RateLimits::new(RequestLimits { login_per_minute: 2, reset_per_minute: 1, token_per_minute: 1, app_token_per_minute: 1 });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limits.check(LimitedAction::Login, a).is_ok());
        assert!(limits.check(LimitedAction::Login, a).is_ok());
        let wait = limits.check(LimitedAction::Login, a).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60), "{wait:?}");
        assert!(limits.check(LimitedAction::Login, b).is_ok());
        assert!(limits.check(LimitedAction::PasswordReset, a).is_ok(), "separate budget per action");
    }
}
