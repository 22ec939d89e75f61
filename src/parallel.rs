//! Work spread over the machine's cores, results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The number of workers for `items` pieces of work: one per core, at most one per item.
pub(crate) fn workers(items: usize) -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(items)
}

/// `f` applied to every item, on all cores (each worker takes the next item), results in the
/// order of `items`. One item, or one core: on this thread.
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let workers = workers(items.len());
    if workers <= 1 {
        return items.into_iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let todo: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let done: Vec<Mutex<Option<R>>> = todo.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = todo.get(i) else { break };
                let Some(item) = slot.lock().ok().and_then(|mut s| s.take()) else { continue };
                let result = f(item);
                if let Ok(mut slot) = done[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    // A worker that panicked makes the scope panic when it ends, so every slot is full here
    // (no lock is held across anything that can panic, so none is poisoned). Work that maps
    // again inside (a large input among several) runs up to cores² threads: the cores stay
    // busy, the order stays.
    done.into_iter().filter_map(|s| s.into_inner().ok().flatten()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..200).collect();
        let out = super::map(items.clone(), |i| {
            // Uneven work, so workers finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((i % 7) * 50));
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(Vec::<u8>::new(), |b| b).is_empty());
    }
}
