//! Inputs built to make a text scanner slow: long runs of one punctuation, nesting, repeated
//! markers and definitions, entity-coded links (the security audit's families, and more). Each
//! family makes a document of about `bytes` bytes, so tests and benchmarks can compare sizes.

use citecheck::{extract_text, InputFormat};
use std::time::Instant;

/// The best of three extractions of `text`, in seconds.
pub fn best_of_three(text: &str, format: InputFormat) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let _ = extract_text("t.md", text, format);
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

/// One family: its name, the format it is read as, and a maker of a document of about `n`
/// bytes.
pub struct Family {
    pub name: &'static str,
    pub format: InputFormat,
    pub make: fn(usize) -> String,
}

fn repeat_to(prefix: &str, unit: &str, n: usize) -> String {
    let mut s = String::with_capacity(n + unit.len());
    s.push_str(prefix);
    while s.len() < n {
        s.push_str(unit);
    }
    s
}

/// Every family.
pub fn families() -> Vec<Family> {
    use InputFormat::{Html, Markdown, Text};
    vec![
        Family {
            name: "parens after a URL",
            format: Text,
            make: |n| repeat_to("See https://a.org/x", ")", n),
        },
        Family {
            name: "';a' after a URL",
            format: Text,
            make: |n| repeat_to("See https://a.org/x", ";a", n),
        },
        Family { name: "'(' after a URL", format: Markdown, make: |n| repeat_to("<https://a.org/x", "(", n) },
        Family { name: "dots after a URL", format: Text, make: |n| repeat_to("https://a.org/x", ".", n) },
        Family { name: "URL glued to URLs", format: Text, make: |n| repeat_to("", "https://a.org/x", n) },
        Family { name: "www. repeated", format: Text, make: |n| repeat_to("", "www.", n) },
        Family { name: "'<a' repeated", format: Html, make: |n| repeat_to("", "<a", n) },
        Family { name: "'<a>' nesting", format: Html, make: |n| repeat_to("", "<a>", n) },
        Family {
            name: "div and link nesting",
            format: Html,
            make: |n| repeat_to("", "<div><a href=\"https://a.org/x\">", n),
        },
        Family {
            name: "entity-coded hrefs",
            format: Html,
            make: |n| {
                repeat_to("", "<a href=\"&#104;&#116;&#116;&#112;&#115;&#58;&#47;&#47;a.org/x\">x</a>\n", n)
            },
        },
        Family {
            name: "note links without notes",
            format: Html,
            make: |n| repeat_to("<p>1. ", "<sup><a href=\"#fn1\" id=\"r1\">1</a></sup>", n),
        },
        Family {
            name: "'&' repeated in a link",
            format: Html,
            make: |n| repeat_to("<a href=\"https://a.org/?", "&", n),
        },
        Family {
            name: "one note defined many times, cited many times",
            format: Markdown,
            make: |n| {
                let mut s = repeat_to("1. text", "[^1]", n / 2);
                s.push_str("\n\n");
                let defs = repeat_to("", "[^1]: https://a.org/x\n", n / 2);
                s + &defs
            },
        },
        Family { name: "sup markers", format: Markdown, make: |n| repeat_to("1. text", "<sup>1</sup>", n) },
        Family {
            name: "sup definitions",
            format: Markdown,
            make: |n| repeat_to("", "<sup>1</sup> https://a.org/x\n", n),
        },
        Family { name: "']( ' repeated", format: Markdown, make: |n| repeat_to("", "](", n) },
        Family { name: "'[' repeated", format: Markdown, make: |n| repeat_to("", "[", n) },
        Family { name: "backticks", format: Markdown, make: |n| repeat_to("", "`", n) },
        Family { name: "emphasis", format: Markdown, make: |n| repeat_to("", "*a", n) },
        Family { name: "symbol-like slashes", format: Text, make: |n| repeat_to("", "A/", n) },
        Family { name: "symbols glued by dashes", format: Text, make: |n| repeat_to("", "A/75/1-", n) },
        Family { name: "resolution lists", format: Text, make: |n| repeat_to("resolutions ", "70/1, ", n) },
        Family { name: "'第' repeated", format: Text, make: |n| repeat_to("", "第", n) },
        Family { name: "numbered paragraphs", format: Text, make: |n| repeat_to("", "1. \n", n) },
        Family { name: "form feeds and labels", format: Text, make: |n| repeat_to("", "\u{c}1\n", n) },
        Family { name: "one long word", format: Text, make: |n| repeat_to("", "a", n) },
        Family { name: "slashes", format: Text, make: |n| repeat_to("https://", "/", n) },
    ]
}
