//! Changes from a unified diff (`git diff`, `diff -u`, `format-patch` output) or a combined diff
//! (`git diff` during a merge conflict, `git show --cc` of a merge): each hunk's context and added lines
//! become a piece of the new file's text.
//!
//! The parser is strict where leniency would let a change slip past review: a hunk whose lines do not
//! match its header's counts is a malformed patch (an error naming the line), input that holds no diff at
//! all is an error, and no allocation is ever sized by a number read from the input — only by the lines
//! actually read. Error messages name lines by number and never quote the input (it may hold secrets).

use anyhow::{bail, Result};

use crate::model::Language;
use crate::model::{AddedLine, ChangeSet, ChangedFile, RemovedLine, Skipped, TextExtent};

#[path = "patch_text.rs"]
mod text;
use text::{
    decode_patch, git_header_new_path, header_path, last_quoted, raw_name, strip_prefix, unquote,
};

/// The largest line number or count a hunk header may name: no file git can diff has more lines.
const MAX_LINE_NUMBER: u32 = i32::MAX as u32;

/// A file being assembled from a patch.
#[derive(Default)]
struct Building {
    path: Option<String>,
    /// The `--- ` header's path (a deletion's only name in a plain `diff -u`).
    old_path: Option<String>,
    deleted: bool,
    submodule: bool,
    binary: bool,
    hunks: usize,
    text: String,
    pieces: Vec<std::ops::Range<usize>>,
    added: Vec<AddedLine>,
    first_line_known: bool,
    /// The patch creates the file (`--- /dev/null` or `new file mode`).
    created: bool,
    /// The old side's text as far as the hunks show it (context and `-` lines; a one-parent diff).
    old_text: String,
    /// The byte ranges of `old_text` each hunk holds.
    old_pieces: Vec<std::ops::Range<usize>>,
    /// The removed lines, numbered in the old file.
    removed: Vec<RemovedLine>,
}

/// The hunk being read: what its header says is still to come.
struct Hunk {
    /// 1-based line of the hunk header in the input.
    header_line: usize,
    /// Lines still expected from each parent's side (one parent for a unified diff).
    old_left: Vec<u32>,
    /// Lines still expected on the new side.
    new_left: u32,
    /// Number in the new file of the next new-side line.
    new_line: u32,
    /// Where this hunk's text starts in the file's text.
    piece_start: usize,
    /// Number in the old file of the next old-side line (the first parent's).
    old_line: u32,
    /// Where this hunk's text starts in the file's old text.
    old_piece_start: usize,
}

impl Hunk {
    fn done(&self) -> bool {
        self.new_left == 0 && self.old_left.iter().all(|&n| n == 0)
    }

    fn parents(&self) -> usize {
        self.old_left.len()
    }

    fn malformed(&self, line: usize, why: &str) -> anyhow::Error {
        let old: u32 = self.old_left.iter().sum();
        anyhow::anyhow!(
            "malformed patch: hunk at line {} {why} at line {line} ({old} old and {} new lines \
             still expected); its header's line counts do not match its lines",
            self.header_line,
            self.new_left
        )
    }
}

/// Whether the input holds nothing at all (no bytes, or only whitespace once decoded): `patch` says
/// "empty patch: nothing reviewed" rather than reviewing nothing silently.
pub fn is_blank(input: &[u8]) -> bool {
    input.iter().all(u8::is_ascii_whitespace) || decode_patch(input).trim().is_empty()
}

/// Parses unified- or combined-diff text into changed files. Text outside file sections (commit
/// messages, mail headers) is ignored; a hunk header that does not parse, a hunk whose lines do not
/// match its counts, and non-empty input with no diff in it are errors naming the line.
pub fn parse(input: &[u8]) -> Result<ChangeSet> {
    let text = decode_patch(input);
    let mut files = Vec::new();
    let mut skipped = Skipped::default();
    let mut current: Option<Building> = None;
    let mut hunk: Option<Hunk> = None;
    // The line right after a complete hunk: more hunk lines there mean the counts were too small.
    let mut just_ended: Option<usize> = None;
    let mut found_diff = false;
    let mut raw_paths = std::collections::BTreeMap::new();
    let mut after_minus_header = false;
    let body = text.strip_suffix('\n').unwrap_or(&text);
    let lines = if text.is_empty() {
        None
    } else {
        Some(body.split('\n'))
    };
    for (index, raw) in lines.into_iter().flatten().enumerate() {
        let number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(h) = hunk.as_mut() {
            let file = current.as_mut().expect("hunks only follow a file header");
            hunk_line(h, file, line, number)?;
            if h.done() {
                file.pieces.push(h.piece_start..file.text.len());
                file.old_pieces.push(h.old_piece_start..file.old_text.len());
                hunk = None;
                just_ended = Some(number);
            }
            continue;
        }
        if let Some(ended) = just_ended.take() {
            if looks_like_hunk_line(line) {
                bail!(
                    "malformed patch: line {number} continues the hunk that its header said ended \
                     at line {ended}; its header's line counts do not match its lines"
                );
            }
        }
        let minus_header = after_minus_header;
        after_minus_header = false;
        if line.starts_with("diff --git ")
            || line.starts_with("diff --cc ")
            || line.starts_with("diff --combined ")
            || line.starts_with("diff -")
            || line.starts_with("Index: ")
        {
            found_diff = true;
            finish(current.take(), &mut files, &mut skipped);
            let mut file = Building::default();
            if let Some(rest) = line.strip_prefix("diff --git ") {
                file.path = git_header_new_path(rest);
                if let (Some(quoted), Some(path)) = (last_quoted(rest), &file.path) {
                    note_raw(&mut raw_paths, quoted, path);
                }
            } else if let Some(rest) = line
                .strip_prefix("diff --cc ")
                .or_else(|| line.strip_prefix("diff --combined "))
            {
                let path = unquote(rest.trim_end());
                note_raw(&mut raw_paths, rest.trim_end(), &path);
                file.path = Some(path);
            }
            current = Some(file);
        } else if let Some(rest) = line.strip_prefix("--- ") {
            if current.as_ref().is_none_or(|f| f.hunks > 0) {
                finish(current.take(), &mut files, &mut skipped);
                current = Some(Building::default());
            }
            let old = header_path(rest);
            if let Some(file) = current.as_mut() {
                if old == "/dev/null" {
                    file.created = true;
                } else {
                    file.old_path = Some(strip_prefix(&old));
                }
            }
            after_minus_header = true;
        } else if let Some(rest) = line.strip_prefix("+++ ") {
            found_diff |= minus_header;
            let file = current.get_or_insert_with(Building::default);
            let path = header_path(rest);
            if path == "/dev/null" {
                file.deleted = true;
                if file.path.is_none() {
                    file.path = file.old_path.take();
                }
            } else {
                let shown = strip_prefix(&path);
                let quoted = rest.split('\t').next().unwrap_or(rest).trim_end();
                note_raw(&mut raw_paths, quoted, &shown);
                file.path = Some(shown);
            }
        } else if line.starts_with("@@") {
            let Some(file) = current.as_mut() else {
                bail!(
                    "malformed patch: line {number}: a hunk header with no file header before it"
                );
            };
            let Some(header) = parse_hunk_header(line) else {
                bail!(
                    "malformed patch: line {number}: cannot read the hunk header (expected \
                     `@@ -start,count +start,count @@`, with one `-start,count` per parent and one \
                     more `@` per parent in a combined diff, and line numbers below {MAX_LINE_NUMBER})"
                );
            };
            found_diff = true;
            file.hunks += 1;
            if header.new_start <= 1 {
                file.first_line_known = true;
            }
            let h = Hunk {
                header_line: number,
                old_left: header.old_counts,
                new_left: header.new_count,
                new_line: header.new_start,
                piece_start: file.text.len(),
                old_line: header.old_start,
                old_piece_start: file.old_text.len(),
            };
            if h.done() {
                file.pieces.push(h.piece_start..h.piece_start);
                file.old_pieces.push(h.old_piece_start..h.old_piece_start);
                just_ended = Some(number);
            } else {
                hunk = Some(h);
            }
        } else if let Some(file) = current.as_mut() {
            if line.starts_with("new file mode") {
                file.created = true;
            }
            if line.starts_with("deleted file mode") {
                file.deleted = true;
            } else if line.contains(" 160000")
                && (line.starts_with("new file mode") || line.starts_with("index "))
            {
                file.submodule = true;
            } else if line.starts_with("Binary files ") || line == "GIT binary patch" {
                file.binary = true;
            } else if let Some(to) = line
                .strip_prefix("rename to ")
                .or_else(|| line.strip_prefix("copy to "))
            {
                let path = unquote(to);
                note_raw(&mut raw_paths, to, &path);
                file.path = Some(path);
            }
        }
    }
    if let Some(h) = &hunk {
        let end = body.split('\n').count();
        return Err(h.malformed(end, "is cut short: the input ends"));
    }
    finish(current.take(), &mut files, &mut skipped);
    if !found_diff && !text.trim().is_empty() {
        bail!(
            "no diff found in the input: expected unified-diff text (`git diff`, `diff -u`, \
             `git format-patch`); nothing was reviewed"
        );
    }
    raw_paths.retain(|path, _| {
        files.iter().any(|f| &f.path == path) || skipped.binary_paths.contains(path)
    });
    Ok(ChangeSet {
        files,
        skipped,
        raw_paths,
        ..ChangeSet::default()
    })
}

/// Records the original bytes of a quoted name that is not UTF-8 (see [`raw_name`]).
fn note_raw(
    raw_paths: &mut std::collections::BTreeMap<String, Vec<u8>>,
    quoted: &str,
    shown: &str,
) {
    if let Some(raw) = raw_name(quoted, shown) {
        raw_paths.insert(shown.to_string(), raw);
    }
}

/// Reads one line of a hunk into the file being built.
fn hunk_line(h: &mut Hunk, file: &mut Building, line: &str, number: usize) -> Result<()> {
    let bytes = line.as_bytes();
    if bytes.first() == Some(&b'\\') {
        // "\ No newline at end of file"
        return Ok(());
    }
    let parents = h.parents();
    let header_line = h.header_line;
    // An empty line is a context line whose leading space was stripped (mail clients, editors).
    let (columns, content) = if bytes.is_empty() {
        (None, "")
    } else {
        let Some(columns) = bytes.get(..parents) else {
            return Err(h.malformed(number, "is cut short by a line that is not part of a hunk"));
        };
        if !columns.iter().all(|c| matches!(c, b'+' | b'-' | b' ')) {
            return Err(h.malformed(number, "is cut short by a line that is not part of a hunk"));
        }
        // The columns are ASCII, so `parents` is a character boundary.
        (Some(columns), &line[parents..])
    };
    let removed = columns.is_some_and(|c| c.contains(&b'-'));
    // The old side is followed for a one-parent diff (a combined diff's removals are a merge's).
    if parents == 1 && columns.is_none_or(|c| c[0] != b'+') {
        let start = file.old_text.len();
        file.old_text.push_str(content);
        if removed {
            file.removed.push(RemovedLine {
                number: h.old_line,
                start,
                end: file.old_text.len(),
            });
        }
        file.old_text.push('\n');
        h.old_line = h.old_line.saturating_add(1);
    }
    if removed {
        let columns = columns.unwrap_or_default();
        for (left, &c) in h.old_left.iter_mut().zip(columns) {
            if c == b'-' {
                count_down(left, header_line, number)?;
            }
        }
        return Ok(());
    }
    // A line of the new file: added when it is new relative to every parent.
    let added = columns.is_some_and(|c| c.iter().all(|&c| c == b'+'));
    count_down(&mut h.new_left, header_line, number)?;
    for (i, left) in h.old_left.iter_mut().enumerate() {
        let context = columns.is_none_or(|c| c[i] == b' ');
        if context {
            count_down(left, header_line, number)?;
        }
    }
    let start = file.text.len();
    file.text.push_str(content);
    if added {
        file.added.push(AddedLine {
            number: h.new_line,
            start,
            end: file.text.len(),
        });
    }
    file.text.push('\n');
    h.new_line += 1;
    Ok(())
}

/// Takes one line off what a hunk header said is left; a line past that is a malformed patch.
fn count_down(left: &mut u32, header_line: usize, number: usize) -> Result<()> {
    *left = left
        .checked_sub(1)
        .ok_or_else(|| anyhow::anyhow!("{}", too_many(header_line, number)))?;
    Ok(())
}

fn too_many(header_line: usize, number: usize) -> String {
    format!(
        "malformed patch: line {number} is one line more than the hunk at line {header_line} \
         says it holds; its header's line counts do not match its lines"
    )
}

/// A line that can only belong to a hunk (not a `---`/`+++` header, a `-- ` mail signature or a
/// `\ No newline` note).
fn looks_like_hunk_line(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(b'+') => !line.starts_with("+++ "),
        Some(b'-') => !line.starts_with("--"),
        Some(b' ') => true,
        _ => false,
    }
}

fn finish(file: Option<Building>, files: &mut Vec<ChangedFile>, skipped: &mut Skipped) {
    let Some(file) = file else { return };
    let Some(path) = file.path else { return };
    if file.binary {
        skipped.add_binary(path);
        return;
    }
    if file.submodule {
        skipped.add_non_text(path);
        return;
    }
    if file.deleted {
        // A deleted file's one hunk is its whole old text: every line is removed.
        let whole =
            file.old_pieces.len() == 1 && file.removed.first().is_none_or(|l| l.number == 1);
        let language = Language::detect(&path, file.old_text.lines().next().unwrap_or(""));
        let (old_text, old_pieces) = if whole {
            (Some(file.old_text), None)
        } else {
            (None, Some((file.old_text, file.old_pieces)))
        };
        files.push(ChangedFile {
            path,
            language,
            text: String::new(),
            extent: TextExtent::Whole,
            added: Vec::new(),
            old_text,
            role: Default::default(),
            base: crate::model::Base::Modified,
            removed: file.removed,
            old_pieces,
            deleted: true,
            renamed_to: None,
        });
        return;
    }
    if file.added.is_empty() && file.removed.is_empty() {
        return;
    }
    let first_line = if file.first_line_known {
        file.text.lines().next().unwrap_or("")
    } else {
        ""
    };
    let language = Language::detect(&path, first_line);
    files.push(ChangedFile {
        path,
        language,
        text: file.text,
        extent: TextExtent::Pieces(file.pieces),
        added: file.added,
        old_text: None,
        role: Default::default(),
        // A bare patch has no old text: a file it creates is new, any other is not known.
        base: if file.created {
            crate::model::Base::Added
        } else {
            crate::model::Base::Unknown
        },
        removed: file.removed,
        old_pieces: Some((file.old_text, file.old_pieces)),
        deleted: false,
        renamed_to: None,
    });
}

/// Replaces the partial text of each file with the whole file under `root` when that file holds every
/// added line at its number — the patch describes the working tree, so comments and imports far from the
/// hunks are known too, and `patch` sees what `diff` sees.
pub fn complete_from_worktree(set: &mut ChangeSet, root: &std::path::Path) {
    for file in &mut set.files {
        if file.added.is_empty() {
            // Nothing added (a deleted file, or only removals): the new side is not reviewed.
            continue;
        }
        let Ok(bytes) = std::fs::read(root.join(&file.path)) else {
            continue;
        };
        let super::Content::Text(text) = super::sniff::sniff_named(&file.path, bytes) else {
            continue;
        };
        let ranges: Vec<(u32, u32)> = file.added.iter().map(|l| (l.number, 1)).collect();
        let whole = super::whole_file(file.path.clone(), text, super::AddedLines::Ranges(&ranges));
        let same = whole.added.len() == file.added.len()
            && whole
                .added
                .iter()
                .zip(&file.added)
                .all(|(w, p)| w.number == p.number && whole.line_text(w) == file.line_text(p));
        if same {
            let mut whole = whole;
            whole.removed = std::mem::take(&mut file.removed);
            whole.old_pieces = file.old_pieces.take();
            *file = whole;
        }
    }
}

/// What a hunk header says.
struct HunkHeader {
    /// Line count on each parent's side.
    old_counts: Vec<u32>,
    /// First line on the first parent's side.
    old_start: u32,
    new_start: u32,
    new_count: u32,
}

/// `@@ -a,b +c,d @@ …` (or, for a combined diff of N parents, N+1 `@`s and N `-a,b` ranges); counts
/// default to 1. None when it does not parse or names a line past [`MAX_LINE_NUMBER`].
fn parse_hunk_header(line: &str) -> Option<HunkHeader> {
    let ats = line.bytes().take_while(|&b| b == b'@').count();
    if ats < 2 {
        return None;
    }
    let parents = ats - 1;
    let marker = &line[..ats];
    let mut parts = line[ats..].split_ascii_whitespace();
    let range = |range: &str| -> Option<(u32, u32)> {
        let (start, count) = match range.split_once(',') {
            Some((start, count)) => (number(start)?, number(count)?),
            None => (number(range)?, 1),
        };
        (start.checked_add(count)? <= MAX_LINE_NUMBER).then_some((start, count))
    };
    let mut old_counts = Vec::new();
    let mut old_start = 0;
    for i in 0..parents {
        let (start, count) = range(parts.next()?.strip_prefix('-')?)?;
        if i == 0 {
            old_start = start;
        }
        old_counts.push(count);
    }
    let (new_start, new_count) = range(parts.next()?.strip_prefix('+')?)?;
    (parts.next()? == marker).then_some(HunkHeader {
        old_counts,
        old_start,
        new_start,
        new_count,
    })
}

/// A decimal line number or count (digits only, no sign), at most [`MAX_LINE_NUMBER`].
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u32>().ok().filter(|&n| n <= MAX_LINE_NUMBER)
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
