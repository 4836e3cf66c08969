//! Strings hidden in arrays (issue 14): an integer list decoded with a constant XOR key (Go
//! `b[i] = byte(p ^ 0x5a)`, Python `chr(c ^ 42)`, JS `String.fromCharCode(c ^ 0x12)`), and a string
//! assembled by indexing a table of single characters (`DmM[12] + DmM[5] + …`, the Go typosquats of
//! 2024–2025). Both are found in one pass over the added lines and decoded bounded: at most
//! [`MAX_KEYS`] keys and [`MAX_TABLES`] tables a file, each decode at most [`codec::MAX_DECODED`] bytes.

use super::codec::{self, Codec, Span};
use super::{codec_names, produced, quote, Decoded, CHAR_TABLE, XOR_STRING};
use crate::checks::CheckSet;
use crate::lang::{Region, Regions};
use crate::model::{AddedLine, ChainPart, ChangedFile, Finding};

/// Most XOR keys of one file tried on its integer lists.
const MAX_KEYS: usize = 4;
/// Most character tables remembered per file.
const MAX_TABLES: usize = 4;
/// Fewest single characters in a table worth remembering.
const MIN_TABLE: usize = 12;
/// Fewest indexed characters joined into a string worth decoding.
const MIN_JOINED: usize = 4;

/// A constant XOR key written in code, and the line it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key {
    /// The key (1–255).
    pub(super) value: u8,
    /// The line of the first `^ key`.
    pub(super) line: u32,
}

/// The constant XOR keys of the added lines of `file` (`^ 0x5a`, `^= 42`, or `^ key` with `key = 0x5a`
/// assigned in the file), in code.
pub(super) fn keys(file: &ChangedFile, regions: Option<&Regions>) -> Vec<Key> {
    let mut out: Vec<Key> = Vec::new();
    // Names XOR-ed with (`c ^ _k`), resolved below to the literal they are assigned.
    let mut named: Vec<(&str, u32)> = Vec::new();
    for line in &file.added {
        let text = file.line_text(line).as_bytes();
        for at in memchr::memchr_iter(b'^', text) {
            if regions.is_some_and(|r| r.at(line.start + at) != Region::Code) {
                continue;
            }
            let mut i = at + 1;
            if text.get(i) == Some(&b'=') {
                i += 1;
            }
            while text.get(i) == Some(&b' ') {
                i += 1;
            }
            let digits = text[i..].iter().take_while(|b| is_ident(**b)).count();
            let word = &text[i..i + digits];
            if word.first().is_some_and(|b| !b.is_ascii_digit())
                && !matches!(text.get(i + digits), Some(b'[' | b'(' | b'.'))
                && named.len() < MAX_KEYS
            {
                if let Ok(name) = std::str::from_utf8(word) {
                    if !named.iter().any(|(n, _)| *n == name) {
                        named.push((name, line.number));
                    }
                }
                continue;
            }
            let Some(value) = number(word).filter(|v| (1..=255).contains(v)) else {
                continue;
            };
            let value = value as u8;
            // `c ^ 0x20` toggles the case of ASCII letters (parsers do it): no key that hides anything.
            if value == 0x20 {
                continue;
            }
            if !out.iter().any(|k| k.value == value) {
                out.push(Key {
                    value,
                    line: line.number,
                });
                if out.len() >= MAX_KEYS {
                    return out;
                }
            }
        }
    }
    for (name, used) in named {
        if out.len() >= MAX_KEYS {
            break;
        }
        if let Some(value) = assigned(file, name).filter(|v| *v != 0x20) {
            if !out.iter().any(|k| k.value == value) {
                out.push(Key { value, line: used });
            }
        }
    }
    out
}

/// The byte literal `name` is first assigned in the added lines (`name = 0x37`, `name := 42`).
fn assigned(file: &ChangedFile, name: &str) -> Option<u8> {
    for line in &file.added {
        let text = file.line_text(line);
        let bytes = text.as_bytes();
        for (at, _) in text.match_indices(name) {
            if at > 0 && is_ident(bytes[at - 1]) {
                continue;
            }
            let rest = text[at + name.len()..].trim_start();
            let Some(rest) = rest
                .strip_prefix(":=")
                .or_else(|| rest.strip_prefix('=').filter(|r| !r.starts_with('=')))
            else {
                continue;
            };
            let rest = rest.trim_start().as_bytes();
            let digits = rest.iter().take_while(|b| is_ident(**b)).count();
            if let Some(value) = number(&rest[..digits]).filter(|v| (1..=255).contains(v)) {
                return Some(value as u8);
            }
        }
    }
    None
}

fn number(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() => u32::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None => text.parse().ok(),
    }
}

/// The text of an integer list `span` of `line` XOR-ed with `key`, when every code is a byte that
/// decodes to printable ASCII and most are letters, digits, spaces or URL punctuation.
pub(super) fn xor_text(line: &str, span: Span, key: u8) -> Option<String> {
    let mut out = String::new();
    for item in line[span.start..span.end].split(',') {
        let code = number(item.trim().as_bytes()).filter(|c| *c <= 255)? as u8 ^ key;
        let c = code as char;
        if !(c.is_ascii_graphic() || c == ' ') {
            return None;
        }
        if out.len() >= codec::MAX_DECODED {
            break;
        }
        out.push(c);
    }
    let wordy = out
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '/' | ':' | '-' | '_'))
        .count();
    (out.len() >= 6 && wordy * 10 >= out.len() * 8).then_some(out)
}

/// Whether XOR-decoded text is worth hiding: a path, a host, a URL, words of a command line, or a
/// dangerous name.
pub(super) fn worth_hiding(text: &str) -> bool {
    text.contains(['/', '.', ':', ' ', '\\']) || super::DANGEROUS_NAMES.contains(&text.trim())
}

/// A table of single characters: its name, its characters, the line it is on.
pub(super) struct Table {
    /// `name[`, what an indexed read starts with.
    needle: String,
    chars: Vec<char>,
    /// The line that defines it.
    pub(super) line: u32,
}

/// Remembers the table `line` defines (`DmM := []string{"4", "/", …}`, `t = ['a', 'b', …]`), if any.
pub(super) fn table_of(tables: &mut Vec<Table>, line: &AddedLine, text: &str) {
    if tables.len() >= MAX_TABLES {
        return;
    }
    // `name := []string{`, `var name = [`, `name = [`: the name, then the list's opening bracket.
    let Some(eq) = text.find('=') else {
        return;
    };
    let head = text[..eq]
        .strip_suffix(':')
        .unwrap_or(&text[..eq])
        .trim_end();
    let rest = text[eq + 1..].trim_start();
    let rest = rest.strip_prefix("[]string").unwrap_or(rest);
    if !rest.starts_with(['{', '[']) {
        return;
    }
    let open = text.len() - rest.len();
    let name = head
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .next()
        .unwrap_or("");
    if name.is_empty() {
        return;
    }
    let close = if text.as_bytes()[open] == b'{' {
        '}'
    } else {
        ']'
    };
    let Some(len) = text[open + 1..].find(close) else {
        return;
    };
    let mut chars = Vec::new();
    for item in text[open + 1..open + 1 + len].split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let b = item.as_bytes();
        let quoted = b.len() == 3 && matches!(b[0], b'"' | b'\'' | b'`') && b[2] == b[0];
        if !quoted {
            return;
        }
        chars.push(b[1] as char);
    }
    if chars.len() >= MIN_TABLE {
        tables.push(Table {
            needle: format!("{name}["),
            chars,
            line: line.number,
        });
    }
}

/// A run of `table[n]` joined with `+` on `line`: its span, the table it reads and the text it builds.
pub(super) fn joined<'t>(tables: &'t [Table], text: &str) -> Option<(Span, &'t Table, String)> {
    let bytes = text.as_bytes();
    for table in tables {
        let needle = table.needle.as_str();
        // Each run of reads is walked once; a short one (`t[i]` alone) does not hide a later long one.
        let mut from = 0;
        while let Some(found) = text[from..].find(needle) {
            let first = from + found;
            let (mut i, mut out, mut end) = (first, String::new(), first);
            loop {
                if !text[i..].starts_with(needle) || (i > 0 && is_ident(bytes[i - 1])) {
                    break;
                }
                let digits_at = i + needle.len();
                let digits = bytes[digits_at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if digits == 0 || bytes.get(digits_at + digits) != Some(&b']') {
                    break;
                }
                let Some(&c) = text[digits_at..digits_at + digits]
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| table.chars.get(n))
                else {
                    break;
                };
                if out.len() >= codec::MAX_DECODED {
                    break;
                }
                out.push(c);
                end = digits_at + digits + 1;
                i = end;
                while bytes.get(i) == Some(&b' ') {
                    i += 1;
                }
                if bytes.get(i) != Some(&b'+') {
                    break;
                }
                i += 1;
                while bytes.get(i) == Some(&b' ') {
                    i += 1;
                }
            }
            if out.chars().count() >= MIN_JOINED {
                let span = Span {
                    start: first,
                    end,
                    codec: codec::Codec::CharTable,
                };
                return Some((span, table, out));
            }
            from = end.max(first + needle.len());
        }
    }
    None
}

/// The finding of an XOR-decoded list or a string joined from a character table: what it decodes to, with
/// the line of the key or table as a part.
pub(super) fn arrays_finding(
    checks: &CheckSet,
    file: &ChangedFile,
    at: &Decoded,
    plain: &str,
) -> Option<Finding> {
    let id = match at.codecs.first()? {
        Codec::Xor => XOR_STRING,
        Codec::CharTable => CHAR_TABLE,
        _ => return None,
    };
    let detail = format!(
        " ({}{}{}`)",
        codec_names(&at.codecs),
        crate::model::DECODES_TO,
        quote(plain)
    );
    let span = (at.span.start, at.span.end);
    with_part(file, at, produced(checks, id, file, &at.line, span, detail))
}

/// `finding` with the other line its decoding needs (the XOR key, the character table) as a part, when
/// that is another line.
pub(super) fn with_part(
    file: &ChangedFile,
    at: &Decoded,
    finding: Option<Finding>,
) -> Option<Finding> {
    let mut finding = finding?;
    if let Some((role, line)) = at.part.filter(|(_, line)| *line != at.line.number) {
        finding.parts.push(ChainPart {
            role: role.to_string(),
            check: finding.check.clone(),
            path: file.path.clone(),
            line,
        });
    }
    Some(finding)
}

/// Whether `text` is an IPv4 address and port (`203.0.113.7:4444`): where a reverse shell connects.
pub(super) fn host_port(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets
            .iter()
            .all(|o| (1..=3).contains(&o.len()) && o.parse::<u8>().is_ok())
        && (1..=5).contains(&port.len())
        && port.parse::<u16>().is_ok()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Codec;

    #[test]
    fn xor_lists_decode_with_the_key() {
        let line = "x := []int{117, 56, 51, 52, 117, 41, 50}";
        let start = line.find('{').unwrap() + 1;
        let span = Span {
            start,
            end: line.len() - 1,
            codec: Codec::CharCodes,
        };
        assert_eq!(xor_text(line, span, 0x5a).as_deref(), Some("/bin/sh"));
        assert_eq!(xor_text(line, span, 0x7f), None);
    }

    #[test]
    fn tables_of_single_characters_are_joined_by_index() {
        let mut tables = Vec::new();
        let line = AddedLine {
            number: 3,
            start: 0,
            end: 0,
        };
        table_of(
            &mut tables,
            &line,
            r#"	t := []string{"w", "g", "e", "t", " ", "-", "O", "a", "b", "c", "d", "f"}"#,
        );
        assert_eq!(tables.len(), 1);
        let (_, table, text) = joined(&tables, "cmd := t[0] + t[1] + t[2] + t[3] + t[4]").unwrap();
        assert_eq!((table.line, text.as_str()), (3, "wget "));
        assert!(joined(&tables, "x := t[0] + 1").is_none());
        let (span, _, text) = joined(&tables, "x := t[0]; c := t[1] + t[2] + t[3] + t[4]").unwrap();
        assert_eq!((span.start, text.as_str()), (16, "get "));
        let mut short = Vec::new();
        table_of(&mut short, &line, r#"parts := []string{"a", "b"}"#);
        table_of(
            &mut short,
            &line,
            r#"words := []string{"alpha", "beta", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}"#,
        );
        assert!(short.is_empty());
    }
}
