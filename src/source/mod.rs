//! Where changes come from. Every source yields a [`ChangeSet`]: the changed files with their added
//! lines and (as far as the source knows it) the new text.

pub mod commits;
pub mod git;
pub mod patch;
pub mod proposed;
pub mod sniff;
pub mod tree;

use crate::model::Language;
use crate::model::{AddedLine, ChangeSet, ChangedFile, TextExtent};

pub use sniff::{is_binary, sniff, sniff_named, Content};

/// Decodes file content as UTF-8, replacing invalid sequences rather than failing, so that one bad byte
/// never hides the rest of a file.
pub fn decode(content: Vec<u8>) -> String {
    match String::from_utf8(content) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// The text of content whatever it holds: decoded as [`sniff`] does, binary content lossily (for old
/// versions, which are only compared with).
pub fn text_of(content: Vec<u8>) -> String {
    match sniff(content) {
        Content::Text(text) => text,
        Content::Binary(bytes) => decode(bytes),
    }
}

/// Re-judges the files a patch marks binary (`Binary files a/x and b/x differ`: git's verdict, from one
/// NUL byte or an attribute) against the working tree under `root`: one that is text there is
/// reviewed whole (every line counts as added, as the patch does not say which are), one that is
/// binary has its printable runs searched for secrets.
pub fn rejudge_binaries(set: &mut ChangeSet, root: &std::path::Path) {
    let paths = std::mem::take(&mut set.skipped.binary_paths);
    set.skipped.binary = 0;
    for path in paths {
        let bytes = match std::fs::read(root.join(&path)) {
            Ok(bytes) if !set.skipped.binary_text.iter().any(|t| t.path == path) => bytes,
            _ => {
                set.skipped.add_binary(path);
                continue;
            }
        };
        match sniff::sniff_named(&path, bytes) {
            Content::Text(text) => {
                let file = whole_file(path, text, AddedLines::All);
                if !file.added.is_empty() {
                    set.files.push(file);
                }
            }
            Content::Binary(bytes) => set
                .skipped
                .add_binary_text(sniff::printable_runs(path, &bytes)),
        }
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
    // Sized once (a million added lines are 24 MB of offsets; growing by doubling could hold twice that).
    let lines = match &which {
        AddedLines::All => memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1,
        // Never more than the text can hold, whatever the ranges claim.
        AddedLines::Ranges(r) => r
            .iter()
            .map(|&(_, count)| count as usize)
            .sum::<usize>()
            .min(text.len() + 1),
    };
    let mut added = Vec::with_capacity(lines);
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
        role: Default::default(),
        base: crate::model::Base::Unknown,
        removed: Vec::new(),
        old_pieces: None,
        deleted: false,
        renamed_to: None,
    }
}

/// The removed lines of `old` in the (start, count) ranges of a diff's old side, sorted.
pub fn removed_lines(old: &str, ranges: &[(u32, u32)]) -> Vec<crate::model::RemovedLine> {
    let mut out = Vec::with_capacity(
        ranges
            .iter()
            .map(|&(_, c)| c as usize)
            .sum::<usize>()
            .min(old.len() + 1),
    );
    let bytes = old.as_bytes();
    let mut ranges = ranges.iter().peekable();
    let (mut start, mut number) = (0usize, 0u32);
    while start < bytes.len() {
        number += 1;
        while ranges.peek().is_some_and(|&&(s, c)| number >= s + c) {
            ranges.next();
        }
        let Some(&&(first, _)) = ranges.peek() else {
            break;
        };
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |p| start + p);
        if number >= first {
            let content_end = if end > start && bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            out.push(crate::model::RemovedLine {
                number,
                start,
                end: content_end,
            });
        }
        start = end + 1;
    }
    out
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
