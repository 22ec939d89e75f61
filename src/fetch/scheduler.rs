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
pub struct HostPool {
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    per_host: usize,
    interval: Duration,
}

/// Permission to send one request; dropping it frees both the host's and the global slot.
#[derive(Debug)]
pub struct Slot {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl HostPool {
    /// A pool with `global` requests in flight at most, `per_host` per host, and at least
    /// `interval` between two request starts to one host.
    pub fn new(global: usize, per_host: usize, interval: Duration) -> HostPool {
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
    pub async fn slot(&self, host: &str) -> Slot {
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
    pub fn back_off(&self, host: &str, until: Instant) {
        let h = self.host(host);
        let mut next = h.next_start.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *next < until {
            *next = until;
        }
    }
}
