//! The agent gate's source: what an agent proposes ([`Action`], independent of the agent), and for a
//! file-changing action what it would leave on disk — the file after the tool call, diffed line by line
//! against the current file, so findings carry the line numbers the file will have — as the
//! [`ChangeSet`] the engine reviews.

use std::path::{Path, PathBuf};
use std::time::Duration;

use similar::{DiffTag, TextDiff};

pub mod patch;

use crate::model::ChangeSet;
use crate::model::Language;
use crate::source::{self, AddedLines};
use patch::FileOp;

/// One text replacement of an edit tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The text to find (empty: the edit creates the file).
    pub old: String,
    /// What replaces it.
    pub new: String,
    /// Replace every occurrence rather than the first.
    pub all: bool,
}

/// What a notebook edit does to its cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotebookMode {
    /// Replace a cell's source.
    Replace,
    /// Insert a new cell.
    Insert,
    /// Delete a cell.
    Delete,
}

/// What the agent proposes to do, independent of the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run a shell command.
    Shell {
        /// The command line.
        command: String,
    },
    /// Write a whole file.
    Write {
        /// The file (as the agent named it).
        path: String,
        /// Its new content.
        content: String,
    },
    /// Replace text in a file, one replacement after the other (Edit, MultiEdit, StrReplace, replace).
    Edit {
        /// The file.
        path: String,
        /// The replacements, in order.
        edits: Vec<Replacement>,
    },
    /// Change a notebook cell.
    NotebookEdit {
        /// The notebook.
        path: String,
        /// The cell's new source.
        source: String,
        /// `code` or `markdown`, when given.
        cell_type: Option<String>,
        /// What happens to the cell.
        mode: NotebookMode,
    },
    /// Apply a Codex patch envelope (`*** Begin Patch` …).
    ApplyPatch {
        /// The patch text.
        patch: String,
    },
    /// Run a PowerShell command (Claude Code's `PowerShell` tool): judged by the agent gate's
    /// PowerShell rules and, for what it shares with a POSIX shell, the command checks.
    PowerShell {
        /// The command line.
        command: String,
    },
    /// Read or search files (Read, Grep, Glob, `read_file`, …): judged by the agent gate's read rules,
    /// never by the checks.
    Read {
        /// Files or directories read or searched.
        paths: Vec<String>,
        /// Glob patterns selecting the files read or listed.
        globs: Vec<String>,
    },
    /// Anything else: nothing to judge.
    Other,
}

/// A file as the action would leave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    /// Absolute path.
    pub path: PathBuf,
    /// The current content (None: the file does not exist or is not judged against it).
    pub old: Option<String>,
    /// The new content; when `exact` is false, only the added text (its lines numbered from 1).
    pub new: String,
    /// Whether `new` is the whole file after the action (false: the edit did not apply to the current
    /// file, so only what it adds is judged).
    pub exact: bool,
    /// The language to judge it as, when the path does not tell (a notebook cell).
    pub language: Option<Language>,
    /// The action deletes the file (a patch's `*** Delete File`): `old` is what it takes away.
    pub deleted: bool,
}

/// The files an action would change (empty for commands and other tools).
pub fn proposed(action: &Action, cwd: &Path) -> Vec<Proposed> {
    match action {
        Action::Write { path, content } => {
            let path = resolve(cwd, path);
            let old = read(&path);
            vec![Proposed {
                path,
                old,
                new: content.clone(),
                exact: true,
                language: None,
                deleted: false,
            }]
        }
        Action::Edit { path, edits } => {
            let path = resolve(cwd, path);
            let old = read(&path);
            match apply_edits(old.as_deref(), edits) {
                Some(new) => vec![Proposed {
                    path,
                    old,
                    new,
                    exact: true,
                    language: None,
                    deleted: false,
                }],
                None => vec![fragment(path, edits.iter().map(|e| e.new.as_str()), None)],
            }
        }
        Action::NotebookEdit {
            path,
            source,
            cell_type,
            mode,
        } => {
            if *mode == NotebookMode::Delete || source.is_empty() {
                return Vec::new();
            }
            let language = match cell_type.as_deref() {
                Some("markdown") | Some("raw") => Language::detect("cell.md", ""),
                _ => Language::Python,
            };
            vec![fragment(
                resolve(cwd, path),
                std::iter::once(source.as_str()),
                Some(language),
            )]
        }
        Action::ApplyPatch { patch } => match patch::parse(patch) {
            Ok(ops) => ops.iter().filter_map(|op| patched(op, cwd)).collect(),
            // Not an envelope: judge its added lines as they are.
            Err(_) => vec![fragment(
                cwd.join("apply_patch.diff"),
                patch.lines().filter_map(|l| l.strip_prefix('+')),
                None,
            )],
        },
        Action::Shell { .. } | Action::PowerShell { .. } | Action::Read { .. } | Action::Other => {
            Vec::new()
        }
    }
}

/// The file after one patch operation (a deletion: the file with nothing left, None when it does not
/// exist).
fn patched(op: &FileOp, cwd: &Path) -> Option<Proposed> {
    match op {
        FileOp::Delete { path } => {
            // What the deletion takes away is reviewed from the current file.
            let path = resolve(cwd, path);
            let old = read(&path)?;
            Some(Proposed {
                path,
                old: Some(old),
                new: String::new(),
                exact: true,
                language: None,
                deleted: true,
            })
        }
        FileOp::Add { path, lines } => {
            let path = resolve(cwd, path);
            let mut new = lines.join("\n");
            new.push('\n');
            Some(Proposed {
                old: read(&path),
                path,
                new,
                exact: true,
                language: None,
                deleted: false,
            })
        }
        FileOp::Update {
            path,
            move_to,
            hunks,
        } => {
            let source = resolve(cwd, path);
            let target = resolve(cwd, move_to.as_deref().unwrap_or(path));
            let old = read(&source);
            match old.as_deref().and_then(|text| patch::apply(text, hunks)) {
                Some(new) => Some(Proposed {
                    path: target,
                    old,
                    new,
                    exact: true,
                    language: None,
                    deleted: false,
                }),
                None => {
                    let added: Vec<&str> = hunks
                        .iter()
                        .flat_map(|h| added_lines(&h.old, &h.new))
                        .collect();
                    Some(fragment(target, added.into_iter(), None))
                }
            }
        }
    }
}

/// The lines of `new` that are not in `old` (a hunk's `+` lines).
fn added_lines<'a>(old: &[String], new: &'a [String]) -> Vec<&'a str> {
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let new_lines: Vec<&str> = new.iter().map(String::as_str).collect();
    let diff = TextDiff::configure().diff_slices(&old, &new_lines);
    diff.ops()
        .iter()
        .filter(|op| matches!(op.tag(), DiffTag::Insert | DiffTag::Replace))
        .flat_map(|op| new[op.new_range()].iter().map(String::as_str))
        .collect()
}

fn fragment<'a>(
    path: PathBuf,
    pieces: impl Iterator<Item = &'a str>,
    language: Option<Language>,
) -> Proposed {
    let mut new = String::new();
    for piece in pieces {
        new.push_str(piece);
        if !new.ends_with('\n') {
            new.push('\n');
        }
    }
    Proposed {
        path,
        old: None,
        new,
        exact: false,
        language,
        deleted: false,
    }
}

fn read(path: &Path) -> Option<String> {
    use std::io::Read;
    // Only a regular file has a current content to compare with: a FIFO, `/dev/zero` or a socket named by
    // the agent would block or never end, and the hook would run into the agent's timeout (which lets the
    // call through). Such a target, or one past the size limit, counts as having no content: everything
    // the action writes is reviewed as added.
    // Asked before opening: opening a FIFO blocks until a writer comes (the hook's deadline is the
    // backstop should the path change in between).
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_CURRENT_FILE {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_CURRENT_FILE + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_CURRENT_FILE {
        return None;
    }
    Some(source::text_of(bytes))
}

/// The largest current file the hook reads to compare a proposed change with (64 MiB).
const MAX_CURRENT_FILE: u64 = 64 << 20;

/// Applies replacements the way the edit tools do: the first occurrence, or every one; an empty
/// `old` creates the file. None when one does not apply.
pub fn apply_edits(current: Option<&str>, edits: &[Replacement]) -> Option<String> {
    let mut text = current.map(str::to_string);
    for edit in edits {
        let next = if edit.old.is_empty() {
            if text.as_deref().is_some_and(|t| !t.is_empty()) {
                return None;
            }
            edit.new.clone()
        } else {
            let current = text.as_deref()?;
            if !current.contains(edit.old.as_str()) {
                return None;
            }
            if edit.all {
                current.replace(edit.old.as_str(), &edit.new)
            } else {
                current.replacen(edit.old.as_str(), &edit.new, 1)
            }
        };
        text = Some(next);
    }
    text
}

/// The 1-based (start, count) ranges of lines in `new` that are not in `old`.
pub fn added_ranges(old: &str, new: &str) -> Vec<(u32, u32)> {
    diff_ranges(old, new).0
}

/// 1-based (start, count) line ranges.
pub type LineRanges = Vec<(u32, u32)>;

/// The 1-based (start, count) ranges of lines in `new` that are not in `old` (added) and of lines in
/// `old` that are not in `new` (removed), from one line diff.
pub fn diff_ranges(old: &str, new: &str) -> (LineRanges, LineRanges) {
    let diff = TextDiff::configure()
        .timeout(Duration::from_millis(300))
        .diff_lines(old, new);
    let (mut added, mut removed): (LineRanges, LineRanges) = (Vec::new(), Vec::new());
    let push = |ranges: &mut Vec<(u32, u32)>, range: std::ops::Range<usize>| {
        if range.is_empty() {
            return;
        }
        let start = range.start as u32 + 1;
        let count = range.len() as u32;
        match ranges.last_mut() {
            Some((s, c)) if *s + *c == start => *c += count,
            _ => ranges.push((start, count)),
        }
    };
    for op in diff.ops() {
        if matches!(op.tag(), DiffTag::Insert | DiffTag::Replace) {
            push(&mut added, op.new_range());
        }
        if matches!(op.tag(), DiffTag::Delete | DiffTag::Replace) {
            push(&mut removed, op.old_range());
        }
    }
    (added, removed)
}

/// The changes the engine reviews, with paths relative to `root` (a file outside it keeps its
/// absolute path).
pub fn change_set(proposals: Vec<Proposed>, root: &Path) -> ChangeSet {
    let mut changes = ChangeSet::default();
    for proposal in proposals {
        let path = display_path(&proposal.path, root);
        if proposal.deleted {
            let old = proposal.old.unwrap_or_default();
            let mut file = source::whole_file(path, String::new(), AddedLines::All);
            file.language = Language::detect(&file.path, old.lines().next().unwrap_or(""));
            file.removed = crate::model::all_lines_removed(&old);
            file.old_text = Some(old);
            file.base = crate::model::Base::Modified;
            file.deleted = true;
            changes.files.push(file);
            continue;
        }
        // The content is text (a JSON string): a NUL byte in it is reviewed, and reported.
        // What the edit removes: the lines of the current file it takes away (an Edit's `old_string`
        // lines, what a Write replaces).
        let (ranges, removed) = match &proposal.old {
            Some(old) if proposal.exact => {
                let (added, removed) = diff_ranges(old, &proposal.new);
                (Some(added), source::removed_lines(old, &removed))
            }
            _ => (None, Vec::new()),
        };
        if ranges.as_ref().is_some_and(Vec::is_empty) && removed.is_empty() {
            continue;
        }
        let which = match &ranges {
            Some(ranges) => AddedLines::Ranges(ranges),
            None => AddedLines::All,
        };
        let mut file = source::whole_file(path, proposal.new, which);
        if let Some(language) = proposal.language {
            file.language = language;
        }
        // The file on disk before the edit: none is a new file; an inexact one is not known.
        file.base = match (&proposal.old, proposal.exact) {
            (_, false) => crate::model::Base::Unknown,
            (None, true) => crate::model::Base::Added,
            (Some(_), true) => crate::model::Base::Modified,
        };
        file.old_text = proposal.old.filter(|_| proposal.exact);
        file.removed = removed;
        if !file.added.is_empty() || !file.removed.is_empty() {
            changes.files.push(file);
        }
    }
    changes
}

/// The change a shell command proposes: the command itself, run in `cwd`, for the engine's command
/// stage.
pub fn command_change(command: &str, cwd: &Path) -> ChangeSet {
    ChangeSet {
        commands: vec![crate::model::ProposedCommand {
            text: command.to_string(),
            cwd: cwd.to_path_buf(),
        }],
        ..ChangeSet::default()
    }
}

/// A path relative to `root` with `/`, or the absolute path when it is outside.
pub fn display_path(path: &Path, root: &Path) -> String {
    let path = normalize(path);
    match path.strip_prefix(normalize(root)) {
        Ok(relative) => source::slash_path(relative),
        Err(_) => source::slash_path(&path),
    }
}

/// Removes `.` and `..` components without touching the file system (the file may not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path as an agent names it: absolute, or relative to `base`.
pub fn resolve(base: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(old: &str, new: &str, all: bool) -> Replacement {
        Replacement {
            old: old.into(),
            new: new.into(),
            all,
        }
    }

    #[test]
    fn edits_apply_like_the_tools() {
        let text = "a = 1\nb = 1\na = 1\n";
        assert_eq!(
            apply_edits(Some(text), &[edit("a = 1", "a = 2", false)]).unwrap(),
            "a = 2\nb = 1\na = 1\n"
        );
        assert_eq!(
            apply_edits(Some(text), &[edit("a = 1", "a = 2", true)]).unwrap(),
            "a = 2\nb = 1\na = 2\n"
        );
        assert_eq!(apply_edits(Some(text), &[edit("zzz", "y", false)]), None);
        assert_eq!(
            apply_edits(None, &[edit("", "new\n", false)]).unwrap(),
            "new\n"
        );
        assert_eq!(apply_edits(Some(text), &[edit("", "x", false)]), None);
    }

    #[test]
    fn added_ranges_number_the_new_file() {
        assert_eq!(
            added_ranges("a\nb\nc\n", "a\nx\ny\nb\nc\nz\n"),
            vec![(2, 2), (6, 1)]
        );
        assert_eq!(added_ranges("a\n", "a\n"), Vec::<(u32, u32)>::new());
    }

    #[test]
    fn paths_are_relative_to_the_root_unless_outside() {
        assert_eq!(
            display_path(Path::new("/p/src/../a.py"), Path::new("/p")),
            "a.py"
        );
        assert_eq!(display_path(Path::new("/etc/x"), Path::new("/p")), "/etc/x");
    }
}
