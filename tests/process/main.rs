//! The tests that own the whole process, one binary with its own harness (`libtest-mimic`,
//! `harness = false`) and the one `#[global_allocator]` of the test suite:
//!
//! - `alloc`: heap use of one import (a counting allocator: the peak stays under 4 KiB);
//! - `prime_search_heap`, `freed_memory`, `freed_secrets`, `x509_secrets`: no secret survives in
//!   freed heap memory (recorders that copy or scan every freed block); `pasted_key`: nor does a
//!   private key pasted into an API request;
//! - `sshd_login`, `sshd_ca_login`: logging in to a real sshd on 127.0.0.1, reported as *ignored*
//!   where sshd, ssh or ssh-keygen are missing (libtest cannot decide that at run time) and run
//!   for real when `CI` is set.
//!
//! The allocator ([`Allocator`]) hands every event to each test's recorder, which does nothing
//! unless its test turned it on, then wipes the freed block with volatile writes. Trials run one
//! after another on the main thread (`--test-threads` is set to 1 whatever the command line
//! says): nothing else allocates while a path is counted, recorded or watched, as when each of
//! these tests was a binary of its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]
#![allow(
    unsafe_code,
    reason = "a #[global_allocator] needs `unsafe impl GlobalAlloc`; the library is #![forbid(unsafe_code)]"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use libtest_mimic::{Arguments, Trial};

/// Whether `--nocapture` was given: the trials' notes (the heap table, the bytes recorded per path)
/// are printed only then, as libtest shows a passing test's output only then.
static NOCAPTURE: AtomicBool = AtomicBool::new(false);

/// `eprintln!` with `--nocapture` only.
macro_rules! note {
    ($($arg:tt)*) => {
        if crate::NOCAPTURE.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!($($arg)*);
        }
    };
}

#[path = "../support/data.rs"]
mod data;
#[path = "../support/sshd.rs"]
mod sshd;
#[path = "../support/tools.rs"]
mod tools;

mod watch;

mod alloc;
#[cfg(feature = "api")]
mod freed_memory;
mod freed_secrets;
#[cfg(feature = "api")]
mod pasted_key;
mod prime_search_heap;
mod sshd_ca_login;
mod sshd_login;
#[cfg(feature = "api")]
mod x509_secrets;

/// Whether freed blocks are wiped (always, except in the fresh-block check's own test).
pub(crate) static WIPE: AtomicBool = AtomicBool::new(true);

/// Zeroes `len` bytes at `ptr` with volatile writes. A `write_bytes` followed by `free` is a dead
/// store that LLVM removes: the allocator lives in this crate and is inlined into its code and
/// into the generics instantiated here (tests/process/freed_memory.rs found out the hard way).
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
unsafe fn wipe(ptr: *mut u8, len: usize) {
    let mut done = 0;
    if ptr.cast::<u64>().is_aligned() {
        let words = ptr.cast::<u64>();
        for i in 0..len / 8 {
            // SAFETY: word `i` lies inside the block (caller) and `ptr` is 8-aligned.
            unsafe { words.add(i).write_volatile(0) };
        }
        done = len / 8 * 8;
    }
    for i in done..len {
        // SAFETY: byte `i` lies inside the block (caller).
        unsafe { ptr.add(i).write_volatile(0) };
    }
}

/// A fresh block of `len` bytes at `ptr` (null if the allocation failed), not yet written.
///
/// # Safety
/// `ptr` must be null or valid for reads of `len` bytes.
unsafe fn fresh(ptr: *mut u8, len: usize) {
    #[cfg(feature = "api")]
    // SAFETY: as the caller's.
    unsafe {
        freed_memory::check_fresh(ptr, len);
    }
    #[cfg(not(feature = "api"))]
    let _ = (ptr, len);
}

/// A block of `len` bytes at `ptr` about to be freed: every recorder sees it, then it is wiped.
///
/// # Safety
/// `ptr` must be valid for reads and writes of `len` bytes.
unsafe fn released(ptr: *mut u8, len: usize) {
    // SAFETY: the caller's block, readable and writable for `len` bytes.
    unsafe {
        watch::scan(ptr, len);
        #[cfg(feature = "api")]
        freed_memory::record(ptr, len);
        prime_search_heap::record(ptr, len);
        if WIPE.load(SeqCst) {
            wipe(ptr, len);
        }
    }
}

/// Wraps `System`: counts, checks fresh blocks, and records, scans and wipes freed ones.
struct Allocator;

// SAFETY: allocation is `System`'s; `dealloc` and `realloc` read and wipe the old block while the
// caller still owns it, then hand it to `System`; `realloc` is alloc + copy + dealloc, as its
// contract allows (so what a moving reallocation leaves behind is seen too).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Not zeroed, as in production: a fresh block holding a secret is itself a finding.
        // SAFETY: forwarded as is; the block is readable for `layout.size()` bytes.
        unsafe {
            let new = System.alloc(layout);
            fresh(new, layout.size());
            alloc::counted(new, layout.size())
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        alloc::counted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the block is the caller's until `System.dealloc`.
        unsafe {
            released(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
        alloc::freed(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` with `layout`'s alignment is valid (the caller's contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: forwarded (not zeroed, checked as in `alloc`).
        let new = unsafe { System.alloc(new_layout) };
        // SAFETY: null or readable for `new_size` bytes.
        unsafe { fresh(new, new_size) };
        if !new.is_null() {
            // SAFETY: both blocks are live and distinct, the copy fits both; the old block is
            // the caller's until freed here.
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                released(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
            alloc::reallocated(layout.size(), new_size);
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Allocator = Allocator;

/// `module::test` trials, each calling `module::test()`.
macro_rules! trials {
    ($module:ident: $($test:ident),+ $(,)?) => {
        vec![$(Trial::test(
            concat!(stringify!($module), "::", stringify!($test)),
            || {
                $module::$test();
                Ok(())
            },
        )),+]
    };
}

fn main() {
    let mut args = Arguments::from_args();
    // One trial at a time, on this thread (module docs).
    args.test_threads = Some(1);
    NOCAPTURE.store(args.nocapture, SeqCst);
    let mut trials = Vec::new();
    trials.extend(trials![alloc: import_peak_heap_is_under_4_kib]);
    trials.extend(trials![prime_search_heap: no_seed_or_prime_limbs_in_freed_heap]);
    trials.extend(trials![freed_secrets: freed_memory_never_holds_a_secret]);
    #[cfg(feature = "api")]
    {
        trials.extend(trials![
            freed_memory: encoders_of_larger_keys_leave_no_secret_in_freed_memory,
            encoders_and_api_leave_no_secret_in_freed_memory,
            generation_leaves_no_secret_in_freed_memory,
            loading_a_key_leaves_no_secret_in_freed_memory,
        ]);
        trials.push(
            Trial::test(
                "freed_memory::a_secret_released_unwiped_is_found_in_a_fresh_block",
                || {
                    freed_memory::a_secret_released_unwiped_is_found_in_a_fresh_block();
                    Ok(())
                },
            )
            // It relies on glibc handing a freed block out again.
            .with_ignored_flag(!cfg!(all(target_os = "linux", target_env = "gnu"))),
        );
        trials.extend(trials![x509_secrets: x509_create_frees_no_secret]);
        trials.extend(trials![pasted_key: a_pasted_private_key_leaves_no_copy_in_freed_memory]);
    }
    trials.extend(sshd_login::trials());
    trials.extend(sshd_ca_login::trials());
    libtest_mimic::run(&args, trials).exit();
}
