//! Giving freed memory back to the system between the stages of a large run.
//!
//! glibc's allocator keeps what is freed in the arena of the thread that allocated it, and
//! returns a page to the system only when it is at the top of the heap. A check of a million
//! targets frees most of its extraction memory before fetching, and the fetch's workers free
//! their buffers in their own arenas: resident memory stood 60 MB above the live heap. Asking
//! the allocator to release its free pages at a few points keeps it near the heap.

/// Releases the allocator's free pages to the system (a no-op where the allocator is not
/// glibc's). It walks the free lists: a few milliseconds for a heap of 100 MB.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and only reorganises the allocator's free memory;
    // it is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Frees `value` on a thread of its own, so that the caller need not wait: a large
/// document's rows take 5–8 ms to free (38,000 rows of five shared strings each in the 14 MB
/// benchmark), which a command about to end would spend doing nothing else. When the thread
/// cannot be started, `value` is freed here.
pub(crate) fn free_aside<T: Send + 'static>(value: T) {
    // A thread not started hands its closure, and with it `value`, back to be dropped.
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(value));
}

/// The binary's allocator: the system's, with one more ability: the buffer a file is read
/// into can be aligned to 64 bytes ([`aligned`]; on Linux with glibc, elsewhere nothing
/// changes).
///
/// glibc gives a block of a megabyte or more a mapping of its own and puts its first byte 16
/// bytes into a page. The kernel copies a file into memory with `rep movsb`, which on some
/// processors (AMD's, here) runs at a third of its speed to a destination not aligned to 32
/// bytes: reading the 14 MB benchmark input took 14 ms into such a block and 5–7 ms into an
/// aligned one, before any core can start on it. Only that buffer is aligned: aligning every
/// large block cost 4 MB more resident memory in the same run.
pub struct Allocator;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Blocks of at least this many bytes that ask for at most glibc's own alignment (16 bytes)
/// are allocated, reallocated and freed by glibc's functions directly (what [`System`] does
/// for them too), so that one of them can be allocated aligned and still be freed alike.
const LARGE: usize = 1 << 20;
const ALIGN: usize = 64;

thread_local! {
    /// Set while [`aligned`] runs on this thread.
    static ALIGN_LARGE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the large blocks it allocates on this thread aligned to 64 bytes (when
/// [`Allocator`] is the program's allocator: the binary's, not the tests'). Should `f` panic,
/// the flag stays set: later blocks of this thread are aligned too, nothing worse.
pub(crate) fn aligned<R>(f: impl FnOnce() -> R) -> R {
    ALIGN_LARGE.with(|a| a.set(true));
    let result = f();
    ALIGN_LARGE.with(|a| a.set(false));
    result
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn large(layout: Layout) -> bool {
    layout.size() >= LARGE && layout.align() <= 16
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn large(_: Layout) -> bool {
    false
}

// SAFETY: a block is large or not by its layout alone, which the caller passes unchanged to
// `dealloc` and `realloc`. A large block is allocated by glibc's `malloc`, `posix_memalign`
// or `calloc`, moved by its `realloc` and freed by its `free` (all valid on each other's
// blocks; glibc aligns every block to 16 bytes at least, as much as a large layout asks);
// every other block is handled by `System` with its own layout; a block whose size crosses
// between the two kinds is copied into a new block and the old one freed as it was allocated.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !large(layout) {
            // SAFETY: forwarded with the caller's layout (non-zero size: the caller's duty).
            return unsafe { System.alloc(layout) };
        }
        // A thread being torn down has no flag to read: not aligned.
        if ALIGN_LARGE.try_with(Cell::get).unwrap_or(false) {
            let mut block = std::ptr::null_mut();
            // SAFETY: `ALIGN` is a power of two and a multiple of the pointer size.
            return match unsafe { libc::posix_memalign(&mut block, ALIGN, layout.size()) } {
                0 => block.cast(),
                _ => std::ptr::null_mut(),
            };
        }
        // SAFETY: plain C allocation of a non-zero size.
        unsafe { libc::malloc(layout.size()).cast() }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !large(layout) {
            // SAFETY: as in `alloc`.
            return unsafe { System.alloc_zeroed(layout) };
        }
        // SAFETY: plain C allocation of a non-zero size (`calloc` knows a fresh mapping is
        // zero already).
        unsafe { libc::calloc(1, layout.size()).cast() }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if large(layout) {
            // SAFETY: a large block was allocated by glibc (see above).
            unsafe { libc::free(ptr.cast()) }
        } else {
            // SAFETY: any other block was allocated by `System` with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` rounded to the alignment does not overflow (the caller's duty).
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (large(layout), large(new)) {
            // SAFETY: forwarded with the layout `ptr` was allocated with.
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            // SAFETY: `ptr` was allocated by glibc; `new_size` is non-zero.
            (true, true) => unsafe { libc::realloc(ptr.cast(), new_size).cast() },
            // Between kinds: a new block, the bytes copied, the old block freed.
            // SAFETY: `new` has a non-zero size; the old block is valid for `layout.size()`
            // bytes and the new one for `new_size`; two live blocks do not overlap; the old
            // one is freed as it was allocated.
            _ => unsafe {
                let moved = self.alloc(new);
                if !moved.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                moved
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{aligned, Allocator};
    use std::alloc::{GlobalAlloc, Layout};

    /// Writes `n` bytes counting up from `seed`.
    unsafe fn fill(p: *mut u8, n: usize, seed: u8) {
        for i in 0..n {
            // SAFETY: the caller gives a block of at least `n` bytes.
            unsafe { p.add(i).write(seed.wrapping_add(i as u8)) };
        }
    }

    /// True when the first `n` bytes count up from `seed`.
    unsafe fn holds(p: *const u8, n: usize, seed: u8) -> bool {
        // SAFETY: the caller gives a block of at least `n` initialised bytes.
        (0..n).all(|i| unsafe { p.add(i).read() } == seed.wrapping_add(i as u8))
    }

    #[test]
    fn blocks_keep_their_bytes_across_sizes_and_the_read_buffer_is_aligned() {
        let a = Allocator;
        let small = Layout::from_size_align(1000, 1).expect("layout");
        let large = Layout::from_size_align(3 << 20, 1).expect("layout");
        // SAFETY: every block is used within its size and freed with the layout it has.
        unsafe {
            let p = aligned(|| a.alloc(large));
            assert!(!p.is_null());
            if cfg!(all(target_os = "linux", target_env = "gnu")) {
                assert_eq!(p as usize % 64, 0);
            }
            a.dealloc(p, large);
            // Small → large → larger → small: the bytes written first are kept each time.
            let p = a.alloc(small);
            fill(p, 1000, 7);
            let p = a.realloc(p, small, large.size());
            assert!(holds(p, 1000, 7));
            fill(p, large.size(), 9);
            let p = a.realloc(p, large, 5 << 20);
            assert!(holds(p, large.size(), 9));
            let p = a.realloc(p, Layout::from_size_align(5 << 20, 1).expect("layout"), 500);
            assert!(holds(p, 500, 9));
            a.dealloc(p, Layout::from_size_align(500, 1).expect("layout"));
            let z = a.alloc_zeroed(large);
            assert!((0..large.size()).step_by(4096).all(|i| z.add(i).read() == 0));
            a.dealloc(z, large);
        }
    }
}
