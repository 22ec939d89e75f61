//! Any bytes with the format detected from their content (ZIP packages, PDF, text): the
//! bounded ZIP reader and the sniffing never panic.
#![no_main]

use citecheck::{extract, parse_input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = parse_input("fuzz", data.to_vec(), None) {
        let _ = extract(&doc);
    }
});
