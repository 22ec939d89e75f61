//! The cookie jar of a run, capped as browsers cap theirs: a cookie of more than 4 KB is
//! ignored, a host may set 50 cookies and the run 3,000, and the `Cookie` header sent is at
//! most 8 KB (the cookies that fit, in the jar's order). A server that sets cookies without
//! end can neither grow the requests nor the memory of a run.

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Largest `Set-Cookie` value kept (name, value and attributes).
const MAX_COOKIE_BYTES: usize = 4096;
/// Cookies one host may set.
const MAX_PER_HOST: usize = 50;
/// Cookies of the whole run.
const MAX_TOTAL: usize = 3000;
/// Largest `Cookie` header sent.
const MAX_HEADER_BYTES: usize = 8192;

/// A [`Jar`] behind the caps.
#[derive(Debug, Default)]
pub(crate) struct CappedJar {
    jar: Jar,
    /// Cookie names each host has set (what the caps count).
    names: Mutex<HashMap<String, HashSet<String>>>,
}

impl CappedJar {
    /// Whether the jar takes a cookie `name` from `host` (a name it already holds always).
    fn admit(&self, host: &str, name: &str) -> bool {
        let Ok(mut names) = self.names.lock() else { return false };
        let total: usize = names.values().map(HashSet::len).sum();
        let of_host = names.entry(host.to_string()).or_default();
        if of_host.contains(name) {
            return true;
        }
        if of_host.len() >= MAX_PER_HOST || total >= MAX_TOTAL {
            return false;
        }
        of_host.insert(name.to_string());
        true
    }
}

impl CookieStore for CappedJar {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &url::Url) {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let mut kept = headers.filter(|h| {
            let name = h.to_str().ok().and_then(|s| s.split('=').next()).map(str::trim);
            h.len() <= MAX_COOKIE_BYTES && name.is_some_and(|n| !n.is_empty() && self.admit(&host, n))
        });
        self.jar.set_cookies(&mut kept, url);
    }

    fn cookies(&self, url: &url::Url) -> Option<HeaderValue> {
        let all = self.jar.cookies(url)?;
        if all.len() <= MAX_HEADER_BYTES {
            return Some(all);
        }
        let text = all.to_str().ok()?;
        let mut header = String::new();
        for pair in text.split("; ") {
            if header.len() + pair.len() + 2 > MAX_HEADER_BYTES {
                break;
            }
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(pair);
        }
        (!header.is_empty()).then(|| HeaderValue::from_str(&header).ok()).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_cannot_grow_the_jar_or_the_header_without_end() {
        let jar = CappedJar::default();
        let url = url::Url::parse("https://a.example/").expect("url");
        let value = "v".repeat(4000);
        for round in 0..20 {
            let headers: Vec<HeaderValue> = (0..40)
                .filter_map(|i| HeaderValue::from_str(&format!("c{round}_{i}={value}; Path=/")).ok())
                .collect();
            jar.set_cookies(&mut headers.iter(), &url);
        }
        let huge = HeaderValue::from_str(&format!("big={}", "x".repeat(5000))).expect("header");
        jar.set_cookies(&mut std::iter::once(&huge), &url);
        let held: usize = jar.names.lock().map(|n| n.values().map(HashSet::len).sum()).unwrap_or(0);
        assert_eq!(held, MAX_PER_HOST);
        let header = jar.cookies(&url).expect("some cookies fit");
        assert!(header.len() <= MAX_HEADER_BYTES, "{}", header.len());
        assert!(!header.to_str().unwrap_or("").contains("big="));
        // A cookie it holds can still be updated.
        let update = HeaderValue::from_str("c0_0=new; Path=/").expect("header");
        jar.set_cookies(&mut std::iter::once(&update), &url);
        assert!(jar.jar.cookies(&url).is_some_and(|h| h.to_str().unwrap_or("").contains("c0_0=new")));
    }
}
