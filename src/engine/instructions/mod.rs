//! The agent instruction files ([`crate::model::instructions`]: `CLAUDE.md`, `AGENTS.md`, rules,
//! skills, commands): on the lines a change adds, hidden text ([`hidden`]: tag characters decoded,
//! zero-width and bidirectional characters, comments that instruct the agent), prompt-injection
//! phrasing ([`phrases`]) and the commands of their shell blocks and prompt lines ([`blocks`]), judged
//! by the command checks and located at their line. One pass over the known text of each such file.

mod blocks;
mod hidden;
mod phrases;

use std::ops::Range;

use crate::checks::{Check, CheckSet};
use crate::model::{
    fnv1a64, instructions::is_instruction_file, AddedLine, ChangedFile, Finding, Language,
    Location, Severity, TextExtent,
};

use blocks::{Block, BlockKind, Fence};

/// Id of the check for hidden text.
pub const HIDDEN_TEXT: &str = "attack.agent-instructions.hidden-text";
/// Id of the check for prompt-injection phrasing.
pub const INJECTION: &str = "attack.agent-instructions.injection";

/// Bytes of a line read for phrases at once, and the overlap of consecutive windows.
const PHRASE_WINDOW: usize = 16 * 1024;
const PHRASE_OVERLAP: usize = 1024;

/// Most bytes of one comment read (an unclosed comment is judged on what it holds so far).
const MAX_COMMENT: usize = 16 * 1024;

/// Command checks that ask (rather than deny) and still matter in a file an agent obeys: the rest
/// (a new package, `git reset --hard`, a line the parser cannot read) are what setup docs say every day,
/// and the agent gate asks about them when the agent runs them.
const ASK_KEPT: [&str; 8] = [
    "command.agent.",
    "command.remote-code.",
    "command.rm.",
    "command.network.",
    "command.chmod.",
    "command.security.",
    "command.git.no-verify",
    "command.git.hooks-disabled",
];

/// The findings on every agent instruction file of `files`.
pub(super) fn review(checks: &CheckSet, files: &[ChangedFile]) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in files {
        if file.added.is_empty()
            || !matches!(file.language, Language::Markdown | Language::Text)
            || !is_instruction_file(&file.path)
        {
            continue;
        }
        Review {
            checks,
            file,
            hidden: checks.get(HIDDEN_TEXT),
            injection: checks.get(INJECTION),
            out: &mut out,
        }
        .run();
    }
    out
}

/// The review of one file.
struct Review<'a> {
    checks: &'a CheckSet,
    file: &'a ChangedFile,
    hidden: Option<&'a Check>,
    injection: Option<&'a Check>,
    out: &'a mut Vec<Finding>,
}

/// A comment being read: its text so far and the first added line it spans.
#[derive(Default)]
struct Comment {
    text: String,
    added: Option<AddedLine>,
}

impl Review<'_> {
    fn run(&mut self) {
        let text = &self.file.text;
        let pieces: Vec<Range<usize>> = match &self.file.extent {
            TextExtent::Whole => std::iter::once(0..text.len()).collect(),
            TextExtent::Pieces(pieces) => pieces.clone(),
        };
        let mut added = self.file.added.iter().peekable();
        for piece in pieces {
            let mut fence: Option<Fence> = None;
            let mut block = Block::default();
            let mut prompts = Block::default();
            let mut comment: Option<Comment> = None;
            let mut offset = piece.start;
            for raw in text[piece.clone()].split('\n') {
                let start = offset;
                offset += raw.len() + 1;
                let line = raw.strip_suffix('\r').unwrap_or(raw);
                while added.peek().is_some_and(|a| a.start < start) {
                    added.next();
                }
                let this = added.peek().filter(|a| a.start == start).map(|a| **a);
                if let Some(at) = this {
                    self.invisible(at, line);
                }
                if let Some(open) = &fence {
                    if blocks::closes(open, line) {
                        self.commands(&block);
                        block = Block::default();
                        fence = None;
                    } else {
                        block.push(open.kind, line, this);
                    }
                    continue;
                }
                let visible = self.comments(line, this, &mut comment);
                let Some(visible) = visible else { continue };
                if let Some(open) = blocks::opens(visible) {
                    self.commands(&prompts);
                    prompts = Block::default();
                    fence = Some(open);
                    continue;
                }
                if blocks::prompt_command(visible).is_some() {
                    prompts.push(BlockKind::Session, visible, this);
                    continue;
                }
                if let Some(at) = this {
                    self.phrases(at, line, visible);
                }
            }
            self.commands(&block);
            self.commands(&prompts);
            if let Some(open) = comment.take() {
                self.comment(open);
            }
        }
    }

    /// Reads the comments of `line` (continuing `open`), judging each one that closes; returns the
    /// text outside comments when the line has any worth reading, else None.
    fn comments<'l>(
        &mut self,
        line: &'l str,
        at: Option<AddedLine>,
        open: &mut Option<Comment>,
    ) -> Option<&'l str> {
        let mut rest = line;
        if let Some(current) = open {
            current.added = current.added.or(at);
            match rest.find("-->") {
                Some(end) => {
                    push_bounded(&mut current.text, &rest[..end]);
                    rest = &rest[end + 3..];
                    if let Some(done) = open.take() {
                        self.comment(done);
                    }
                }
                None => {
                    push_bounded(&mut current.text, rest);
                    push_bounded(&mut current.text, "\n");
                    return None;
                }
            }
        }
        if let Some(body) = hidden::reference_comment(rest) {
            self.comment(Comment {
                text: rest[body..].to_string(),
                added: at,
            });
            return None;
        }
        // The visible text before the first comment that opens on the line (the rest of the line,
        // between and after comments, is short and rarely prose).
        let mut visible = rest;
        let mut first = true;
        while let Some(begin) = rest.find("<!--") {
            if first {
                visible = &rest[..begin];
                first = false;
            }
            let body = &rest[begin + 4..];
            match body.find("-->") {
                Some(end) => {
                    self.comment(Comment {
                        text: body[..end].to_string(),
                        added: at,
                    });
                    rest = &body[end + 3..];
                }
                None => {
                    let mut text = String::new();
                    push_bounded(&mut text, body);
                    text.push('\n');
                    *open = Some(Comment { text, added: at });
                    break;
                }
            }
        }
        Some(visible)
    }

    /// Judges a whole comment; reported at its first added line.
    fn comment(&mut self, comment: Comment) {
        let (Some(check), Some(at)) = (self.hidden, comment.added) else {
            return;
        };
        let Some((severity, what)) = hidden::judge_comment(&comment.text) else {
            return;
        };
        let line = self.file.line_text(&at);
        let message = format!(
            "{}: a comment a reader does not see {what}: \"{}\"",
            check.meta.message,
            hidden::shorten(&comment.text, 160)
        );
        self.push(check, at, line, (0, line.len()), severity, message);
    }

    /// Reports the invisible characters of an added line; the secrets tag characters spell are
    /// secret findings of their own.
    fn invisible(&mut self, at: AddedLine, line: &str) {
        let Some(check) = self.hidden else { return };
        let Some(found) = hidden::invisible(line, at.start == 0) else {
            return;
        };
        let mut shown = found.decoded.clone();
        if !found.decoded.trim().is_empty() {
            let secrets = crate::engine::commands::secrets(self.checks, &found.decoded);
            for mut secret in secrets {
                let value: String = found
                    .decoded
                    .lines()
                    .nth(secret.line as usize - 1)
                    .unwrap_or("")
                    .chars()
                    .skip(secret.column as usize - 1)
                    .take((secret.end_column - secret.column) as usize)
                    .collect();
                if value.len() >= 4 {
                    shown = shown.replace(&value, &crate::engine::snippet::mask_secret(&value));
                }
                secret.message = format!("{} (hidden in Unicode tag characters)", secret.message);
                self.relocate(secret, at, line, (found.first, found.last));
            }
        }
        let message = format!("{}: {}", check.meta.message, found.describe(&shown));
        self.push(
            check,
            at,
            line,
            (found.first, found.last),
            Severity::Error,
            message,
        );
    }

    /// Reports prompt-injection phrasing in the visible text of an added line.
    fn phrases(&mut self, at: AddedLine, line: &str, visible: &str) {
        let Some(check) = self.injection else { return };
        // A very long line is read in overlapping windows, so the work stays linear in its length.
        let mut start = 0;
        let found = loop {
            let mut end = (start + PHRASE_WINDOW).min(visible.len());
            while !visible.is_char_boundary(end) {
                end += 1;
            }
            if let Some(mut phrase) = phrases::scan(&visible[start..end], false) {
                phrase.start += start;
                phrase.end += start;
                break Some(phrase);
            }
            if end == visible.len() {
                break None;
            }
            start = end - PHRASE_OVERLAP;
            while !visible.is_char_boundary(start) {
                start += 1;
            }
        };
        let Some(phrase) = found else { return };
        let message = format!(
            "{}: {}: \"{}\"",
            check.meta.message,
            phrase.what,
            hidden::shorten(&visible[phrase.start..phrase.end], 160)
        );
        // `visible` is a slice of `line`.
        let base = visible.as_ptr() as usize - line.as_ptr() as usize;
        self.push(
            check,
            at,
            line,
            (base + phrase.start, base + phrase.end),
            phrase.severity,
            message,
        );
    }

    /// Judges the commands of a block: each finding at the line of the command it comes from (or, for
    /// one only the block as a whole makes, the block's first added command).
    fn commands(&mut self, block: &Block) {
        if !block.has_added() {
            return;
        }
        for (script, range) in block.scripts() {
            let commands = &block.commands[range];
            let whole = crate::engine::commands::judge_script(self.checks, &script);
            if whole.is_empty() {
                continue;
            }
            let mut reported: Vec<String> = Vec::new();
            for command in commands {
                let Some(at) = command.added else { continue };
                let own = if commands.len() == 1 {
                    whole.clone()
                } else {
                    crate::engine::commands::judge_script(self.checks, &command.text)
                };
                for finding in own {
                    if kept(&finding) && !reported.contains(&finding.check) {
                        reported.push(finding.check.clone());
                        self.command(finding, at);
                    }
                }
            }
            // What only the block as a whole shows: a download run by a later command. (Other checks
            // would see a variable set by one example used by the next, which no command does.)
            let first = commands.iter().find_map(|c| c.added);
            for finding in whole {
                let across = finding.check.starts_with("command.remote-code.");
                if let Some(at) =
                    first.filter(|_| across && kept(&finding) && !reported.contains(&finding.check))
                {
                    reported.push(finding.check.clone());
                    self.command(finding, at);
                }
            }
        }
    }

    /// A command finding moved to the file's line.
    fn command(&mut self, mut finding: Finding, at: AddedLine) {
        finding.message = format!(
            "{} (a command in an agent instruction file)",
            finding.message
        );
        let line = self.file.line_text(&at);
        self.relocate(finding, at, line, (0, line.len()));
    }

    /// Moves a finding made on other text (a command, decoded characters) to `at`, marking `span`.
    fn relocate(&mut self, mut finding: Finding, at: AddedLine, line: &str, span: (usize, usize)) {
        let snippet = crate::engine::snippet::render(line, &[], span.0, span.1);
        finding.path = self.file.path.clone();
        finding.location = Location::File;
        finding.line = at.number;
        finding.column = line[..span.0].chars().count() as u32 + 1;
        finding.end_column = finding.column + line[span.0..span.1].chars().count().max(1) as u32;
        finding.fingerprint = fingerprint(&finding.check, &self.file.path, &finding.message);
        finding.snippet = snippet.text;
        finding.snippet_column = snippet.column as u32;
        finding.snippet_width = snippet.width as u32;
        self.out.push(finding);
    }

    /// A finding of `check` at `at`, marking `span` of `line`.
    fn push(
        &mut self,
        check: &Check,
        at: AddedLine,
        line: &str,
        span: (usize, usize),
        severity: Severity,
        message: String,
    ) {
        let finding = Finding::of(
            check.meta.id.to_string(),
            check.meta.category,
            severity,
            message,
        );
        self.relocate(finding, at, line, span);
    }
}

/// Whether a command finding matters in a file an agent obeys: every one that denies, and the asks of
/// [`ASK_KEPT`].
fn kept(finding: &Finding) -> bool {
    finding.severity == Severity::Error
        || (finding.severity == Severity::Warning
            && ASK_KEPT.iter().any(|p| finding.check.starts_with(p)))
}

fn fingerprint(check: &str, path: &str, message: &str) -> String {
    format!(
        "{:016x}",
        fnv1a64(&[check.as_bytes(), path.as_bytes(), message.as_bytes()])
    )
}

/// Appends `text` to `to` up to [`MAX_COMMENT`] bytes (cut at a character boundary).
fn push_bounded(to: &mut String, text: &str) {
    let room = MAX_COMMENT.saturating_sub(to.len());
    let mut cut = text.len().min(room);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    to.push_str(&text[..cut]);
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
