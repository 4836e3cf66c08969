//! Redirections and heredocs for the [`Parser`]: operators and their targets, file-descriptor
//! prefixes, redirections after compound commands, and heredoc bodies read at the next newline (with
//! the substitutions of an unquoted one run).

use std::ops::Range;

use super::parser::{parse_in_function, Parser};
use super::unwrap::{self, ShellInput};
use super::{Command, Redirect, Script, MAX_DEPTH, MAX_RELATED};

/// A heredoc whose body starts after the next newline.
pub(super) struct PendingHeredoc {
    /// The command it belongs to, once that command is recorded.
    pub(super) command: Option<usize>,
    /// Its index among that command's redirections.
    pub(super) redirect: usize,
    pub(super) delimiter: Vec<u8>,
    pub(super) strip_tabs: bool,
    /// Unquoted delimiter: the body's `$(…)` and backticks run.
    pub(super) expands: bool,
}

/// Redirection operators, longest first.
const REDIRECT_OPS: [&str; 12] = [
    "&>>", "<<<", "<<-", "&>", "<<", "<&", "<>", ">>", ">&", ">|", "<", ">",
];

impl Parser<'_> {
    /// Redirections after `( … )` or `{ …; }` apply to the commands inside (the nearest ones).
    pub(super) fn compound_redirects(&mut self, script: &mut Script, start: usize) {
        let mut carrier = Command::default();
        let mut stdin_ranges = Vec::new();
        loop {
            self.skip_blanks();
            let fd = self.fd_prefix();
            if fd.is_none()
                && !matches!(self.peek(), Some(b'<' | b'>'))
                && !self.rest().starts_with(b"&>")
            {
                break;
            }
            if self.peek_at(1) == Some(b'(') && fd.is_none() {
                break;
            }
            self.redirect(script, fd, &mut carrier, &mut stdin_ranges);
        }
        if carrier.redirects.is_empty() {
            return;
        }
        let end = script.commands.len();
        for idx in start.max(end.saturating_sub(MAX_RELATED))..end {
            script.commands[idx]
                .redirects
                .extend(carrier.redirects.iter().cloned());
        }
    }

    /// A file descriptor number written right before a redirection operator (`2>`), consumed.
    pub(super) fn fd_prefix(&mut self) -> Option<u32> {
        let rest = self.rest();
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 4 || !matches!(rest.get(digits), Some(b'<' | b'>')) {
            return None;
        }
        let fd = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
        self.pos += digits;
        Some(fd)
    }

    pub(super) fn redirect(
        &mut self,
        script: &mut Script,
        fd: Option<u32>,
        cmd: &mut Command,
        stdin_ranges: &mut Vec<Range<usize>>,
    ) {
        let Some(op) = REDIRECT_OPS
            .iter()
            .copied()
            .find(|op| self.rest().starts_with(op.as_bytes()))
        else {
            self.pos += 1;
            return;
        };
        self.pos += op.len();
        self.skip_blanks();
        if op == "<<" || op == "<<-" {
            let start = self.pos;
            let word = self.word(script);
            let quoted = self.src[start..self.pos]
                .iter()
                .any(|b| matches!(b, b'\'' | b'"' | b'\\'));
            cmd.redirects.push(Redirect {
                fd,
                op,
                target: String::from_utf8_lossy(&word.text).into_owned(),
                body: None,
            });
            self.heredocs.push(PendingHeredoc {
                command: None,
                redirect: cmd.redirects.len() - 1,
                delimiter: word.text,
                strip_tabs: op == "<<-",
                expands: !quoted,
            });
            return;
        }
        let start = script.commands.len();
        let target = if matches!(self.peek(), Some(b'<' | b'>')) && self.peek_at(1) == Some(b'(') {
            self.process_substitution(script).0
        } else {
            self.word(script).into_words().join(" ")
        };
        if matches!(op, "<" | "<<<" | "<>") {
            stdin_ranges.push(start..script.commands.len());
        }
        cmd.redirects.push(Redirect {
            fd,
            op,
            target,
            body: None,
        });
    }

    /// Consumes a newline and reads the bodies of the heredocs started on the line before it.
    pub(super) fn newline(&mut self, script: &mut Script) {
        self.pos += 1;
        for pending in std::mem::take(&mut self.heredocs) {
            let mut body = Vec::new();
            while self.pos < self.src.len() {
                let end =
                    memchr::memchr(b'\n', self.rest()).map_or(self.src.len(), |i| self.pos + i);
                let mut line = &self.src[self.pos..end];
                self.pos = (end + 1).min(self.src.len());
                if pending.strip_tabs {
                    while let [b'\t', tail @ ..] = line {
                        line = tail;
                    }
                }
                let bare = line.strip_suffix(b"\r").unwrap_or(line);
                if bare == pending.delimiter.as_slice() {
                    break;
                }
                body.extend_from_slice(line);
                body.push(b'\n');
            }
            let Some(owner) = pending.command else {
                continue;
            };
            let body = String::from_utf8_lossy(&body).into_owned();
            if pending.expands {
                self.expand_heredoc(script, &body, owner);
            }
            if unwrap::shell_input(&script.commands[owner]) == ShellInput::Stdin {
                parse_in_function(&body, self.depth + 1, script, self.function.clone());
            } else {
                self.heredoc_through_printer(script, owner, &body);
            }
            if let Some(redirect) = script.commands[owner].redirects.get_mut(pending.redirect) {
                redirect.body = Some(body);
            }
        }
    }

    /// Runs the substitutions of an unquoted heredoc's body; their output reaches the owner's input.
    pub(super) fn expand_heredoc(&mut self, script: &mut Script, body: &str, owner: usize) {
        if self.depth + 1 > MAX_DEPTH {
            script.opaque = true;
            return;
        }
        let start = script.commands.len();
        let mut sub = Parser {
            src: body.as_bytes(),
            pos: 0,
            depth: self.depth + 1,
            heredocs: Vec::new(),
            function: self.function.clone(),
        };
        let mut scratch = Vec::new();
        while let Some(b) = sub.peek() {
            match b {
                b'\\' => sub.pos += 2,
                b'$' => sub.dollar(script, &mut scratch, true),
                b'`' => sub.backtick(script, &mut scratch),
                _ => sub.pos += 1,
            }
            scratch.clear();
        }
        let end = script.commands.len();
        let sources: Vec<usize> = (start.max(end.saturating_sub(MAX_RELATED))..end).collect();
        extend_capped(&mut script.commands[owner].stdin_from, &sources);
    }
}

/// Adds `sources` to `list`, keeping at most [`MAX_RELATED`] entries.
pub(super) fn extend_capped(list: &mut Vec<usize>, sources: &[usize]) {
    let room = MAX_RELATED.saturating_sub(list.len());
    let skip = sources.len().saturating_sub(room);
    list.extend_from_slice(&sources[skip..]);
}
