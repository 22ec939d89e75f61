//! Helpers shared by the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The proxy variables of the environment, removed from every run so tests reach the local
/// servers directly (the proxy test sets them itself).
pub const PROXY_VARIABLES: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// The `citecheck` binary under test (without proxy variables).
pub fn citecheck() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_citecheck"));
    for v in PROXY_VARIABLES {
        cmd.env_remove(v);
    }
    cmd
}

/// Path of a file in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures").join(name)
}

/// The shared folder beside the repository (real documents), if present.
pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("shared");
    p.is_dir().then_some(p)
}

/// Compares `actual` with the pinned file; `CITECHECK_BLESS=1` rewrites the pin instead.
pub fn assert_pinned(pin: &Path, actual: &str) {
    if std::env::var_os("CITECHECK_BLESS").is_some() {
        std::fs::write(pin, actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", pin.display()));
        return;
    }
    let expected = std::fs::read_to_string(pin).unwrap_or_else(|e| {
        panic!("cannot read {} ({e}); run with CITECHECK_BLESS=1 to create it", pin.display())
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n  pinned: {e}\n  actual: {a}", i + 1))
            .collect();
        panic!(
            "output differs from {} ({} vs {} lines)\n{}",
            pin.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

pub mod archive_sim;
pub mod package;
pub mod pathological;
pub mod pdf;
pub mod run;
pub mod server;
pub mod table;
pub mod tls;
pub mod warc;
pub mod warc_tools;
pub mod web;
