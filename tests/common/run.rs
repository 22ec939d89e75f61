//! Running the binary the way the tests need it: `extract` on a path, `check` on a document
//! written for the test.

use super::citecheck;
use super::table::Table;
use std::path::Path;

/// `citecheck extract PATH` from the repository root (so pinned tables name fixtures by
/// relative path); its output, which must be a success.
pub fn extract(path: &Path) -> String {
    let out = extract_output(path);
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `citecheck extract PATH` from the repository root, whatever its exit.
pub fn extract_output(path: &Path) -> std::process::Output {
    citecheck().arg("extract").arg(path).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("runs")
}

/// What a `check` run left.
pub struct Checked {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// `links.csv`.
    pub links: Table,
    /// The folder the run happened in (document, `reports/`, history).
    pub dir: tempfile::TempDir,
}

/// Writes `doc` as `doc.md` in a fresh folder and runs `check doc.md` there with `args`
/// (tables in `reports/`, history in `history.sqlite`; no spacing between requests, retries
/// waiting 1 s at most, 3 s per request).
pub fn check_doc<S: AsRef<std::ffi::OsStr>>(doc: &str, args: &[S]) -> Checked {
    check_doc_with(doc, &[], args)
}

/// [`check_doc`] with more files (name, content) beside the document, such as a `citecheck.toml`.
pub fn check_doc_with<S: AsRef<std::ffi::OsStr>>(doc: &str, files: &[(&str, &str)], args: &[S]) -> Checked {
    check_doc_env(doc, files, &[], args)
}

/// [`check_doc_with`] with environment variables set for the run.
pub fn check_doc_env<S: AsRef<std::ffi::OsStr>>(
    doc: &str,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
    args: &[S],
) -> Checked {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("doc.md"), doc).expect("write doc");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("write file");
    }
    let out = citecheck()
        .current_dir(dir.path())
        .args(["check", "doc.md", "--out", "reports", "--db", "history.sqlite", "--quiet"])
        .args(["--host-interval", "0", "--max-retry-wait", "1s", "--timeout", "3s"])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    Checked {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        links: Table::read(&dir.path().join("reports/links.csv")),
        dir,
    }
}

/// A document citing each URL in a footnote of its own, all markers in paragraph 1.
pub fn doc_citing(urls: &[String]) -> String {
    let mut doc = String::from("1. Text.");
    for i in 1..=urls.len() {
        doc.push_str(&format!("<sup>{i}</sup>"));
    }
    doc.push_str("\n\n");
    for (i, u) in urls.iter().enumerate() {
        doc.push_str(&format!("<sup>{}</sup> <{u}>.\n\n", i + 1));
    }
    doc
}
