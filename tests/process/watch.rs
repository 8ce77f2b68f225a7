//! The watcher of tests/process/freed_secrets.rs and tests/process/x509_secrets.rs, fed by the
//! binary's allocator (tests/process/main.rs).
//!
//! While a path is watched ([`watch`]), every heap block about to be freed, and the old block of
//! every reallocation (a reallocation is a new block, a copy and a free, so what a moving
//! reallocation leaves behind is checked too), is searched for the watched byte strings. The
//! allocator then wipes every freed block with volatile writes, watched or not: the test's own
//! copies of its secrets cannot come back in a block that the watched path gets and frees without
//! writing all of it.

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
pub(crate) unsafe fn scan(ptr: *const u8, len: usize) {
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
