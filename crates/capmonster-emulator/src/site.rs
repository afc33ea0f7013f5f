//! Simulated sites: pages that check the tokens the emulator hands out, and accept only a share
//! of them, more with `nocache` than without (the behaviour CapMonster's docs describe for sites
//! that accept "1 in 10" tokens).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::spec::website_url;

/// The most sites an emulator simulates (configured ones; every other site accepts everything
/// and is not counted per site).
pub const MAX_SITES: usize = 1000;

/// A simulated site: the page's host and the site key its tokens are for, and the share of fresh
/// tokens it accepts.
///
/// A task belongs to the site whose host is its `websiteURL`'s host (lowercase, without port,
/// user info or trailing dot) and whose key is its `websiteKey` (`websitePublicKey` for
/// FunCaptcha, `gt` for GeeTest). A site with the key `*` takes every key of its host that has no
/// site of its own.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Site {
    /// The page's host, normalised (see [`site_host`]).
    pub host: String,
    /// The site key, or `*` for any key of the host.
    pub website_key: String,
    /// Probability (0 to 1) that a fresh token solved without `nocache` is accepted.
    pub accept_plain: f64,
    /// Probability (0 to 1) that a fresh token solved with `nocache` is accepted.
    pub accept_nocache: f64,
    /// Emulated time added to the solve of a task of this site that applies `nocache`.
    pub nocache_extra: Duration,
}

impl Site {
    /// A site that accepts every fresh token (set the shares with [`Site::accept`]).
    pub fn new(host: &str, website_key: impl Into<String>) -> Self {
        Self {
            host: site_host(host),
            website_key: website_key.into(),
            accept_plain: 1.0,
            accept_nocache: 1.0,
            nocache_extra: Duration::ZERO,
        }
    }

    /// Sets the acceptance probabilities without and with `nocache` (each kept within 0 to 1;
    /// NaN counts as 0).
    pub fn accept(mut self, plain: f64, nocache: f64) -> Self {
        self.accept_plain = probability(plain);
        self.accept_nocache = probability(nocache);
        self
    }

    /// Sets the emulated time a `nocache` solve takes beyond the normal one.
    pub fn nocache_extra(mut self, extra: Duration) -> Self {
        self.nocache_extra = extra;
        self
    }

    /// `host/key`: the site's name in [`Stats::sites`](crate::Stats::sites).
    pub fn label(&self) -> String {
        format!("{}/{}", self.host, self.website_key)
    }
}

fn probability(p: f64) -> f64 {
    if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) }
}

/// Why a site definition could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseSiteError(String);

impl fmt::Display for ParseSiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseSiteError {}

impl FromStr for Site {
    type Err = ParseSiteError;

    /// `HOST,KEY,P_PLAIN,P_NOCACHE[,EXTRA_MS]`, e.g. `shop.example,6Lc...,0.3,0.9,5000`: the
    /// probabilities are numbers from 0 to 1; `EXTRA_MS` is emulated milliseconds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why: &str| {
            ParseSiteError(format!(
                "site `{s}`: {why}; expected HOST,KEY,P_PLAIN,P_NOCACHE[,EXTRA_MS], e.g. shop.example,6LcKEY,0.3,0.9,5000"
            ))
        };
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if !(4..=5).contains(&parts.len()) {
            return Err(err("needs four or five comma-separated parts"));
        }
        let host = site_host(parts[0]);
        if host.is_empty() {
            return Err(err("HOST is empty"));
        }
        if parts[1].is_empty() {
            return Err(err("KEY is empty (use * for every key of the host)"));
        }
        let p = |v: &str, name: &str| {
            v.parse::<f64>()
                .ok()
                .filter(|p| (0.0..=1.0).contains(p))
                .ok_or_else(|| err(&format!("{name} must be a number from 0 to 1")))
        };
        let plain = p(parts[2], "P_PLAIN")?;
        let nocache = p(parts[3], "P_NOCACHE")?;
        let extra = match parts.get(4) {
            Some(ms) => Duration::from_millis(
                ms.parse()
                    .map_err(|_| err("EXTRA_MS must be a whole number of milliseconds"))?,
            ),
            None => Duration::ZERO,
        };
        Ok(Site::new(&host, parts[1])
            .accept(plain, nocache)
            .nocache_extra(extra))
    }
}

/// A host as sites are matched on it: lowercase, without scheme, user info, port, path or a
/// trailing dot (`https://User@Shop.Example.:8443/login` gives `shop.example`). An IPv6 literal
/// keeps its brackets.
pub fn site_host(url_or_host: &str) -> String {
    let rest = url_or_host
        .split_once("://")
        .map_or(url_or_host, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port
            .find(']')
            .map_or(host_port, |end| &host_port[..=end])
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// A task's site: the host of its `websiteURL` and its site key (`websiteKey`, else
/// `websitePublicKey`, else `gt`). `None` for a task without a `websiteURL`.
pub(crate) fn site_of(task: &Map<String, Value>) -> Option<(String, String)> {
    let host = site_host(website_url(task)?.as_str()?);
    let key = ["websiteKey", "websitePublicKey", "gt"]
        .iter()
        .find_map(|f| task.get(*f).and_then(Value::as_str))
        .unwrap_or_default();
    Some((host, key.to_owned()))
}

/// The token string of a solution, for verification by token: `gRecaptchaResponse`
/// (reCAPTCHA, hCaptcha), `token` (Turnstile, FunCaptcha, Binance, Prosopo, MTCaptcha, Yidun,
/// Amazon in the Anti-Captcha dialect) or `cf_clearance`. Other solutions are verified by task id.
pub(crate) fn token_of(solution: &Value) -> Option<&str> {
    ["gRecaptchaResponse", "token", "cf_clearance"]
        .iter()
        .find_map(|f| solution.get(*f).and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(
            site_host("https://User:pw@Shop.Example.:8443/login?a=b"),
            "shop.example"
        );
        assert_eq!(site_host("shop.example"), "shop.example");
        assert_eq!(site_host("http://[::1]:80/x"), "[::1]");
        assert_eq!(site_host("https://a.b#frag"), "a.b");
    }

    #[test]
    fn sites_parse_and_refuse_with_the_rule() {
        let s: Site = "Shop.Example,6LcKEY,0.3,0.9,5000".parse().unwrap();
        assert_eq!(s.host, "shop.example");
        assert_eq!(s.website_key, "6LcKEY");
        assert_eq!((s.accept_plain, s.accept_nocache), (0.3, 0.9));
        assert_eq!(s.nocache_extra, Duration::from_secs(5));
        let s: Site = "a.b,*,1,0".parse().unwrap();
        assert_eq!(s.nocache_extra, Duration::ZERO);
        for bad in [
            "a.b,k,0.3",
            "a.b,k,1.5,0.9",
            "a.b,k,x,0.9",
            ",k,0.1,0.2",
            "a.b,,0.1,0.2",
            "a.b,k,0.1,0.2,-4",
            "a.b,k,0.1,0.2,1,2",
        ] {
            let e = bad.parse::<Site>().unwrap_err().to_string();
            assert!(e.contains("HOST,KEY,P_PLAIN,P_NOCACHE"), "{bad}: {e}");
        }
        assert_eq!(
            Site::new("x", "k").accept(f64::NAN, 7.0).accept_nocache,
            1.0
        );
    }
}
