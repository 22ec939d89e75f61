//! Any bytes read as a flat OpenDocument text (`.fodt`, one XML file: the same reader as the
//! `content.xml` of an ODT package, without the ZIP in the way of the mutations).
#![no_main]

use citecheck::{extract, parse_input, InputFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = parse_input("fuzz.fodt", data.to_vec(), Some(InputFormat::Odt)) {
        let _ = extract(&doc);
    }
});
