//! The data that flows through the pipeline: changed files in, findings out.

use serde::Serialize;

mod decision;
mod dependency;
mod history;
pub mod instructions;
mod language;
mod literals;
mod novelty;
mod produced;
mod role;
mod target;

pub use decision::Decision;
pub use dependency::{Change, Dependency, Source};
pub use history::{civil_date, CommitRef, CommitsMode, HistoryFinding};
pub use language::Language;
pub use literals::LiteralSearcher;
pub use novelty::{capability_key, family, has_capability, Base, Novelty};
pub use produced::{AgentFinding, DependencyFinding};
pub use role::Role;
pub use target::target_covers;

mod vocabulary;

pub use vocabulary::{Category, Severity};

/// One added line of a changed file: its 1-based number in the new file and where its text sits in
/// [`ChangedFile::text`] (without the line terminator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddedLine {
    /// 1-based line number in the new version of the file.
    pub number: u32,
    /// Byte offset of the line's first byte in [`ChangedFile::text`].
    pub start: usize,
    /// Byte offset just past the line's last byte (before `\r\n` or `\n`).
    pub end: usize,
}

/// One removed line of a changed file: its 1-based number in the OLD file and where its text sits in
/// the old side's text ([`ChangedFile::old_side`]), without the line terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemovedLine {
    /// 1-based line number in the old version of the file.
    pub number: u32,
    /// Byte offset of the line's first byte in the old side's text.
    pub start: usize,
    /// Byte offset just past the line's last byte (before `\r\n` or `\n`).
    pub end: usize,
}

/// Which side of a change a finding is on: a line the change adds (new file) or one it removes (old
/// file, `on: removed` and `on: deleted` checks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// An added line: `line` counts in the new file.
    #[default]
    Added,
    /// A removed line (or a deleted file): `line` counts in the old file.
    Removed,
}

impl Side {
    /// The lowercase name used in JSON and SARIF.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Added => "added",
            Side::Removed => "removed",
        }
    }

    /// Whether the finding is on an added line.
    pub fn is_added(&self) -> bool {
        *self == Side::Added
    }
}

/// How much of the new file [`ChangedFile::text`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextExtent {
    /// The whole new file: the lexer sees every comment and string from the top.
    Whole,
    /// Only pieces of it (the hunks of a bare patch), as byte ranges that start at line boundaries.
    /// Each piece is lexed on its own, starting in code.
    Pieces(Vec<std::ops::Range<usize>>),
}

/// A file the change touches, with the lines it adds and removes.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Path relative to the repository (or scan) root, with `/` separators.
    pub path: String,
    /// Language, from the name, extension or shebang.
    pub language: Language,
    /// New text of the file (see [`TextExtent`]), lossily decoded as UTF-8.
    pub text: String,
    /// How much of the new file `text` holds.
    pub extent: TextExtent,
    /// The added lines, in ascending order.
    pub added: Vec<AddedLine>,
    /// The old version of the file, when the source knows it (every modified text file of a git source
    /// and an agent's exact edit): dependency manifests diff it, and the engine reads the capabilities
    /// it already had (novelty), then drops it for every other file.
    pub old_text: Option<String>,
    /// What the file is for (set once by the pipeline, from [`Role::detect`] and the configuration's
    /// `roles:`; sources leave the default).
    pub role: Role,
    /// What the source knows of the old version: none (an added file), its text, or nothing.
    pub base: Base,
    /// The removed lines, in ascending order of their old line numbers: they index into
    /// [`ChangedFile::old_text`], or into [`ChangedFile::old_pieces`] when only pieces of the old file
    /// are known (a bare patch).
    pub removed: Vec<RemovedLine>,
    /// Pieces of the old file (a bare patch's context and `-` lines) when its whole text is not known:
    /// the text and the byte ranges of the pieces (each lexed on its own).
    pub old_pieces: Option<(String, Vec<std::ops::Range<usize>>)>,
    /// The change deletes the file: [`ChangedFile::text`] is empty, nothing is added, and every line of
    /// the old version is removed.
    pub deleted: bool,
    /// For a deleted file: the change renames it to this path (its content lives on there). Only what
    /// the old path meant and the new one does not is reviewed as taken away (a workflow moved out of
    /// `.github/workflows/`, an agent's settings file or a lockfile moved aside).
    pub renamed_to: Option<String>,
}

impl ChangedFile {
    /// The text of one added line.
    pub fn line_text(&self, line: &AddedLine) -> &str {
        &self.text[line.start..line.end]
    }

    /// The text the removed lines index into, and how much of the old file it is: the whole old text,
    /// or the pieces a bare patch shows.
    pub fn old_side(&self) -> Option<(&str, TextExtent)> {
        if let Some(old) = &self.old_text {
            return Some((old, TextExtent::Whole));
        }
        self.old_pieces
            .as_ref()
            .map(|(text, pieces)| (text.as_str(), TextExtent::Pieces(pieces.clone())))
    }

    /// The text of one removed line (empty when the old side is not held).
    pub fn removed_text(&self, line: &RemovedLine) -> &str {
        let text = match (&self.old_text, &self.old_pieces) {
            (Some(old), _) => old.as_str(),
            (None, Some((pieces, _))) => pieces.as_str(),
            (None, None) => return "",
        };
        text.get(line.start..line.end).unwrap_or("")
    }
}

/// The lines of a whole text, as removed lines (every line of a deleted file's old text).
pub fn all_lines_removed(text: &str) -> Vec<RemovedLine> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
    let mut start = 0usize;
    let mut number = 0u32;
    while start < bytes.len() {
        number += 1;
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |p| start + p);
        let content_end = if end > start && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        out.push(RemovedLine {
            number,
            start,
            end: content_end,
        });
        start = end + 1;
    }
    out
}

/// What a source could not review, so the summary can say so rather than stay silent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Binary files (not reviewed line by line).
    pub binary: usize,
    /// Their paths: listed in every output, and checks about adding a kind of file at all look at them.
    pub binary_paths: Vec<String>,
    /// Submodule pointers and symlinks (no text to review).
    pub non_text: usize,
    /// Their paths, listed in every output.
    pub non_text_paths: Vec<String>,
    /// Files excluded by configuration.
    pub excluded: usize,
    /// Binary files of which only the first part was searched for secrets (they are too large).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partly_searched: Vec<String>,
    /// The printable text of binary files, searched for secrets (not written out).
    #[serde(skip)]
    pub binary_text: Vec<BinaryText>,
}

impl Skipped {
    /// Records a binary file.
    pub fn add_binary(&mut self, path: String) {
        self.binary += 1;
        self.binary_paths.push(path);
    }

    /// Records a binary file and the printable runs found in it.
    pub fn add_binary_text(&mut self, text: BinaryText) {
        if text.truncated {
            self.partly_searched.push(text.path.clone());
        }
        self.add_binary(text.path.clone());
        self.binary_text.push(text);
    }

    /// Records a submodule pointer or symlink.
    pub fn add_non_text(&mut self, path: String) {
        self.non_text += 1;
        self.non_text_paths.push(path);
    }

    /// Keeps only the paths `keep` accepts (configuration excludes).
    /// The counts follow the lists, and what is dropped counts as excluded.
    pub fn retain_paths(&mut self, keep: impl Fn(&str) -> bool) {
        let before = self.binary_paths.len() + self.non_text_paths.len();
        self.binary_paths.retain(|p| keep(p));
        self.non_text_paths.retain(|p| keep(p));
        self.binary_text.retain(|t| keep(&t.path));
        self.partly_searched.retain(|p| keep(p));
        self.excluded += before - self.binary_paths.len() - self.non_text_paths.len();
        self.binary = self.binary_paths.len();
        self.non_text = self.non_text_paths.len();
    }
}

/// The printable runs of a binary file (ASCII, and ASCII in UTF-16), one per line, so that secrets are
/// still searched for in files that are not reviewed as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinaryText {
    /// The file.
    pub path: String,
    /// The runs, one per line.
    pub text: String,
    /// The byte offset in the file where the run on each line starts.
    pub offsets: Vec<usize>,
    /// Whether only the first part of the file was searched.
    pub truncated: bool,
}

/// Everything a source yields: the changed files and what it skipped.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// Files with added or removed lines, and deleted files (files that change nothing are left out).
    pub files: Vec<ChangedFile>,
    /// What could not be reviewed.
    pub skipped: Skipped,
    /// Paths that are not valid UTF-8: the `/`-separated path shown (lossy) → the original bytes, for
    /// outputs that can carry bytes (SARIF URIs, percent-encoded).
    pub raw_paths: std::collections::BTreeMap<String, Vec<u8>>,
    /// The source has no base to compare with (a `scan`): every line counts as already present, so inline
    /// markers work as markers in a base do (they are still listed in [`Suppression`]s).
    pub baseless: bool,
    /// Shell commands an agent proposes (the agent gate's source): judged by the command checks.
    pub commands: Vec<ProposedCommand>,
}

/// What a finding is in: the place its line and columns count from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A changed file: `path`, line and columns in its new text.
    #[default]
    File,
    /// The shell command an agent proposes to run: line and columns in the command's text.
    Command,
}

impl Location {
    /// Whether the finding is in a changed file.
    pub fn is_file(&self) -> bool {
        *self == Location::File
    }
}

/// A shell command an agent proposes to run, and the directory it would run in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposedCommand {
    /// The command line as the agent sent it.
    pub text: String,
    /// The directory the command would run in (the agent's `cwd`).
    pub cwd: std::path::PathBuf,
}

/// One thing the change adds that a reviewer should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Id of the check that found it.
    pub check: String,
    /// Category of that check.
    pub category: Category,
    /// Severity after context rules and configuration.
    pub severity: Severity,
    /// Path relative to the repository root, with `/` (empty for a finding on a proposed command).
    pub path: String,
    /// What the finding is in: a changed file (at `path`), or a shell command an agent proposes.
    #[serde(skip_serializing_if = "Location::is_file")]
    pub location: Location,
    /// Which side of the change it is on: an added line, or a line the change removes (then `line`
    /// counts in the old file).
    pub side: Side,
    /// 1-based line in the new file (the old file for a removed-side finding, or the command's text).
    pub line: u32,
    /// For a finding that covers a region (obfuscator output over ten lines): its last line, after `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// 1-based column (in characters) where the match starts.
    pub column: u32,
    /// 1-based column just past the match (exclusive), on the same line.
    pub end_column: u32,
    /// What was found, and why the severity is what it is.
    pub message: String,
    /// The source line, trimmed, shortened around the match and with any secret masked.
    pub snippet: String,
    /// 0-based character offset of the match within `snippet` (for drawing a marker under it).
    #[serde(skip)]
    pub snippet_column: u32,
    /// Width of the match within `snippet`, in characters.
    #[serde(skip)]
    pub snippet_width: u32,
    /// Stable identity of the finding across line moves: check id, path and the matched text.
    #[serde(skip)]
    pub fingerprint: String,
    /// For an attack chain: the findings it combines, in the order the chain names them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<ChainPart>,
    /// The role of the file the finding is in (production for a proposed command).
    pub role: Role,
    /// The severity before the file's role lowered it (None: the role changed nothing), so a lowered
    /// finding keeps its trace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_lowered_from: Option<Severity>,
    /// Whether the file gains the capability or its old version already had it.
    pub novelty: Novelty,
    /// The severity before the policy lowered it (novelty, roles), when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_severity: Option<Severity>,
}

/// What the message of a finding on decoded text says before the decoded excerpt (in backquotes); the
/// engine's decode stage writes it and [`Finding::decoded`] reads it back.
pub const DECODES_TO: &str = " text decodes to `";

impl Finding {
    /// A finding of `check` with only what every finding has: no path, line, snippet, parts or
    /// fingerprint yet, on the added side, new. Callers fill in what they know
    /// (`Finding { path, line, ..Finding::of(…) }`).
    pub fn of(
        check: impl Into<String>,
        category: Category,
        severity: Severity,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            check: check.into(),
            category,
            severity,
            path: String::new(),
            location: Location::File,
            side: Side::Added,
            line: 0,
            end_line: None,
            column: 0,
            end_column: 0,
            message: message.into(),
            snippet: String::new(),
            snippet_column: 0,
            snippet_width: 0,
            fingerprint: String::new(),
            parts: Vec::new(),
            role: Role::default(),
            role_lowered_from: None,
            novelty: Novelty::default(),
            original_severity: None,
        }
    }

    /// For a finding on encoded text, what it decodes to (as the message quotes it: shortened, secrets
    /// masked).
    pub fn decoded(&self) -> Option<&str> {
        let at = self.message.find(DECODES_TO)?;
        let rest = &self.message[at + DECODES_TO.len()..];
        rest.rfind('`').map(|end| &rest[..end])
    }

    /// The message, followed for an attack chain by its parts (`role (check at path:line)`), for
    /// outputs that show one line per finding (annotations, comments, SARIF, agent replies); a
    /// removed-side finding says its line is in the old version.
    pub fn message_with_parts(&self) -> String {
        if !self.side.is_added() {
            return format!("{} (line {} of the old version)", self.message, self.line);
        }
        if self.parts.is_empty() {
            return self.message.clone();
        }
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|p| format!("{} ({} at {}:{})", p.role, p.check, p.path, p.line))
            .collect();
        format!("{}: {}", self.message, parts.join("; "))
    }
}

/// An inline suppression marker the change adds (in a `scan`, any marker) and the findings it silenced,
/// so that a reviewer sees every one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// Path of the file holding the marker.
    pub path: String,
    /// 1-based line of the marker.
    pub line: u32,
    /// The marker as written (`review-gate: allow`, `gitleaks:allow`, `nosec`, ...).
    pub marker: String,
    /// The reason given after `--` (redacted), if any.
    pub reason: Option<String>,
    /// What it silenced.
    pub silenced: Vec<Silenced>,
}

/// A finding an inline marker silenced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Silenced {
    /// Id of the check.
    pub check: String,
    /// Category of the check.
    pub category: Category,
    /// Severity it would have been reported with.
    pub severity: Severity,
    /// 1-based line of the finding.
    pub line: u32,
    /// 1-based column of the finding.
    #[serde(skip)]
    pub column: u32,
    /// The finding's message (snippets are not kept: they may hold the secret a marker allows).
    pub message: String,
    /// The finding's fingerprint.
    #[serde(skip)]
    pub fingerprint: String,
}

/// One finding an attack chain is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainPart {
    /// What the part is in the chain (`secret read`, `network send`, ...).
    pub role: String,
    /// The check that found it.
    pub check: String,
    /// Path relative to the repository root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
}

/// 64-bit FNV-1a over parts with a separator after each, used for fingerprints: stable across
/// platforms and Rust versions.
pub fn fnv1a64(parts: &[&[u8]]) -> u64 {
    let mut hash = Fnv64::new();
    for part in parts {
        hash.part(part);
    }
    hash.finish()
}

/// The incremental form of [`fnv1a64`], for hashing parts without gathering them first.
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Fnv64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// A hasher at the FNV offset basis.
    pub fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    /// Adds one part and a separator.
    pub fn part(&mut self, bytes: &[u8]) -> &mut Fnv64 {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(Self::PRIME);
        }
        self.0 = (self.0 ^ 0xff).wrapping_mul(Self::PRIME);
        self
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64::new()
    }
}

#[cfg(test)]
mod skipped_tests {
    use super::*;

    #[test]
    fn excluding_skipped_paths_keeps_the_counts_with_the_lists() {
        let mut skipped = Skipped::default();
        skipped.add_binary("vendor/a.bin".into());
        skipped.add_binary("logo.png".into());
        skipped.add_non_text("vendor/link".into());
        skipped.retain_paths(|p| !p.starts_with("vendor/"));
        assert_eq!(
            (skipped.binary, skipped.non_text, skipped.excluded),
            (1, 0, 2)
        );
        assert_eq!(skipped.binary_paths, ["logo.png"]);
        assert!(skipped.non_text_paths.is_empty());
    }
}
