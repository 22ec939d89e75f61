//! `report.html`: one self-contained page per run for the people who fix citations — per
//! document a chart of the statuses, then every citation in document order (footnote,
//! paragraph, what was cited, a status badge in colour *and* words, the reason in plain words,
//! the final URL, the document link of a symbol, the archived copy, the history), with filters
//! by status and a text search. No network, no framework: inline CSS and a small script that
//! renders rows from embedded JSON in pages (large runs stay fast) using `textContent` only,
//! so nothing from a document or a server is ever read as HTML.

use super::{status_counts, CheckRun};
use crate::error::{Error, Result};
use crate::plan::human_url;
use crate::types::{Kind, Outcome, Status};
use std::fmt::Write as _;
use std::sync::Arc;

/// What a reader sees as the reason of a status.
pub(crate) fn reason(o: &Outcome) -> String {
    let http = o.http_status.map(|s| {
        let words = reqwest::StatusCode::from_u16(s).ok().and_then(|c| c.canonical_reason()).unwrap_or("");
        format!("{s} {words}").trim_end().to_string()
    });
    match o.status {
        Status::Ok => String::new(),
        Status::Redirected => "moved: cite the final URL".to_string(),
        Status::Broken | Status::ServerError | Status::Blocked
            if o.error.is_empty() || o.error.starts_with("HTTP ") =>
        {
            http.unwrap_or_else(|| o.error.clone())
        }
        Status::Unreachable if o.error.starts_with("host name not found") => {
            "host name not found".to_string()
        }
        Status::Soft404 if o.error.starts_with("deep link redirected") => {
            "redirected to the home page".to_string()
        }
        _ => o.error.clone(),
    }
}

/// HTML-escapes text for an element or a double-quoted attribute.
fn h(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A writer that makes JSON safe inside `<script>`: no `<`, `>`, `&` or line separators
/// left as such (JSON has them only inside strings, where the `\u` escapes mean the same).
struct ScriptSafe<W>(W);

impl<W: std::io::Write> std::io::Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut from = 0;
        let mut i = 0;
        while i < buf.len() {
            let (escape, len): (&[u8], usize) = match &buf[i..] {
                [b'<', ..] => (b"\\u003c", 1),
                [b'>', ..] => (b"\\u003e", 1),
                [b'&', ..] => (b"\\u0026", 1),
                [0xE2, 0x80, 0xA8, ..] => (b"\\u2028", 3),
                [0xE2, 0x80, 0xA9, ..] => (b"\\u2029", 3),
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.0.write_all(&buf[from..i])?;
            self.0.write_all(escape)?;
            i += len;
            from = i;
        }
        self.0.write_all(&buf[from..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Serialises an iterator of results as a JSON array, made as they are written; the first
/// error stops it.
struct TrySeq<F>(F);

impl<I, T, F> serde::Serialize for TrySeq<F>
where
    F: Fn() -> I,
    I: Iterator<Item = Result<T>>,
    T: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let items = (self.0)();
        let mut seq = s.serialize_seq(items.size_hint().1)?;
        for item in items {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// Writes the data the script renders: statuses, targets (shared by their citations) and
/// rows, each row and target made as it is written (a large run is never held twice).
fn write_data(
    run: &CheckRun<'_>,
    replay: Option<&str>,
    sources: &[&str],
    source_index: &std::collections::HashMap<&str, usize>,
    out: &mut dyn std::io::Write,
) -> serde_json::Result<()> {
    let status_index = |s: Status| Status::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let archived: std::collections::HashMap<usize, &str> = run
        .repairs
        .unwrap_or(&[])
        .iter()
        .filter_map(|r| {
            r.memento.as_ref().filter(|m| !m.url.is_empty()).map(|m| (r.citation, m.url.as_str()))
        })
        .collect();
    let target_of = run.targets.by_citation(run.citations.len());
    let targets = TrySeq(|| {
        run.targets.iter().zip(run.outcomes.iter()).enumerate().map(|(i, (t, o))| {
            let o = o?;
            let st = run.standings.and_then(|s| s.get(i)).unwrap_or_default();
            let human =
                if t.kind == Kind::Symbol { human_url(&t.value, run.symbol_lang) } else { String::new() };
            let final_url = if o.final_url == t.url || t.kind == Kind::Symbol { "" } else { &*o.final_url };
            let final_url = final_url.to_string();
            // This run's own capture of a page that answered, when a replay service is known.
            let own = match (replay, &o.capture, o.http_status) {
                (Some(p), Some(_), Some(200..=299)) => {
                    let ts: String = o.checked_at.chars().filter(char::is_ascii_digit).take(14).collect();
                    format!("{}/{ts}/{}", p.trim_end_matches('/'), t.url)
                }
                _ => String::new(),
            };
            Ok((
                u8::from(t.kind == Kind::Symbol),
                t.value.clone(),
                status_index(o.status),
                reason(&o),
                final_url,
                human,
                own,
                st.first_seen,
                st.failing_since,
            ))
        })
    });
    let empty: Arc<str> = Arc::from("");
    let rows = TrySeq(|| {
        run.citations.iter().enumerate().map(|(i, c)| {
            let c = c?;
            let s = source_index.get(&*c.source).copied().unwrap_or(0);
            let raw = if c.raw == c.value { empty.clone() } else { c.raw };
            let archived = archived.get(&i).copied().unwrap_or("");
            Ok((s, c.line, c.footnote, c.paragraph, target_of[i].unwrap_or(0), raw, archived))
        })
    });
    let failing: Vec<usize> = Status::ALL
        .iter()
        .enumerate()
        .filter(|(_, s)| run.failing.is_failure(**s) || **s == Status::Soft404)
        .map(|(i, _)| i)
        .collect();
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    // Keys in alphabetical order, as earlier versions wrote them.
    #[derive(serde::Serialize)]
    struct Data<'a, T, R> {
        failing: Vec<usize>,
        rows: R,
        sources: &'a [&'a str],
        statuses: Vec<&'a str>,
        targets: T,
    }
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, ScriptSafe(out));
    serde_json::to_writer(&mut w, &Data { failing, rows, sources, statuses, targets })?;
    std::io::Write::flush(&mut w).map_err(serde_json::Error::io)
}

/// The status chart of one document: a bar per status that occurs, labelled with its name and
/// counts (readable in print and in grey-scale).
fn chart(mut counts: Vec<(Status, usize)>) -> String {
    counts.retain(|(_, n)| *n > 0);
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let words: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let height = 24 * counts.len() + 4;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 640 {height}\" width=\"640\" height=\"{height}\" aria-label=\"{} citations: {}\">",
        total,
        h(&words.join(", "))
    );
    for (row, (s, n)) in counts.iter().enumerate() {
        let y = row * 24 + 2;
        let w = (n * 400).div_ceil(max).max(2);
        let _ = write!(
            svg,
            "<text x=\"120\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text><rect x=\"128\" y=\"{y}\" width=\"{w}\" height=\"18\" class=\"bar s-{}\"/><text x=\"{}\" y=\"{}\" class=\"label\">{n}</text>",
            y + 14,
            s,
            s,
            128 + w + 6,
            y + 14
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Writes `report.html` for the run; `replay` is the `--replay-url` prefix for own captures.
///
/// # Errors
/// When writing to `out` fails.
pub(crate) fn report_html(
    run: &CheckRun<'_>,
    replay: Option<&str>,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let sources: Vec<&str> = run.citations.sources().iter().map(|s| &**s).collect();
    let failing = run.failing_count();
    let failing_citations: usize =
        (0..run.targets.len()).filter(|&i| run.fails(i)).map(|i| run.targets.cited(i)).sum();
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>citecheck: {} citations, {failing_citations} failing</title><style>{STYLE}</style></head><body>\
         <header><h1>Citation report</h1><p id=\"overview\"><strong data-count=\"citations\">{}</strong> citations of <strong data-count=\"targets\">{}</strong> targets; <strong data-count=\"failing\">{failing_citations}</strong> citations of <strong>{failing}</strong> targets failing.</p></header><main>",
        run.citations.len(),
        run.citations.len(),
        run.targets.len(),
    );
    let totals = status_counts(run.targets, run.outcomes.statuses());
    page.push_str("<section aria-labelledby=\"counts-h\"><h2 id=\"counts-h\">Statuses</h2><table class=\"counts\" id=\"counts\"><caption>Targets and citations per status (as in summary.csv)</caption><thead><tr><th scope=\"col\">status</th><th scope=\"col\">targets</th><th scope=\"col\">citations</th></tr></thead><tbody>");
    for c in totals.iter().filter(|c| c.targets > 0) {
        let _ = write!(
            page,
            "<tr data-status=\"{0}\"><td><span class=\"badge s-{0}\">{0}</span></td><td>{1}</td><td>{2}</td></tr>",
            c.status, c.targets, c.citations
        );
    }
    page.push_str("</tbody></table>");
    // Citations per status of each document, counted in one pass.
    let mut per_source: Vec<Vec<(Status, usize)>> =
        vec![Status::ALL.iter().map(|s| (*s, 0)).collect(); sources.len()];
    let source_index: std::collections::HashMap<&str, usize> =
        sources.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let target_of = run.targets.by_citation(run.citations.len());
    for (c, t) in run.citations.iter().zip(target_of) {
        let st = t.map_or(Status::Skipped, |t| run.outcomes.status(t as usize));
        let status = Status::ALL.iter().position(|s| *s == st).unwrap_or(0);
        if let Some(&i) = source_index.get(&*c?.source) {
            if t.is_some() {
                per_source[i][status].1 += 1;
            }
        }
    }
    for (s, counts) in sources.iter().zip(per_source) {
        let _ = write!(page, "<figure><figcaption>{}</figcaption>{}</figure>", h(s), chart(counts));
    }
    page.push_str(
        "</section><section aria-labelledby=\"rows-h\"><h2 id=\"rows-h\">Citations</h2>\
         <form id=\"filters\" role=\"search\" onsubmit=\"return false\"><fieldset><legend>Statuses shown</legend><span id=\"status-boxes\"></span>\
         <button type=\"button\" id=\"only-failing\">Failing only</button> <button type=\"button\" id=\"show-all\">All</button></fieldset>\
         <label for=\"q\">Search</label> <input type=\"search\" id=\"q\" placeholder=\"footnote, URL, symbol, reason\"> \
         <output id=\"shown\" aria-live=\"polite\"></output></form>\
         <table id=\"rows\"><caption>Every citation in document order, grouped by footnote and paragraph</caption><thead><tr>\
         <th scope=\"col\">Where</th><th scope=\"col\">Footnote</th><th scope=\"col\">¶</th><th scope=\"col\">Cited</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Reason</th><th scope=\"col\">Links</th><th scope=\"col\">History</th></tr></thead><tbody></tbody></table>\
         <p><button type=\"button\" id=\"more\" hidden>Show more</button></p></section></main>",
    );
    page.push_str("<script type=\"application/json\" id=\"data\">");
    let fail = |e: String| Error::Serialise(format!("report.html: {e}"));
    out.write_all(page.as_bytes()).map_err(|e| fail(e.to_string()))?;
    write_data(run, replay, &sources, &source_index, out).map_err(|e| fail(e.to_string()))?;
    writeln!(out, "</script><script>{SCRIPT}</script></body></html>").map_err(|e| fail(e.to_string()))
}

const STYLE: &str = r#"
:root{--bg:#fff;--fg:#1b1b1b;--muted:#555;--line:#ccc;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--info:#0969da;--chip:#f3f3f3}
@media (prefers-color-scheme:dark){:root{--bg:#111;--fg:#eee;--muted:#aaa;--line:#444;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--info:#58a6ff;--chip:#222}}
body{font:15px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg);margin:1.5rem auto;max-width:80rem;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:.3rem .4rem;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:var(--bg)}td{overflow-wrap:anywhere}
#rows td:nth-child(-n+3),#rows td:nth-child(5){white-space:nowrap;overflow-wrap:normal}
table.counts{width:auto}.chart{max-width:100%;height:auto}.chart .label{fill:var(--fg);font-size:13px}
figure{margin:.8rem 0}figcaption{color:var(--muted)}
.badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;border:1px solid currentColor;font-size:.85em;white-space:nowrap;background:var(--chip)}
.s-ok{color:var(--ok);fill:var(--ok)}.s-redirected,.s-blocked,.s-skipped,.s-excluded{color:var(--warn);fill:var(--warn)}
.s-broken,.s-server_error,.s-timeout,.s-unreachable,.s-tls_error,.s-invalid,.s-soft_404{color:var(--bad);fill:var(--bad)}
rect.s-ok{fill:var(--ok)}tr.group td{border-top:2px solid var(--muted)}tr.failing td:first-child{box-shadow:inset 4px 0 var(--bad)}
fieldset{border:1px solid var(--line);margin:0 0 .5rem}label.box{margin-right:.7rem;white-space:nowrap}
input,button{font:inherit}:focus-visible{outline:3px solid var(--info);outline-offset:2px}
a{color:var(--info)}small{color:var(--muted)}
@media print{#filters,#more{display:none}th{position:static}}
"#;

const SCRIPT: &str = r#"
(function(){
const D=JSON.parse(document.getElementById('data').textContent);
const PAGE=500, body=document.querySelector('#rows tbody'), more=document.getElementById('more');
const shown=document.getElementById('shown'), q=document.getElementById('q'), boxes=document.getElementById('status-boxes');
const present=new Set(D.targets.map(t=>t[2]));
const failing=new Set(D.failing);
// At first the failing citations only (when there are any): what an editor came for.
const anyFailing=[...present].some(i=>failing.has(i));
const on=new Set([...present].filter(i=>!anyFailing||failing.has(i)));
const safe=u=>/^https?:\/\//i.test(u);
function link(text,url){const a=document.createElement('a');a.textContent=text;if(safe(url)){a.href=url;}a.rel='noreferrer';return a;}
D.statuses.forEach((s,i)=>{if(!present.has(i))return;const l=document.createElement('label');l.className='box';
 const c=document.createElement('input');c.type='checkbox';c.checked=on.has(i);c.value=i;c.addEventListener('change',()=>{c.checked?on.add(i):on.delete(i);apply(true);});
 const b=document.createElement('span');b.className='badge s-'+s;b.textContent=s;l.append(c,' ',b);boxes.append(l);});
function text(r){const t=D.targets[r[4]];return [D.sources[r[0]],r[2],r[3],r[5],t[1],t[3],t[4],r[6]].join(' ').toLowerCase();}
let matches=[],drawn=0;
function row(r,prev){const t=D.targets[r[4]],tr=document.createElement('tr');const st=D.statuses[t[2]];
 if(!prev||prev[0]!==r[0]||prev[2]!==r[2]||prev[3]!==r[3])tr.className='group';
 if(failing.has(t[2]))tr.classList.add('failing');tr.dataset.status=st;
 const td=()=>{const d=document.createElement('td');tr.append(d);return d;};
 const where=td();where.textContent=(D.sources.length>1?D.sources[r[0]].split('/').pop()+':':'line ')+r[1];where.title=D.sources[r[0]];
 td().textContent=r[2];td().textContent=r[3];
 const cited=td();cited.append(link(t[1],t[0]?'':t[1]));if(r[5]){const s=document.createElement('small');s.textContent=' as written: '+r[5];cited.append(s);}
 const b=document.createElement('span');b.className='badge s-'+st;b.textContent=st;td().append(b);
 td().textContent=t[3];
 const links=td();const add=(label,u)=>{if(!u)return;if(links.childNodes.length)links.append(' · ');links.append(link(label,u));};
 add('final URL',t[4]);add('document',t[5]);add('archived copy',r[6]||t[6]);
 const hist=td();if(t[7]){hist.textContent='first seen '+t[7].slice(0,10);}if(t[8]){hist.append(document.createElement('br'),'failing since '+t[8].slice(0,10));}
 return tr;}
function draw(){const f=document.createDocumentFragment();const end=Math.min(matches.length,drawn+PAGE);
 for(let i=drawn;i<end;i++){f.append(row(D.rows[matches[i]],i>0?D.rows[matches[i-1]]:null));}
 body.append(f);drawn=end;more.hidden=drawn>=matches.length;
 shown.textContent='Showing '+drawn+' of '+matches.length+' citations ('+D.rows.length+' in all).';}
function apply(save){const needle=q.value.trim().toLowerCase();matches=[];
 D.rows.forEach((r,i)=>{if(on.has(D.targets[r[4]][2])&&(!needle||text(r).includes(needle)))matches.push(i);});
 body.textContent='';drawn=0;draw();
 if(save){const st=[...on].map(i=>D.statuses[i]).join(',');history.replaceState(null,'','#status='+encodeURIComponent(st)+'&q='+encodeURIComponent(q.value));}}
function load(){const h=new URLSearchParams(location.hash.slice(1));
 if(h.has('status')){const want=h.get('status').split(',');on.clear();D.statuses.forEach((s,i)=>{if(want.includes(s)&&present.has(i))on.add(i);});
  boxes.querySelectorAll('input').forEach(c=>{c.checked=on.has(+c.value);});}
 if(h.has('q'))q.value=h.get('q');apply(false);}
q.addEventListener('input',()=>apply(true));more.addEventListener('click',draw);
document.getElementById('only-failing').addEventListener('click',()=>{on.clear();present.forEach(i=>{if(failing.has(i))on.add(i);});boxes.querySelectorAll('input').forEach(c=>{c.checked=on.has(+c.value);});apply(true);});
document.getElementById('show-all').addEventListener('click',()=>{present.forEach(i=>on.add(i));boxes.querySelectorAll('input').forEach(c=>{c.checked=true;});apply(true);});
load();document.documentElement.dataset.renderMs=Math.round(performance.now());
})();
"#;

#[cfg(test)]
mod tests {
    use super::ScriptSafe;
    use std::io::Write;

    #[test]
    fn script_safe_json_escapes_what_could_end_the_script() {
        let mut out = ScriptSafe(Vec::new());
        // Written in pieces, as serde_json writes a string.
        for piece in ["[\"</script><!--", " a&b \u{2028}\u{2029}", " >\"]"] {
            out.write_all(piece.as_bytes()).unwrap_or_default();
        }
        let text = String::from_utf8(out.0).unwrap_or_default();
        assert_eq!(text, "[\"\\u003c/script\\u003e\\u003c!-- a\\u0026b \\u2028\\u2029 \\u003e\"]");
        let back: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, ["</script><!-- a&b \u{2028}\u{2029} >"]);
    }
}
