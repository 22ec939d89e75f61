//! Retry rules, in one place: what is worth asking again, how long to wait, and when a whole
//! host slows down.

use super::classify::Answer;
use super::failure::Failure;
use reqwest::header::RETRY_AFTER;
use std::time::Duration;

/// What to do after an answer that is worth asking for again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retry {
    /// How long to wait first.
    pub wait: Duration,
    /// The whole host slows down, not just this request.
    pub slow_host: bool,
}

/// Whether to ask `url` again after `result`, `done` retries having been made of at most
/// `max`; waits are capped by `cap`.
pub(crate) fn after(
    result: &Result<Answer, Failure>,
    url: &str,
    done: u32,
    max: u32,
    cap: Duration,
) -> Option<Retry> {
    let transient = match result {
        Ok(a) => status_is_transient(a.status),
        Err(f) => failure_is_transient(f),
    };
    if !transient || done >= max {
        return None;
    }
    let attempt = done + 1;
    let seed = url.bytes().fold(u64::from(attempt), |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let answer = result.as_ref().ok();
    let asked = answer.and_then(|a| server_wait(&a.headers, cap));
    Some(Retry {
        wait: asked.unwrap_or_else(|| backoff(attempt, cap, seed)),
        slow_host: answer.is_some_and(|a| slows_host(a.status)),
    })
}

/// The wait a server asks for: `Retry-After` (seconds or an HTTP date), else the rate-limit
/// headers: `RateLimit-Reset` (seconds, IETF draft) or `X-RateLimit-Reset` (seconds, or a Unix
/// time when it is one); capped by `cap`.
pub(crate) fn server_wait(headers: &reqwest::header::HeaderMap, cap: Duration) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(wait) = get(RETRY_AFTER.as_str()).and_then(|v| retry_after(v, cap)) {
        return Some(wait);
    }
    let reset = get("ratelimit-reset").or_else(|| get("x-ratelimit-reset"))?;
    let n: u64 = reset.parse().ok()?;
    // Values past 2001-09-09 (1e9 s) are instants, not intervals.
    let wait = if n >= 1_000_000_000 {
        let at = std::time::UNIX_EPOCH + Duration::from_secs(n);
        at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO)
    } else {
        Duration::from_secs(n)
    };
    Some(wait.min(cap))
}

/// Whether an HTTP status is worth asking again (never a 404).
pub(crate) fn status_is_transient(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// Whether a failed request is worth sending again: timeouts and dropped connections are; a
/// name that does not resolve (NXDOMAIN is an answer), no route to the network, a certificate
/// problem or a refusal are not.
pub(crate) fn failure_is_transient(f: &Failure) -> bool {
    matches!(
        f,
        Failure::Timeout
            | Failure::ConnectTimeout
            | Failure::ConnectionRefused
            | Failure::Reset
            | Failure::Closed
    )
}

/// Whether an answer slows every later request to its host (429 Too Many Requests, 503).
pub(crate) fn slows_host(status: u16) -> bool {
    status == 429 || status == 503
}

/// Exponential backoff with jitter for attempt `n` (1-based): 0.5 s, 1 s, 2 s, … ±25%, capped.
pub(crate) fn backoff(n: u32, cap: Duration, seed: u64) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1u32 << n.saturating_sub(1).min(16));
    // Cheap deterministic jitter from the seed (a hash of the URL and attempt).
    let jitter = 0.75 + (seed % 1000) as f64 / 2000.0;
    base.mul_f64(jitter).min(cap)
}

/// `Retry-After` as seconds or an HTTP date, relative to now; capped by `cap`.
pub(crate) fn retry_after(value: &str, cap: Duration) -> Option<Duration> {
    let v = value.trim();
    let wait = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            // IMF-fixdate, RFC 850 and asctime, as RFC 9110 requires.
            let when = httpdate::parse_http_date(v).ok()?;
            when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_statuses() {
        for (s, want) in
            [(404, false), (410, false), (403, false), (429, true), (500, true), (503, true), (408, true)]
        {
            assert_eq!(status_is_transient(s), want, "{s}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let cap = Duration::from_secs(60);
        assert_eq!(retry_after("3", cap), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("600", cap), Some(cap));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:37 GMT", cap), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", cap), None);
        // RFC 850 and asctime, which RFC 9110 requires a recipient to accept.
        assert_eq!(retry_after("Sunday, 06-Nov-94 08:49:37 GMT", cap), Some(Duration::ZERO));
        assert_eq!(retry_after("Sun Nov  6 08:49:37 1994", cap), Some(Duration::ZERO));
        let soon = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(20));
        assert!(retry_after(&soon, cap).is_some_and(|d| d > Duration::from_secs(15)), "{soon}");
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("ratelimit-reset", "7".parse().expect("value"));
        assert_eq!(server_wait(&h, cap), Some(Duration::from_secs(7)));
        let mut x = reqwest::header::HeaderMap::new();
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
            + 5;
        x.insert("x-ratelimit-reset", at.to_string().parse().expect("value"));
        assert!(
            server_wait(&x, cap).is_some_and(|d| d <= Duration::from_secs(5) && d >= Duration::from_secs(3))
        );
        x.insert("retry-after", "2".parse().expect("value"));
        assert_eq!(server_wait(&x, cap), Some(Duration::from_secs(2)), "Retry-After first");
        let later =
            humantime::format_rfc3339(std::time::SystemTime::now() + Duration::from_secs(30)).to_string();
        assert!(later.ends_with('Z'));
    }

    #[test]
    fn transient_failures() {
        assert!(failure_is_transient(&Failure::Timeout));
        assert!(failure_is_transient(&Failure::Reset));
        assert!(!failure_is_transient(&Failure::NameNotFound), "NXDOMAIN is not retried");
        assert!(!failure_is_transient(&Failure::Tls("x".into())));
        assert!(!failure_is_transient(&Failure::Refused("x".into())));
        assert!(slows_host(429) && slows_host(503) && !slows_host(500));
    }

    #[test]
    fn after_decides_retries_and_host_slowdowns() {
        let cap = Duration::from_secs(60);
        let answer = |status: u16, retry_after: Option<&str>| {
            let mut headers = reqwest::header::HeaderMap::new();
            if let Some(v) = retry_after.and_then(|v| v.parse().ok()) {
                headers.insert(RETRY_AFTER, v);
            }
            Ok(Answer { status, headers, body: Vec::new(), capture: None })
        };
        let busy = after(&answer(429, Some("5")), "https://a.org/", 0, 2, cap);
        assert_eq!(busy, Some(Retry { wait: Duration::from_secs(5), slow_host: true }));
        assert_eq!(after(&answer(429, Some("5")), "https://a.org/", 2, 2, cap), None, "retries used up");
        assert_eq!(after(&answer(404, None), "https://a.org/", 0, 2, cap), None);
        let failing = after(&answer(500, None), "https://a.org/", 0, 2, cap);
        assert!(failing.is_some_and(|r| !r.slow_host && r.wait <= cap));
        assert!(after(&Err(Failure::Timeout), "https://a.org/", 0, 2, cap).is_some_and(|r| !r.slow_host));
        assert_eq!(after(&Err(Failure::NameNotFound), "https://a.org/", 0, 2, cap), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let cap = Duration::from_secs(4);
        assert!(backoff(1, cap, 0) < backoff(3, cap, 0));
        assert_eq!(backoff(10, cap, 999), cap);
    }
}
