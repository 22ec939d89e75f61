//! Host-aware scheduling: a global bound on requests in flight and, per host, a concurrency
//! limit, a minimum spacing between request starts and a "not before" time set by 429/503.
//!
//! Every request first waits for its own host (permit, spacing, backoff) and only then takes a
//! global slot, so a host with 500 queued requests never holds slots that other hosts could
//! use: no head-of-line blocking. Callers only see [`HostPool::slot`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

#[derive(Debug)]
struct Host {
    permits: Arc<Semaphore>,
    /// Earliest start of the next request (spacing and backoff).
    next_start: Mutex<Instant>,
}

/// Per-host queues and the global bound.
#[derive(Debug)]
pub(crate) struct HostPool {
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    per_host: usize,
    interval: Duration,
}

/// Permission to send one request; dropping it frees both the host's and the global slot.
#[derive(Debug)]
pub(crate) struct Slot {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl HostPool {
    /// A pool with `global` requests in flight at most, `per_host` per host, and at least
    /// `interval` between two request starts to one host.
    pub(crate) fn new(global: usize, per_host: usize, interval: Duration) -> HostPool {
        HostPool {
            global: Arc::new(Semaphore::new(global.max(1))),
            hosts: Mutex::new(HashMap::new()),
            per_host: per_host.max(1),
            interval,
        }
    }

    fn host(&self, name: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        hosts
            .entry(name.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    permits: Arc::new(Semaphore::new(self.per_host)),
                    next_start: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start, then returns its slot.
    pub(super) async fn slot(&self, host: &str) -> Slot {
        let h = self.host(host);
        let host_permit = match h.permits.clone().acquire_owned().await {
            Ok(p) => p,
            Err(_) => unreachable!("host semaphores are never closed"),
        };
        let start = {
            let mut next = h.next_start.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let start = (*next).max(Instant::now());
            *next = start + self.interval;
            start
        };
        tokio::time::sleep_until(start).await;
        let global = match self.global.clone().acquire_owned().await {
            Ok(p) => p,
            Err(_) => unreachable!("the global semaphore is never closed"),
        };
        Slot { _host: host_permit, _global: global }
    }

    /// Delays every later request to `host` until `until` (after 429 or 503 with Retry-After).
    pub(crate) fn back_off(&self, host: &str, until: Instant) {
        let h = self.host(host);
        let mut next = h.next_start.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *next < until {
            *next = until;
        }
    }
}

/// Which work to start next: one FIFO queue per host and a round-robin ring of hosts that have
/// queued work and room for more in flight. Only admitted work exists as a running future, so
/// memory stays flat however many targets wait, and no host waits behind another's queue.
///
/// A host is first served when the hosts already started have no room for more (each at its
/// own limit): when admitted work is capped, the cap is spent on few hosts that reuse their
/// connections rather than spread one request each over every host, which kept a connection
/// (about 36 KB) open to each of 2,000 hosts.
#[derive(Debug)]
pub(crate) struct Queues {
    /// Work ids (target numbers) per host.
    queues: Vec<std::collections::VecDeque<u32>>,
    active: Vec<usize>,
    ready: std::collections::VecDeque<usize>,
    in_ready: Vec<bool>,
    /// Hosts with queued work not served yet, in order of their first work.
    waiting: std::collections::VecDeque<usize>,
    per_host: usize,
    live: usize,
    max_live: usize,
}

impl Queues {
    /// Queues `items` (work id, host id) in order; at most `per_host` per host and `max_live` in
    /// all are admitted at once.
    pub(crate) fn new(
        items: impl IntoIterator<Item = (u32, usize)>,
        per_host: usize,
        max_live: usize,
    ) -> Queues {
        let mut queues: Vec<std::collections::VecDeque<u32>> = Vec::new();
        let mut waiting = std::collections::VecDeque::new();
        for (work, host) in items {
            if host >= queues.len() {
                queues.resize_with(host + 1, Default::default);
            }
            if queues[host].is_empty() {
                waiting.push_back(host);
            }
            queues[host].push_back(work);
        }
        let n = queues.len();
        Queues {
            queues,
            active: vec![0; n],
            ready: std::collections::VecDeque::new(),
            in_ready: vec![false; n],
            waiting,
            per_host: per_host.max(1),
            live: 0,
            max_live: max_live.max(1),
        }
    }

    /// How many hosts have work queued.
    pub(crate) fn hosts(&self) -> usize {
        self.queues.len()
    }

    /// Admits at most `max_live` at once from now on.
    pub(crate) fn limit(&mut self, max_live: usize) {
        self.max_live = max_live.max(1);
    }

    /// The next (work, host) to start, if any may start now.
    pub(crate) fn admit(&mut self) -> Option<(u32, usize)> {
        if self.live >= self.max_live {
            return None;
        }
        if self.ready.is_empty() {
            let host = self.waiting.pop_front()?;
            self.in_ready[host] = true;
            self.ready.push_back(host);
        }
        let host = self.ready.pop_front()?;
        self.in_ready[host] = false;
        let work = self.queues[host].pop_front()?;
        self.active[host] += 1;
        self.live += 1;
        self.requeue(host);
        Some((work, host))
    }

    /// Records that work for `host` finished.
    pub(crate) fn done(&mut self, host: usize) {
        self.active[host] = self.active[host].saturating_sub(1);
        self.live = self.live.saturating_sub(1);
        self.requeue(host);
    }

    fn requeue(&mut self, host: usize) {
        if !self.in_ready[host] && !self.queues[host].is_empty() && self.active[host] < self.per_host {
            self.in_ready[host] = true;
            self.ready.push_back(host);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_round_robin_within_limits() {
        // 6 items of host 0 first (grouped order), then 2 of host 1 and 1 of host 2.
        let items = (0..6).map(|i| (i, 0)).chain([(6, 1), (7, 1), (8, 2)]);
        let mut q = Queues::new(items, 2, 100);
        let mut first = Vec::new();
        while let Some((w, _)) = q.admit() {
            first.push(w);
        }
        // Two per host at most; every host served at once while there is room.
        assert_eq!(first, vec![0, 1, 6, 7, 8]);
        q.done(0);
        assert_eq!(q.admit(), Some((2, 0)));
        assert_eq!(q.admit(), None, "host 0 is full again, hosts 1 and 2 are drained");
        // Finished work makes room on its host only.
        q.done(1);
        q.done(0);
        assert_eq!((q.admit(), q.admit()), (Some((3, 0)), None));
    }

    #[test]
    fn a_capped_run_keeps_to_the_hosts_it_started() {
        // Three hosts of four items each, two at a time per host, two live in all: host 0 is
        // served to the end before host 1 starts (its connection reused, the others unopened),
        // and the freed room goes to the next host only when host 0 has nothing left.
        let items = (0..12).map(|i| (i, i as usize / 4));
        let mut q = Queues::new(items, 2, 2);
        assert_eq!((q.admit(), q.admit(), q.admit()), (Some((0, 0)), Some((1, 0)), None));
        q.done(0);
        assert_eq!(q.admit(), Some((2, 0)));
        q.done(0);
        assert_eq!(q.admit(), Some((3, 0)));
        q.done(0);
        assert_eq!((q.admit(), q.admit()), (Some((4, 1)), None));
    }

    #[test]
    fn global_cap_bounds_live_work() {
        let mut q = Queues::new((0..10u32).map(|i| (i, i as usize)), 4, 3);
        assert_eq!(
            (q.admit(), q.admit(), q.admit(), q.admit()),
            (Some((0, 0)), Some((1, 1)), Some((2, 2)), None)
        );
        q.done(1);
        assert_eq!(q.admit(), Some((3, 3)));
        q.limit(5);
        assert_eq!((q.admit(), q.admit(), q.admit(), q.hosts()), (Some((4, 4)), Some((5, 5)), None, 10));
    }
}
