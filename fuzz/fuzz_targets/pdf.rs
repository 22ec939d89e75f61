//! Any bytes read as a PDF: the file, its fonts, content streams and layout never panic.
#![no_main]

use citecheck::{extract, parse_input, InputFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = parse_input("fuzz.pdf", data.to_vec(), Some(InputFormat::Pdf)) {
        let _ = extract(&doc);
    }
});
