//! The dates a document states about itself: when its cited pages were accessed ("All
//! websites referred to in footnotes were accessed on 24 February 2021", "脚注提及的所有网站的
//! 查阅日期均为 2021 年 2 月 24 日", "(accessed 3 March 2021)") and its masthead date (the
//! publication date near the top). Repair looks for the archived copy nearest the first of
//! these that applies to a citation. English, French, Spanish, Chinese, Russian and Arabic.

use crate::types::Ymd;
use regex::Regex;
use std::sync::LazyLock;

/// What a document says about when it cited its sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentDates {
    /// A statement for all citations ("All websites … were accessed on …").
    pub accessed: Option<Ymd>,
    /// Access dates stated next to individual citations, by line ("(accessed 3 March 2021)").
    pub accessed_on_line: Vec<(usize, Ymd)>,
    /// The masthead (publication) date: the first date near the top of the document.
    pub masthead: Option<Ymd>,
}

impl DocumentDates {
    /// The date a citation on `line` was cited, and where that date comes from.
    pub fn for_line(&self, line: usize) -> Option<(Ymd, &'static str)> {
        let own = self.accessed_on_line.iter().find(|(l, _)| *l == line).map(|(_, d)| *d);
        own.map(|d| (d, "accessed (footnote)"))
            .or(self.accessed.map(|d| (d, "accessed (document)")))
            .or(self.masthead.map(|d| (d, "document date")))
    }
}

/// How far before a date (in bytes) an access cue may stand.
const CUE_WINDOW: usize = 200;
/// How far before a date (in bytes) "all websites" may stand for the statement to cover all.
const ALL_WINDOW: usize = 240;
/// The masthead date is looked for in the first this-many bytes.
const MASTHEAD_WINDOW: usize = 3000;

const EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const RU: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
/// The Arabic month names UN documents write after the slash (`شباط/فبراير`).
const AR: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيه",
    "يوليه",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];
/// Other spellings: English abbreviations, French and Arabic variants.
const VARIANTS: [(&str, u32); 17] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("fevrier", 2),
    ("aout", 8),
    ("decembre", 12),
    ("يونيو", 6),
    ("يوليو", 7),
];

/// Words that say a date is when the cited pages were looked at.
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:accessed|retrieved|consulted|viewed|consult[ée]e?s?|consultad[oa]s?|se consultaron|по состоянию на|дата обращения|просмотрен[оы]?)\b|(?:查阅|查閱|访问|訪問|浏览|瀏覽|检索|檢索)日期|الاطلاع|اطلع|تاريخ الدخول",
    )
    .unwrap_or_else(|e| unreachable!("the cue pattern is valid: {e}"))
});

/// Words that say a statement covers every citation.
static ALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\ball\b|\btous\b|\btoutes\b|\btodos\b|\btodas\b|所有|全部|\bвсе\b|جميع")
        .unwrap_or_else(|e| unreachable!("the all pattern is valid: {e}"))
});

/// Dates as documents write them: `24 February 2021`, `1er mars 2021`, `24 de febrero de
/// 2021`, `24 февраля 2021`, `24 شباط/فبراير 2021`, `February 24, 2021`, `2021-02-24`,
/// `2021 年 2 月 24 日`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<String> = EN
        .iter()
        .chain(&FR)
        .chain(&ES)
        .chain(&RU)
        .chain(&AR)
        .copied()
        .chain(VARIANTS.iter().map(|(w, _)| *w))
        .map(regex::escape)
        .collect();
    let month = format!("(?:{})", words.join("|"));
    let pattern = format!(
        r"(?i)(?P<d1>\d{{1,2}})(?:er)?\.?\s+(?:de\s+)?(?:[^\s/\d]+(?:\s[^\s/\d]+)?/)?(?P<m1>{month})\.?,?\s+(?:de\s+)?(?P<y1>\d{{4}})|(?P<m2>{month})\.?\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})|(?P<y4>\d{{4}})\s*年\s*(?P<m4>\d{{1,2}})\s*月\s*(?P<d4>\d{{1,2}})\s*日"
    );
    Regex::new(&pattern).unwrap_or_else(|e| unreachable!("the date pattern is valid: {e}"))
});

/// The month number of a month name in any of the languages.
fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    for list in [&EN, &FR, &ES, &RU, &AR] {
        if let Some(i) = list.iter().position(|m| *m == lower) {
            return u32::try_from(i + 1).ok();
        }
    }
    VARIANTS.iter().find(|(w, _)| *w == lower).map(|(_, m)| *m)
}

/// One date found in the text: where it starts, and the date.
fn dates_in(text: &str) -> impl Iterator<Item = (usize, Ymd)> + '_ {
    DATE.captures_iter(text).filter_map(|c| {
        let start = c.get(0)?.start();
        let num = |n: &str| c.name(n).and_then(|m| m.as_str().parse::<u32>().ok());
        let date = if let (Some(d), Some(m), Some(y)) = (num("d1"), c.name("m1"), num("y1")) {
            Ymd::new(i32::try_from(y).ok()?, month_number(m.as_str())?, d)
        } else if let (Some(m), Some(d), Some(y)) = (c.name("m2"), num("d2"), num("y2")) {
            Ymd::new(i32::try_from(y).ok()?, month_number(m.as_str())?, d)
        } else if let (Some(y), Some(m), Some(d)) = (num("y3"), num("m3"), num("d3")) {
            Ymd::new(i32::try_from(y).ok()?, m, d)
        } else {
            Ymd::new(i32::try_from(num("y4")?).ok()?, num("m4")?, num("d4")?)
        }?;
        // A plausible date for a document of the web era.
        (1990..=2100).contains(&date.y).then_some((start, date))
    })
}

/// The text before `at`, at most `window` bytes, cut at a character boundary and at a blank
/// line (a statement does not run across one; `\r\n` line ends too).
fn before(text: &str, at: usize, window: usize) -> &str {
    let mut from = at.saturating_sub(window);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let part = &text[from..at];
    let cut =
        [part.rfind("\n\n").map(|p| p + 2), part.rfind("\n\r\n").map(|p| p + 3)].into_iter().flatten().max();
    cut.map_or(part, |p| &part[p..])
}

/// Reads the dates `text` states (the plain text of a document). A date beside a citation has
/// its cue on its own line; a statement for all citations says so ("all websites …") and is
/// not itself a citation line (no `://` on it).
pub fn document_dates(text: &str) -> DocumentDates {
    let mut out = DocumentDates::default();
    let (mut line, mut counted) = (1, 0); // line number of byte `counted`, counted as we go
    for (at, date) in dates_in(text) {
        line += text.as_bytes()[counted..at].iter().filter(|&&b| b == b'\n').count();
        counted = at;
        let window = before(text, at, CUE_WINDOW);
        let this_line = &window[window.rfind('\n').map_or(0, |p| p + 1)..];
        if !CUE.is_match(window) {
            if out.masthead.is_none() && at < MASTHEAD_WINDOW {
                out.masthead = Some(date);
            }
            continue;
        }
        let line_text_end = text[at..].find('\n').map_or(text.len(), |p| at + p);
        let whole_line = &text[at - this_line.len()..line_text_end];
        let for_all = ALL.is_match(before(text, at, ALL_WINDOW)) && !whole_line.contains("://");
        if out.accessed.is_none() && for_all {
            out.accessed = Some(date);
        } else if CUE.is_match(this_line) {
            out.accessed_on_line.push((line, date));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check_table;

    fn read(text: &str) -> Vec<String> {
        let d = document_dates(text);
        let mut out = Vec::new();
        if let Some(a) = d.accessed {
            out.push(format!("accessed {a}"));
        }
        for (line, a) in &d.accessed_on_line {
            out.push(format!("line {line} accessed {a}"));
        }
        if let Some(m) = d.masthead {
            out.push(format!("masthead {m}"));
        }
        out
    }

    #[test]
    fn stated_dates_in_six_languages() {
        check_table(
            read,
            "
            Note: All websites referred to in footnotes were accessed on 14 February 2025. → accessed 2025-02-14
            注：脚注提及的所有网站的查阅日期均为 2021 年 2 月 24 日。 → accessed 2021-02-24
            Tous les sites Web mentionnés dans les notes de bas de page ont été consultés le 1er mars 2021. → accessed 2021-03-01
            Todos los sitios web mencionados en las notas se consultaron el 24 de febrero de 2021. → accessed 2021-02-24
            Все веб-сайты, упомянутые в сносках, просмотрены по состоянию на 24 февраля 2021 года. → accessed 2021-02-24
            جرى الاطلاع على جميع المواقع الشبكية المشار إليها في الحواشي في 24 شباط/فبراير 2021. → accessed 2021-02-24
            All sites were accessed on February 3, 2022. → accessed 2022-02-03
            See https://a.org/x (accessed 3 March 2021). → line 1 accessed 2021-03-03
            https://a.org/x, consulté le 5 avril 2020 → line 1 accessed 2020-04-05
            https://a.org/x（访问日期：2020年4月5日） → line 1 accessed 2020-04-05
            The draft was reviewed by all members on 5 May 2020. → masthead 2020-05-05
            1 https://a.org (accessed 3 March 2021).\\n2 Report, 5 May 2020, https://b.org → line 1 accessed 2021-03-03
            1 Smith, All about water, https://a.org (accessed 3 March 2021) → line 1 accessed 2021-03-03
            Distr.: General\\n4 March 2021\\nOriginal: English → masthead 2021-03-04
            4 March 2021\\n\\nAll websites were accessed on 24 February 2021. → accessed 2021-02-24 | masthead 2021-03-04
            Adopted 30 February 2021 → —
            The 1948 Declaration → —
            accessed 2021-02-24 → line 1 accessed 2021-02-24
            ",
        );
    }

    #[test]
    fn a_citation_takes_its_own_date_then_the_documents() {
        let d = document_dates(
            "4 March 2021\n\nAll websites were accessed on 24 February 2021.\nx (accessed 1 May 2020)\n",
        );
        assert_eq!(d.for_line(4), Some((Ymd { y: 2020, m: 5, d: 1 }, "accessed (footnote)")));
        assert_eq!(d.for_line(9), Some((Ymd { y: 2021, m: 2, d: 24 }, "accessed (document)")));
        let m = document_dates("4 March 2021\n");
        assert_eq!(m.for_line(1), Some((Ymd { y: 2021, m: 3, d: 4 }, "document date")));
        assert_eq!(DocumentDates::default().for_line(1), None);
    }

    #[test]
    fn days_and_parsing() {
        let d = |s: &str| Ymd::parse(s).map(Ymd::days);
        assert_eq!(d("1970-01-01"), Some(0));
        assert_eq!(d("2021-02-24"), Some(18_682));
        assert_eq!(d("20210224123000"), Some(18_682));
        assert_eq!(d("2000-02-29").zip(d("2000-03-01")).map(|(a, b)| b - a), Some(1));
        assert_eq!(Ymd::parse("2021-02-30"), None);
        assert_eq!(Ymd::parse("2021-02-24").map(Ymd::compact).as_deref(), Some("20210224"));
    }
}
