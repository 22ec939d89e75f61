//! Builds small DOCX and ODT packages in memory, for tests of what converters do not write
//! (custom note marks, field codes, tracked changes) and of damaged packages.

use std::io::Write;

/// Namespace declarations of a WordprocessingML part.
pub const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

/// A ZIP holding `parts` (name, bytes), deflated.
pub fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// A DOCX with this body (inside `w:body`), footnotes (inside `w:footnotes`), endnotes and
/// extra parts; relationships `rIdN` of the document part are given as (id, target) pairs.
pub fn docx(
    body: &str,
    footnotes: &str,
    endnotes: &str,
    links: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let rel = |id: &str, kind: &str, target: &str, external: bool| {
        let mode = if external { r#" TargetMode="External""# } else { "" };
        format!(
            r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"{mode}/>"#
        )
    };
    let mut doc_rels = String::new();
    doc_rels.push_str(&rel("rIdFn", "footnotes", "footnotes.xml", false));
    doc_rels.push_str(&rel("rIdEn", "endnotes", "endnotes.xml", false));
    for (name, _) in extra {
        if let Some(kind) = name.strip_prefix("word/").and_then(|n| n.strip_suffix(".xml")) {
            doc_rels.push_str(&rel(&format!("rId{kind}"), kind, &format!("{kind}.xml"), false));
        }
    }
    for (id, target) in links {
        doc_rels.push_str(&rel(id, "hyperlink", &target.replace('&', "&amp;"), true));
    }
    let rels = |inner: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{inner}</Relationships>"#
        )
    };
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{body}</w:body></w:document>"#
    );
    let separators = r#"<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"#;
    let footnotes = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W_NS}>{separators}{footnotes}</w:footnotes>"#
    );
    let endnotes =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:endnotes {W_NS}>{endnotes}</w:endnotes>"#);
    let footnote_rels = rels(
        &links
            .iter()
            .map(|(id, target)| rel(id, "hyperlink", &target.replace('&', "&amp;"), true))
            .collect::<String>(),
    );
    let doc_rels = rels(&doc_rels);
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", doc_rels.as_bytes()),
        ("word/footnotes.xml", footnotes.as_bytes()),
        ("word/_rels/footnotes.xml.rels", footnote_rels.as_bytes()),
        ("word/endnotes.xml", endnotes.as_bytes()),
    ];
    for (name, xml) in extra {
        parts.push((name, xml.as_bytes()));
    }
    zip(&parts)
}

/// A paragraph of plain runs, one run per piece (as Word splits text at revisions).
pub fn para(pieces: &[&str]) -> String {
    let runs: String =
        pieces.iter().map(|t| format!(r#"<w:r><w:t xml:space="preserve">{t}</w:t></w:r>"#)).collect();
    format!("<w:p>{runs}</w:p>")
}

/// A run holding a footnote (or endnote) reference.
pub fn note_ref(kind: &str, id: u32) -> String {
    format!(
        r#"<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:{kind}Reference w:id="{id}"/></w:r>"#
    )
}

/// A Markdown conversion whose footnotes are `<sup>N</sup> text` lines (and `<sup>N</sup>`
/// markers) rewritten as pandoc footnotes (`[^N]: text`, `[^N]`), so pandoc writes real notes.
pub fn sup_notes_to_pandoc(md: &str) -> String {
    let mut out = Vec::new();
    let mut in_note = false;
    for line in md.split('\n') {
        if let Some((label, text)) = line.strip_prefix("<sup>").and_then(|r| r.split_once("</sup>")) {
            out.push(format!("[^{label}]: {}", text.strip_prefix(' ').unwrap_or(text)));
            in_note = true;
        } else if in_note && !line.trim().is_empty() {
            out.push(format!("    {line}"));
        } else {
            in_note = false;
            let mut s = String::new();
            let mut rest = line;
            while let Some((before, after)) = rest.split_once("<sup>") {
                match after.split_once("</sup>") {
                    Some((label, tail)) => {
                        s.push_str(before);
                        s.push_str(&format!("[^{label}]"));
                        rest = tail;
                    }
                    None => break,
                }
            }
            s.push_str(rest);
            out.push(s);
        }
    }
    out.join("\n")
}

/// The seed with real footnotes as a DOCX (pandoc), converted by LibreOffice into each of
/// `formats` (`pdf`, `odt`, `html`) in `dir` (as `seed.<format>`): the seed's path. `None`, with a
/// note naming `what` was skipped, without ../shared, pandoc or soffice.
pub fn seed_converted(dir: &std::path::Path, formats: &[&str], what: &str) -> Option<std::path::PathBuf> {
    let Some(shared) = super::shared() else {
        eprintln!("../shared not present: {what} skipped");
        return None;
    };
    let have = |tool: &str| {
        std::process::Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
    };
    if !have("pandoc") || !have("soffice") {
        eprintln!("pandoc or soffice not installed: {what} skipped (apt-get install pandoc libreoffice-writer-nogui fonts-wqy-zenhei)");
        return None;
    }
    let seed = shared.join("seed/000_df883177e5fcaef3.txt");
    let md = dir.join("seed.md");
    std::fs::write(&md, sup_notes_to_pandoc(&std::fs::read_to_string(&seed).expect("seed"))).expect("write");
    let docx = dir.join("seed.docx");
    let pandoc =
        std::process::Command::new("pandoc").arg(&md).args(["-f", "markdown", "-o"]).arg(&docx).status();
    assert!(pandoc.expect("pandoc").success());
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.display());
    for to in formats {
        let out = std::process::Command::new("soffice")
            .args([profile.as_str(), "--headless", "--convert-to", to, "--outdir"])
            .arg(dir)
            .arg(&docx)
            .output()
            .expect("soffice");
        assert!(out.status.success());
    }
    Some(seed)
}
