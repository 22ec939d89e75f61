#!/usr/bin/env bash
# Builds the starting corpora of the fuzz targets from the repository's fixtures (small,
# real documents of each format). Run from the repository root or from fuzz/.
set -euo pipefail
cd "$(dirname "$0")"
fx=../tests/fixtures
rm -rf corpus && mkdir -p corpus/{markdown,html,text,docx,odt,pdf,package}
cp "$fx"/report_en.md "$fx"/footnotes_caret.md "$fx"/formats/report.md corpus/markdown/
cp "$fx"/formats/report.pandoc.html "$fx"/formats/report.libreoffice.html "$fx"/html-dialects/*.html corpus/html/
cp "$fx"/notes.txt "$fx"/formats/report.libreoffice.pdftotext.txt corpus/text/
cp "$fx"/formats/*.pdf corpus/pdf/
cp "$fx"/formats/report.docx "$fx"/formats/report.odt "$fx"/formats/report.libreoffice.pdf corpus/package/
# DOCX: the document and footnotes parts, split by a NUL byte (see fuzz_targets/docx.rs).
python3 - "$fx/formats/report.docx" corpus/docx/report <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
open(sys.argv[2], "wb").write(z.read("word/document.xml") + b"\0" + z.read("word/footnotes.xml"))
PY
# ODT: content.xml as a flat OpenDocument text (the root renamed, the mimetype added).
python3 - "$fx/formats/report.odt" corpus/odt/report.fodt <<'PY'
import sys, zipfile
xml = zipfile.ZipFile(sys.argv[1]).read("content.xml").decode()
xml = xml.replace("office:document-content", "office:document", 2)
xml = xml.replace("<office:document ", '<office:document office:mimetype="application/vnd.oasis.opendocument.text" ', 1)
open(sys.argv[2], "w").write(xml)
PY
ls -R corpus | head -40
