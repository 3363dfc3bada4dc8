//! Minifies `src/style.css` into `OUT_DIR`, so the stylesheet the wasm
//! carries has no comments or indentation. Conservative on purpose: it
//! drops comments, folds whitespace runs to one space, and removes the
//! space next to `{`, `}`, `;` and `,` only, never around `:` or `>` where
//! a selector's meaning could change.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=src/style.css");
    let css = std::fs::read_to_string("src/style.css").expect("src/style.css is readable");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("style.min.css"), minify(&css)).expect("OUT_DIR is writable");
}

fn minify(css: &str) -> String {
    let mut plain = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        plain.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    plain.push_str(rest);
    let folded = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(folded.len());
    let tight = |c: char| matches!(c, '{' | '}' | ';' | ',');
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        let after_tight = out.chars().last().is_some_and(tight);
        let before_tight = chars.peek().is_some_and(|&n| tight(n));
        if c == ' ' && (after_tight || before_tight) {
            continue;
        }
        out.push(c);
    }
    out
}
