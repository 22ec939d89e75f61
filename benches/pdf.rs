//! PDF extraction speed and memory: `citecheck extract` (release binary, whole process) on
//! generated reports of 100, 500 and 5,000 pages — every page with a running header and footer,
//! numbered paragraphs with note markers, a footnote separator and four notes whose URLs carry
//! link annotations — beside `pdftotext` (text only, no structure: what the structure costs)
//! and `lychee --dump` when they are on PATH. Prints and writes `reports/bench/pdf.csv`:
//! pages/s and peak RSS. Run with `cargo bench --bench pdf`; `BENCH_PDF_PAGES=100,500` picks
//! the sizes.

mod common;
#[path = "../tests/common/pdf.rs"]
#[allow(dead_code)]
mod pdfgen;

use common::timed;
use pdfgen::{pdf, text, Item};
use std::process::Command;

/// One page of a report: header, paragraphs with markers, separator, notes, footer.
fn page(n: usize) -> Vec<Item> {
    let mut items = vec![
        text(430.0, 760.0, 9.0, "E/CN.16/2026/4"),
        text(72.0, 40.0, 8.0, "26-01234"),
        text(300.0, 40.0, 9.0, &n.to_string()),
    ];
    let mut y = 720.0;
    for p in 0..4 {
        let para = n * 4 + p;
        for l in 0..7 {
            let line = if l == 0 {
                format!("{para}. The Commission reviewed progress on connectivity, skills and finance in {para} countries,")
            } else {
                "as the regional surveys of 2025 and General Assembly resolution 78/160 show for each"
                    .to_string()
            };
            items.push(text(72.0, y, 11.0, &line));
            if l == 6 {
                let x = 72.0 + line.chars().count() as f32 * 5.5;
                items.push(text(x, y + 4.0, 6.5, &(para % 200 + 1).to_string()));
            }
            y -= 14.0;
        }
        y -= 8.0;
    }
    items.push(Item::Rule(72.0, 200.0, 190.0));
    let mut y = 176.0;
    for k in 0..4 {
        let label = ((n * 4 + k) % 200 + 1).to_string();
        let url = format!("https://www.example.org/reports/2025/page-{n}/note-{k}/annex.pdf");
        items.push(text(72.0, y + 4.0, 6.5, &label));
        items.push(text(78.0, y, 9.0, &format!("See {url}; also A/RES/78/{}.", 100 + k)));
        items.push(Item::Link([96.0, y - 2.0, 96.0 + url.len() as f32 * 4.5, y + 9.0], url));
        y -= 28.0;
    }
    items
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_PDF_PAGES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 500, 5000]);
    let dir = std::path::Path::new("target/bench-pdf");
    std::fs::create_dir_all(dir).expect("bench folder");
    let built =
        Command::new("cargo").args(["build", "--release", "--quiet"]).status().is_ok_and(|s| s.success());
    assert!(built, "cargo build --release failed");
    let bin = std::path::Path::new("target/release/citecheck");
    let on_path =
        |tool: &str, flag: &str| Command::new(tool).arg(flag).output().is_ok_and(|o| o.status.success());
    let mut rows = vec!["tool,pages,megabytes,best_seconds,pages_per_s,peak_rss_mb".to_string()];
    println!("{}", rows[0]);
    for pages in sizes {
        let path = dir.join(format!("report-{pages}.pdf"));
        if !path.exists() {
            let doc: Vec<Vec<Item>> = (1..=pages).map(page).collect();
            std::fs::write(&path, pdf(&doc)).expect("write pdf");
        }
        let mb = std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6);
        let mut tools: Vec<(&str, Command)> = Vec::new();
        let mut ours = Command::new(bin);
        ours.arg("extract").arg(&path);
        tools.push(("citecheck", ours));
        if on_path("pdftotext", "-v") {
            let mut c = Command::new("pdftotext");
            c.arg(&path).arg("-");
            tools.push(("pdftotext", c));
        }
        if on_path("lychee", "--version") {
            let mut c = Command::new("lychee");
            c.arg("--dump").arg(&path);
            tools.push(("lychee", c));
        }
        for (name, mut cmd) in tools {
            let runs = if pages >= 5000 { 1 } else { 3 };
            let (mut best, mut rss) = (f64::MAX, 0.0f64);
            for _ in 0..runs {
                let (wall, peak, _) = timed(&mut cmd);
                best = best.min(wall);
                rss = rss.max(peak);
            }
            let row = format!("{name},{pages},{mb:.1},{best:.3},{:.0},{rss:.1}", pages as f64 / best);
            println!("{row}");
            rows.push(row);
        }
    }
    let out = std::path::Path::new("reports/bench/pdf.csv");
    if let Some(parent) = out.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(out, rows.join("\n") + "\n");
}
