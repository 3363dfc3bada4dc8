//! The help tab's views: search box, results, categories, one article.

use crate::dom::{El, el};
use crate::i18n::Strings;
use crate::state::Widget;
use sori_protocol::faq::FaqEntry;

pub fn body(w: &Widget, t: &Strings) -> El {
    let help = &w.help;
    if let Some(article) = &help.article {
        let html = el("div").class("article");
        html.0.set_inner_html(&article.html);
        return el("div")
            .class("help")
            .child(
                el("button")
                    .class("link")
                    .attr("type", "button")
                    .attr("data-act", "help-back")
                    .text(t.all_articles),
            )
            .child(
                el("h3")
                    .class("article-title")
                    .attr("tabindex", "-1")
                    .text(&article.title),
            )
            .child(html)
            .child(vote(w, t))
            .child(handoff(t));
    }
    let search = el("input")
        .class("search")
        .attr("type", "search")
        .attr("aria-label", t.search_label)
        .attr("placeholder", t.search_label)
        .attr("autocomplete", "off")
        .attr("value", &help.query);
    el("div")
        .class("help")
        .child(el("div").attr("role", "search").child(search))
        .child(el("div").class("help-results").child(results(w, t)))
        .child(handoff(t))
}

/// Search results for the query, or the categories when there is none.
pub fn results(w: &Widget, t: &Strings) -> El {
    let help = &w.help;
    let status = |text: &str| {
        el("p")
            .class("note")
            .attr("role", "status")
            .attr("aria-live", "polite")
            .text(text)
    };
    if !help.query.trim().is_empty() {
        return match &help.results {
            None => el("div").child(status(t.searching)),
            Some(hits) if hits.is_empty() => el("div").child(status(t.no_results)),
            Some(hits) => {
                let items = hits.iter().map(|h| {
                    let title = el("span").class("result-title");
                    title.0.set_inner_html(&h.title_html);
                    let snippet = el("span").class("result-snippet");
                    snippet.0.set_inner_html(&h.snippet_html);
                    el("li").child(
                        el("button")
                            .class("result")
                            .attr("type", "button")
                            .attr("data-act", "article")
                            .attr("data-id", h.id.as_str())
                            .child(title)
                            .child(snippet),
                    )
                });
                el("div")
                    .child(status(&(t.result_count)(hits.len())).class("sr-only"))
                    .child(el("ul").class("results").children(items))
            }
        };
    }
    let Some(overview) = &help.overview else {
        return if help.failed {
            el("p")
                .class("note")
                .attr("role", "alert")
                .text(t.help_failed)
        } else {
            status(t.loading)
        };
    };
    let list = |title: &str, entries: &[FaqEntry]| {
        let items = entries.iter().map(|e| {
            el("li").child(
                el("button")
                    .class("entry")
                    .attr("type", "button")
                    .attr("data-act", "article")
                    .attr("data-id", e.id.as_str())
                    .text(&e.title),
            )
        });
        el("section")
            .child(el("h3").text(title))
            .child(el("ul").class("entries").children(items))
    };
    let mut out = el("div");
    if !overview.popular.is_empty() {
        out = out.child(list(t.popular, &overview.popular));
    }
    for category in &overview.categories {
        out = out.child(list(&category.name, &category.articles));
    }
    out
}

fn vote(w: &Widget, t: &Strings) -> El {
    let help = &w.help;
    let button = |helpful: bool, face: &str, label: &str| {
        el("button")
            .class("vote")
            .attr("type", "button")
            .attr("data-act", if helpful { "vote-yes" } else { "vote-no" })
            .attr(
                "aria-pressed",
                if help.vote == Some(helpful) {
                    "true"
                } else {
                    "false"
                },
            )
            .child(el("span").attr("aria-hidden", "true").text(face))
            .text(" ")
            .text(label)
    };
    let mut block = el("div")
        .class("votes")
        .attr("role", "group")
        .attr("aria-label", t.helpful_q)
        .child(el("p").text(t.helpful_q))
        .child(button(true, "👍", t.yes))
        .child(button(false, "👎", t.no));
    if help.vote == Some(false) && !help.reason_sent {
        block = block.child(
            el("div")
                .class("why")
                .child(
                    el("textarea")
                        .attr("id", "sori-why")
                        .attr("rows", "2")
                        .attr("maxlength", "500")
                        .attr("aria-label", t.why_label)
                        .attr("placeholder", t.why_label),
                )
                .child(
                    el("button")
                        .class("secondary")
                        .attr("type", "button")
                        .attr("data-act", "why-send")
                        .text(t.send),
                ),
        );
    }
    if help.vote.is_some() {
        block = block.child(
            el("p")
                .class("note")
                .attr("role", "status")
                .text(t.vote_thanks),
        );
    }
    block
}

fn handoff(t: &Strings) -> El {
    el("button")
        .class("secondary handoff")
        .attr("type", "button")
        .attr("data-act", "handoff")
        .text(t.still_need_help)
}
