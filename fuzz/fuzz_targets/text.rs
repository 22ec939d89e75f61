//! Any bytes read as Text: decoding, detection and extraction never panic.
#![no_main]

use citecheck::{extract, parse_input, InputFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = parse_input("fuzz", data.to_vec(), Some(InputFormat::Text)) {
        let _ = extract(&doc);
    }
});
