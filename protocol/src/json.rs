//! A small JSON reader and writer for the widget.
//!
//! serde's generic code was a quarter of the widget's wasm, so the widget
//! reads and writes the few shapes it needs through this module and
//! [`crate::wire`] instead; the collector keeps using serde. The tests in
//! `wire` hold the two to the same format.
//!
//! Numbers are whole: nothing the widget reads or writes has a fraction, and
//! leaving float parsing out keeps its code out of the wasm. A number with a
//! fraction or exponent makes the whole text unreadable.

/// A parsed JSON value. Objects keep their keys in order, duplicates included
/// (the first one wins on lookup).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Json>),
    Map(Vec<(String, Json)>),
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: u32 = 64;

impl Json {
    /// Parses a whole text; `None` if it is not JSON (or has a fraction).
    pub fn parse(text: &str) -> Option<Json> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = reader.value(0)?;
        reader.space();
        (reader.at == reader.bytes.len()).then_some(value)
    }

    /// A member of an object; `None` for a missing key, `null`, or a non-object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Map(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .filter(|v| **v != Json::Null),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Json::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items of a list; `None` for anything else.
    pub fn as_list(&self) -> Option<&[Json]> {
        match self {
            Json::List(items) => Some(items),
            _ => None,
        }
    }

    /// The members of an object; `None` for anything else.
    pub fn as_map(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value as JSON text, without spaces.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Str(s) => write_str(s, out),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Map(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Self {
        Json::Int(n)
    }
}

impl From<u32> for Json {
    fn from(n: u32) -> Self {
        Json::Int(i64::from(n))
    }
}

impl From<u64> for Json {
    /// Values past `i64::MAX` (none occur: these are Unix milliseconds) saturate.
    fn from(n: u64) -> Self {
        Json::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(value: Option<T>) -> Self {
        value.map_or(Json::Null, Into::into)
    }
}

fn write_str(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let n = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[n >> 4]));
                out.push(char::from(HEX[n & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn word(&mut self, word: &[u8], value: Json) -> Option<Json> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end) == Some(word)).then(|| {
            self.at = end;
            value
        })
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'n' => self.word(b"null", Json::Null),
            b't' => self.word(b"true", Json::Bool(true)),
            b'f' => self.word(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::List(items))
            }
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        if self.peek()? != b'"' {
                            return None;
                        }
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        entries.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Map(entries))
            }
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Option<Json> {
        let negative = self.bytes.get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut n: i64 = 0;
        while let Some(d @ b'0'..=b'9') = self.bytes.get(self.at) {
            let digit = i64::from(d - b'0');
            n = n.checked_mul(10)?.checked_add(digit)?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        let fraction = matches!(self.bytes.get(self.at), Some(b'.' | b'e' | b'E'));
        if digits == 0 || leading_zero || fraction {
            return None;
        }
        Some(Json::Int(if negative { -n } else { n }))
    }

    /// A string, at its opening quote.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote or backslash in one go.
            let run = self.bytes[self.at..]
                .iter()
                .position(|b| matches!(b, b'"' | b'\\' | 0..=0x1f))?;
            out.push_str(std::str::from_utf8(&self.bytes[self.at..self.at + run]).ok()?);
            self.at += run;
            let byte = self.bytes[self.at];
            self.at += 1;
            match byte {
                b'"' => return Some(out),
                b'\\' => {
                    let escape = *self.bytes.get(self.at)?;
                    self.at += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode()?,
                        _ => return None,
                    };
                    out.push(c);
                }
                // A raw control character inside a string is not JSON.
                _ => return None,
            }
        }
    }

    /// The character of a `\u` escape, joining a surrogate pair.
    fn unicode(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if !(0xD800..0xDC00).contains(&high) {
            return char::from_u32(high);
        }
        if self.bytes.get(self.at..self.at + 2) != Some(b"\\u") {
            return None;
        }
        self.at += 2;
        let low = self.hex4()?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + 4)?;
        self.at += 4;
        digits
            .iter()
            .try_fold(0, |n, d| Some(n * 16 + char::from(*d).to_digit(16)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_writes() {
        let value = serde_json::json!({
            "a": [1, -2, 0, true, false, null],
            "text": "quote \" backslash \\ newline \n tab \t bell \u{7} 한국어 😀",
            "nested": {"empty": {}, "list": []},
            "big": i64::MAX, "small": i64::MIN + 1,
        });
        let text = serde_json::to_string(&value).unwrap();
        let ours = Json::parse(&text).unwrap();
        // Writing it back gives text serde reads as the same value.
        let again: serde_json::Value = serde_json::from_str(&ours.text()).unwrap();
        assert_eq!(again, value);
        assert_eq!(ours.get("big").and_then(Json::as_int), Some(i64::MAX));
    }

    #[test]
    fn reads_escapes_and_surrogate_pairs() {
        let parsed = Json::parse(r#"["\u00e9\ud83d\ude00\/\b\f", " spaced " ]"#).unwrap();
        assert_eq!(
            parsed,
            Json::List(vec![
                Json::Str("é😀/\u{8}\u{c}".into()),
                Json::Str(" spaced ".into())
            ])
        );
    }

    #[test]
    fn refuses_what_is_not_whole_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "01",
            "1.5",
            "2e3",
            "-",
            "tru",
            "\"open",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"raw\u{1}control\"",
            "[1] 2",
            "99999999999999999999",
            "{1:2}",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?} was read");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(Json::parse(&deep), None, "nesting past the limit");
    }

    #[test]
    fn null_members_read_as_missing() {
        let parsed = Json::parse(r#"{"a": null, "b": 1}"#).unwrap();
        assert_eq!(parsed.get("a"), None);
        assert_eq!(parsed.get("b"), Some(&Json::Int(1)));
        assert_eq!(Json::Int(1).get("b"), None);
    }
}
