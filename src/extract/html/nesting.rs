//! The guard against pathological nesting: html5ever's tree builder checks the stack of open
//! elements on most tags, so a page nesting thousands deep costs quadratic time. Tags nested
//! deeper than [`MAX_DEPTH`] (links excepted) are blanked out before html5ever reads a page.
//!
//! The depth is counted the simple way (every tag-like `<name`, wherever it is, voids and
//! `/>` aside), so it can be counted over parts of a page independently ([`Walk`]) and the
//! parts' counts joined: the fast reader counts the halves it reads on two cores.

use std::borrow::Cow;
use std::ops::Range;

/// Deepest element nesting handed to the parser; no real document nests this deep.
pub(super) const MAX_DEPTH: usize = 512;

/// What the tag-like `<` at `lt` does to the depth.
pub(super) enum Step<'t> {
    Tag {
        closing: bool,
        tag: Range<usize>,
        name: &'t str,
    },
    /// Nothing: no name, a void element, or `/>`.
    Nothing,
    /// No `>` follows: nor does one follow any later `<` (the count stops here).
    NoMore,
}

pub(super) fn step(text: &str, lt: usize) -> Step<'_> {
    let bytes = text.as_bytes();
    let closing = bytes.get(lt + 1) == Some(&b'/');
    let name_start = lt + 1 + usize::from(closing);
    let name_len =
        bytes.get(name_start..).map_or(0, |b| b.iter().take_while(|b| b.is_ascii_alphanumeric()).count());
    if name_len == 0 {
        return Step::Nothing;
    }
    let name = &text[name_start..name_start + name_len];
    if is_void(name.as_bytes()) {
        return Step::Nothing;
    }
    let Some(gt) = memchr::memchr(b'>', &bytes[lt..]).map(|p| lt + p) else { return Step::NoMore };
    if !closing && bytes[gt - 1] == b'/' {
        return Step::Nothing;
    }
    Step::Tag { closing, tag: lt..gt + 1, name }
}

/// The elements without content, in any case (compared as bytes: this runs for every tag).
fn is_void(name: &[u8]) -> bool {
    let mut buf = [0u8; 6];
    let Some(lower) = buf.get_mut(..name.len()) else { return false };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
    )
}

/// Blanks out (with spaces, keeping every byte offset) the start and end tags nested deeper
/// than [`MAX_DEPTH`], except links. One linear pass; documents within the limit are returned
/// unchanged.
pub(super) fn flatten(text: &str) -> Cow<'_, str> {
    let mut depth = 0usize;
    let mut blank: Vec<Range<usize>> = Vec::new();
    for lt in memchr::memchr_iter(b'<', text.as_bytes()) {
        let (closing, tag, name) = match step(text, lt) {
            Step::Tag { closing, tag, name } => (closing, tag, name),
            Step::Nothing => continue,
            Step::NoMore => break,
        };
        if !closing {
            depth += 1;
        }
        if depth > MAX_DEPTH && !name.eq_ignore_ascii_case("a") {
            blank.push(tag);
        }
        if closing {
            depth = depth.saturating_sub(1);
        }
    }
    if blank.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    for r in blank {
        out[r].fill(b' ');
    }
    // Only ASCII tag bytes were replaced by ASCII spaces, so the text stays UTF-8.
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The depth counted over a part of a page, from any depth it may start at: the sum of its
/// steps, the lowest and highest running sums, and the deepest it goes from depth 0 (the
/// depth never goes below 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Walk {
    sum: i64,
    low: i64,
    high: i64,
    deepest: i64,
}

impl Walk {
    /// The count over the tag-like `<`s at `part` (a tag may end after it).
    pub(super) fn of(text: &str, part: Range<usize>) -> Walk {
        let mut w = Walk::default();
        let from = part.start;
        let Some(bytes) = text.as_bytes().get(part) else { return w };
        for lt in memchr::memchr_iter(b'<', bytes) {
            let closing = match step(text, from + lt) {
                Step::Tag { closing, .. } => closing,
                Step::Nothing => continue,
                Step::NoMore => break,
            };
            w.sum += if closing { -1 } else { 1 };
            w.low = w.low.min(w.sum);
            w.high = w.high.max(w.sum);
            w.deepest = w.deepest.max(w.sum - w.low);
        }
        w
    }

    /// The count over this part followed by `next`.
    pub(super) fn then(self, next: Walk) -> Walk {
        // From depth d, a part reaches max(d + high, deepest) and ends at max(d + sum, sum - low).
        let end = self.sum - self.low;
        Walk {
            sum: self.sum + next.sum,
            low: self.low.min(self.sum + next.low),
            high: self.high.max(self.sum + next.high),
            deepest: self.deepest.max(end + next.high).max(next.deepest),
        }
    }

    /// Whether [`flatten`] may change the page this walk covers (it may not, when the depth
    /// never goes past the limit).
    pub(super) fn too_deep(&self) -> bool {
        self.deepest > MAX_DEPTH as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Counting the parts and joining the counts is counting the whole, and the count says
        /// when flattening can change a page.
        #[test]
        fn parts_join(
            tags in proptest::collection::vec(proptest::sample::select(vec!["<p>", "</p>", "<br>", "<b/>", "x", "</a>", "<a>"]), 0..1400),
            cut in 0usize..1400,
        ) {
            let text: String = tags.concat();
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let whole = Walk::of(&text, 0..text.len());
            proptest::prop_assert_eq!(Walk::of(&text, 0..cut).then(Walk::of(&text, cut..text.len())), whole);
            if matches!(flatten(&text), Cow::Owned(_)) {
                proptest::prop_assert!(whole.too_deep());
            }
        }
    }

    #[test]
    fn deep_pages_are_flattened_and_counted_too_deep() {
        let deep = "<div>".repeat(MAX_DEPTH + 5) + "x";
        assert!(matches!(flatten(&deep), Cow::Owned(_)));
        assert!(Walk::of(&deep, 0..deep.len()).too_deep());
        let shallow = "<div>x</div>".repeat(MAX_DEPTH * 2);
        assert!(matches!(flatten(&shallow), Cow::Borrowed(_)));
        assert!(!Walk::of(&shallow, 0..shallow.len()).too_deep());
    }
}
