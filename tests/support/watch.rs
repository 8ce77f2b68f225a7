//! The recording global allocator of tests/freed_secrets.rs and tests/x509_secrets.rs (each
//! includes this file as `mod watch` and holds ONE `#[test]`, so nothing else allocates while a
//! path is watched).
//!
//! While a path is watched ([`watch`]), every heap block about to be freed, and the old block of
//! every reallocation (a reallocation is a new block, a copy and a free, so what a moving
//! reallocation leaves behind is checked too), is searched for the watched byte strings. Every
//! freed block is then wiped with volatile writes, watched or not: the test's own copies of its
//! secrets cannot come back in a block that the watched path gets and frees without writing all
//! of it. The wipe must be volatile: the allocator is inlined into this crate's code, where a
//! plain zeroing before `free` is a dead store that LLVM deletes (tests/freed_memory.rs found
//! out the hard way).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, PoisonError};

/// Most byte strings one watch looks for.
const MAX_NEEDLES: usize = 128;

/// Scans freed blocks while set.
static WATCHING: AtomicBool = AtomicBool::new(false);
/// The byte strings looked for. Changed only while not watching, so the allocator (which locks
/// it only while watching) never waits for the test thread.
static NEEDLES: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
/// Per needle: freed blocks that held it.
static HITS: [AtomicUsize; MAX_NEEDLES] = [const { AtomicUsize::new(0) }; MAX_NEEDLES];
/// Blocks scanned while watching.
static SCANNED: AtomicUsize = AtomicUsize::new(0);

/// Looks for every needle in the `len` bytes at `ptr` while watching (allocates nothing).
///
/// # Safety
/// `ptr` must point to `len` readable bytes.
unsafe fn scan(ptr: *const u8, len: usize) {
    if !WATCHING.load(SeqCst) || len == 0 {
        return;
    }
    SCANNED.fetch_add(1, SeqCst);
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    let block = unsafe { core::slice::from_raw_parts(ptr, len) };
    let needles = NEEDLES.lock().unwrap_or_else(PoisonError::into_inner);
    for (needle, hits) in needles.iter().zip(&HITS) {
        if !needle.is_empty()
            && needle.len() <= block.len()
            && block.windows(needle.len()).any(|w| w == needle.as_slice())
        {
            hits.fetch_add(1, SeqCst);
        }
    }
}

/// Zeroes `len` bytes at `ptr` with volatile writes (never removed as a dead store).
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
unsafe fn wipe(ptr: *mut u8, len: usize) {
    for i in 0..len {
        // SAFETY: byte `i` lies inside the block (caller).
        unsafe { ptr.add(i).write_volatile(0) };
    }
}

/// Wraps `System`: scans, then wipes, every block before it is freed.
struct Watcher;

// SAFETY: allocation is `System`'s, unchanged; `dealloc` and `realloc` read and wipe the old
// block while the caller still owns it, then hand it to `System`; `realloc` is alloc + copy +
// dealloc, as its contract allows.
unsafe impl GlobalAlloc for Watcher {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the block is the caller's until `System.dealloc`.
        unsafe {
            scan(ptr, layout.size());
            wipe(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` is non-zero and valid for `layout.align()` (realloc's contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: forwarded.
        let new = unsafe { System.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and distinct, the copy fits both; the old block is
            // the caller's until freed here.
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                scan(ptr, layout.size());
                wipe(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Watcher = Watcher;

/// What one watch saw.
pub(crate) struct Watched {
    /// Per needle, in order: the freed blocks that held it.
    pub(crate) hits: Vec<usize>,
    /// Freed blocks scanned.
    pub(crate) scanned: usize,
}

/// Runs `f` with every freed block searched for `needles` (at most 128).
pub(crate) fn watch(needles: &[&[u8]], f: impl FnOnce()) -> Watched {
    assert!(
        needles.len() <= MAX_NEEDLES,
        "at most {MAX_NEEDLES} needles"
    );
    {
        let mut set = NEEDLES.lock().unwrap_or_else(PoisonError::into_inner);
        set.clear();
        set.extend(needles.iter().map(|n| n.to_vec()));
    }
    for hits in &HITS {
        hits.store(0, SeqCst);
    }
    SCANNED.store(0, SeqCst);
    /// Stops watching when dropped, also when `f` panics.
    struct Off;
    impl Drop for Off {
        fn drop(&mut self) {
            WATCHING.store(false, SeqCst);
        }
    }
    let off = Off;
    WATCHING.store(true, SeqCst);
    f();
    drop(off);
    Watched {
        hits: HITS
            .iter()
            .take(needles.len())
            .map(|h| h.load(SeqCst))
            .collect(),
        scanned: SCANNED.load(SeqCst),
    }
}
