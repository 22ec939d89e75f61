//! Extraction is linear in its input, whatever the input (security audit item 8), and the
//! URL scanner holds its properties on any text.

mod common;

use citecheck::{extract_text, InputFormat};
use common::pathological::{best_of_three as best, families};
use proptest::prelude::*;

/// Every pathological family: 64 KB is read in under half a second, and four times the input
/// takes about four times as long (a quadratic family takes sixteen; the ratio is only judged
/// once the larger input takes long enough to measure).
#[test]
fn every_pathological_family_is_read_in_linear_time() {
    let mut report = Vec::new();
    for f in families() {
        let (small, large) = ((f.make)(64 * 1024), (f.make)(256 * 1024));
        let (a, b) = (best(&small, f.format), best(&large, f.format));
        report.push(format!("{}: {a:.4}s / {b:.4}s", f.name));
        assert!(a < 0.5, "{}: 64 KB took {a:.3}s", f.name);
        assert!(b < 0.05 || b < 10.0 * a, "{}: 64 KB {a:.4}s, 256 KB {b:.4}s: not linear", f.name);
    }
    eprintln!("{}", report.join("\n"));
}

/// Text made of the pieces URLs and their surroundings are made of.
fn url_soup() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "https://",
        "http://",
        "www.",
        "a.org",
        "/",
        "x",
        ")",
        "(",
        ";",
        ",",
        ".",
        "?",
        "=",
        "&",
        "#",
        "%2F",
        " ",
        "\n",
        "。",
        "，",
        "报告",
        "[",
        "](",
        "<",
        ">",
        "\"",
        "'",
        "*",
        "-",
        "A/RES/75/202",
        "é",
        "\u{a0}",
    ]);
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any text, in every text format: no panic; every URL value is a URL in its WHATWG form
    /// or, when it does not parse, left as written (check then reports it `invalid`), and
    /// holds no white space.
    #[test]
    fn the_url_scanner_holds_on_any_text(text in prop_oneof![any::<String>(), url_soup()]) {
        // The dates a document states (repair) are read from any text without a panic, and
        // every date found exists.
        let dates = citecheck::document_dates(&text);
        for d in dates.accessed.iter().chain(dates.masthead.iter()).chain(dates.accessed_on_line.iter().map(|(_, d)| d)) {
            prop_assert!(citecheck::Ymd::new(d.y, d.m, d.d).is_some(), "{:?}", d);
        }
        for format in [InputFormat::Markdown, InputFormat::Html, InputFormat::Text] {
            for row in extract_text("p.md", &text, format) {
                if row.kind != citecheck::Kind::Url {
                    continue;
                }
                prop_assert!(!row.value.contains(char::is_whitespace), "{:?}", row.value);
                if let Ok(parsed) = url::Url::parse(&row.value) {
                    prop_assert_eq!(parsed.as_str(), &*row.value);
                }
            }
        }
    }
}
