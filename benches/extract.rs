//! Extraction throughput: MB/s of Markdown (the seed document repeated to ~100 MB), of HTML
//! (the corpus reference list repeated), and of DOCX and ODT (the converted fixture report's
//! XML repeated; MB/s of uncompressed XML, unzipping included), on one core. Run with
//! `cargo bench --bench extract`; set `CITECHECK_BENCH_MB` to change the Markdown size. Prints
//! one CSV row per case.

#[path = "../tests/common/pathological.rs"]
mod pathological;

use citecheck::{extract, extract_text, parse_input, InputFormat};
use std::io::{Read, Write};
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

/// The parts of a package, by name.
fn unzip(path: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let bytes = std::fs::read(path).ok()?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let mut data = Vec::new();
        f.read_to_end(&mut data).ok()?;
        parts.push((f.name().to_string(), data));
    }
    Some(parts)
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in parts {
        let ok = w.start_file(name.as_str(), opts).is_ok() && w.write_all(data).is_ok();
        assert!(ok, "zip write");
    }
    w.finish().map(std::io::Cursor::into_inner).unwrap_or_default()
}

/// Repeats the content of `element` in a part `n` times, numbering note ids apart per copy.
fn repeat_inner(xml: &str, open: &str, close: &str, n: usize, ids: &regex::Regex) -> String {
    let (Some(a), Some(b)) = (xml.find(open), xml.rfind(close)) else { return xml.to_string() };
    let start = a + xml[a..].find('>').map_or(0, |p| p + 1);
    let inner = &xml[start..b];
    let mut out = String::with_capacity(xml.len() * n);
    out.push_str(&xml[..start]);
    for k in 0..n {
        out.push_str(&ids.replace_all(inner, |c: &regex::Captures<'_>| {
            let id: usize = c[2].parse().unwrap_or(0);
            let id = if id > 0 { id + k * 100_000 } else { id };
            format!("{}{id}", &c[1])
        }));
    }
    out.push_str(&xml[b..]);
    out
}

/// A DOCX or ODT fixture grown to about `mb` megabytes of XML: (package bytes, XML bytes).
fn grown_package(path: &str, mb: usize) -> Option<(Vec<u8>, usize)> {
    let parts = unzip(path)?;
    let ids = regex::Regex::new(r#"(<w:(?:footnoteReference|footnote) w:id=")(\d+)"#).ok()?;
    let xml_len = |ps: &[(String, Vec<u8>)]| -> usize {
        ps.iter()
            .filter(|(n, _)| n == "word/document.xml" || n == "word/footnotes.xml" || n == "content.xml")
            .map(|(_, d)| d.len())
            .sum()
    };
    let n = (mb << 20).div_ceil(xml_len(&parts).max(1));
    let grown: Vec<(String, Vec<u8>)> = parts
        .into_iter()
        .map(|(name, data)| {
            let text = String::from_utf8_lossy(&data);
            let data = match name.as_str() {
                "word/document.xml" => repeat_inner(&text, "<w:body", "<w:sectPr", n, &ids).into_bytes(),
                "word/footnotes.xml" => {
                    repeat_inner(&text, "<w:footnotes", "</w:footnotes>", n, &ids).into_bytes()
                }
                "content.xml" => repeat_inner(&text, "<office:text", "</office:text>", n, &ids).into_bytes(),
                _ => data,
            };
            (name, data)
        })
        .collect();
    let len = xml_len(&grown);
    Some((rezip(&grown), len))
}

fn run_package(case: &str, bytes: &[u8], xml_len: usize) {
    let mut best = f64::MAX;
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        match parse_input(case, bytes.to_vec(), None) {
            Ok(doc) => rows = extract(&doc).len(),
            Err(e) => {
                eprintln!("{case}: {e}");
                return;
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = xml_len as f64 / 1e6;
    println!("{case},{mb:.1},{rows},{best:.3},{:.1}", mb / best);
}

/// Every pathological family at 64 KB and at 256 KB: best of three, and the ratio (4 for
/// linear time, 16 for quadratic).
fn pathological_families() {
    println!("family,format,kb,best_seconds_64kb,best_seconds_256kb,ratio");
    use pathological::best_of_three as best;
    for f in pathological::families() {
        let (small, large) = ((f.make)(64 * 1024), (f.make)(256 * 1024));
        let (a, b) = (best(&small, f.format), best(&large, f.format));
        println!("{},{:?},64,{a:.4},{b:.4},{:.1}", f.name, f.format, b / a.max(1e-6));
    }
}

fn main() {
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "pathological") {
        pathological_families();
        return;
    }
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
        Some(h) => {
            run("html", &h, InputFormat::Html);
            html_parts(&h);
        }
        None => eprintln!("no HTML input found"),
    }
    for (case, path) in
        [("docx", "tests/fixtures/formats/report.docx"), ("odt", "tests/fixtures/formats/report.odt")]
    {
        match grown_package(path, 50) {
            Some((bytes, xml)) => run_package(case, &bytes, xml),
            None => eprintln!("cannot read {path}"),
        }
    }
    pathological_families();
}

/// html5ever's parts alone, for scale: the tokenizer (what a streaming extractor would pay)
/// and the tree (what the DOM costs on top: scraper's `Html`).
fn html_parts(h: &str) {
    use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};
    struct Count(std::cell::Cell<usize>);
    impl TokenSink for Count {
        type Handle = ();
        fn process_token(&self, _: Token, _: u64) -> TokenSinkResult<()> {
            self.0.set(self.0.get() + 1);
            TokenSinkResult::Continue
        }
    }
    let mb = h.len() as f64 / 1e6;
    let t = Instant::now();
    let tokenizer = Tokenizer::new(Count(std::cell::Cell::new(0)), Default::default());
    let queue = BufferQueue::default();
    queue.push_back(html5ever::tendril::StrTendril::from(h));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let s = t.elapsed().as_secs_f64();
    println!("html5ever_tokenizer_only,{mb:.1},{},{s:.3},{:.1}", tokenizer.sink.0.get(), mb / s);
    let t = Instant::now();
    let doc = scraper::Html::parse_document(h);
    let s = t.elapsed().as_secs_f64();
    println!("html5ever_dom_only,{mb:.1},{},{s:.3},{:.1}", doc.tree.nodes().count(), mb / s);
}
