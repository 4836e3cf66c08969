//! The codecs of the decode stage: where a line holds encoded text (base64, hex, percent-encoding,
//! `\x`/`\u`/octal escapes, char-code lists) and what it decodes to. Every function is one linear pass
//! over its input, and every decode is bounded by [`MAX_DECODED`]; only text that decodes to mostly
//! printable characters is returned (hashes, keys, images and compressed data decode to bytes, not text).

/// Most bytes one span decodes to; the rest of a longer span is not decoded.
pub const MAX_DECODED: usize = 64 * 1024;
/// Fewest characters of a base64 run worth decoding (shorter ones are words and identifiers).
const MIN_BASE64: usize = 16;
/// Fewest hex digits of a hex run worth decoding.
const MIN_HEX: usize = 16;
/// Fewest escapes (`\x41`, `\u0041`, `\101`) in a string worth decoding.
const MIN_ESCAPES: usize = 4;
/// Fewest `%XX` in a percent-encoded run worth decoding.
const MIN_PERCENT: usize = 3;
/// Fewest numbers in a char-code list worth decoding.
const MIN_CHAR_CODES: usize = 6;

/// How a span is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Base64, standard or URL-safe alphabet.
    Base64,
    /// Hex digits, two per byte.
    Hex,
    /// `%XX` percent-encoding.
    Percent,
    /// `\xNN`, `\uNNNN`, `\u{…}` and octal escapes in a string literal.
    Escapes,
    /// A list of character codes (`String.fromCharCode(104, 116, …)`, `bytes([104, …])`).
    CharCodes,
    /// A list of integers XOR-ed with a constant key of the file (decoded by `arrays`, never found by
    /// [`find_spans`]).
    Xor,
    /// Characters of a single-character table joined by index (`t[3] + t[0] + …`; decoded by `arrays`).
    CharTable,
    /// zlib data inside a base64 or hex span (inflated by `compressed`).
    Zlib,
    /// gzip data inside a base64 or hex span (inflated by `compressed`).
    Gzip,
}

impl Codec {
    /// The name shown in messages.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Base64 => "base64",
            Codec::Hex => "hex",
            Codec::Percent => "percent-encoded",
            Codec::Escapes => "escape-encoded",
            Codec::CharCodes => "char-code",
            Codec::Xor => "XOR-encoded",
            Codec::CharTable => "char-table",
            Codec::Zlib => "zlib-compressed",
            Codec::Gzip => "gzip-compressed",
        }
    }
}

/// An encoded span of a line: byte offsets and its codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the first encoded byte.
    pub start: usize,
    /// Byte offset just past the last encoded byte.
    pub end: usize,
    /// How it is encoded.
    pub codec: Codec,
}

/// Appends the encoded spans of `line` to `out`, in order of their start (one pass per codec family).
pub fn find_spans(line: &str, out: &mut Vec<Span>) {
    let first = out.len();
    runs(line.as_bytes(), out);
    escapes(line.as_bytes(), out);
    char_codes(line.as_bytes(), out);
    out[first..].sort_unstable_by_key(|s| s.start);
}

/// Decodes `span` of `line`: the decoded text when it is mostly printable, else `None`.
pub fn decode(line: &str, span: Span) -> Option<String> {
    let text = &line[span.start..span.end];
    let bytes = match span.codec {
        Codec::Base64 => base64(text.as_bytes())?,
        Codec::Hex => hex(text.as_bytes())?,
        Codec::Percent => percent(text.as_bytes()),
        Codec::Escapes => return unescape(text).filter(|t| printable(t.as_bytes())),
        Codec::CharCodes => char_code_text(text.as_bytes())?.into_bytes(),
        Codec::Xor | Codec::CharTable | Codec::Zlib | Codec::Gzip => return None,
    };
    if !printable(&bytes) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Base64/hex runs (the characters of either alphabet, then at most two `=`), and percent-encoded runs.
fn runs(bytes: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    while i < bytes.len() {
        if !is_b64(bytes[i]) && bytes[i] != b'%' {
            i += 1;
            continue;
        }
        let start = i;
        let (mut percents, mut all_hex, mut other) = (0usize, true, false);
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%'
                && i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit()
            {
                percents += 1;
                i += 3;
                continue;
            }
            if is_b64(b) {
                all_hex &= b.is_ascii_hexdigit();
                i += 1;
            } else if percents > 0
                && matches!(
                    b,
                    b'.' | b'~'
                        | b'!'
                        | b'*'
                        | b'('
                        | b')'
                        | b'&'
                        | b'='
                        | b'?'
                        | b':'
                        | b';'
                        | b','
                )
            {
                other = true;
                i += 1;
            } else {
                break;
            }
        }
        if i == start {
            i += 1;
            continue;
        }
        if percents >= MIN_PERCENT {
            out.push(Span {
                start,
                end: i,
                codec: Codec::Percent,
            });
            continue;
        }
        if other || percents > 0 {
            continue;
        }
        let mut end = i;
        while end < bytes.len() && end - i < 2 && bytes[end] == b'=' {
            end += 1;
        }
        let len = i - start;
        if all_hex && len >= MIN_HEX && len % 2 == 0 {
            out.push(Span {
                start,
                end: i,
                codec: Codec::Hex,
            });
        } else if len >= MIN_BASE64 && !all_hex {
            out.push(Span {
                start,
                end,
                codec: Codec::Base64,
            });
        }
        i = end.max(i);
    }
}

/// The value of a base64 digit of either alphabet, and which alphabet (1 standard, 2 URL-safe, 3 both).
fn b64_value(b: u8) -> Option<(u32, u8)> {
    Some(match b {
        b'A'..=b'Z' => ((b - b'A') as u32, 3),
        b'a'..=b'z' => ((b - b'a' + 26) as u32, 3),
        b'0'..=b'9' => ((b - b'0' + 52) as u32, 3),
        b'+' => (62, 1),
        b'/' => (63, 1),
        b'-' => (62, 2),
        b'_' => (63, 2),
        _ => return None,
    })
}

/// Decodes base64 (either alphabet, not both; padding optional), at most [`MAX_DECODED`] bytes.
pub fn base64(text: &[u8]) -> Option<Vec<u8>> {
    let text = before_padding(text);
    base64_all(&text[..text.len().min(MAX_DECODED / 3 * 4)])
}

/// Decodes the whole of a base64 text (either alphabet, not both; padding optional) or nothing: None
/// when it would decode to more than `max` bytes, so a caller that must judge all of it never judges a
/// part (the agent gate's `-EncodedCommand`).
pub fn base64_whole(text: &[u8], max: usize) -> Option<Vec<u8>> {
    let text = before_padding(text);
    if text.len() / 4 * 3 > max {
        return None;
    }
    base64_all(text)
}

fn before_padding(text: &[u8]) -> &[u8] {
    match text.iter().position(|&b| b == b'=') {
        Some(p) => &text[..p],
        None => text,
    }
}

fn base64_all(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let (mut acc, mut bits, mut alphabets) = (0u32, 0u32, 3u8);
    for &b in text {
        let (value, alphabet) = b64_value(b)?;
        alphabets &= alphabet;
        if alphabets == 0 {
            return None;
        }
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Decodes hex digits, at most [`MAX_DECODED`] bytes.
pub fn hex(text: &[u8]) -> Option<Vec<u8>> {
    let text = &text[..text.len().min(MAX_DECODED * 2)];
    let digit = |b: u8| (b as char).to_digit(16);
    text.chunks_exact(2)
        .map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

/// Decodes `%XX` sequences (other bytes are kept), at most [`MAX_DECODED`] bytes.
fn percent(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len().min(MAX_DECODED));
    let mut i = 0;
    while i < text.len() && out.len() < MAX_DECODED {
        if text[i] == b'%' && i + 2 < text.len() {
            if let Some(byte) = hex(&text[i + 1..i + 3]) {
                out.push(byte[0]);
                i += 3;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

/// Length and value of one numeric escape at the start of `bytes` (which starts with `\`).
fn numeric_escape(bytes: &[u8]) -> Option<(usize, u32)> {
    let hex_value = |digits: &[u8]| -> Option<u32> {
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    match bytes.get(1)? {
        b'x' => Some((4, hex_value(bytes.get(2..4)?)?)),
        b'u' if bytes.get(2) == Some(&b'{') => {
            let close = bytes.iter().take(12).position(|&b| b == b'}')?;
            Some((close + 1, hex_value(&bytes[3..close])?))
        }
        b'u' => Some((6, hex_value(bytes.get(2..6)?)?)),
        b'U' => Some((10, hex_value(bytes.get(2..10)?)?)),
        b'0'..=b'7' => {
            let n = bytes[1..]
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            let value = bytes[1..1 + n]
                .iter()
                .fold(0u32, |v, b| v * 8 + (b - b'0') as u32);
            (n >= 2 || value != 0).then_some((1 + n, value))
        }
        _ => None,
    }
}

/// Runs of escapes: from the first numeric escape to the end of the string it is in (a quote), with at
/// least [`MIN_ESCAPES`] numeric escapes.
fn escapes(bytes: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || numeric_escape(&bytes[i..]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut count = 0;
        while i < bytes.len() && !matches!(bytes[i], b'"' | b'\'' | b'`') {
            if bytes[i] == b'\\' {
                match numeric_escape(&bytes[i..]) {
                    Some((len, _)) => {
                        count += 1;
                        i += len;
                    }
                    None => i += 2,
                }
            } else {
                i += 1;
            }
        }
        let end = i.min(bytes.len());
        if count >= MIN_ESCAPES {
            out.push(Span {
                start,
                end,
                codec: Codec::Escapes,
            });
        }
    }
}

/// Decodes the escapes of a string's text (`\n`, `\t` and the quotes too); `None` on a code that is no
/// character.
pub fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len().min(MAX_DECODED));
    let mut i = 0;
    let mut pending_high: Option<u32> = None;
    while i < bytes.len() && out.len() < MAX_DECODED {
        if bytes[i] != b'\\' {
            let c = text[i..].chars().next()?;
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        if let Some((len, value)) = numeric_escape(&bytes[i..]) {
            i += len;
            // A UTF-16 surrogate pair written as two `\u` escapes.
            if (0xD800..0xDC00).contains(&value) {
                pending_high = Some(value);
                continue;
            }
            let value = match pending_high.take() {
                Some(high) if (0xDC00..0xE000).contains(&value) => {
                    0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
                }
                _ => value,
            };
            out.push(char::from_u32(value)?);
            continue;
        }
        let Some(&next) = bytes.get(i + 1) else {
            break;
        };
        out.push(match next {
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            _ => next as char,
        });
        i += 2;
    }
    Some(out)
}

/// Char-code lists: [`MIN_CHAR_CODES`] or more decimal or `0x` numbers separated by commas.
fn char_codes(bytes: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit()
            || (i > 0
                && (bytes[i - 1].is_ascii_alphanumeric()
                    || bytes[i - 1] == b'.'
                    || bytes[i - 1] == b'_'))
        {
            i += 1;
            continue;
        }
        let start = i;
        let mut count = 0;
        let mut end = i;
        loop {
            let number_start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            if i == number_start || number(&bytes[number_start..i]).is_none() {
                break;
            }
            count += 1;
            end = i;
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b',' {
                i += 1;
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                if i < bytes.len() && bytes[i].is_ascii_digit() {
                    continue;
                }
            }
            break;
        }
        if count >= MIN_CHAR_CODES {
            out.push(Span {
                start,
                end,
                codec: Codec::CharCodes,
            });
        }
        i = i.max(start + 1);
    }
}

fn number(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The text of a char-code list, when every code is a printable ASCII character (or a tab or line break)
/// and most are letters, digits or spaces: lists of other small numbers are tables, not text.
fn char_code_text(list: &[u8]) -> Option<String> {
    let mut out = String::new();
    for item in list.split(|&b| b == b',') {
        let code = number(item.trim_ascii())?;
        let c = char::from_u32(code)
            .filter(|c| c.is_ascii_graphic() || matches!(c, ' ' | '\n' | '\r' | '\t'))?;
        if out.len() >= MAX_DECODED {
            break;
        }
        out.push(c);
    }
    let wordy = out
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .count();
    (wordy * 10 >= out.len() * 6).then_some(out)
}

/// Whether decoded bytes are text: valid UTF-8, at least 6 bytes, no NUL, and at least 90 % of the
/// characters printable (line breaks and tabs count).
pub fn printable(bytes: &[u8]) -> bool {
    if bytes.len() < 6 || bytes.contains(&0) {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let (mut total, mut good) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if !c.is_control() || matches!(c, '\n' | '\r' | '\t') {
            good += 1;
        }
    }
    // Random bytes that happen to be UTF-8 are mostly ASCII controls and symbols: ask for letters too.
    let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
    good * 10 >= total * 9 && letters * 2 >= total
}
