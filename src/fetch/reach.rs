//! Whether the network is up at all: which hosts answered and which were never reached. When
//! no host answered and several could not even be connected to (names that do not resolve,
//! no route, refused or timed-out connections), the run says the network looks down instead
//! of reporting every citation as failing.

use super::failure::Failure;
use std::collections::HashSet;
use std::sync::Mutex;

/// Hosts that must fail before a run with no answer at all is called offline.
pub(crate) const OFFLINE_MIN_HOSTS: usize = 3;

/// What the requests of a run found out about the network.
#[derive(Debug, Default)]
pub(crate) struct Reach {
    hosts: Mutex<(HashSet<String>, HashSet<String>)>, // (answered, never connected)
}

impl Reach {
    /// A request to `host` was answered (any HTTP status, or a TLS or protocol failure after
    /// connecting).
    pub(crate) fn answered(&self, host: &str) {
        if let Ok(mut h) = self.hosts.lock() {
            if !h.0.contains(host) {
                h.0.insert(host.to_string());
            }
        }
    }

    /// A request to `host` failed with `f`.
    pub(crate) fn failed(&self, host: &str, f: &Failure) {
        if !f.never_connected() {
            return self.answered(host);
        }
        if let Ok(mut h) = self.hosts.lock() {
            if !h.1.contains(host) {
                h.1.insert(host.to_string());
            }
        }
    }

    /// Whether all `hosts` of the run have been tried and none could be reached: the rest
    /// of their targets would only say the same.
    pub(crate) fn every_host_unreachable(&self, hosts: usize) -> bool {
        self.hosts.lock().is_ok_and(|h| h.0.is_empty() && h.1.len() >= hosts.max(OFFLINE_MIN_HOSTS))
    }

    /// The hosts tried when none of them answered and at least [`OFFLINE_MIN_HOSTS`] could
    /// not be reached; `None` when the network is up (or too few hosts were tried to say).
    pub(crate) fn offline(&self) -> Option<usize> {
        let h = self.hosts.lock().ok()?;
        (h.0.is_empty() && h.1.len() >= OFFLINE_MIN_HOSTS).then_some(h.1.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_only_when_no_host_answered_and_enough_failed() {
        let r = Reach::default();
        r.failed("a.org", &Failure::NameNotFound);
        r.failed("b.org", &Failure::NetworkUnreachable);
        assert_eq!(r.offline(), None, "two hosts are too few to say");
        r.failed("c.org", &Failure::ConnectTimeout);
        assert_eq!(r.offline(), Some(3));
        assert!(r.every_host_unreachable(3));
        assert!(!r.every_host_unreachable(4), "a fourth host is still to be tried");
        r.failed("d.org", &Failure::ConnectionRefused);
        assert_eq!(r.offline(), None, "a refused connection comes from a host that was reached");
        let up = Reach::default();
        for h in ["a", "b", "c", "d"] {
            up.failed(h, &Failure::NameNotFound);
        }
        up.answered("e");
        assert_eq!(up.offline(), None);
    }
}
