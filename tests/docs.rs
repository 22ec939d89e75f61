//! The documentation of the tables says what the code writes: every table of the registry has
//! a section in `reports/README.md` listing its columns in order, and `check --help` names it.

mod common;

use common::citecheck;

/// The backticked names in the first cell of the table rows of the section whose heading
/// starts with `heading`; a section that begins with "The `extract` columns" has those first.
fn documented_columns(readme: &str, heading: &str) -> Option<Vec<String>> {
    let start = readme.find(&format!("\n## {heading}"))? + 1;
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut columns = Vec::new();
    if section.contains("The `extract` columns") {
        columns = documented_columns(readme, "Citation rows")?;
    }
    for first_cell in
        section.lines().filter_map(|l| l.strip_prefix("| `")).filter_map(|l| l.split(" |").next())
    {
        columns.extend(format!("`{first_cell}").split('`').skip(1).step_by(2).map(str::to_string));
    }
    Some(columns)
}

#[test]
fn every_table_is_documented_with_its_columns() {
    let readme = std::fs::read_to_string("reports/README.md").expect("reports/README.md");
    let tables = citecheck::tables();
    assert!(!tables.is_empty());
    for (name, _, columns) in tables {
        let documented = documented_columns(&readme, &format!("`{name}`"))
            .unwrap_or_else(|| panic!("no section for {name}"));
        assert_eq!(documented, columns.to_vec(), "columns of {name} in reports/README.md");
    }
}

#[test]
fn check_help_names_every_table() {
    let out = citecheck().args(["check", "--help"]).output().expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    for (name, _, _) in citecheck::tables() {
        assert!(help.contains(name), "--help does not name {name}: {help}");
    }
}
