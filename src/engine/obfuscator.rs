//! Obfuscator output over its region: javascript-obfuscator (obfuscator.io) writes a string array, the
//! loop that rotates it and the decoder that reads it over many lines, and the pattern check
//! `attack.obfuscation.obfuscator-io` fires once per file; this stage widens that finding over the
//! lines the `_0x` names span, so that a reviewer is shown (and a multi-line comment covers) the whole
//! obfuscated region, not one line of it.

use crate::model::{ChangedFile, Finding};

/// The pattern check whose finding covers the obfuscated region.
pub(super) const OBFUSCATOR_IO: &str = "attack.obfuscation.obfuscator-io";

/// Whether `line` holds an obfuscator name: `_0x` then four or more lowercase hex digits, not inside a
/// longer identifier.
pub(super) fn has_obfuscator_name(line: &[u8]) -> bool {
    memchr::memmem::find_iter(line, b"_0x").any(|at| {
        let before_ok = at == 0 || !is_ident(line[at - 1]);
        let hex = line[at + 3..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        before_ok && hex >= 4 && line.get(at + 3 + hex).is_none_or(|b| !is_ident(*b))
    })
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The first and last added lines of `file` that hold an obfuscator name (one pass over the added lines).
fn region(file: &ChangedFile) -> Option<(u32, u32)> {
    let mut span: Option<(u32, u32)> = None;
    for line in &file.added {
        if has_obfuscator_name(file.line_text(line).as_bytes()) {
            span = Some(span.map_or((line.number, line.number), |(first, _)| {
                (first, line.number)
            }));
        }
    }
    span
}

/// Widens every obfuscator.io finding over the region of its file: it starts at the region's first line
/// (with that line as its snippet) and ends at its last.
pub(super) fn widen(files: &[ChangedFile], findings: &mut [Finding]) {
    for finding in findings.iter_mut().filter(|f| f.check == OBFUSCATOR_IO) {
        let Some(file) = files.iter().find(|f| f.path == finding.path) else {
            continue;
        };
        let Some((first, last)) = region(file) else {
            continue;
        };
        let (first, last) = (first.min(finding.line), last.max(finding.line));
        if last == first {
            continue;
        }
        if first < finding.line {
            if let Some(line) = file.added.iter().find(|l| l.number == first) {
                let text = file.line_text(line);
                let trimmed = text.trim_start();
                let at = text.len() - trimmed.len();
                let end = trimmed
                    .char_indices()
                    .nth(40)
                    .map_or(text.len(), |(i, _)| at + i);
                let (snippet, _) = super::snippet::render_around(text, &[], at, end);
                finding.snippet = snippet.text;
                finding.snippet_column = snippet.column as u32;
                finding.snippet_width = snippet.width as u32;
                finding.column = 1 + text[..at].chars().count() as u32;
                finding.end_column = 1 + text[..end].chars().count() as u32;
            }
            finding.line = first;
        }
        finding.end_line = Some(last);
    }
}

#[cfg(test)]
mod tests {
    use super::has_obfuscator_name;

    #[test]
    fn obfuscator_names_are_underscore_0x_and_four_hex_digits() {
        assert!(has_obfuscator_name(b"const _0x4a2b = ['a'];"));
        assert!(has_obfuscator_name(b"os[_0x1e6c(5)]()"));
        assert!(!has_obfuscator_name(b"let x = 0x4a2b;"));
        assert!(!has_obfuscator_name(b"const a_0x4a2b = 1;"));
        assert!(!has_obfuscator_name(b"const _0x4a = 1;"));
        assert!(!has_obfuscator_name(b"const _0x4a2bz = 1;"));
    }
}
