//! CSV tables read by column name, so a test says `row["status"]`, not `row[3]`.

use std::path::Path;

/// A CSV table: its header and rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// One row, its cells read by column name.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    header: &'a [String],
    cells: &'a [String],
}

impl Table {
    /// Parses CSV text with a header row.
    pub fn parse(text: &str) -> Table {
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let header = rdr.headers().expect("a header row").iter().map(str::to_string).collect();
        let rows =
            rdr.records().map(|r| r.expect("a CSV row").iter().map(str::to_string).collect()).collect();
        Table { header, rows }
    }

    /// Reads a CSV file; an absent file is an empty table.
    pub fn read(path: &Path) -> Table {
        std::fs::read_to_string(path).map(|t| Table::parse(&t)).unwrap_or_default()
    }

    /// The column names.
    pub fn header(&self) -> Vec<&str> {
        self.header.iter().map(String::as_str).collect()
    }

    /// Every row.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|cells| Row { header: &self.header, cells })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The first row whose `column` is `value`.
    pub fn find(&self, column: &str, value: &str) -> Option<Row<'_>> {
        self.rows().find(|r| r[column] == *value)
    }

    /// The first row whose `column` is `value`; panics naming what is missing.
    pub fn row(&self, column: &str, value: &str) -> Row<'_> {
        self.find(column, value)
            .unwrap_or_else(|| panic!("no row with {column} = {value} in {:?}", self.rows))
    }

    /// All values of a column.
    pub fn column(&self, column: &str) -> Vec<&str> {
        self.rows().map(|r| r.get(column)).collect()
    }
}

impl<'a> Row<'a> {
    /// The cell of `column`; panics when the table has no such column.
    pub fn get(&self, column: &str) -> &'a str {
        let i = self
            .header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}: {:?}", self.header));
        self.cells.get(i).map_or("", String::as_str)
    }
}

impl std::ops::Index<&str> for Row<'_> {
    type Output = str;
    fn index(&self, column: &str) -> &str {
        self.get(column)
    }
}

/// (footnote, paragraph, kind, value) of every row of an `extract` table.
pub type Cited = (String, String, String, String);

/// The rows of an `extract` table as [`Cited`] tuples.
pub fn cited(csv_text: &str) -> Vec<Cited> {
    Table::parse(csv_text)
        .rows()
        .map(|r| {
            (
                r["footnote"].to_string(),
                r["paragraph"].to_string(),
                r["kind"].to_string(),
                r["value"].to_string(),
            )
        })
        .collect()
}

/// A [`Cited`] tuple.
pub fn cite(footnote: &str, paragraph: &str, kind: &str, value: &str) -> Cited {
    (footnote.to_string(), paragraph.to_string(), kind.to_string(), value.to_string())
}
