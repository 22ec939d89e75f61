//! A list of rows written in place on all cores: cut into consecutive regions, each filled
//! from its start by a worker (with any number of rows up to its length), then the rows
//! written moved together. Sized once and never filled with stand-ins first (making and then
//! dropping 38,000 stand-in rows took 3–4 ms before any core could start writing).

use crate::types::Citation;
use std::mem::MaybeUninit;

/// A region of the list being written: rows are pushed from its start.
pub(super) struct Region<'a> {
    slots: &'a mut [MaybeUninit<Citation>],
    written: &'a mut usize,
}

impl Region<'_> {
    /// Writes the next row; false (and the row dropped) when the region is full.
    pub(super) fn push(&mut self, row: Citation) -> bool {
        match self.slots.get_mut(*self.written) {
            Some(slot) => {
                slot.write(row);
                *self.written += 1;
                true
            }
            None => false,
        }
    }
}

/// The rows `fill` writes into regions of the given lengths (handed to it in order), in
/// order: each region's rows, then the next region's.
pub(super) fn write(lens: &[usize], fill: impl for<'a> FnOnce(Vec<Region<'a>>)) -> Vec<Citation> {
    let total: usize = lens.iter().sum();
    let mut rows: Vec<Citation> = Vec::with_capacity(total);
    let mut counts = vec![0usize; lens.len()];
    let slots = &mut rows.spare_capacity_mut()[..total];
    let mut rest = &mut *slots;
    let mut regions = Vec::with_capacity(lens.len());
    for (&len, written) in lens.iter().zip(counts.iter_mut()) {
        let (region, tail) = rest.split_at_mut(len);
        regions.push(Region { slots: region, written });
        rest = tail;
    }
    fill(regions);
    // The rows written at the start of each region moved, in order, to the start of the list
    // (a swap moves a row and never copies or drops one).
    let (mut to, mut from) = (0, 0);
    for (&n, &len) in counts.iter().zip(lens) {
        if to != from {
            for k in 0..n {
                slots.swap(to + k, from + k);
            }
        }
        to += n;
        from += len;
    }
    // SAFETY: region i (lens[i] slots from the sum of the lengths before it) had exactly its
    // first counts[i] slots written (`Region::push` writes the slot at its count before raising
    // it, and nothing else writes a slot or a count); the swaps moved those rows to the first
    // `to` slots, the sum of the counts, so the first `to` slots hold rows and no row is left
    // after them. Should `fill` panic, the list is dropped empty (its rows leak, safely).
    unsafe { rows.set_len(to) };
    rows
}

#[cfg(test)]
mod tests {
    use crate::types::{Citation, Kind};
    use std::sync::Arc;

    fn row(value: &str) -> Citation {
        let empty: Arc<str> = Arc::from("");
        Citation {
            source: empty.clone(),
            line: 0,
            column: 0,
            footnote: empty.clone(),
            paragraph: empty.clone(),
            kind: Kind::Url,
            value: value.into(),
            raw: empty,
        }
    }

    #[test]
    fn the_rows_of_each_region_are_moved_together_in_order() {
        // Rows pushed into each region, region lengths, rows kept.
        type Case<'a> = (&'a [&'a [&'a str]], &'a [usize], &'a [&'a str]);
        let cases: &[Case<'_>] = &[
            (&[&["a", "b", "c"]], &[3], &["a", "b", "c"]),
            (&[&["a"], &["b", "c"]], &[2, 2], &["a", "b", "c"]),
            (&[&[], &["a"]], &[2, 2], &["a"]),
            (&[&["a", "b"], &["c"], &["d"]], &[3, 2, 1], &["a", "b", "c", "d"]),
            // A region full: the rows pushed beyond it are refused.
            (&[&["a", "b", "x"], &["c"]], &[2, 1], &["a", "b", "c"]),
            (&[&[], &[]], &[0, 3], &[]),
            (&[], &[], &[]),
        ];
        for (pushed, lens, want) in cases {
            let rows = super::write(lens, |regions| {
                for (mut region, values) in regions.into_iter().zip(pushed.iter()) {
                    for v in values.iter() {
                        let fits = region.push(row(v));
                        assert_eq!(fits, *v != "x", "{v}");
                    }
                }
            });
            let got: Vec<&str> = rows.iter().map(|c| &*c.value).collect();
            assert_eq!(&got, want, "{pushed:?} {lens:?}");
        }
    }

    #[test]
    fn regions_written_on_all_cores_come_out_in_order() {
        let lens: Vec<usize> = (0..64).map(|i| i % 5 * 100).collect();
        let rows = super::write(&lens, |regions| {
            crate::parallel::map(regions.into_iter().enumerate().collect(), |(i, mut region)| {
                // Each region half filled (rounded up), with its number and the row's.
                for k in 0..lens[i].div_ceil(2) {
                    region.push(row(&format!("{i}.{k}")));
                }
            });
        });
        let want: Vec<String> = lens
            .iter()
            .enumerate()
            .flat_map(|(i, &l)| (0..l.div_ceil(2)).map(move |k| format!("{i}.{k}")))
            .collect();
        let got: Vec<String> = rows.iter().map(|c| c.value.to_string()).collect();
        assert_eq!(got, want);
    }
}
