//! FAQ search: BM25 over title and body (a title match weighs more), with
//! Korean split into character bigrams and English into lower-cased,
//! lightly stemmed words. No external service; an index per site and locale
//! lives in memory and is rebuilt when the site's articles change.
//!
//! Forgiving on purpose: the last word of a query also matches as a prefix
//! (results as you type), and a longer English word one typo away from a
//! known word ("refnd") matches that word at a lower weight.

use sori_protocol::Slug;
use std::collections::HashMap;

/// BM25's term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// One title occurrence counts as this many body occurrences.
const TITLE_WEIGHT: f32 = 3.0;
/// A prefix or one-typo match counts for less than the word itself.
const PREFIX_WEIGHT: f32 = 0.8;
const TYPO_WEIGHT: f32 = 0.6;
/// How much text a snippet shows around the first match, in characters.
const SNIPPET_CHARS: usize = 150;

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "be", "can", "do", "does", "for", "how", "i", "in", "is", "it", "my",
    "of", "on", "or", "the", "to", "what", "with",
];

/// One article as the index sees it: plain text, no markup.
#[derive(Clone, Debug)]
pub struct Doc {
    pub id: Slug,
    pub title: String,
    pub category: String,
    pub text: String,
}

/// One result, with HTML-escaped title and snippet in which the matched
/// words are wrapped in `<mark>`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Hit {
    pub id: Slug,
    pub category: String,
    pub title_html: String,
    pub snippet_html: String,
    /// Left out on the wire: the order says it, and the widget reads whole
    /// numbers only.
    #[serde(skip)]
    pub score: f32,
}

/// A term and where it stands in the text (byte offsets).
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub term: String,
    pub start: usize,
    pub end: usize,
}

/// Splits text into search terms: Hangul runs into overlapping bigrams (a
/// lone syllable stays one term), other letters and digits into lower-cased,
/// stemmed words; stop words are dropped.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if is_hangul(c) {
            let mut run = Vec::new();
            while let Some(&(i, c)) = chars.peek().filter(|(_, c)| is_hangul(*c)) {
                run.push((i, c));
                chars.next();
            }
            let end_of = |k: usize| run[k].0 + run[k].1.len_utf8();
            if run.len() == 1 {
                out.push(Token {
                    term: run[0].1.to_string(),
                    start,
                    end: end_of(0),
                });
            }
            for k in 1..run.len() {
                out.push(Token {
                    term: [run[k - 1].1, run[k].1].iter().collect(),
                    start: run[k - 1].0,
                    end: end_of(k),
                });
            }
        } else if c.is_alphanumeric() {
            let mut end = start;
            while let Some(&(i, c)) = chars
                .peek()
                .filter(|(_, c)| c.is_alphanumeric() && !is_hangul(*c))
            {
                end = i + c.len_utf8();
                chars.next();
            }
            let word = text[start..end].to_lowercase();
            if !STOP_WORDS.contains(&word.as_str()) {
                out.push(Token {
                    term: stem(&word),
                    start,
                    end,
                });
            }
        } else {
            chars.next();
        }
    }
    out
}

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// A light English stemmer: plural and verb endings only, so that
/// "refunds", "refunded" and "refunding" all meet at "refund".
fn stem(word: &str) -> String {
    let n = word.chars().count();
    let strip = |suffix: &str, keep: usize| -> Option<String> {
        (word.ends_with(suffix) && n >= keep + suffix.len())
            .then(|| word[..word.len() - suffix.len()].to_owned())
    };
    if !word.is_ascii() {
        return word.to_owned();
    }
    strip("ies", 2)
        .map(|s| s + "y")
        .or_else(|| strip("ing", 3))
        .or_else(|| strip("ed", 3))
        .or_else(|| {
            ["ches", "shes", "sses", "xes"]
                .iter()
                .find_map(|s| word.ends_with(s).then(|| word[..word.len() - 2].to_owned()))
        })
        .or_else(|| (!word.ends_with("ss")).then(|| strip("s", 3)).flatten())
        .unwrap_or_else(|| word.to_owned())
}

#[derive(Debug)]
struct Posting {
    doc: u32,
    /// Title occurrences × [`TITLE_WEIGHT`] + body occurrences.
    weight: f32,
}

/// The searchable form of one site's articles in one locale.
#[derive(Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
    postings: HashMap<String, Vec<Posting>>,
    lengths: Vec<f32>,
    average_length: f32,
}

impl Index {
    pub fn build(docs: Vec<Doc>) -> Self {
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut lengths = Vec::with_capacity(docs.len());
        for (i, doc) in docs.iter().enumerate() {
            let mut weights: HashMap<String, f32> = HashMap::new();
            let title = tokens(&doc.title);
            let body = tokens(&doc.text);
            for t in &title {
                *weights.entry(t.term.clone()).or_default() += TITLE_WEIGHT;
            }
            for t in &body {
                *weights.entry(t.term.clone()).or_default() += 1.0;
            }
            lengths.push(title.len() as f32 * TITLE_WEIGHT + body.len() as f32);
            let doc = u32::try_from(i).unwrap_or(u32::MAX);
            for (term, weight) in weights {
                postings
                    .entry(term)
                    .or_default()
                    .push(Posting { doc, weight });
            }
        }
        let average_length = if lengths.is_empty() {
            1.0
        } else {
            (lengths.iter().sum::<f32>() / lengths.len() as f32).max(1.0)
        };
        Self {
            docs,
            postings,
            lengths,
            average_length,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The best `limit` articles for `query`, best first; empty when nothing matches.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let query_tokens = tokens(query);
        let last = query_tokens.len().saturating_sub(1);
        // Each query term with the index terms it stands for and their weight.
        let mut wanted: Vec<(&str, f32)> = Vec::new();
        for (k, token) in query_tokens.iter().enumerate() {
            let term = token.term.as_str();
            let before = wanted.len();
            if let Some((key, _)) = self.postings.get_key_value(term) {
                wanted.push((key, 1.0));
            }
            // Typing is not finished: the last word may be the start of one.
            let typing = k == last && !query.ends_with(char::is_whitespace);
            if typing && (term.len() >= 2 || !term.is_ascii()) {
                for key in self.postings.keys() {
                    if key.len() > term.len() && key.starts_with(term) {
                        wanted.push((key, PREFIX_WEIGHT));
                    }
                }
            }
            if wanted.len() == before && term.is_ascii() && term.len() >= 4 {
                for key in self.postings.keys() {
                    if within_one_edit(term, key) {
                        wanted.push((key, TYPO_WEIGHT));
                    }
                }
            }
        }
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let n = self.docs.len() as f32;
        for (term, boost) in &wanted {
            let Some(list) = self.postings.get(*term) else {
                continue;
            };
            let df = list.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for p in list {
                let length = self.lengths[p.doc as usize] / self.average_length;
                let tf = p.weight;
                let score = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length));
                *scores.entry(p.doc).or_default() += boost * score;
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        // Ties go to the earlier article, so results are stable.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let matched: Vec<&str> = wanted.iter().map(|(t, _)| *t).collect();
        ranked
            .into_iter()
            .take(limit)
            .map(|(i, score)| {
                let doc = &self.docs[i as usize];
                Hit {
                    id: doc.id.clone(),
                    category: doc.category.clone(),
                    title_html: highlight(&doc.title, &matched, None),
                    snippet_html: highlight(&doc.text, &matched, Some(SNIPPET_CHARS)),
                    score,
                }
            })
            .collect()
    }
}

/// Whether `a` becomes `b` with at most one insertion, deletion, change or
/// swap of neighbours (ASCII only).
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 1 || !b.is_ascii() {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if prefix == a.len() && prefix == b.len() {
        return false; // the same word: not a typo
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Less => ra == &rb[1..],
        std::cmp::Ordering::Greater => &ra[1..] == rb,
    }
}

/// `text` escaped for HTML with the words that stand for `terms` in
/// `<mark>`; with `window`, cut to about that many characters around the
/// first match (or the start, when nothing matched).
pub fn highlight(text: &str, terms: &[&str], window: Option<usize>) -> String {
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for t in tokens(text) {
        if terms.contains(&t.term.as_str()) {
            match marks.last_mut() {
                Some(last) if t.start <= last.1 => last.1 = last.1.max(t.end),
                _ => marks.push((t.start, t.end)),
            }
        }
    }
    let (from, to) = match window {
        None => (0, text.len()),
        Some(chars) => {
            let first = marks.first().map_or(0, |m| m.0);
            // Start a little before the match, at a character boundary.
            let lead = text[..first]
                .char_indices()
                .rev()
                .nth(chars / 4)
                .map_or(0, |(i, _)| i);
            let end = text[lead..]
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(i, _)| lead + i);
            (
                word_start(text, lead, first),
                word_end(text, end, marks.first().map_or(0, |m| m.1)),
            )
        }
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    for &(start, end) in marks.iter().filter(|m| m.0 >= from && m.1 <= to) {
        escape_into(&text[at..start], &mut out);
        out.push_str("<mark>");
        escape_into(&text[start..end], &mut out);
        out.push_str("</mark>");
        at = end;
    }
    escape_into(&text[at..to], &mut out);
    if to < text.len() {
        out.push('…');
    }
    out
}

/// `at`, moved forward to the start of a word if it falls inside one (but
/// never past `limit`).
fn word_start(text: &str, at: usize, limit: usize) -> usize {
    if at == 0 || text[..at].ends_with(char::is_whitespace) || limit <= at {
        return at;
    }
    text[at..limit]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(at, |(i, c)| at + i + c.len_utf8())
}

/// `at`, moved back to the end of a word if it falls inside one (but never
/// before `floor`).
fn word_end(text: &str, at: usize, floor: usize) -> usize {
    if at >= text.len() || text[at..].starts_with(char::is_whitespace) || floor >= at {
        return at;
    }
    text[floor..at]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(at, |(i, _)| floor + i)
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn korean_becomes_character_bigrams() {
        assert_eq!(terms("환불 정책"), ["환불", "정책"]);
        assert_eq!(terms("환불하려면"), ["환불", "불하", "하려", "려면"]);
        assert_eq!(terms("돈"), ["돈"]);
        // Mixed text splits where the script changes.
        assert_eq!(
            terms("PDF로 내보내기"),
            ["pdf", "로", "내보", "보내", "내기"]
        );
    }

    #[test]
    fn english_becomes_lowercased_stemmed_words() {
        assert_eq!(terms("How do I get a Refund?"), ["get", "refund"]);
        for word in ["refunds", "refunded", "refunding", "Refund"] {
            assert_eq!(terms(word), ["refund"], "{word}");
        }
        assert_eq!(terms("invoices"), ["invoice"]);
        assert_eq!(terms("companies"), ["company"]);
        assert_eq!(terms("taxes boxes"), ["tax", "box"]);
        assert_eq!(terms("access is"), ["access"]);
        assert_eq!(terms("VAT 2026"), ["vat", "2026"]);
    }

    #[test]
    fn token_offsets_point_at_the_source_text() {
        let text = "Exporting 보고서";
        let found = tokens(text);
        assert_eq!(&text[found[0].start..found[0].end], "Exporting");
        assert_eq!(&text[found[1].start..found[1].end], "보고");
        assert_eq!(&text[found[2].start..found[2].end], "고서");
    }

    fn doc(id: &str, title: &str, text: &str) -> Doc {
        Doc {
            id: Slug::parse(id).unwrap(),
            title: title.into(),
            category: "billing".into(),
            text: text.into(),
        }
    }

    fn corpus() -> Index {
        Index::build(vec![
            doc(
                "refunds",
                "Refund policy",
                "You can ask for a refund within 30 days of a payment.",
            ),
            doc(
                "cancel",
                "Cancel your plan",
                "Cancelling stops the next payment. Refunds for the current month are not given.",
            ),
            doc(
                "export",
                "Export invoices to PDF",
                "Open an invoice and choose Export.",
            ),
            doc(
                "ko-refund",
                "환불 정책",
                "결제 후 30일 안에 환불을 요청할 수 있습니다. 환불하려면 설정에서 요청하세요.",
            ),
            doc(
                "ko-export",
                "PDF로 내보내기",
                "인보이스를 열고 내보내기를 누르세요.",
            ),
        ])
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn a_title_match_ranks_above_a_body_match() {
        let index = corpus();
        assert_eq!(ids(&index.search("refund ", 10)), ["refunds", "cancel"]);
        assert_eq!(ids(&index.search("export pdf ", 10))[0], "export");
    }

    #[test]
    fn korean_queries_find_korean_articles() {
        let index = corpus();
        assert_eq!(ids(&index.search("환불 ", 10)), ["ko-refund"]);
        assert_eq!(ids(&index.search("환불하려면 ", 10)), ["ko-refund"]);
        assert_eq!(ids(&index.search("내보내기 ", 10)), ["ko-export"]);
    }

    #[test]
    fn typos_and_unfinished_words_still_find_articles() {
        let index = corpus();
        assert_eq!(ids(&index.search("refnd ", 10))[0], "refunds");
        assert_eq!(ids(&index.search("paymnet ", 10)).len(), 2);
        assert_eq!(ids(&index.search("invo", 10)), ["export"]);
        assert_eq!(ids(&index.search("환", 10)), ["ko-refund"]);
        assert!(index.search("zebra ", 10).is_empty());
        assert!(index.search("", 10).is_empty());
    }

    #[test]
    fn snippets_mark_matches_and_escape_everything_else() {
        let html = highlight(
            "Use <b>refunds</b> & credits",
            &["refund"],
            Some(SNIPPET_CHARS),
        );
        assert_eq!(
            html,
            "Use &lt;b&gt;<mark>refunds</mark>&lt;/b&gt; &amp; credits"
        );
        let long = format!("{} refund at the end", "word ".repeat(100));
        let cut = highlight(&long, &["refund"], Some(40));
        assert!(
            cut.starts_with('…') && cut.contains("<mark>refund</mark>"),
            "{cut}"
        );
        // Overlapping Korean bigrams join into one mark.
        assert_eq!(
            highlight("환불하려면", &["환불", "불하"], None),
            "<mark>환불하</mark>려면"
        );
    }

    #[test]
    fn one_edit_means_one() {
        assert!(within_one_edit("refnd", "refund"));
        assert!(within_one_edit("refudn", "refund"));
        assert!(within_one_edit("refunx", "refund"));
        assert!(within_one_edit("refundd", "refund"));
        assert!(!within_one_edit("refund", "refund"));
        assert!(!within_one_edit("rfnd", "refund"));
        assert!(!within_one_edit("abcd", "dcba"));
    }
}
