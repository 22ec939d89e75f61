//! `citecheck extract` end to end: pinned tables for every fixture format, bad inputs, I/O.

mod common;

use common::{assert_pinned, citecheck, fixture, shared};
use predicates::prelude::*;
use std::collections::BTreeSet;

const HEADER: &str = "source,line,column,footnote,paragraph,kind,value,raw";

fn extract_stdout(args: &[&str]) -> String {
    let out =
        citecheck().arg("extract").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("runs");
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn pinned_tables_for_every_fixture() {
    for name in ["report_zh.md", "report_en.md", "footnotes_caret.md", "report.html", "notes.txt"] {
        let input = format!("tests/fixtures/{name}");
        let csv = extract_stdout(&[&input]);
        assert!(csv.starts_with(HEADER), "{name}: header");
        assert_pinned(&fixture(&format!("{name}.expected.csv")), &csv);
    }
}

#[test]
fn json_has_the_same_rows_and_fields() {
    let csv = extract_stdout(&["tests/fixtures/report_zh.md"]);
    let json = extract_stdout(&["--format", "json", "tests/fixtures/report_zh.md"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).expect("valid JSON array");
    assert_eq!(rows.len(), csv.lines().count() - 1);
    let first = rows[0].as_object().expect("object");
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    for col in HEADER.split(',') {
        assert!(keys.contains(&col), "JSON lacks {col}");
    }
    assert_eq!(rows[0]["value"], "E/RES/2006/46");
    assert_eq!(rows[0]["kind"], "symbol");
}

#[test]
fn reads_standard_input() {
    let doc = "7. Text.<sup>1</sup>\n\n<sup>1</sup> <https://example.org/a>; A/RES/75/202.\n";
    citecheck()
        .args(["extract", "-"])
        .write_stdin(doc)
        .assert()
        .success()
        .stdout(format!(
            "{HEADER}\n-,3,15,1,7,url,https://example.org/a,https://example.org/a\n-,3,39,1,7,symbol,A/RES/75/202,A/RES/75/202\n"
        ));
}

#[test]
fn bad_inputs_are_reported_and_the_others_still_processed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "").expect("write");
    let binary = dir.path().join("image.md");
    std::fs::write(&binary, [0x89, b'P', b'N', b'G', 0, 0, 0, 13]).expect("write");
    let good = fixture("notes.txt");
    let missing = dir.path().join("missing.md");
    let out = citecheck()
        .arg("extract")
        .args([&missing, dir.path(), &empty, &binary, &good])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.md") && stderr.contains("No such file"), "{stderr}");
    assert!(stderr.contains("is a directory"), "{stderr}");
    assert!(stderr.contains("empty.md' is empty"), "{stderr}");
    assert!(stderr.contains("image.md' looks like a binary file"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("notes.txt"), "good input still extracted");
    assert_eq!(stdout.lines().filter(|l| l.contains("notes.txt")).count(), 12);
}

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("latin1.txt");
    let mut bytes = b"R\xe9solution: see https://example.org/r\xe9sum\xe9 and A/RES/75/202.\n".to_vec();
    bytes.extend_from_slice(b"second line\n");
    std::fs::write(&path, bytes).expect("write");
    citecheck()
        .arg("extract")
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains("not valid UTF-8 (first bad byte at line 1"))
        .stdout(predicate::str::contains("A/RES/75/202"));
}

#[test]
fn utf16_with_bom_is_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("utf16.txt");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "见 A/HRC/44/49。\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(&path, bytes).expect("write");
    citecheck()
        .arg("extract")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(",symbol,A/HRC/44/49,"));
}

#[test]
fn output_file_is_written_atomically_and_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("rows.csv");
    std::fs::write(&out, "old content").expect("write");
    citecheck().arg("extract").arg(fixture("notes.txt")).arg("-o").arg(&out).assert().success().stdout("");
    let written = std::fs::read_to_string(&out).expect("read");
    assert!(written.starts_with(HEADER));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("list").filter_map(Result::ok).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    // An unwritable destination is an error (exit 2) that names the file.
    citecheck()
        .arg("extract")
        .arg(fixture("notes.txt"))
        .arg("-o")
        .arg(dir.path().join("no/such/dir/rows.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rows.csv"));
}

#[test]
fn pathological_nesting_does_not_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("deep.html");
    std::fs::write(
        &html,
        format!("{}<a href=\"https://a.org/x\">x</a>{}", "<div>".repeat(20_000), "</div>".repeat(20_000)),
    )
    .expect("write");
    let md = dir.path().join("deep.md");
    std::fs::write(
        &md,
        format!(
            "{} [x](https://a.org/y)\n{}\n{}\n",
            ">".repeat(50_000),
            "[".repeat(50_000),
            "*_".repeat(50_000)
        ),
    )
    .expect("write");
    citecheck()
        .arg("extract")
        .args([&html, &md])
        .assert()
        .success()
        .stdout(predicate::str::contains("https://a.org/x").and(predicate::str::contains("https://a.org/y")));
}

#[test]
fn help_and_version() {
    citecheck().arg("--version").assert().success().stdout(predicate::str::starts_with("citecheck "));
    citecheck()
        .args(["extract", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--input-format").and(predicate::str::contains("--format")));
    citecheck().arg("extract").assert().code(2).stderr(predicate::str::contains("INPUT"));
}

/// The acceptance document: every footnote (1–137 and `*`) is found, with the paragraph of
/// its marker, plus the body's resolution references — and nothing else.
#[test]
fn seed_document_when_present() {
    let Some(shared) = shared() else {
        eprintln!("../shared not present: seed check skipped");
        return;
    };
    let seed = shared.join("seed/000_df883177e5fcaef3.txt");
    let out = citecheck().arg("extract").arg(&seed).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let table = common::table::Table::parse(&text);
    let rows: Vec<_> = table.rows().collect();
    let labels: BTreeSet<&str> = rows.iter().map(|r| &r["footnote"]).filter(|l| !l.is_empty()).collect();
    assert_eq!(labels.len(), 138, "137 numbered footnotes and the starred note");
    assert!(labels.contains("*") && labels.contains("137"));
    assert_eq!(rows.iter().filter(|r| &r["kind"] == "url").count(), 174);
    assert_eq!(rows.iter().filter(|r| &r["kind"] == "symbol").count(), 17);
    let body: Vec<(&str, &str)> =
        rows.iter().filter(|r| r["footnote"].is_empty()).map(|r| (&r["paragraph"], &r["value"])).collect();
    assert_eq!(
        body,
        vec![("", "E/RES/2006/46"), ("1", "E/RES/2006/46"), ("40", "A/RES/70/1"), ("40", "A/RES/70/125")]
    );
    let para_of =
        |label: &str| rows.iter().find(|r| &r["footnote"] == label).map(|r| r["paragraph"].to_string());
    // Markers after a page break and a footnote block belong to the paragraph before it.
    assert_eq!(para_of("20").as_deref(), Some("28"));
    assert_eq!(para_of("32").as_deref(), Some("40"));
    assert_eq!(para_of("124").as_deref(), Some("124"));
    assert_eq!(para_of("*").as_deref(), Some(""));
}

/// Security audit item 1: relative links and URLs glued to Chinese text once panicked on a
/// byte slice inside a character (`s[..4]`); they are ordinary input.
#[test]
fn cjk_relative_links_and_glued_urls_do_not_panic() {
    for (name, doc) in [
        ("a.md", "1. 见[报告](报告.pdf)。\n"),
        ("b.html", "<p>1. <a href=\"报告.pdf\">报告</a> 见 https://a.org/x,报告</p>"),
        ("c.txt", "See https://a.org/x,报告 and 報告.pdf\n"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, doc).expect("write");
        let out = citecheck().arg("extract").arg(&path).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Issue 13: "explicit link targets are trimmed like bare text" — an explicit `href` or
/// `[text](target)` keeps its final `.` (a different page without it); autolinks, links whose
/// text is their target, and bare URLs still lose the separators converters glue on.
#[test]
fn explicit_link_targets_are_never_trimmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "a.md",
            "1. [DC](https://en.wikipedia.org/wiki/Washington,_D.C.) and <https://a.org/x;> and \
             [https://b.org/y;](https://b.org/y;) and https://c.org/z.\n",
        ),
        (
            "b.html",
            "<p>1. <a href=\"https://www.example.com/smth.\">link</a> \
             <a href=\"https://b.org/y;\">https://b.org/y;</a> https://c.org/z.</p>",
        ),
    ];
    let mut values = Vec::new();
    for (name, doc) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, doc).expect("write");
        let out = extract_stdout(&["--format", "json", path.to_str().expect("utf-8 path")]);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
        values.push(rows.iter().map(|r| r["value"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>());
    }
    assert_eq!(
        values[0],
        [
            "https://en.wikipedia.org/wiki/Washington,_D.C.",
            "https://a.org/x",
            "https://b.org/y",
            "https://c.org/z"
        ]
    );
    assert_eq!(values[1], ["https://www.example.com/smth.", "https://b.org/y", "https://c.org/z"]);
}

/// Issue 16: inputs are read in parallel, and the table is still in input order (each input's
/// rows exactly as when it is read alone), errors in order too.
#[test]
fn parallel_inputs_keep_their_order() {
    let fixtures = ["notes.txt", "report_zh.md", "notes.txt", "missing.md", "report_zh.md"];
    let paths: Vec<String> = fixtures.iter().map(|f| format!("tests/fixtures/{f}")).collect();
    let out = citecheck().args(["extract", "--format", "csv"]).args(&paths).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "the missing input is an error");
    let all = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut want = String::new();
    for p in paths.iter().filter(|p| !p.contains("missing")) {
        let one = citecheck().args(["extract", "--format", "csv", p]).output().expect("runs");
        let text = String::from_utf8_lossy(&one.stdout).into_owned();
        if want.is_empty() {
            want.push_str(&text);
        } else {
            want.push_str(text.split_once('\n').map_or("", |(_, rows)| rows));
        }
    }
    assert_eq!(all, want);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.md"), "{stderr}");
}
