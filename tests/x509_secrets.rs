//! Freed-memory hygiene of an x509 create (the certificate and the PKCS#12 bundle): no heap
//! block the create frees still holds the private key's encodings (the primes and the private
//! exponent as big-endian bytes, as DER and PKCS#8 carry them), the bundle (whose key is under
//! the empty password, so as secret as the key) or the bundle's base64.
//!
//! A recording global allocator scans every block before it is freed (and the old block of every
//! reallocation) for those byte strings. Its own test binary with ONE `#[test]`, so nothing else
//! frees memory while a create is watched.
#![allow(
    unsafe_code,
    reason = "a #[global_allocator] needs `unsafe impl GlobalAlloc`; the library is #![forbid(unsafe_code)]"
)]
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, UNIX_EPOCH};

use keypairs::api::{self, Context, KeySource, Microversion};
use keypairs::{Error, GeneratedKey};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng as _;
use rsa::traits::PrivateKeyParts as _;

/// Scans freed blocks while set.
static WATCHING: AtomicBool = AtomicBool::new(false);
/// The secrets looked for (set before watching starts, never freed).
static NEEDLES: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
/// 1 + the index of the first needle found in a freed block (0: none).
static FOUND: AtomicUsize = AtomicUsize::new(0);
/// Blocks scanned while watching.
static SCANNED: AtomicUsize = AtomicUsize::new(0);

/// Wraps `System`; scans a block for the needles before it is freed.
struct Recording;

/// Looks for every needle in the `size` bytes at `ptr` (no allocation).
///
/// # Safety
/// `ptr` must point to `size` readable bytes.
unsafe fn scan(ptr: *const u8, size: usize) {
    if !WATCHING.load(SeqCst) || size == 0 {
        return;
    }
    let Some(needles) = NEEDLES.get() else {
        return;
    };
    SCANNED.fetch_add(1, SeqCst);
    // SAFETY: the caller guarantees `size` readable bytes at `ptr`.
    let block = unsafe { core::slice::from_raw_parts(ptr, size) };
    for (i, (_, needle)) in needles.iter().enumerate() {
        if needle.len() <= block.len() && block.windows(needle.len()).any(|w| w == needle) {
            let _ = FOUND.compare_exchange(0, i + 1, SeqCst, SeqCst);
        }
    }
}

// SAFETY: allocation is forwarded to `System` unchanged; `dealloc` and `realloc` only read the
// block (which the caller still owns) before handing it to `System`.
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
        // SAFETY: the block is live until the `System.dealloc` below.
        unsafe { scan(ptr, layout.size()) };
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A new block, the bytes copied, the old block scanned and freed: what a moving
        // reallocation leaves behind is checked too.
        // SAFETY: `new_size` is non-zero and fits the alignment, per `realloc`'s contract.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: forwarded.
        let new = unsafe { System.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and hold at least the copied length.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: the old block is live until freed here.
            unsafe {
                scan(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Recording = Recording;

/// Hands out the same generated key each time (from the seeded RNG) and fixed random bytes.
struct SeededKeys;

impl KeySource for SeededKeys {
    fn rsa_key(&mut self, bits: usize, comment: &str) -> Result<GeneratedKey, Error> {
        keypairs::generate_rsa(&mut ChaCha8Rng::from_seed([9; 32]), bits, comment)
    }

    fn random_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
        out.fill(0x33);
        Ok(())
    }
}

fn create() -> api::Created {
    let ctx = Context::new("winrm-user", Microversion::new(2).unwrap())
        .with_now(UNIX_EPOCH + Duration::from_secs(1_767_225_600));
    let body = br#"{"keypair": {"name": "winrm", "type": "x509"}}"#;
    api::handle(body, &ctx, &|_: &str, _: &str| false, &mut SeededKeys).unwrap()
}

/// Windows of `len` bytes of `bytes`, every `step` bytes.
fn windows(
    label: &'static str,
    bytes: &[u8],
    len: usize,
    step: usize,
) -> Vec<(&'static str, Vec<u8>)> {
    bytes
        .windows(len)
        .step_by(step)
        .map(|w| (label, w.to_vec()))
        .collect()
}

#[test]
fn x509_create_frees_no_secret() {
    // The key and the create's output, learnt before watching (the create is deterministic).
    let key = SeededKeys
        .rsa_key(2048, keypairs::NOVA_COMMENT)
        .unwrap()
        .into_private_pem()
        .unwrap();
    let key = <rsa::PrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_pem(&key).unwrap();
    let first = create();
    let b64 = first
        .response()
        .keypair
        .private_key
        .as_ref()
        .unwrap()
        .secret_pem()
        .to_owned();
    let pfx = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &b64).unwrap();
    drop(first);

    // Big-endian magnitudes, as DER INTEGERs hold them.
    let be = |n: &rsa::BoxedUint| {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        bytes[skip..].to_vec()
    };
    let mut needles = vec![
        ("prime p", be(&key.primes()[0])),
        ("prime q", be(&key.primes()[1])),
        ("private exponent", be(key.d())),
    ];
    // The bundle's key bag (the PKCS#8 key under the empty password: from the
    // pkcs8ShroudedKeyBag OID to the MAC) in 48-byte windows every 128 bytes; the certificate
    // bag before it is public. The base64 of the whole bundle likewise.
    let bag_oid = [
        0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
    ];
    let at = pfx
        .windows(bag_oid.len())
        .position(|w| w == bag_oid)
        .unwrap();
    let key_bag = &pfx[at..pfx.len() - 70];
    assert!(key_bag.len() > 1200);
    needles.extend(windows("PKCS#12 key bag", key_bag, 48, 128));
    let b64_at = at / 3 * 4;
    needles.extend(windows("bundle base64", &b64.as_bytes()[b64_at..], 48, 128));
    assert!(needles.len() > 20);
    NEEDLES.set(needles).unwrap();

    WATCHING.store(true, SeqCst);
    let created = create();
    // Everything the create allocated is freed here, the reply included (it is zeroizing).
    let same = created
        .response()
        .keypair
        .private_key
        .as_ref()
        .unwrap()
        .secret_pem()
        == b64;
    drop(created);
    WATCHING.store(false, SeqCst);

    assert!(same, "the create is deterministic");
    let scanned = SCANNED.load(SeqCst);
    assert!(scanned > 100, "only {scanned} blocks freed");
    let found = FOUND.load(SeqCst);
    if found != 0 {
        let label = NEEDLES.get().unwrap()[found - 1].0;
        panic!("a freed block still held the {label} ({scanned} blocks scanned)");
    }
    println!("x509 create: {scanned} freed blocks scanned, no secret left behind");
}
