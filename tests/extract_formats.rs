//! Word-processor formats end to end: DOCX and ODT made by real converters (pandoc,
//! LibreOffice; see `tests/fixtures/formats/regenerate.sh`), the HTML dialects word processors
//! and wikis save, DOCX features converters do not write (built here), damaged and hostile
//! packages, and — when pandoc and LibreOffice are installed — the seed run through them.

mod common;

use common::package::{docx, note_ref, para, zip, W_NS};
use common::run::extract;
use common::table::{cite, cited, Cited};
use common::{assert_pinned, citecheck, fixture, shared};
use std::collections::BTreeMap;
use std::path::Path;

type Row = Cited;

fn rows_of(csv_text: &str) -> Vec<Row> {
    cited(csv_text)
}

fn row(f: &str, p: &str, k: &str, v: &str) -> Row {
    cite(f, p, k, v)
}

#[test]
fn converted_fixtures_are_pinned() {
    for name in [
        "formats/report.docx",
        "formats/report.odt",
        "formats/report.libreoffice.html",
        "formats/report.pandoc.html",
        "html-dialects/word-save-as.html",
        "html-dialects/google-docs.html",
        "html-dialects/kramdown.html",
        "html-dialects/mediawiki.html",
    ] {
        let csv = extract(Path::new(&format!("tests/fixtures/{name}")));
        assert_pinned(&fixture(&format!("{name}.expected.csv")), &csv);
    }
}

/// The same report written in Markdown, saved as DOCX by pandoc and as ODT and HTML by
/// LibreOffice: every format gives the same citations with the same labels and paragraphs.
#[test]
fn one_report_every_format_same_citations() {
    let source = rows_of(&extract(&fixture("formats/report.md")));
    assert_eq!(source.iter().filter(|r| !r.0.is_empty()).count(), 17, "17 footnote citations in the source");
    for name in ["report.docx", "report.odt", "report.libreoffice.html", "report.pandoc.html"] {
        let mut got = rows_of(&extract(&fixture(&format!("formats/{name}"))));
        let mut want = source.clone();
        // LibreOffice percent-encodes non-ASCII link targets; the value is the same URL.
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn html_dialects_labels_and_paragraphs() {
    let word = rows_of(&extract(&fixture("html-dialects/word-save-as.html")));
    assert!(word.contains(&row("*", "", "symbol", "A/80/71")), "custom mark: {word:?}");
    assert!(word.contains(&row(
        "1",
        "1",
        "url",
        "https://survey.example.org/water/2024/islands_report_final.pdf"
    )));
    assert!(
        word.contains(&row("1", "1", "url", "https://survey.example.org/water/2024/annex.xlsx")),
        "second paragraph"
    );
    assert!(
        word.contains(&row("2", "2", "url", "https://desal.example.net/capacity/2024")),
        "Google redirect unwrapped"
    );
    assert!(word.contains(&row("3", "3", "url", "http://www.rain.example.org/guides/harvest")));
    assert!(word.contains(&row("i", "2", "url", "https://islands.example.int/costs")), "endnote: {word:?}");
    assert_eq!(word.iter().filter(|r| r.0.is_empty()).count(), 2, "body rows only from the body: {word:?}");

    let gdocs = rows_of(&extract(&fixture("html-dialects/google-docs.html")));
    assert!(gdocs.contains(&row("", "1", "url", "https://carbone.example.fr/tableau-de-bord")));
    assert!(gdocs.contains(&row("1", "1", "url", "https://undocs.org/fr/A/RES/78/150")));
    assert!(gdocs.contains(&row("2", "2", "url", "http://www.prix.example.fr/methodologie")));
    assert!(gdocs.contains(&row("3", "5", "symbol", "FCCC/CP/2024/L.3")), "{gdocs:?}");

    let kramdown = rows_of(&extract(&fixture("html-dialects/kramdown.html")));
    assert!(
        kramdown.contains(&row("2", "1", "url", "https://finance.example.org/adaptation-gap/2024")),
        "{kramdown:?}"
    );
    assert!(kramdown.contains(&row(
        "3",
        "2",
        "url",
        "https://www.undrr.example.org/publication/sendai-framework"
    )));

    let wiki = rows_of(&extract(&fixture("html-dialects/mediawiki.html")));
    assert!(
        wiki.iter().all(|r| !r.3.contains("#cite_")),
        "markers and back-links are not citations: {wiki:?}"
    );
    assert!(wiki.contains(&row("1", "", "url", "https://www.iea.example.org/reports/ocean-energy-2023")));
    assert!(wiki.contains(&row("2", "", "url", "http://www.kwater.example.kr/eng/sihwa")));
}

#[test]
fn wikipedia_page_markers_are_not_citations() {
    let Some(shared) = shared() else {
        eprintln!("../shared not present: Wikipedia corpus check skipped");
        return;
    };
    let page = shared.join("corpus/wikipedia_list_of_time_loop_films.html");
    let rows = rows_of(&extract(&page));
    assert!(rows.iter().all(|r| !r.3.contains("#cite_note") && !r.3.contains("#cite_ref")));
    let labelled: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.0.as_str()).filter(|l| !l.is_empty()).collect();
    assert!(labelled.len() > 70, "references keep their labels: {}", labelled.len());
}

fn styles_and_numbering() -> Vec<(&'static str, String)> {
    let styles = format!(
        r#"<w:styles {W_NS}><w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Berschrift1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="ParaNum"><w:name w:val="Numbered paragraph"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style></w:styles>"#
    );
    let numbering = format!(
        r#"<w:numbering {W_NS}><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="6"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="20"/></w:lvlOverride></w:num></w:numbering>"#
    );
    vec![("word/styles.xml", styles), ("word/numbering.xml", numbering)]
}

/// What Word writes and pandoc does not: custom marks, field codes, tracked changes, runs
/// that split a URL, list numbers through styles and overrides, text boxes written twice.
#[test]
fn docx_features_of_real_word_documents() {
    let num = |id: u32, lvl: u32| {
        format!(r#"<w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{id}"/></w:numPr></w:pPr>"#)
    };
    let t = |s: &str| format!(r#"<w:r><w:t xml:space="preserve">{s}</w:t></w:r>"#);
    let body = [
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>{}<w:r><w:footnoteReference w:customMarkFollows="1" w:id="1"/></w:r>{}</w:p>"#,
            t("Report of the working group"),
            t("*")
        ),
        format!(r#"<w:p><w:pPr><w:pStyle w:val="Berschrift1"/></w:pPr>{}</w:p>"#, t("I. Context")),
        format!(
            r#"<w:p>{}{}{}{}<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://stats.example.org/trade?y=2024&amp;m=all" \o "Trade" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>{}{}<w:r><w:fldChar w:fldCharType="end"/></w:r>{}</w:p>"#,
            num(5, 0),
            t("Trade grew"),
            note_ref("footnote", 2),
            t(" as the "),
            t("trade "),
            t("statistics"),
            t(" show.")
        ),
        format!(r#"<w:p>{}{}{}</w:p>"#, num(5, 1), t("Sub-item citing E/2024/"), t("15.")),
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="ParaNum"/></w:pPr>{}<w:ins w:id="1" w:author="A">{}</w:ins><w:del w:id="2" w:author="A"><w:r><w:delText>https://old.example.org/deleted </w:delText></w:r></w:del>{}</w:p>"#,
            t("Tracked changes: "),
            t("https://new.example.org/inserted "),
            note_ref("footnote", 3)
        ),
        format!(
            r#"<w:p><w:r><w:t>28.</w:t></w:r><w:r><w:tab/></w:r>{}{}{}{}{}</w:p>"#,
            t("Literal number cites https://lit"),
            t("eral.example.org/split"),
            r#"<w:r><w:softHyphen/><w:t>/runs-</w:t><w:noBreakHyphen/><w:t>2.html</w:t></w:r>"#,
            t(" here."),
            note_ref("endnote", 1)
        ),
        format!(
            r#"<w:p>{}{}<w:fldSimple w:instr=" HYPERLINK &quot;https://simple.example.org/field&quot; ">{}</w:fldSimple>{}</w:p>"#,
            num(6, 0),
            t("Restarted list: "),
            t("simple"),
            note_ref("footnote", 4)
        ),
        r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Box https://box.example.org/</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Box https://box.example.org/</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#.to_string(),
        format!(r#"<w:p><w:hyperlink r:id="rIdL1">{}</w:hyperlink><w:hyperlink w:anchor="_Toc1">{}</w:hyperlink></w:p>"#, t("portal"), t("contents")),
        para(&["A deleted paragraph mark", " keeps its text."]),
    ]
    .concat();
    let footnotes = [
        format!(r#"<w:footnote w:id="1">{}</w:footnote>"#, para(&["*", " Issued without formal editing; see A/79/1."])),
        format!(
            r#"<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r>{}<w:hyperlink r:id="rIdL2">{}</w:hyperlink></w:p></w:footnote>"#,
            t(" See the "),
            t("report")
        ),
        format!(
            r#"<w:footnote w:id="3"><w:p>{}<w:del w:id="3" w:author="A"><w:r><w:delText>E/CN.17/2023/9 </w:delText></w:r></w:del>{}</w:p></w:footnote>"#,
            t("Revised: "),
            t("E/CN.17/2024/2.")
        ),
        format!(
            r#"<w:footnote w:id="4"><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>HYPERLINK "https://fn.example.org/field"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>{}<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:footnote>"#,
            t("field link")
        ),
    ]
    .concat();
    let endnotes = format!(r#"<w:endnote w:id="1">{}</w:endnote>"#, para(&["https://end.example.org/notes"]));
    let extra = styles_and_numbering();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(n, x)| (*n, x.as_str())).collect();
    let bytes = docx(
        &body,
        &footnotes,
        &endnotes,
        &[
            ("rIdL1", "https://portal.example.org/?a=1&b=2"),
            ("rIdL2", "https://fn.example.org/report-2024.pdf"),
        ],
        &extra,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("features.docx");
    std::fs::write(&path, bytes).expect("write");
    let got = rows_of(&extract(&path));
    let want = vec![
        row("*", "", "symbol", "A/79/1"),
        row("", "1", "url", "https://stats.example.org/trade?y=2024&m=all"),
        row("1", "1", "url", "https://fn.example.org/report-2024.pdf"),
        row("", "1", "symbol", "E/2024/15"),
        row("", "2", "url", "https://new.example.org/inserted"),
        row("2", "2", "symbol", "E/CN.17/2024/2"),
        row("", "28", "url", "https://literal.example.org/split/runs--2.html"),
        row("i", "28", "url", "https://end.example.org/notes"),
        row("", "20", "url", "https://simple.example.org/field"),
        row("3", "20", "url", "https://fn.example.org/field"),
        row("", "20", "url", "https://box.example.org/"),
        row("", "20", "url", "https://portal.example.org/?a=1&b=2"),
    ];
    assert_eq!(got, want);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

/// Damaged, encrypted and hostile packages: one line naming the file and the reason, exit 2,
/// and the other inputs are still read.
#[test]
fn bad_packages_get_one_clear_line_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let good = docx(&para(&["1. See https://ok.example.org/a."]), "", "", &[], &[]);
    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2);
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(std::iter::repeat_n(0u8, 512));
    let mut encrypted = ole.clone();
    encrypted.extend("EncryptedPackage".bytes().flat_map(|b| [b, 0]));
    let odt_encrypted = zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text".as_slice()),
        ("content.xml", &[0x8f, 0x12, 0x00, 0x44][..]),
        ("META-INF/manifest.xml", br#"<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>"#.as_slice()),
    ]);
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (write(d, "truncated.docx", &truncated), "is not a readable DOCX file (damaged ZIP"),
        (
            write(d, "no-body.docx", &zip(&[("word/styles.xml", b"<x/>".as_slice())])),
            "has no word/document.xml",
        ),
        (write(d, "locked.docx", &encrypted), "is password-protected"),
        (write(d, "legacy.doc", &ole), "legacy Office file"),
        (write(d, "locked.odt", &odt_encrypted), "is password-protected"),
        (
            write(d, "not-a-zip.docx", b"just text, renamed"),
            "is not a readable DOCX file (it is not a ZIP package)",
        ),
        (
            write(
                d,
                "bad-xml.docx",
                &zip(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>".as_slice())]),
            ),
            "has a damaged part word/document.xml",
        ),
        (
            write(d, "other.zip", &zip(&[("readme.txt", b"hello".as_slice())])),
            "is a ZIP file but not a DOCX or ODT document",
        ),
    ];
    let good_path = write(d, "good.docx", &good);
    let mut cmd = citecheck();
    cmd.arg("extract");
    for (p, _) in &cases {
        cmd.arg(p);
    }
    let out = cmd.arg(&good_path).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (p, reason) in &cases {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let line = stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no line for {name}: {stderr}"));
        assert!(line.contains(reason), "{name}: {line}");
    }
    assert_eq!(stderr.lines().count(), cases.len(), "one line each: {stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("https://ok.example.org/a"),
        "the good input is read"
    );
}

/// A ZIP bomb (a document part that inflates to 300 MB) and a real but huge (100 MB)
/// `document.xml` are refused at 64 MiB, without reading them whole.
#[test]
fn oversized_parts_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zeros = vec![b' '; 300 << 20];
    let bomb = zip(&[("word/document.xml", zeros.as_slice())]);
    drop(zeros);
    let paragraph = para(&["Paragraph text with https://example.org/a and A/RES/75/202."]);
    let mut big = format!(r#"<w:document {W_NS}><w:body>"#);
    while big.len() < 100 << 20 {
        big.push_str(&paragraph);
    }
    big.push_str("</w:body></w:document>");
    let huge = zip(&[("word/document.xml", big.as_bytes())]);
    drop(big);
    let bomb = write(dir.path(), "bomb.docx", &bomb);
    let huge = write(dir.path(), "huge.docx", &huge);
    for p in [bomb, huge] {
        let out = citecheck().arg("extract").arg(&p).output().expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("larger than 64 MiB uncompressed"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// The seed through the chain the issue names: Markdown with real footnotes → DOCX (pandoc)
/// → ODT and HTML (LibreOffice). Needs ../shared, pandoc and soffice; skipped without them.
#[test]
fn seed_through_pandoc_and_libreoffice_when_available() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(seed) = common::package::seed_converted(dir.path(), &["odt", "html"], "seed format chain")
    else {
        return;
    };
    let truth = rows_of(&extract(&seed));
    let notes_of = |rows: &[Row]| {
        let mut m: BTreeMap<Row, usize> = BTreeMap::new();
        for r in rows.iter().filter(|r| !r.0.is_empty()) {
            *m.entry(r.clone()).or_default() += 1;
        }
        m
    };
    let want = notes_of(&truth);
    let total: usize = want.values().sum();
    for name in ["seed.docx", "seed.odt", "seed.html"] {
        let got_rows = rows_of(&extract(&dir.path().join(name)));
        let got = notes_of(&got_rows);
        let found: usize = want.iter().map(|(k, n)| (*n).min(got.get(k).copied().unwrap_or(0))).sum();
        let extra: Vec<&Row> = got.keys().filter(|k| !want.contains_key(*k)).collect();
        eprintln!("{name}: {found}/{total} footnote citations with label and paragraph; not in the Markdown: {extra:?}");
        assert!(found * 100 >= total * 98, "{name}: {found}/{total}");
        // pandoc cannot carry the starred note; it percent-encodes `[0]` in one link target.
        assert!(extra.len() <= 1, "{name}: {extra:?}");
    }
}
