//! Any bytes as the `word/document.xml` and `word/footnotes.xml` of a DOCX package (split at
//! the first NUL byte), packed into a stored ZIP with the relationships Word writes, so the
//! mutations reach the XML reader instead of the ZIP checksums.
#![no_main]

use citecheck::{extract, parse_input, InputFormat};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://a.org/x" TargetMode="External"/></Relationships>"#;

fn package(document: &[u8], footnotes: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/_rels/document.xml.rels", DOC_RELS.as_bytes()),
        ("word/document.xml", document),
        ("word/footnotes.xml", footnotes),
    ] {
        zip.start_file(name, stored).ok()?;
        zip.write_all(bytes).ok()?;
    }
    zip.finish().ok().map(std::io::Cursor::into_inner)
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (document, footnotes) = (&data[..split], data.get(split + 1..).unwrap_or(&[]));
    let Some(bytes) = package(document, footnotes) else { return };
    if let Ok(doc) = parse_input("fuzz.docx", bytes, Some(InputFormat::Docx)) {
        let _ = extract(&doc);
    }
});
