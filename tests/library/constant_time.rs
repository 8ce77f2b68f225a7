//! The generation code path stays free of variable-time calls on secrets.
//!
//! Reads the source of key generation (src/generate.rs and everything under src/generate/), without
//! comments and without the `#[cfg(test)] mod ...` blocks, and fails on any known variable-time
//! call or operator (`*_vartime`, crypto-primes' tests and sieve, bit scans, division and
//! remainder) outside [`ALLOWED`], the documented list of uses on public data. Each allowed entry
//! must still match a line, so the list cannot go stale.
#![allow(clippy::panic, clippy::unwrap_used, reason = "test code")]

use std::path::{Path, PathBuf};

/// Known variable-time names and operators.
const FORBIDDEN: &[&str] = &[
    "_vartime",
    "is_prime",
    "lucas_test",
    "MillerRabin",
    "random_prime",
    "SmallFactorsSieve",
    "crypto_primes",
    "trailing_zeros",
    "leading_zeros",
    "rem_limb",
    "checked_rem",
    "checked_div",
    ".rem(",
    ".div(",
    "pow_mod",
    " / ",
    " % ",
    " /= ",
    " %= ",
];

/// `(file, snippet of the line, why the data is public)`.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "src/generate/sieve.rs",
        "self.alive.trailing_zeros()",
        "which candidates survive the sieve is observable anyway: each one is then tested",
    ),
    (
        "src/generate/sieve.rs",
        "u64::MAX / p64",
        "Barrett constant of a public small prime",
    ),
    (
        "src/generate/sieve.rs",
        "(p64 - 64 % p64) % p64",
        "window step of a public small prime",
    ),
    (
        "src/generate/sieve.rs",
        "(bound / 2) as usize",
        "building the public table of small primes",
    ),
    (
        "src/generate/sieve.rs",
        "p * p / 2",
        "building the public table of small primes",
    ),
    (
        "src/generate/sieve.rs",
        "u128::MAX % u128::from(modulus)",
        "2^128 mod the product of a public group of small primes",
    ),
    (
        "src/generate/montgomery.rs",
        "x.0[w / 16] >> (4 * (w % 16))",
        "window number: a public loop counter",
    ),
    (
        "src/generate.rs",
        "rsa::BoxedUint::from_be_slice_vartime(&self.private.n)",
        "the public modulus, for the x509 certificate's SPKI",
    ),
    (
        "src/generate.rs",
        "rsa::BoxedUint::from_be_slice_vartime(&self.private.e)",
        "the public exponent, for the x509 certificate's SPKI",
    ),
    (
        "src/generate.rs",
        "FixedMontyParams::new_vartime(n)",
        "Montgomery parameters of the public modulus, to check a signature",
    ),
    (
        "src/generate.rs",
        ".pow_vartime(&e)",
        "the public exponent e, to check a signature",
    ),
];

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("src/generate.rs")];
    let mut dirs = vec![root.join("src/generate")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The lines of `text` that are code: comments removed, test modules cut off.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        let code = line.split("//").next().unwrap_or_default();
        if !code.trim().is_empty() {
            out.push((i + 1, code.to_owned()));
        }
    }
    out
}

/// Violations in one file: `(line number, forbidden name, line)`.
fn violations(file: &str, text: &str, used: &mut [bool]) -> Vec<(usize, &'static str, String)> {
    let mut found = Vec::new();
    for (number, code) in code_lines(text) {
        for &name in FORBIDDEN {
            if !code.contains(name) {
                continue;
            }
            let allowed = ALLOWED.iter().enumerate().find(|(_, (f, snippet, _))| {
                file.ends_with(f) && code.contains(snippet) && snippet.contains(name)
            });
            match allowed {
                Some((k, _)) => used[k] = true,
                None => found.push((number, name, code.trim().to_owned())),
            }
        }
    }
    found
}

#[test]
fn no_variable_time_calls_in_the_generation_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = vec![false; ALLOWED.len()];
    let mut all = Vec::new();
    let files = sources();
    assert!(
        files.len() >= 4,
        "generate.rs, montgomery.rs, primes.rs, sieve.rs: {files:?}"
    );
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (line, what, code) in violations(&name, &text, &mut used) {
            all.push(format!("{name}:{line}: `{what}` in `{code}`"));
        }
    }
    assert!(
        all.is_empty(),
        "variable-time calls on the generation path (add to ALLOWED only for public data):\n{}",
        all.join("\n")
    );
    for ((file, snippet, _), used) in ALLOWED.iter().zip(&used) {
        assert!(used, "stale allow-list entry: {file}: {snippet}");
    }
}

/// The scanner itself: it sees a planted call, ignores comments and test modules.
#[test]
fn scanner_catches_a_planted_call() {
    let text = "fn f(p: &U) -> bool {\n    p.bit_vartime(3) // a comment with _vartime\n}\n\
                // x.rem_vartime(y)\n#[cfg(test)]\nmod tests {\n    fn g() { x.bit_vartime(1); }\n}\n";
    let mut used = vec![false; ALLOWED.len()];
    let found = violations("src/generate/x.rs", text, &mut used);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 2);
    assert_eq!(found[0].1, "_vartime");
    let found = violations("src/generate/x.rs", "let q = a % b;\n", &mut used);
    assert_eq!(found.len(), 1);
}
