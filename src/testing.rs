//! Helpers of the unit tests: tables of cases written as text, one case a line.

/// Checks `f` against `table`, one case a line: `input → output`, several outputs separated
/// by ` | `, `—` for none. Blank lines are skipped, input and outputs trimmed, and `\n`
/// (backslash, n) in an input stands for a line break. A failure names the input.
pub(crate) fn check_table(f: impl Fn(&str) -> Vec<String>, table: &str) {
    for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((input, want)) = line.split_once(" → ") else { panic!("no ' → ' in the case {line:?}") };
        let input = input.trim().replace("\\n", "\n");
        let want: Vec<&str> = match want.trim() {
            "—" => Vec::new(),
            w => w.split(" | ").map(str::trim).collect(),
        };
        assert_eq!(f(&input), want, "input: {input:?}");
    }
}

/// [`check_table`] for a function of two texts and one result: each input is `first | second`,
/// and a lone value is the second with an empty first.
pub(crate) fn check_pairs<T: ToString>(f: impl Fn(&str, &str) -> T, table: &str) {
    check_table(
        |input| {
            let (first, second) = input.split_once(" | ").unwrap_or(("", input));
            vec![f(first, second).to_string()]
        },
        table,
    );
}

#[cfg(test)]
mod tests {
    use super::{check_pairs, check_table};

    #[test]
    fn tables_read_as_written() {
        let split = |s: &str| s.split(',').filter(|p| !p.is_empty()).map(str::to_string).collect();
        check_table(split, "a,b → a | b\n\n  x → x\n , → —\n");
        check_table(|s| vec![s.replace('\n', "+")], "a\\nb → a+b");
        check_pairs(|a, b| format!("{a}+{b}"), "x | y → x+y\n y → +y");
        let failed = std::panic::catch_unwind(|| check_table(split, "a → b"));
        assert!(failed.is_err(), "a wrong output must fail the table");
    }
}
