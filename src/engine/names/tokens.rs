//! A one-line tokenizer for the name folder: identifiers, numbers, string literals (their escapes
//! decoded only when asked), punctuation. Comments end the line; a string left open at the end of the
//! line is unknown. One pass, spans only: decoding happens when the evaluator reads a literal.

/// The languages the folder reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    /// Python.
    Python,
    /// JavaScript and TypeScript.
    Js,
    /// Ruby.
    Ruby,
    /// PHP.
    Php,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// An identifier (PHP variables keep their `$`).
    Ident,
    /// An integer literal.
    Int(i64),
    /// A string literal: where its body is, whether escapes are decoded, whether it interpolates.
    Str {
        /// Body start (after the quote).
        body: u32,
        /// Body end (before the closing quote).
        body_end: u32,
        /// Escapes are not decoded (raw or single-quoted Ruby/PHP).
        raw: bool,
        /// Holds an interpolation (`{…}` in an f-string, `${…}`, `#{…}`, `$var`): its value is unknown.
        interpolated: bool,
    },
    /// A Ruby symbol (`:system`); the name is the token text after the colon.
    Symbol,
    /// One punctuation byte.
    Punct(u8),
    /// Anything else (operators of several bytes, floats, an unterminated string).
    Other,
}

/// One token: its kind and its byte span in the line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    /// What it is.
    pub(super) kind: Kind,
    /// First byte.
    pub(super) start: u32,
    /// One past the last byte.
    pub(super) end: u32,
}

/// Most tokens read from one line: a longer line is read up to there.
pub(super) const MAX_TOKENS: usize = 1 << 16;

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Tokenizes `line` into `out` (cleared first).
pub(super) fn tokenize(lang: Lang, line: &str, out: &mut Vec<Token>) {
    out.clear();
    let b = line.as_bytes();
    let mut i = 0usize;
    while i < b.len() && out.len() < MAX_TOKENS {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // Comments end what is read of the line.
        let comment = match lang {
            Lang::Python => c == b'#',
            Lang::Ruby => c == b'#',
            Lang::Js => c == b'/' && matches!(b.get(i + 1), Some(b'/')),
            Lang::Php => c == b'#' || (c == b'/' && matches!(b.get(i + 1), Some(b'/'))),
        };
        if comment {
            break;
        }
        if c == b'/' && matches!(b.get(i + 1), Some(b'*')) && lang != Lang::Python {
            match line[i + 2..].find("*/") {
                Some(p) => {
                    i += p + 4;
                    continue;
                }
                None => break,
            }
        }
        if c == b'"' || c == b'\'' || (c == b'`' && lang == Lang::Js) {
            i = string(lang, line, i, i, "", out);
            continue;
        }
        if is_ident_start(c) {
            let mut j = i + 1;
            while j < b.len() && is_ident_byte(b[j]) {
                j += 1;
            }
            // A Python or Ruby string prefix directly before a quote.
            if j < b.len() && (b[j] == b'"' || b[j] == b'\'') && lang == Lang::Python {
                let prefix = &line[i..j];
                if prefix.len() <= 2
                    && prefix
                        .bytes()
                        .all(|p| matches!(p | 0x20, b'r' | b'b' | b'u' | b'f'))
                {
                    i = string(lang, line, i, j, prefix, out);
                    continue;
                }
            }
            out.push(tok(Kind::Ident, i, j));
            i = j;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
                j += 1;
            }
            out.push(tok(int(&line[i..j]).map_or(Kind::Other, Kind::Int), i, j));
            i = j;
            continue;
        }
        if c == b':' && lang == Lang::Ruby {
            let prev_colon = i > 0 && b[i - 1] == b':';
            let next = b.get(i + 1).copied();
            if !prev_colon && next.is_some_and(|n| is_ident_start(n) && n != b'$') {
                let mut j = i + 2;
                while j < b.len() && (is_ident_byte(b[j]) || b[j] == b'?' || b[j] == b'!') {
                    j += 1;
                }
                out.push(tok(Kind::Symbol, i, j));
                i = j;
                continue;
            }
            if !prev_colon && matches!(next, Some(b'"') | Some(b'\'')) {
                i = string(lang, line, i, i + 1, "", out);
                continue;
            }
        }
        // Operators of two or more bytes that must not read as assignment or concatenation.
        let two = b.get(i..i + 2).unwrap_or(&[]);
        if matches!(
            two,
            b"==" | b"!=" | b"<=" | b">=" | b"=>" | b"+=" | b".=" | b"->" | b"**" | b"<<" | b"?."
        ) {
            let len = if b.get(i + 2) == Some(&b'=') { 3 } else { 2 };
            let kind = if two == b"?." {
                Kind::Punct(b'.')
            } else {
                Kind::Other
            };
            out.push(tok(kind, i, i + len));
            i += len;
            continue;
        }
        if c < 0x80 {
            out.push(tok(Kind::Punct(c), start, i + 1));
        }
        i += 1;
    }
}

fn tok(kind: Kind, start: usize, end: usize) -> Token {
    Token {
        kind,
        start: start as u32,
        end: end as u32,
    }
}

fn int(text: &str) -> Option<i64> {
    let t: String = text.chars().filter(|&c| c != '_').collect();
    let lower = t.to_ascii_lowercase();
    let lower = lower.trim_end_matches(['n', 'l']);
    if let Some(hex) = lower.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = lower.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    if let Some(bin) = lower.strip_prefix("0b") {
        return i64::from_str_radix(bin, 2).ok();
    }
    lower.parse().ok()
}

/// Reads a string literal whose token starts at `start` and whose quote is at `quote`; returns where
/// reading goes on.
fn string(
    lang: Lang,
    line: &str,
    start: usize,
    quote: usize,
    prefix: &str,
    out: &mut Vec<Token>,
) -> usize {
    let b = line.as_bytes();
    let q = b[quote];
    let lower = prefix.to_ascii_lowercase();
    let triple = lang == Lang::Python && b.get(quote..quote + 3) == Some(&[q, q, q][..]);
    let open = if triple { 3 } else { 1 };
    let body = quote + open;
    let raw = lower.contains('r') || (q == b'\'' && matches!(lang, Lang::Ruby | Lang::Php));
    let mut interpolated = false;
    let mut j = body;
    while j < b.len() {
        let c = b[j];
        if c == b'\\' {
            j += 2;
            continue;
        }
        if c == q && (!triple || b.get(j..j + 3) == Some(&[q, q, q][..])) {
            let end = j + open;
            out.push(tok(
                Kind::Str {
                    body: body as u32,
                    body_end: j as u32,
                    raw,
                    interpolated,
                },
                start,
                end,
            ));
            return end;
        }
        interpolated |= match lang {
            Lang::Python => lower.contains('f') && c == b'{',
            Lang::Js => q == b'`' && c == b'$' && b.get(j + 1) == Some(&b'{'),
            Lang::Ruby => q != b'\'' && c == b'#' && b.get(j + 1) == Some(&b'{'),
            Lang::Php => q == b'"' && (c == b'$' || c == b'{'),
        };
        j += 1;
    }
    out.push(tok(Kind::Other, start, b.len()));
    b.len()
}

/// Most bytes a decoded literal may have: names are short, and nothing longer is worth folding.
pub(super) const MAX_LITERAL: usize = 512;

/// A literal's value and whether an escape spelled a letter or digit (hiding the name); `None` when the
/// value is unknown (interpolated, too long, a bad escape).
pub(super) fn literal(lang: Lang, line: &str, kind: Kind) -> Option<(String, bool)> {
    let Kind::Str {
        body,
        body_end,
        raw,
        interpolated,
    } = kind
    else {
        return None;
    };
    if interpolated || (body_end - body) as usize > MAX_LITERAL * 4 {
        return None;
    }
    let text = &line[body as usize..body_end as usize];
    if raw || !text.contains('\\') {
        let text = if raw && lang != Lang::Python {
            text.replace("\\'", "'").replace("\\\\", "\\")
        } else {
            text.to_string()
        };
        return (text.len() <= MAX_LITERAL).then_some((text, false));
    }
    let mut out = String::with_capacity(text.len());
    let mut hidden = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let (decoded, escaped_code) = match e {
            'n' => ('\n', false),
            't' => ('\t', false),
            'r' => ('\r', false),
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                (char::from_u32(v)?, true)
            }
            'x' => {
                let h: String = (0..2).filter_map(|_| chars.next()).collect();
                (char::from_u32(u32::from_str_radix(&h, 16).ok()?)?, true)
            }
            'u' => {
                let h: String = if chars.peek() == Some(&'{') {
                    chars.next();
                    let s: String = chars.by_ref().take_while(|&d| d != '}').take(8).collect();
                    s
                } else {
                    (0..4).filter_map(|_| chars.next()).collect()
                };
                (char::from_u32(u32::from_str_radix(&h, 16).ok()?)?, true)
            }
            other => (other, false),
        };
        hidden |= escaped_code && decoded.is_ascii_alphanumeric();
        out.push(decoded);
        if out.len() > MAX_LITERAL {
            return None;
        }
    }
    Some((out, hidden))
}

/// For each token, the index of the bracket closing it (for an opening bracket) or `usize::MAX`.
pub(super) fn matching(tokens: &[Token], out: &mut Vec<usize>) {
    out.clear();
    out.resize(tokens.len(), usize::MAX);
    let mut stack: Vec<(usize, u8)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Punct(c @ (b'(' | b'[' | b'{')) => stack.push((i, c)),
            Kind::Punct(c @ (b')' | b']' | b'}')) => {
                let want = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                // Pop to the matching opener; unbalanced openers stay unmatched.
                while let Some((j, open)) = stack.pop() {
                    if open == want {
                        out[j] = i;
                        break;
                    }
                }
            }
            _ => {}
        }
    }
}
