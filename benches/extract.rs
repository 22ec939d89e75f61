//! Extraction throughput: MB/s of Markdown (the seed document repeated to ~100 MB) and of
//! HTML (the corpus reference list repeated), on one core. Run with `cargo bench --bench extract`;
//! set `CITECHECK_BENCH_MB` to change the Markdown size. Prints one CSV row per case.

use citecheck::{extract_text, InputFormat};
use std::time::Instant;

fn repeat_to(path: &str, mb: usize) -> Option<String> {
    let one = std::fs::read_to_string(path).ok()?;
    let n = (mb * 1024 * 1024).div_ceil(one.len().max(1));
    Some(one.repeat(n))
}

fn run(case: &str, text: &str, format: InputFormat) {
    let mut best = f64::MAX;
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        rows = extract_text("bench", text, format).len();
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = text.len() as f64 / 1e6;
    println!("{case},{mb:.1},{rows},{best:.3},{:.1}", mb / best);
}

fn main() {
    let shared = std::env::var("CITECHECK_SHARED").unwrap_or_else(|_| "../shared".to_string());
    let mb: usize = std::env::var("CITECHECK_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    println!("case,megabytes,rows,best_seconds,mb_per_s");
    let seed = format!("{shared}/seed/000_df883177e5fcaef3.txt");
    let fixture = "tests/fixtures/report_en.md";
    match repeat_to(&seed, mb).or_else(|| repeat_to(fixture, mb)) {
        Some(md) => {
            run("markdown", &md, InputFormat::Markdown);
            // The parser alone, for scale: what the CommonMark pass costs without citecheck.
            let t = Instant::now();
            let events = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_FOOTNOTES)
                .into_offset_iter()
                .count();
            let s = t.elapsed().as_secs_f64();
            println!(
                "pulldown_cmark_only,{:.1},{events},{s:.3},{:.1}",
                md.len() as f64 / 1e6,
                md.len() as f64 / 1e6 / s
            );
            run("text", &md, InputFormat::Text);
        }
        None => eprintln!("no Markdown input found (looked for {seed} and {fixture})"),
    }
    let html = format!("{shared}/corpus/wikipedia_new_zealand_references_excerpt.html");
    match repeat_to(&html, mb / 5).or_else(|| repeat_to("tests/fixtures/report.html", mb / 5)) {
        Some(h) => run("html", &h, InputFormat::Html),
        None => eprintln!("no HTML input found"),
    }
}
