//! The text layer of the patch parser: decoding the input (UTF-8 with or without a BOM, UTF-16 with or
//! without a BOM, CR-only line ends) and reading the paths of file headers (git's quoting undone). Every
//! function here works on bytes or at character boundaries, so no input can make it panic.

/// Decodes a patch to text: a UTF-16 patch (BOM, or the zero bytes of ASCII text in UTF-16) is decoded as
/// such, a UTF-8 BOM dropped, invalid UTF-8 replaced, and CR-only line ends (classic Mac) turned into `\n`.
pub(super) fn decode_patch(input: &[u8]) -> String {
    let text = if let Some(rest) = input.strip_prefix(b"\xff\xfe") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = input.strip_prefix(b"\xfe\xff") {
        utf16(rest, u16::from_be_bytes)
    } else if let Some(rest) = input.strip_prefix(b"\xef\xbb\xbf") {
        String::from_utf8_lossy(rest).into_owned()
    } else if looks_utf16(input, 1) {
        utf16(input, u16::from_le_bytes)
    } else if looks_utf16(input, 0) {
        utf16(input, u16::from_be_bytes)
    } else {
        String::from_utf8_lossy(input).into_owned()
    };
    if !text.contains('\n') && text.contains('\r') {
        return text.replace('\r', "\n");
    }
    text
}

/// Whether the input starts like ASCII text in UTF-16 without a BOM: the first few code units each hold
/// one non-zero ASCII byte and one zero byte (`zero_at` 1 for little-endian, 0 for big-endian).
fn looks_utf16(input: &[u8], zero_at: usize) -> bool {
    let units = input.len().min(16) / 2;
    units >= 2
        && input[..units * 2].chunks_exact(2).all(|unit| {
            let (zero, ascii) = (unit[zero_at], unit[1 - zero_at]);
            zero == 0 && ascii != 0 && ascii.is_ascii()
        })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// The path of a `---`/`+++` header, without a trailing timestamp and quotes.
pub(super) fn header_path(rest: &str) -> String {
    let rest = rest.split('\t').next().unwrap_or(rest).trim_end();
    unquote(rest)
}

/// Removes git's `b/` (or any single-letter `x/`) prefix, or a leading `./`.
pub(super) fn strip_prefix(path: &str) -> String {
    let bytes = path.as_bytes();
    if bytes.len() > 2 && bytes[1] == b'/' && bytes[0].is_ascii_lowercase() {
        // Both bytes are ASCII, so 2 is a character boundary.
        path[2..].to_string()
    } else {
        path.strip_prefix("./").unwrap_or(path).to_string()
    }
}

/// `a/x b/y` → `y` (when the two halves are the same path, which holds for all but renames, and the
/// `+++` or `rename to` line settles those). Either half may be quoted (`"b/\342\202\254uro.py"`).
pub(super) fn git_header_new_path(rest: &str) -> Option<String> {
    if rest.starts_with('"') {
        // `"a/…" b/…` or `"a/…" "b/…"`: the first quoted name ends at an unescaped quote.
        let end = quoted_end(rest)?;
        let second = rest.get(end + 1..)?.trim();
        return Some(strip_prefix(&unquote(second)));
    }
    if rest.ends_with('"') {
        // `a/x "b/…"`: the second name is quoted.
        if let Some(at) = rest.find(" \"") {
            return Some(strip_prefix(&unquote(&rest[at + 1..])));
        }
    }
    let half = rest.len().checked_sub(1)? / 2;
    if let (Some(a), Some(b)) = (rest.get(..half), rest.get(half + 1..)) {
        let (ab, bb) = (a.as_bytes(), b.as_bytes());
        if ab.len() > 2 && bb.len() > 2 && ab[2..] == bb[2..] {
            return Some(strip_prefix(b));
        }
    }
    rest.rsplit_once(" b/").map(|(_, b)| b.to_string())
}

/// The byte offset of the closing quote of the quoted name that `text` starts with.
fn quoted_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Undoes git's C-style quoting of unusual paths (`"\342\202\254uro.py"`, `"a\tb"`, `"q\"uote"`); an
/// unquoted path (`core.quotePath=false` output) is kept as it is.
pub(super) fn unquote(path: &str) -> String {
    String::from_utf8_lossy(&unquote_bytes(path)).into_owned()
}

/// When a path shown as `shown` came from the quoted name `quoted` whose bytes are not UTF-8 (git quotes
/// such names with octal escapes), those bytes, less the ASCII prefix (`b/`, `./`) `shown` dropped: for
/// outputs that carry bytes (SARIF URIs). None for UTF-8 names.
pub(super) fn raw_name(quoted: &str, shown: &str) -> Option<Vec<u8>> {
    let bytes = unquote_bytes(quoted);
    if std::str::from_utf8(&bytes).is_ok() {
        return None;
    }
    let lossy = String::from_utf8_lossy(&bytes);
    // The dropped prefix is ASCII and comes before any invalid byte, so it has as many bytes in both.
    let dropped = lossy.len().checked_sub(shown.len())?;
    lossy
        .ends_with(shown)
        .then(|| bytes.get(dropped..).map(<[u8]>::to_vec))
        .flatten()
}

/// The quoted name at the end of a `diff --git` header's `a/… b/…` (None when the new name is not quoted).
pub(super) fn last_quoted(rest: &str) -> Option<&str> {
    if !rest.ends_with('"') || rest.len() < 2 {
        return None;
    }
    let start = if rest.starts_with('"') {
        quoted_end(rest)? + 1
    } else {
        rest.find(" \"")? + 1
    };
    Some(rest.get(start..)?.trim())
}

/// The bytes of a path after git's C-style quoting is undone (see [`unquote`]).
fn unquote_bytes(path: &str) -> Vec<u8> {
    let Some(inner) = path
        .strip_prefix('"')
        .and_then(|p| p.strip_suffix('"'))
        .filter(|_| path.len() >= 2)
    else {
        return path.as_bytes().to_vec();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(0x07),
            Some(b'b') => bytes.push(0x08),
            Some(b'f') => bytes.push(0x0c),
            Some(b'v') => bytes.push(0x0b),
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = chars.peek() {
                        value = value * 8 + u32::from(n - b'0');
                        chars.next();
                    }
                }
                bytes.push((value & 0xff) as u8);
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    bytes
}
