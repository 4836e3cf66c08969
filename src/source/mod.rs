//! Where changes come from. Every source yields a [`ChangeSet`]: the changed files with their added
//! lines and (as far as the source knows it) the new text.

pub mod git;
pub mod patch;
pub mod tree;

use crate::lang::Language;
use crate::model::{AddedLine, ChangedFile, TextExtent};

/// How many leading bytes are looked at to decide that a file is binary (git's heuristic).
const BINARY_PROBE: usize = 8000;

/// Whether content looks binary: a NUL byte near the start, as git decides.
pub fn is_binary(content: &[u8]) -> bool {
    memchr::memchr(0, &content[..content.len().min(BINARY_PROBE)]).is_some()
}

/// Decodes file content as UTF-8, replacing invalid sequences rather than failing, so that one bad byte
/// never hides the rest of a file.
pub fn decode(content: Vec<u8>) -> String {
    match String::from_utf8(content) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Which lines of a whole new file count as added.
pub enum AddedLines<'a> {
    /// Every line (a new file, or a scan).
    All,
    /// These 1-based (start, count) ranges, sorted.
    Ranges(&'a [(u32, u32)]),
}

/// Builds a changed file from the whole new text and the numbers of its added lines.
pub fn whole_file(path: String, text: String, which: AddedLines<'_>) -> ChangedFile {
    let first_line = text.lines().next().unwrap_or("");
    let language = Language::detect(&path, first_line);
    let mut added = Vec::new();
    let mut ranges = match which {
        AddedLines::All => None,
        AddedLines::Ranges(r) => Some(r.iter().peekable()),
    };
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut number: u32 = 0;
    while start < bytes.len() {
        number += 1;
        let newline = memchr::memchr(b'\n', &bytes[start..]).map(|p| start + p);
        let end = newline.unwrap_or(bytes.len());
        let wanted = match ranges.as_mut() {
            None => true,
            Some(iter) => {
                while iter.peek().is_some_and(|(s, c)| number >= s + c) {
                    iter.next();
                }
                match iter.peek() {
                    Some(&&(s, _)) => number >= s,
                    None => break,
                }
            }
        };
        if wanted {
            let content_end = if end > start && bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            added.push(AddedLine {
                number,
                start,
                end: content_end,
            });
        }
        start = end + 1;
    }
    ChangedFile {
        path,
        language,
        text,
        extent: TextExtent::Whole,
        added,
        old_text: None,
    }
}

/// The bytes of a path that is not valid UTF-8, in the form [`slash_path`] gives (`None` for a UTF-8
/// path, whose [`slash_path`] is exact).
pub fn raw_path_bytes(path: &std::path::Path) -> Option<Vec<u8>> {
    if path.to_str().is_some() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        Some(bytes.strip_prefix(b"./").unwrap_or(bytes).to_vec())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Converts an OS path to the `/`-separated form used in output.
pub fn slash_path(path: &std::path::Path) -> String {
    let text = path.to_string_lossy();
    let text = text.strip_prefix("./").unwrap_or(&text);
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_added_lines_and_strips_cr() {
        let file = whole_file(
            "a.py".into(),
            "one\r\ntwo\nthree\nfour".into(),
            AddedLines::Ranges(&[(2, 1), (4, 1)]),
        );
        let lines: Vec<(u32, &str)> = file
            .added
            .iter()
            .map(|l| (l.number, file.line_text(l)))
            .collect();
        assert_eq!(lines, vec![(2, "two"), (4, "four")]);
        let file = whole_file("a.py".into(), "a\r\nb\n".into(), AddedLines::All);
        let lines: Vec<&str> = file.added.iter().map(|l| file.line_text(l)).collect();
        assert_eq!(lines, vec!["a", "b"]);
    }

    #[test]
    fn decodes_invalid_utf8_lossily() {
        assert_eq!(decode(vec![b'a', 0xff, b'b']), "a\u{fffd}b");
    }
}
