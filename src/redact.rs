//! The one choke point for secrets in what leaves the process: every report, GitHub request body, agent
//! reply, audit line and error message goes through a [`Redactor`] before it is written.
//!
//! A redactor masks, in any text:
//! - the secret values the engine found in the change under review ([`Redactor::add_secret`]), in their
//!   raw and JSON-escaped spellings;
//! - the password of a URL's userinfo (`scheme://user:SECRET@host` → `scheme://user:****@host`) and a
//!   token used as the user (`https://ghp_…@github.com`);
//! - tokens of well-known shapes (GitHub, GitLab, AWS, Slack, Stripe, OpenAI, Anthropic, npm, PyPI,
//!   Google, SendGrid, Twilio, Shopify, DigitalOcean, Hugging Face, …), so that text the engine never
//!   reviewed (an echoed malformed hunk header, a shell command) is masked too.
//!
//! This module sits at the bottom of the layers: it knows nothing of checks, findings or reporters.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::model::LiteralSearcher;

/// What replaces a masked value (after the few characters that stay visible).
pub const MASK: &str = "*****";

/// Shortest found secret the redactor masks everywhere (shorter values would mask ordinary words).
const MIN_SECRET_LEN: usize = 6;

/// Masks secrets in outgoing text: the secrets found in the change, URL userinfo and well-known token
/// shapes. Cheap to clone; the default masks URL userinfo and token shapes only.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Found secret values (raw and JSON-escaped), longest first.
    secrets: Vec<String>,
    /// A matcher over `secrets`, built on first use.
    matcher: OnceLock<Option<AhoCorasick>>,
}

impl Redactor {
    /// A redactor that masks URL userinfo and token shapes only.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Masks `secret` wherever it appears from now on (values shorter than 6 characters are ignored).
    pub fn add_secret(&mut self, secret: &str) {
        let secret = secret.trim();
        if secret.chars().count() < MIN_SECRET_LEN {
            return;
        }
        let mut spellings = vec![secret.to_string()];
        if let Ok(json) = serde_json::to_string(secret) {
            let inner = &json[1..json.len() - 1];
            if inner != secret {
                spellings.push(inner.to_string());
            }
        }
        for spelling in spellings {
            if !self.secrets.contains(&spelling) {
                self.secrets.push(spelling);
            }
        }
        self.matcher = OnceLock::new();
    }

    /// Adds every secret another redactor knows.
    pub fn extend(&mut self, other: &Redactor) {
        for secret in &other.secrets {
            if !self.secrets.contains(secret) {
                self.secrets.push(secret.clone());
            }
        }
        self.matcher = OnceLock::new();
    }

    /// How many secret spellings this redactor masks by value.
    pub fn known_secrets(&self) -> usize {
        self.secrets.len()
    }

    fn matcher(&self) -> Option<&AhoCorasick> {
        self.matcher
            .get_or_init(|| {
                if self.secrets.is_empty() {
                    return None;
                }
                AhoCorasick::builder()
                    .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&self.secrets)
                    .ok()
            })
            .as_ref()
    }

    /// `text` with every secret masked (borrowed when there was nothing to mask). Linear in the text.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(text);
        if let Some(matcher) = self.matcher() {
            if matcher.is_match(text) {
                let mut buf = String::with_capacity(text.len());
                let mut last = 0;
                for m in matcher.find_iter(text) {
                    buf.push_str(&text[last..m.start()]);
                    buf.push_str(&mask(&text[m.start()..m.end()]));
                    last = m.end();
                }
                buf.push_str(&text[last..]);
                out = Cow::Owned(buf);
            }
        }
        if let Cow::Owned(masked) = mask_shapes(&out) {
            out = Cow::Owned(masked);
        }
        if let Cow::Owned(masked) = mask_userinfo(&out) {
            out = Cow::Owned(masked);
        }
        out
    }

    /// Serialized JSON (a JSON or SARIF report) with every string literal redacted and nothing else
    /// touched: a secret that happens to look like a number or a key never corrupts the document.
    pub fn redact_json_text(&self, json: &str) -> String {
        let bytes = json.as_bytes();
        let mut out = String::with_capacity(json.len());
        let mut copied = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'"' {
                i += 1;
                continue;
            }
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = end.min(bytes.len());
            out.push_str(&json[copied..start]);
            out.push_str(&self.redact(&json[start..end]));
            copied = end;
            i = end + 1;
        }
        out.push_str(&json[copied..]);
        out
    }

    /// Masks every string inside a JSON value (keys included), in place.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                if let Cow::Owned(masked) = self.redact(s) {
                    *s = masked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => {
                let needs_key = map.keys().any(|k| matches!(self.redact(k), Cow::Owned(_)));
                if needs_key {
                    let old = std::mem::take(map);
                    for (k, mut v) in old {
                        self.redact_json(&mut v);
                        map.insert(self.redact(&k).into_owned(), v);
                    }
                } else {
                    map.values_mut().for_each(|v| self.redact_json(v));
                }
            }
            _ => {}
        }
    }
}

impl Redactor {
    /// Whether some found secret spans a line break, so that redacting text line by line could miss it.
    fn spans_lines(&self) -> bool {
        self.secrets.iter().any(|s| s.contains('\n'))
    }

    /// A writer that passes everything written to it through this redactor on its way to `inner`, as
    /// [`Redactor::redact`] (`json` false) or [`Redactor::redact_json_text`] (`json` true) of the whole
    /// output would: a report is streamed, never held twice. Call [`RedactingWriter::finish`] at the end.
    pub fn writer<W: std::io::Write>(&self, inner: W, json: bool) -> RedactingWriter<'_, W> {
        RedactingWriter {
            redactor: self,
            inner,
            json,
            pending: Vec::with_capacity(RedactingWriter::<W>::FLUSH_AT * 2),
            by_line: !self.spans_lines(),
        }
    }
}

/// A writer that redacts what passes through it (see [`Redactor::writer`]).
///
/// Nothing it masks spans a line break (found secrets come from one line, token bodies and URL
/// authorities end at whitespace, and a line break of pretty-printed JSON is never inside a string
/// literal), so it redacts and passes on whole lines as they complete; the result is byte for byte that
/// of redacting the whole text at once. A found secret holding a line break makes it keep everything
/// until [`RedactingWriter::finish`].
pub struct RedactingWriter<'r, W: std::io::Write> {
    redactor: &'r Redactor,
    inner: W,
    json: bool,
    /// Bytes written but not yet passed on (the last, incomplete line and whatever is short of a batch).
    pending: Vec<u8>,
    /// Whether whole lines may be passed on before the end.
    by_line: bool,
}

impl<W: std::io::Write> RedactingWriter<'_, W> {
    /// How many pending bytes make a batch worth redacting and passing on.
    const FLUSH_AT: usize = 64 * 1024;

    /// Redacts and passes on `pending[..end]`.
    fn pass_on(&mut self, end: usize) -> std::io::Result<()> {
        let text = std::str::from_utf8(&self.pending[..end])
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        if self.json {
            self.inner
                .write_all(self.redactor.redact_json_text(text).as_bytes())?;
        } else {
            self.inner
                .write_all(self.redactor.redact(text).as_bytes())?;
        }
        self.pending.drain(..end);
        Ok(())
    }

    /// Passes on what is left and flushes `inner`, which it returns.
    pub fn finish(mut self) -> std::io::Result<W> {
        let end = self.pending.len();
        self.pass_on(end)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: std::io::Write> std::io::Write for RedactingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.by_line && self.pending.len() >= Self::FLUSH_AT {
            // Up to the last line break: a line feed never sits inside a UTF-8 sequence.
            if let Some(at) = memchr::memrchr(b'\n', &self.pending) {
                self.pass_on(at + 1)?;
            }
        }
        Ok(buf.len())
    }

    /// Passes on nothing that is pending (a line may still grow); flushes `inner`.
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// [`Redactor::redact`] of a redactor that knows no found secrets: URL userinfo and token shapes.
pub fn redact(text: &str) -> Cow<'_, str> {
    Redactor::default().redact(text)
}

/// The masked form of a whole secret value: at most four visible characters (fewer for short values, and
/// only letters, digits, `_` and `-`, so an escape sequence is never cut), then [`MASK`].
pub fn mask(secret: &str) -> String {
    let visible = (secret.chars().count() / 4).min(4);
    let prefix: String = secret
        .chars()
        .take(visible)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    format!("{prefix}{MASK}")
}

/// The characters a token's body is made of.
#[derive(Clone, Copy)]
enum Body {
    /// `[A-Za-z0-9]`
    Alnum,
    /// `[A-Za-z0-9_-]`
    Word,
    /// `[A-Za-z0-9_.-]` (SendGrid's `SG.x.y`)
    Dotted,
    /// `[0-9a-fA-F]`
    Hex,
    /// `[A-Z0-9]`
    Upper,
}

impl Body {
    fn admits(self, b: u8) -> bool {
        match self {
            Body::Alnum => b.is_ascii_alphanumeric(),
            Body::Word => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
            Body::Dotted => b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'),
            Body::Hex => b.is_ascii_hexdigit(),
            Body::Upper => b.is_ascii_uppercase() || b.is_ascii_digit(),
        }
    }
}

/// Well-known token prefixes, the characters of their body and its shortest length.
const SHAPES: &[(&str, Body, usize)] = &[
    ("ghp_", Body::Alnum, 30),
    ("gho_", Body::Alnum, 30),
    ("ghu_", Body::Alnum, 30),
    ("ghs_", Body::Alnum, 30),
    ("ghr_", Body::Alnum, 30),
    ("github_pat_", Body::Word, 30),
    ("glpat-", Body::Word, 20),
    ("glptt-", Body::Word, 20),
    ("gldt-", Body::Word, 20),
    ("glrt-", Body::Word, 20),
    ("AKIA", Body::Upper, 16),
    ("ASIA", Body::Upper, 16),
    ("ABIA", Body::Upper, 16),
    ("ACCA", Body::Upper, 16),
    ("xoxb-", Body::Word, 10),
    ("xoxp-", Body::Word, 10),
    ("xoxa-", Body::Word, 10),
    ("xoxr-", Body::Word, 10),
    ("xoxs-", Body::Word, 10),
    ("xoxe-", Body::Word, 10),
    ("xapp-", Body::Word, 10),
    ("sk_live_", Body::Alnum, 16),
    ("rk_live_", Body::Alnum, 16),
    ("sk_test_", Body::Alnum, 16),
    ("rk_test_", Body::Alnum, 16),
    ("whsec_", Body::Alnum, 24),
    ("sk-proj-", Body::Word, 20),
    ("sk-svcacct-", Body::Word, 20),
    ("sk-admin-", Body::Word, 20),
    ("sk-ant-", Body::Word, 20),
    ("npm_", Body::Alnum, 36),
    ("pypi-", Body::Word, 50),
    ("AIza", Body::Word, 35),
    ("SG.", Body::Dotted, 40),
    ("SK", Body::Hex, 32),
    ("shpat_", Body::Hex, 32),
    ("shpca_", Body::Hex, 32),
    ("shppa_", Body::Hex, 32),
    ("shpss_", Body::Hex, 32),
    ("dop_v1_", Body::Hex, 64),
    ("doo_v1_", Body::Hex, 64),
    ("dor_v1_", Body::Hex, 64),
    ("hf_", Body::Alnum, 30),
    ("gsk_", Body::Alnum, 40),
    ("xai-", Body::Alnum, 40),
    ("glc_", Body::Word, 32),
    ("lin_api_", Body::Alnum, 32),
    ("pat-na1-", Body::Word, 32),
    ("dapi", Body::Hex, 32),
    ("figd_", Body::Word, 32),
    ("ntn_", Body::Alnum, 32),
    ("secret_", Body::Alnum, 43),
    ("r8_", Body::Alnum, 37),
];

/// The searcher of the [`SHAPES`] prefixes, leftmost-longest (every process that reports builds it).
fn shapes() -> &'static LiteralSearcher {
    static MATCHER: OnceLock<LiteralSearcher> = OnceLock::new();
    MATCHER.get_or_init(|| LiteralSearcher::new(SHAPES.iter().map(|(prefix, _, _)| prefix), true))
}

/// Whether `b` can be part of an identifier (a token must not start in the middle of one).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Masks tokens of well-known shapes: the prefix stays, the body becomes [`MASK`].
fn mask_shapes(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    for m in shapes().find_iter(text) {
        let (prefix, body, min) = SHAPES[m.pattern().as_usize()];
        if m.start() < last || (m.start() > 0 && is_word_byte(bytes[m.start() - 1])) {
            continue;
        }
        let body_len = bytes[m.end()..]
            .iter()
            .take_while(|&&b| body.admits(b))
            .count();
        if body_len < min {
            continue;
        }
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[last..m.start()]);
        buf.push_str(prefix);
        buf.push_str(MASK);
        last = m.end() + body_len;
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[last..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(text),
    }
}

/// Whether a byte ends a URL's authority.
fn ends_authority(b: u8) -> bool {
    b.is_ascii_whitespace()
        || b.is_ascii_control()
        || matches!(
            b,
            b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`' | b'(' | b')'
        )
}

/// Whether a user name without a password looks like a credential (a token used as the user).
fn user_is_credential(user: &str) -> bool {
    user.len() >= 12 && user.bytes().any(|b| b.is_ascii_digit())
        || user.len() >= 20
        || user.contains(MASK)
}

/// Masks the password of every `scheme://user:password@host` (and a token used as the user).
fn mask_userinfo(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    for sep in memchr::memmem::find_iter(bytes, b"://") {
        let start = sep + 3;
        if start < last {
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|&b| ends_authority(b))
            .map_or(bytes.len(), |p| start + p);
        let authority = &text[start..end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        let (keep, secret) = match userinfo.find(':') {
            Some(colon) => (&userinfo[..colon + 1], &userinfo[colon + 1..]),
            None if user_is_credential(userinfo) => ("", userinfo),
            None => continue,
        };
        if secret.is_empty() || secret == "****" {
            continue;
        }
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[last..start]);
        buf.push_str(keep);
        buf.push_str("****");
        last = start + at;
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[last..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed searcher of token prefixes finds what a leftmost-longest automaton finds, where
    /// prefixes overlap (`sk-` and `sk-proj-`, `xox` shapes), repeat and touch.
    #[test]
    fn the_shape_search_is_a_leftmost_longest_automaton() {
        assert!(
            matches!(shapes(), LiteralSearcher::Packed(_)),
            "the packed searcher builds here"
        );
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(SHAPES.iter().map(|(prefix, _, _)| prefix))
            .unwrap();
        let mut texts: Vec<String> = Vec::new();
        for (i, (a, _, _)) in SHAPES.iter().enumerate() {
            let (b, _, _) = SHAPES[(i * 7 + 3) % SHAPES.len()];
            texts.push(format!("{a}{b}x {a}{a} token={b}abc{a}"));
            texts.push(format!("{}{a}", &a[..a.len() - 1]));
        }
        texts.push("no token here".into());
        texts.push(String::new());
        let spans =
            |it: &mut dyn Iterator<Item = aho_corasick::Match>| -> Vec<(usize, usize, usize)> {
                it.map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                    .collect()
            };
        for text in &texts {
            assert_eq!(
                spans(&mut shapes().find_iter(text)),
                spans(&mut automaton.find_iter(text)),
                "{text:?}"
            );
        }
    }

    /// Writes `text` through a [`RedactingWriter`] in pieces of `piece` bytes.
    fn streamed(redactor: &Redactor, text: &str, json: bool, piece: usize) -> String {
        use std::io::Write;
        let mut out = redactor.writer(Vec::new(), json);
        for part in text.as_bytes().chunks(piece) {
            out.write_all(part).unwrap();
        }
        String::from_utf8(out.finish().unwrap()).unwrap()
    }

    #[test]
    fn streamed_redaction_is_the_whole_text_redaction() {
        let mut redactor = Redactor::default();
        redactor.add_secret("s3cr3t-value");
        redactor.add_secret("quote\"d-secret");
        // Lines with every kind of masked value, past several batches, in pieces that cut through
        // values, escapes and multi-byte characters.
        let mut text = String::new();
        for i in 0..6000 {
            text.push_str(&format!(
                "  \"m{i}\": \"ü pw=s3cr3t-value \\\"quote\\\"d-secret\\\" https://u:p{i}w@h/x \
                 ghp_{}\", \"n\": 123456{i},\n",
                "a1".repeat(18)
            ));
        }
        let whole_text = redactor.redact(&text).into_owned();
        let whole_json = redactor.redact_json_text(&text);
        assert!(!whole_text.contains("s3cr3t-value") && !whole_text.contains(":p1w@"));
        for piece in [1, 7, 4096, 100_000] {
            assert_eq!(
                streamed(&redactor, &text, false, piece),
                whole_text,
                "{piece}"
            );
            assert_eq!(
                streamed(&redactor, &text, true, piece),
                whole_json,
                "{piece}"
            );
        }
    }

    #[test]
    fn a_secret_across_lines_is_masked_when_streamed() {
        let mut redactor = Redactor::default();
        redactor.add_secret("first-half\nsecond-half");
        let mut text = "x\n".repeat(40_000);
        text.push_str("key = first-half\nsecond-half\n");
        text.push_str(&"y\n".repeat(40_000));
        let out = streamed(&redactor, &text, false, 1000);
        assert_eq!(out, redactor.redact(&text));
        assert!(!out.contains("first-half\nsecond-half"));
    }

    #[test]
    fn json_text_is_redacted_inside_strings_only() {
        let mut redactor = Redactor::default();
        redactor.add_secret("123456");
        let json = r#"{"line": 1234567, "snippet": "pw = 123456", "esc": "a\"123456"}"#;
        let out = redactor.redact_json_text(json);
        assert!(out.contains("\"line\": 1234567"), "{out}");
        assert!(
            !out.contains("= 123456") && !out.contains("\\\"123456"),
            "{out}"
        );
        serde_json::from_str::<serde_json::Value>(&out).unwrap();
    }

    #[test]
    fn url_passwords_and_token_users_are_masked() {
        assert_eq!(
            redact("git+https://oauth2:s3cr3tPassw0rdValue@github.com/a/b.git#v1"),
            "git+https://oauth2:****@github.com/a/b.git#v1"
        );
        assert_eq!(
            redact("see postgres://deploy:p%40ss@db:5432/app and more"),
            "see postgres://deploy:****@db:5432/app and more"
        );
        assert_eq!(
            redact("https://Zx8qLmP4rT7vW2yB9cD1@host/x"),
            "https://****@host/x"
        );
        for clean in [
            "ssh://git@github.com/a/b",
            "https://github.com/a/b",
            "https://user@host/",
            "plain text: no url",
        ] {
            assert!(matches!(redact(clean), Cow::Borrowed(_)), "{clean}");
        }
        // Masking twice changes nothing more.
        let once = redact("https://u:pw@h/").into_owned();
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn token_shapes_are_masked_where_a_token_starts() {
        let body = "Zx8qLmP4rT7vW2yB9cD1eF3gH5jK6nQ0aB2c";
        let text = format!("token ghp_{body} and npm_{body}; id secret.ghp_short");
        assert_eq!(
            redact(&text),
            "token ghp_***** and npm_*****; id secret.ghp_short"
        );
        assert_eq!(redact("key=AKIAQWERTYUIOPASDFGH;"), "key=AKIA*****;");
        // Inside an identifier it is not a token.
        let inside = format!("myghp_{body}");
        assert_eq!(redact(&inside), inside);
    }

    #[test]
    fn found_secrets_are_masked_in_every_spelling() {
        let mut redactor = Redactor::new();
        redactor.add_secret("q8\"Zr3LmX0vT9kP2w");
        redactor.add_secret("abc");
        assert_eq!(redactor.known_secrets(), 2);
        assert_eq!(redactor.redact("x q8\"Zr3LmX0vT9kP2w y"), "x q8***** y");
        let json = serde_json::to_string("q8\"Zr3LmX0vT9kP2w").unwrap();
        assert!(!redactor.redact(&json).contains("Zr3LmX0v"));
        assert_eq!(redactor.redact("abc"), "abc");
        let mut value = serde_json::json!({"a": ["q8\"Zr3LmX0vT9kP2w"], "https://u:p@h": 1});
        redactor.redact_json(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": ["q8*****"], "https://u:****@h": 1})
        );
    }
}
