//! Replays the committed fuzz seeds and crash reproducers through the fuzz targets' own check
//! functions, so a plain `cargo test` catches a regression without cargo-fuzz.
//!
//! Each target `T` has `fuzz/harness/T.rs` (`check(&[u8])`, shared with `fuzz/fuzz_targets/T.rs`),
//! `fuzz/seeds/T/` and `fuzz/regressions/T/`; every file in both folders is one input.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/harness/common.rs"]
mod common;

#[path = "../../fuzz/harness/fixed_key.rs"]
mod fixed_key;

#[path = "../../fuzz/harness/parse_public_key.rs"]
mod parse_public_key;

#[cfg(feature = "api")]
#[path = "../../fuzz/harness/api_request.rs"]
mod api_request;

#[path = "../../fuzz/harness/encode_generated.rs"]
mod encode_generated;

#[path = "../../fuzz/harness/parse_line.rs"]
mod parse_line;

#[path = "../../fuzz/harness/private_key_file.rs"]
mod private_key_file;

#[path = "../../fuzz/harness/differential.rs"]
mod differential;

/// Files of `fuzz/<kind>/<target>/`, sorted; a missing folder is empty.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs `check` on every seed and regression of `target`; both folders must hold inputs.
fn replay(target: &str, check: fn(&[u8])) {
    for kind in ["seeds", "regressions"] {
        let files = inputs(kind, target);
        assert!(!files.is_empty(), "fuzz/{kind}/{target}/ has no inputs");
        for path in &files {
            let data = std::fs::read(path).expect("a readable input file");
            let name = path.display().to_string();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target}: check failed on {name}");
        }
        println!("{target}: replayed {} {kind}", files.len());
    }
}

#[test]
fn parse_public_key_corpus() {
    replay("parse_public_key", parse_public_key::check);
}

#[cfg(feature = "api")]
#[test]
fn api_request_corpus() {
    replay("api_request", api_request::check_every_version);
}

#[test]
fn encode_generated_corpus() {
    replay("encode_generated", encode_generated::check);
}

#[test]
fn parse_line_corpus() {
    replay("parse_line", parse_line::check);
}

#[test]
fn private_key_file_corpus() {
    replay("private_key_file", private_key_file::check);
}

/// The differential target also starts from the import parser's seeds (every valid and invalid
/// case of tests/data/): they are replayed here too.
#[test]
fn differential_corpus() {
    replay("differential", differential::check);
    for path in inputs("seeds", "parse_public_key") {
        let data = std::fs::read(&path).expect("a readable input file");
        let outcome = std::panic::catch_unwind(|| differential::check(&data));
        assert!(
            outcome.is_ok(),
            "differential: check failed on {}",
            path.display()
        );
    }
}
