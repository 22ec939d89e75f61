//! The distinct targets of a run, held compactly: their values in one text kept in 1 MB blocks
//! (growing never copies it), a kind and a first citation each, the further citations of
//! targets cited more than once aside — about 50 bytes a target with its URL, where a list of
//! [`Target`]s with the index that found them took 180 (a million targets: 180 MB). A
//! symbol's resolution URL is made when asked for. [`Gather`] builds them from citations as
//! they are read.

use crate::error::{Error, Result};
use crate::types::{Citation, CitationIds, Kind, Target};
use hashbrown::HashTable;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// Size of a block of the values' text.
const BLOCK: usize = 1 << 20;

/// Where a value is: block, offset in it, length.
#[derive(Debug, Clone, Copy)]
struct Span {
    block: u32,
    start: u32,
    len: u32,
}

/// A run's distinct targets, in order of first citation.
#[derive(Debug, Default)]
pub(crate) struct Targets {
    blocks: Vec<String>,
    spans: Vec<Span>,
    kinds: Vec<Kind>,
    first: Vec<u32>,
    more: HashMap<u32, Vec<u32>>,
    symbol_lang: String,
}

impl Targets {
    /// How many.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Target `i`'s kind.
    pub(crate) fn kind(&self, i: usize) -> Kind {
        self.kinds[i]
    }

    /// Target `i`'s value: a URL, or a document symbol.
    pub(crate) fn value(&self, i: usize) -> &str {
        let s = self.spans[i];
        let block = &self.blocks[s.block as usize];
        &block[s.start as usize..(s.start + s.len) as usize]
    }

    /// What is requested for target `i`: its URL, or its symbol's resolution URL.
    pub(crate) fn url(&self, i: usize) -> Cow<'_, str> {
        match self.kinds[i] {
            Kind::Url => Cow::Borrowed(self.value(i)),
            Kind::Symbol => Cow::Owned(super::symbol_url(self.value(i), &self.symbol_lang)),
        }
    }

    /// The numbers of target `i`'s citations, in order.
    pub(crate) fn citations(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let first = self.first[i];
        let more = self.more.get(&first_key(i)).map_or(&[][..], Vec::as_slice);
        std::iter::once(first).chain(more.iter().copied()).map(|c| c as usize)
    }

    /// How many citations point at target `i`.
    pub(crate) fn cited(&self, i: usize) -> usize {
        1 + self.more.get(&first_key(i)).map_or(0, Vec::len)
    }

    /// For each of `citations` citations, the number of its target (`None`: not counted).
    pub(crate) fn by_citation(&self, citations: usize) -> Vec<Option<u32>> {
        let mut of = vec![None; citations];
        for (t, &first) in self.first.iter().enumerate() {
            if let Some(slot) = of.get_mut(first as usize) {
                *slot = u32::try_from(t).ok();
            }
        }
        for (&t, more) in &self.more {
            for &c in more {
                if let Some(slot) = of.get_mut(c as usize) {
                    *slot = Some(t);
                }
            }
        }
        of
    }

    /// Target `i`, made whole.
    pub(crate) fn get(&self, i: usize) -> Target {
        let value: std::sync::Arc<str> = self.value(i).into();
        let url = match self.kinds[i] {
            Kind::Url => value.clone(),
            Kind::Symbol => self.url(i).into(),
        };
        let mut citations = CitationIds::default();
        for c in self.citations(i) {
            citations.push(c);
        }
        Target { kind: self.kinds[i], value, url, citations }
    }

    /// Every target, made whole one at a time, in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = Target> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Keeps a new target; returns its number.
    fn push(&mut self, kind: Kind, value: &str, citation: u32) -> Result<usize> {
        let too_many = || Error::Config("a run holds at most 4 billion citations and 4 GB of targets".into());
        let len = u32::try_from(value.len()).map_err(|_| too_many())?;
        let fits = self.blocks.last().is_some_and(|b| b.capacity() - b.len() >= value.len());
        if !fits {
            self.blocks.push(String::with_capacity(BLOCK.max(value.len())));
        }
        let block = self.blocks.len() - 1;
        let text = &mut self.blocks[block];
        let start = u32::try_from(text.len()).map_err(|_| too_many())?;
        text.push_str(value);
        let block = u32::try_from(block).map_err(|_| too_many())?;
        self.spans.push(Span { block, start, len });
        self.kinds.push(kind);
        self.first.push(citation);
        Ok(self.spans.len() - 1)
    }
}

/// The key of target `i` among the targets cited more than once.
fn first_key(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Distinct targets gathered from citations as they are read (one per URL or symbol, however
/// often cited), in order of first citation.
#[derive(Debug)]
pub(crate) struct Gather {
    targets: Targets,
    index: HashTable<u32>,
    hasher: RandomState,
}

impl Gather {
    /// Nothing gathered yet; symbols resolve in `symbol_lang`.
    pub(crate) fn new(symbol_lang: &str) -> Gather {
        let targets = Targets { symbol_lang: symbol_lang.to_string(), ..Targets::default() };
        Gather { targets, index: HashTable::new(), hasher: RandomState::new() }
    }

    /// Counts citation number `i` towards its target.
    ///
    /// # Errors
    /// The run is over 4 billion citations or 4 GB of distinct targets.
    pub(crate) fn add(&mut self, c: &Citation, i: usize) -> Result<()> {
        let citation =
            u32::try_from(i).map_err(|_| Error::Config("a run holds at most 4 billion citations".into()))?;
        let Gather { targets, index, hasher } = self;
        let hash = hasher.hash_one((c.kind, &*c.value));
        let found = index
            .find(hash, |&t| targets.kinds[t as usize] == c.kind && targets.value(t as usize) == &*c.value);
        match found {
            Some(&t) => targets.more.entry(t).or_default().push(citation),
            None => {
                let t = targets.push(c.kind, &c.value, citation)?;
                let t = u32::try_from(t)
                    .map_err(|_| Error::Config("a run holds at most 4 billion targets".into()))?;
                let rehash =
                    |&t: &u32| hasher.hash_one((targets.kinds[t as usize], targets.value(t as usize)));
                index.insert_unique(hash, t, rehash);
            }
        }
        Ok(())
    }

    /// The targets (the index that found them is let go).
    pub(crate) fn finish(self) -> Targets {
        self.targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation(kind: Kind, value: &str) -> Citation {
        Citation {
            source: "d".into(),
            line: 1,
            column: 1,
            footnote: "".into(),
            paragraph: "".into(),
            kind,
            value: value.into(),
            raw: value.into(),
        }
    }

    #[test]
    fn targets_are_distinct_by_kind_and_value_with_their_citations_in_order() {
        let mut g = Gather::new("fr");
        let values = ["https://a.org/", "A/RES/75/202", "https://a.org/", "https://b.org/x", "A/RES/75/202"];
        let kinds = [Kind::Url, Kind::Symbol, Kind::Url, Kind::Url, Kind::Symbol];
        for (i, (v, k)) in values.iter().zip(kinds).enumerate() {
            g.add(&citation(k, v), i).unwrap();
        }
        // The same text as another kind is another target.
        g.add(&citation(Kind::Symbol, "https://a.org/"), 5).unwrap();
        let t = g.finish();
        assert_eq!(t.len(), 4);
        let got: Vec<(Kind, &str, Vec<usize>, usize)> =
            (0..t.len()).map(|i| (t.kind(i), t.value(i), t.citations(i).collect(), t.cited(i))).collect();
        assert_eq!(
            got,
            [
                (Kind::Url, "https://a.org/", vec![0, 2], 2),
                (Kind::Symbol, "A/RES/75/202", vec![1, 4], 2),
                (Kind::Url, "https://b.org/x", vec![3], 1),
                (Kind::Symbol, "https://a.org/", vec![5], 1),
            ]
        );
        assert_eq!(t.url(0), "https://a.org/");
        assert_eq!(t.url(1), "https://documents.un.org/api/symbol/access?s=A%2FRES%2F75%2F202&l=fr&t=pdf");
        let whole = t.get(1);
        assert_eq!((&*whole.value, &*whole.url), ("A/RES/75/202", &*t.url(1)));
        assert_eq!(whole.citations.iter().collect::<Vec<_>>(), [1, 4]);
        assert_eq!(t.iter().len(), 4);
        assert_eq!(t.by_citation(7), [Some(0), Some(1), Some(0), Some(2), Some(1), Some(3), None]);
    }

    #[test]
    fn many_targets_across_blocks_and_a_value_larger_than_a_block() {
        let mut g = Gather::new("en");
        let n = 60_000;
        let big = format!("https://big.test/{}", "x".repeat(BLOCK + 10));
        let value = |i: usize| match i {
            777 => big.clone(),
            _ => format!("https://h{}.test/page-{}-{}", i % 97, i, "y".repeat(i % 40)),
        };
        for i in 0..2 * n {
            g.add(&citation(Kind::Url, &value(i % n)), i).unwrap();
        }
        let t = g.finish();
        assert_eq!(t.len(), n);
        assert!(t.blocks.len() > 2);
        for i in (0..n).step_by(997).chain([777]) {
            assert_eq!(t.value(i), value(i));
            assert_eq!(t.citations(i).collect::<Vec<_>>(), [i, n + i]);
        }
    }
}
