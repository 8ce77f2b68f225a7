//! Freed-memory hygiene of Ed25519/ECDSA generation and passphrase encryption: a recording global
//! allocator looks at every block as it is freed (and the old block of every reallocation) for
//! 16 bytes of a secret (the Ed25519 seed, the ECDSA scalar, the passphrase) while the code under
//! test runs. A hit means a buffer that held the secret was freed without being zeroized.
//!
//! Its own test binary with ONE `#[test]`, so nothing else allocates while a case is watched.
#![allow(
    unsafe_code,
    reason = "a #[global_allocator] needs `unsafe impl GlobalAlloc`; the library is #![forbid(unsafe_code)]"
)]
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::SeqCst};

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng as _;
#[cfg(feature = "encryption")]
use zeroize::Zeroizing;

const NEEDLE_LEN: usize = 16;

static ARMED: AtomicBool = AtomicBool::new(false);
static NEEDLE: [AtomicU8; NEEDLE_LEN] = [const { AtomicU8::new(0) }; NEEDLE_LEN];
static HITS: AtomicUsize = AtomicUsize::new(0);
static CHECKED: AtomicUsize = AtomicUsize::new(0);

/// Looks for the needle in a block about to be freed.
///
/// # Safety
/// `ptr` must point to `len` readable bytes.
unsafe fn inspect(ptr: *const u8, len: usize) {
    if !ARMED.load(SeqCst) || len < NEEDLE_LEN {
        return;
    }
    CHECKED.fetch_add(1, SeqCst);
    let mut needle = [0u8; NEEDLE_LEN];
    for (n, a) in needle.iter_mut().zip(&NEEDLE) {
        *n = a.load(SeqCst);
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    let block = unsafe { core::slice::from_raw_parts(ptr, len) };
    if block.windows(NEEDLE_LEN).any(|w| w == needle) {
        HITS.fetch_add(1, SeqCst);
    }
}

struct Recording;

// SAFETY: allocation is `System`'s; `dealloc` and `realloc` only read the block being freed
// (which is still valid) before handing it to `System`; `realloc` is alloc + copy + free.
unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the block is live until `System.dealloc`.
        unsafe {
            inspect(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` is valid for `layout.align()` (GlobalAlloc's contract); the old block
        // is live until it is freed below, and the copy stays inside both blocks.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                inspect(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static GLOBAL: Recording = Recording;

/// Runs `f` with `secret`'s first 16 bytes as the needle; the number of freed blocks that held it.
fn watch(secret: &[u8], f: impl FnOnce()) -> (usize, usize) {
    for (a, b) in NEEDLE.iter().zip(secret) {
        a.store(*b, SeqCst);
    }
    HITS.store(0, SeqCst);
    CHECKED.store(0, SeqCst);
    ARMED.store(true, SeqCst);
    f();
    ARMED.store(false, SeqCst);
    (HITS.load(SeqCst), CHECKED.load(SeqCst))
}

fn rng(n: u8) -> ChaCha8Rng {
    ChaCha8Rng::from_seed([n; 32])
}

/// The secret of a generated key (Ed25519 seed or ECDSA scalar), read from its OpenSSH encoding
/// before any watching starts.
fn secret_of(make: &dyn Fn() -> keypairs::GeneratedEcKey) -> Vec<u8> {
    let text = make().into_private_openssh().unwrap();
    let key = ssh_key::PrivateKey::from_openssh(&*text).unwrap();
    match key.key_data() {
        ssh_key::private::KeypairData::Ed25519(k) => k.private.to_bytes().to_vec(),
        ssh_key::private::KeypairData::Ecdsa(k) => k.private_key_bytes().to_vec(),
        _ => panic!("unexpected key type"),
    }
}

#[test]
fn freed_memory_never_holds_a_secret() {
    type Make = Box<dyn Fn() -> keypairs::GeneratedEcKey>;
    let makers: Vec<(&str, Make)> = vec![
        (
            "ed25519",
            Box::new(|| keypairs::generate_ed25519(&mut rng(1), "c").unwrap()),
        ),
        (
            "p256",
            Box::new(|| keypairs::generate_ecdsa(&mut rng(2), 256, "c").unwrap()),
        ),
        (
            "p384",
            Box::new(|| keypairs::generate_ecdsa(&mut rng(3), 384, "c").unwrap()),
        ),
        (
            "p521",
            Box::new(|| keypairs::generate_ecdsa(&mut rng(4), 521, "c").unwrap()),
        ),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, make) in &makers {
        let secret = secret_of(make.as_ref());
        // The seed of a P-521 scalar may start with zero bytes: take 16 that are not all zero.
        let start = secret.iter().position(|&b| b != 0).unwrap_or(0);
        let needle = &secret[start..start + NEEDLE_LEN];
        type Encode<'a> = &'a dyn Fn(keypairs::GeneratedEcKey);
        let cases: Vec<(&str, Encode<'_>)> = vec![
            ("into_private_openssh", &|k| {
                drop(k.into_private_openssh().unwrap())
            }),
            ("into_private_pem", &|k| drop(k.into_private_pem().unwrap())),
            #[cfg(feature = "encryption")]
            ("into_private_openssh_encrypted", &|k| {
                drop(
                    k.into_private_openssh_encrypted(&mut rng(9), b"pw", 1)
                        .unwrap(),
                );
            }),
        ];
        for (what, encode) in cases {
            let (hits, n) = watch(needle, || encode(make()));
            checked += n;
            if hits > 0 {
                failures.push(format!(
                    "{name} {what}: {hits} freed block(s) held the secret"
                ));
            }
        }
        let (hits, n) = watch(needle, || drop(make()));
        checked += n;
        if hits > 0 {
            failures.push(format!("{name} generate + drop: {hits} freed block(s)"));
        }
    }
    // The passphrase, while a key is encrypted with it (the caller owns and wipes its buffer).
    #[cfg(feature = "encryption")]
    {
        let passphrase = Zeroizing::new(b"a passphrase of some length".to_vec());
        let (hits, n) = watch(&passphrase, || {
            let key = keypairs::generate_ed25519(&mut rng(5), "").unwrap();
            drop(
                key.into_private_openssh_encrypted(&mut rng(6), &passphrase, 2)
                    .unwrap(),
            );
        });
        checked += n;
        if hits > 0 {
            failures.push(format!("passphrase: {hits} freed block(s) held it"));
        }
    }
    println!("freed blocks inspected: {checked}");
    assert!(checked > 50, "the allocator saw too little: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
