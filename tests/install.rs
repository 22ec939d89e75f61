//! Installing and integrating (issue 17): shell completions, the man page, and the GitHub
//! Action's scripts run as GitHub runs them (its variables set, in a temporary workspace).

mod common;

use common::run::doc_citing;
use common::server::{Reply, Server};
use std::process::Command;

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = common::citecheck().args(["completions", shell]).output().expect("runs");
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains("citecheck") && script.contains("export-wacz"), "{shell}: {script}");
    }
    let bash = common::citecheck().args(["completions", "bash"]).output().expect("runs");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("c.bash"), &bash.stdout).expect("write");
    let syntax = Command::new("bash").arg("-n").arg(dir.path().join("c.bash")).status().expect("bash runs");
    assert!(syntax.success(), "the bash completion script parses");
}

#[test]
fn the_man_page_renders() {
    let out = common::citecheck().arg("man").output().expect("runs");
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(page.contains(".TH citecheck"), "{page}");
    let check = common::citecheck().args(["man", "check"]).output().expect("runs");
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("\\-\\-deny\\-private"),
        "the check page lists its options"
    );
    if Command::new("man").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("citecheck.1"), &page).expect("write");
        let rendered = Command::new("man")
            .arg("-l")
            .arg(dir.path().join("citecheck.1"))
            .env("MANPAGER", "cat")
            .output()
            .expect("man");
        assert!(String::from_utf8_lossy(&rendered.stdout).contains("NAME"), "man -l renders it");
    } else {
        eprintln!("note: `man` is not installed; the page was checked as roff only");
    }
}

/// The Action's check step, run as GitHub runs it: the summary in $GITHUB_STEP_SUMMARY, the
/// exit code in $GITHUB_OUTPUT, reports/ with the JUnit XML, the WACZ in $RUNNER_TEMP.
#[test]
fn the_actions_check_step_writes_what_github_reads() {
    let s = Server::start(|req, _| {
        if req.path == "/gone" {
            Reply::status(404)
        } else {
            Reply::html(200, "<title>fine</title>")
        }
    });
    let work = tempfile::tempdir().expect("workspace");
    let temp = tempfile::tempdir().expect("runner temp");
    std::fs::create_dir_all(work.path().join("docs")).expect("docs");
    std::fs::write(work.path().join("docs/report.md"), doc_citing(&[s.url("/fine"), s.url("/gone")]))
        .expect("doc");
    let summary = temp.path().join("step_summary.md");
    let output = temp.path().join("output.txt");
    std::fs::write(&summary, "earlier steps\n").expect("summary");
    let bin_dir =
        std::path::Path::new(env!("CARGO_BIN_EXE_citecheck")).parent().expect("bin dir").to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("action/check.sh");
    let status = Command::new("bash")
        .arg(&script)
        .current_dir(work.path())
        .env("PATH", path)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_WORKSPACE", work.path())
        .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
        .env("CITECHECK_DOCUMENTS", "docs/*.md")
        .env("CITECHECK_ARGS", "--host-interval 0 --db .citecheck/history.sqlite")
        .env("CITECHECK_ARCHIVE", "true")
        .status()
        .expect("bash runs");
    assert!(status.success(), "the step succeeds so the uploads run");
    let said = std::fs::read_to_string(&summary).expect("summary");
    assert!(said.starts_with("earlier steps\n### citecheck:"), "appended: {said}");
    assert!(said.contains("broken"), "{said}");
    assert_eq!(std::fs::read_to_string(&output).expect("output"), "exit-code=1\n");
    for f in ["reports/junit.xml", "reports/links.csv", "reports/report.html", ".citecheck/history.sqlite"] {
        assert!(work.path().join(f).is_file(), "{f}");
    }
    assert!(temp.path().join("citecheck.wacz").is_file(), "the WACZ is ready to upload");
}

#[test]
fn the_action_and_workflow_are_valid_when_action_validator_is_installed() {
    if Command::new("action-validator").arg("--help").output().is_err() {
        eprintln!("note: action-validator is not installed (npm install -g @action-validator/cli); skipped");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    for file in ["action.yml", "docs/citecheck-scheduled.yml"] {
        let out = Command::new("action-validator").arg(format!("{root}/{file}")).output().expect("runs");
        assert!(
            out.status.success(),
            "{file}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
