//! Stylesheet minifying for the widget crates' build scripts: the CSS each
//! wasm module carries has no comments or indentation. Conservative on
//! purpose: it drops comments, folds whitespace runs to one space, and
//! removes the space next to `{`, `}`, `;` and `,` only, never around `:`
//! or `>` where a selector's meaning could change.

/// `css` without comments and the whitespace that means nothing.
pub fn minify(css: &str) -> String {
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

/// Minifies `src/style.css` of the crate whose build script calls it into
/// `OUT_DIR/style.min.css`.
pub fn build_script() {
    println!("cargo::rerun-if-changed=src/style.css");
    let css = std::fs::read_to_string("src/style.css").expect("src/style.css is readable");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("style.min.css"), minify(&css)).expect("OUT_DIR is writable");
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_and_spaces_go_selectors_stay() {
        let css = "/* a */\n.a > .b ,\n .c {\n  color : red ;\n}\n";
        assert_eq!(super::minify(css), ".a > .b,.c{color : red;}");
    }
}
