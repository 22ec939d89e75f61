//! Retry rules, in one place: what is transient, how long to wait.

use std::time::Duration;

/// Whether an HTTP status is worth asking again (never a 404).
pub fn status_is_transient(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// Exponential backoff with jitter for attempt `n` (1-based): 0.5 s, 1 s, 2 s, … ±25%, capped.
pub fn backoff(n: u32, cap: Duration, seed: u64) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1u32 << n.saturating_sub(1).min(16));
    // Cheap deterministic jitter from the seed (a hash of the URL and attempt).
    let jitter = 0.75 + (seed % 1000) as f64 / 2000.0;
    base.mul_f64(jitter).min(cap)
}

/// `Retry-After` as seconds or an HTTP date, relative to now; capped by `cap`.
pub fn retry_after(value: &str, cap: Duration) -> Option<Duration> {
    let v = value.trim();
    let wait = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let when = httpdate_parse(v)?;
            when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(cap))
}

fn httpdate_parse(v: &str) -> Option<std::time::SystemTime> {
    // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" — parsed by humantime's RFC 3339
    // parser after rearranging the fields.
    let parts: Vec<&str> = v.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == parts[2])?
        + 1;
    let rfc3339 = format!("{}-{month:02}-{:0>2}T{}Z", parts[3], parts[1], parts[4]);
    humantime::parse_rfc3339(&rfc3339).ok()
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
        let later =
            humantime::format_rfc3339(std::time::SystemTime::now() + Duration::from_secs(30)).to_string();
        assert!(later.ends_with('Z'));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let cap = Duration::from_secs(4);
        assert!(backoff(1, cap, 0) < backoff(3, cap, 0));
        assert_eq!(backoff(10, cap, 999), cap);
    }
}
