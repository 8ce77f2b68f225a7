//! Shared by the benches: bench-mode detection and a summary table read back from criterion's
//! `estimates.json` files after the groups ran (criterion has no API for its results).

use std::path::PathBuf;
use std::time::SystemTime;

/// Whether the binary runs as a benchmark (`cargo bench`), not once per bench (`cargo test`).
pub(crate) fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Where criterion writes its results (the same order of places criterion itself uses).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    // target/<profile>/deps/<bench>-<hash>
    let exe = std::env::current_exe().ok()?;
    Some(exe.ancestors().nth(3)?.join("criterion"))
}

/// The median (ns) of `group/function/parameter`, if it was measured after `since`.
pub(crate) fn median_ns(since: SystemTime, path: &str) -> Option<f64> {
    let file = criterion_dir()?.join(path).join("new/estimates.json");
    let modified = std::fs::metadata(&file).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read_to_string(&file).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("median")?.get("point_estimate")?.as_f64()
}

/// A duration in ns in a readable unit.
pub(crate) fn fmt_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Prints a Markdown table: one row per row label, one column per column label, each cell the
/// median of `cell(row, column)` and, for columns after the first, its ratio to the first column
/// (`first / this`, so < 1 means the first column is faster).
pub(crate) fn print_table(
    title: &str,
    since: SystemTime,
    rows: &[&str],
    columns: &[&str],
    cell: impl Fn(&str, &str) -> String,
) {
    println!();
    if columns.len() > 1 {
        println!("### {title} (median; in brackets: keypairs' median / this column's median)");
    } else {
        println!("### {title} (median)");
    }
    println!();
    println!("| | {} |", columns.join(" | "));
    println!("|---|{}", "---:|".repeat(columns.len()));
    for row in rows {
        let base = columns
            .first()
            .and_then(|c| median_ns(since, &cell(row, c)));
        let cells: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| match median_ns(since, &cell(row, c)) {
                None => "-".to_owned(),
                Some(m) if i == 0 => fmt_ns(m),
                Some(m) => match base {
                    Some(b) => format!("{} ({:.2}x)", fmt_ns(m), b / m),
                    None => fmt_ns(m),
                },
            })
            .collect();
        println!("| {row} | {} |", cells.join(" | "));
    }
    println!();
}
