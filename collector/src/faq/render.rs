//! Markdown to HTML for FAQ articles, sanitized when an article is saved so
//! the widget only ever receives HTML that cannot run anything.
//!
//! pulldown-cmark renders (raw HTML in the Markdown passes through to the
//! sanitizer, which decides); ammonia keeps an allowlist of tags, attributes
//! and URL schemes. Every link gets `rel="noopener noreferrer"`; links to
//! other sites also `target="_blank"` (added after sanitizing, to the
//! sanitizer's well-formed output).

use pulldown_cmark::{Event, Options, Parser, TagEnd};
use std::collections::HashSet;

/// An article body ready to serve and to index.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// Sanitized HTML.
    pub html: String,
    /// The words alone, for search and snippets.
    pub text: String,
}

pub fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut text = String::new();
    let events = Parser::new_ext(markdown, options).inspect(|event| match event {
        Event::Text(t) | Event::Code(t) => text.push_str(t),
        // Blocks and line breaks separate words; inline formatting does not
        // ("**30일 이내**에" reads "30일 이내에").
        Event::SoftBreak | Event::HardBreak | Event::Rule => text.push(' '),
        Event::End(end) if ends_block(end) => text.push(' '),
        _ => {}
    });
    let mut raw = String::new();
    pulldown_cmark::html::push_html(&mut raw, events);
    Rendered {
        html: sanitize(&raw),
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

fn ends_block(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::List(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
    )
}

/// The allowlist: text formatting, lists, tables, headings, links and images
/// over http(s); no scripts, styles, forms, frames, SVG or MathML.
pub fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h2",
        "h3",
        "h4",
        "hr",
        "i",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
    .into_iter()
    .collect();
    let clean = ammonia::Builder::default()
        .tags(tags)
        .add_tag_attributes("a", ["href", "title", "target"])
        .add_tag_attributes("img", ["src", "alt", "title", "width", "height"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"])
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // A new tab is the only target we keep.
            ("a", "target") => (value == "_blank").then_some(value.into()),
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string();
    new_tab_for_other_sites(&clean)
}

/// Adds `target="_blank"` to links to other sites that lack a target.
/// Works on the sanitizer's own output, whose tags are well formed: every
/// attribute value double-quoted, a `"` inside one written `&quot;`.
fn new_tab_for_other_sites(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        let (before, tag) = rest.split_at(at + 3);
        out.push_str(before);
        let mut attrs = tag;
        let mut href = None;
        let mut has_target = false;
        // Read `name="value"` pairs up to the tag's end.
        while let Some(eq) = attrs.find("=\"") {
            let name = attrs[..eq].trim();
            if name.contains('>') {
                break;
            }
            let value_start = eq + 2;
            let Some(len) = attrs[value_start..].find('"') else {
                break;
            };
            match name {
                "href" => href = Some(&attrs[value_start..value_start + len]),
                "target" => has_target = true,
                _ => {}
            }
            attrs = &attrs[value_start + len + 1..];
        }
        if !has_target && href.is_some_and(is_external) {
            out.push_str("target=\"_blank\" ");
        }
        rest = tag;
    }
    out.push_str(rest);
    out
}

fn is_external(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What must never appear in sanitized output, in any case.
    const EXECUTABLE: &[&str] = &[
        "<script",
        "javascript:",
        "vbscript:",
        "data:",
        "<svg",
        "<math",
        "<style",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "<base",
        "<meta",
        "<link",
        "<template",
        "<noscript",
        "srcdoc",
        "formaction",
        "xlink:",
    ];

    fn assert_inert(input: &str) {
        let out = render(input).html;
        let lower = out.to_ascii_lowercase();
        for bad in EXECUTABLE {
            assert!(
                !lower.contains(bad),
                "{bad:?} survived in {out:?} from {input:?}"
            );
        }
        // No event handler attribute in any tag.
        for tag in lower.split('<').skip(1) {
            let inside = tag.split('>').next().unwrap_or("");
            for word in inside.split(|c: char| c.is_whitespace() || c == '/') {
                assert!(
                    !(word.starts_with("on") && word.contains('=')),
                    "event handler survived in {out:?} from {input:?}"
                );
            }
        }
        // Stable: sanitizing the output again changes nothing (no mutation XSS).
        assert_eq!(sanitize(&out), out, "not stable for {input:?}");
    }

    #[test]
    fn scripts_handlers_and_dangerous_urls_are_removed() {
        for payload in [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"x\" ONERROR=\"alert(1)\">",
            "<a href=\"javascript:alert(1)\">click</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
            "<a href=\"java\nscript:alert(1)\">click</a>",
            "<a href=\"&#106;avascript:alert(1)\">click</a>",
            "[click](javascript:alert(1))",
            "[click](vbscript:msgbox(1))",
            "<img src=\"data:image/svg+xml;base64,PHN2Zy8+\">",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<form action=x><button formaction=javascript:alert(1)>go</button></form>",
            "<body onload=alert(1)>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
            "<base href=\"javascript:/\">",
            "<object data=\"javascript:alert(1)\"></object><embed src=x>",
        ] {
            assert_inert(payload);
        }
    }

    #[test]
    fn svg_mathml_and_mutation_payloads_are_inert() {
        for payload in [
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)>",
            "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
            "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
            "<template><img src=x onerror=alert(1)></template>",
            "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok</a>",
            "<p>text<!--<img src=x onerror=alert(1)>--></p>",
            "<xmp><img src=x onerror=alert(1)></xmp>",
        ] {
            assert_inert(payload);
        }
    }

    #[test]
    fn markdown_renders_and_links_open_safely() {
        let out = render(
            "## Refunds\n\nSee [billing](/billing) or [our blog](https://blog.example.com \"Blog\").\n\n- one\n- **two**",
        );
        assert!(out.html.contains("<h2>Refunds</h2>"), "{}", out.html);
        assert!(
            out.html
                .contains("<a href=\"/billing\" rel=\"noopener noreferrer\">billing</a>"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains(
                "<a target=\"_blank\" href=\"https://blog.example.com\" title=\"Blog\" rel=\"noopener noreferrer\">our blog</a>"
            ),
            "{}",
            out.html
        );
        assert!(out.html.contains("<li><strong>two</strong></li>"));
        assert_eq!(out.text, "Refunds See billing or our blog. one two");
        assert_eq!(
            render("**30일 이내**에 `설정`을").text,
            "30일 이내에 설정을"
        );
        // An author's own target is dropped unless it is a new tab.
        let own = render("<a href=\"/x\" target=\"_top\">x</a>").html;
        assert!(!own.contains("target"), "{own}");
        // Raw HTML links to other sites get a new tab too, once.
        let raw = render("<a href=\"https://x.example/?a>b\" title=\"t\">x</a> <a target=\"_blank\" href=\"//y.example\">y</a>").html;
        assert_eq!(raw.matches("target=\"_blank\"").count(), 2, "{raw}");
        assert_eq!(sanitize(&raw), raw);
    }
}
