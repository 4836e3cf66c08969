//! Here-documents: `<<EOF` bodies are strings, unless a shell feeds them to an interpreter
//! (`bash <<EOF`), when they are code.

use super::lexer::{Lexer, Region};
use super::syntax::{Heredoc, PendingHeredoc};

impl Lexer<'_, '_> {
    /// Recognizes a here-document opener at `i` (`<<`), returning it and where lexing continues.
    pub(super) fn heredoc_opener(&self, i: usize) -> Option<(PendingHeredoc, usize)> {
        let bytes = self.bytes;
        let style = self.syntax.heredoc;
        let mut j = i + 2;
        if style == Heredoc::Php {
            if bytes.get(j) != Some(&b'<') {
                return None;
            }
            j += 1;
            while bytes.get(j) == Some(&b' ') {
                j += 1;
            }
        } else if bytes.get(j) == Some(&b'<') {
            return None; // a here-string (`<<<`)
        }
        let mut indented = style == Heredoc::Php;
        if matches!(bytes.get(j), Some(b'-') | Some(b'~')) && style != Heredoc::Php {
            indented = true;
            j += 1;
        }
        if style == Heredoc::Shell {
            while bytes.get(j) == Some(&b' ') {
                j += 1;
            }
        }
        let quote = match bytes.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                j += 1;
                Some(q)
            }
            _ => None,
        };
        let tag_start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        let tag_len = j - tag_start;
        if tag_len == 0 || bytes[tag_start].is_ascii_digit() {
            return None;
        }
        if quote.is_none()
            && !indented
            && matches!(style, Heredoc::Ruby | Heredoc::Perl)
            && !bytes[tag_start].is_ascii_uppercase()
        {
            return None; // `a << b` is a shift or an append
        }
        if let Some(q) = quote {
            if bytes.get(j) != Some(&q) {
                return None;
            }
            j += 1;
        }
        let code = style == Heredoc::Shell && self.feeds_interpreter(i);
        Some((
            PendingHeredoc {
                tag_start,
                tag_len,
                indented,
                code,
            },
            j,
        ))
    }

    /// Whether the shell command before `<<` at `i` is an interpreter, so the here-document is a script.
    pub(super) fn feeds_interpreter(&self, i: usize) -> bool {
        let line_start = memchr::memrchr(b'\n', &self.bytes[..i]).map_or(0, |p| p + 1);
        let before = String::from_utf8_lossy(&self.bytes[line_start..i]);
        let segment = before.rsplit(['|', ';', '&', '(']).next().unwrap_or("");
        let command = segment
            .split_whitespace()
            .find(|w| {
                !matches!(*w, "sudo" | "env" | "exec" | "command" | "time" | "nohup")
                    && !w.contains('=')
                    && !w.starts_with('-')
            })
            .unwrap_or("");
        let name = command.rsplit('/').next().unwrap_or(command);
        let name = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        matches!(
            name,
            "sh" | "bash"
                | "zsh"
                | "dash"
                | "ksh"
                | "ash"
                | "fish"
                | "python"
                | "node"
                | "ruby"
                | "perl"
                | "php"
                | "eval"
                | "source"
                | "."
                | "ssh"
                | "pwsh"
                | "osascript"
                | "lua"
                | "deno"
                | "bun"
        )
    }

    /// Marks the bodies of here-documents opened on the line ending at `newline`; returns where the last
    /// body's terminator line ends.
    pub(super) fn heredoc_bodies(&mut self, newline: usize, pending: Vec<PendingHeredoc>) -> usize {
        let bytes = self.bytes;
        let mut pos = newline + 1;
        let mut last_resume = newline + 1;
        for doc in pending {
            let tag = &bytes[doc.tag_start..doc.tag_start + doc.tag_len];
            let body_start = pos;
            let mut end_of_body = bytes.len();
            let mut resume = bytes.len();
            while pos < bytes.len() {
                let line_end =
                    memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |p| pos + p);
                let line = &bytes[pos..line_end];
                let candidate = if doc.indented {
                    line.trim_ascii_start()
                } else {
                    line
                };
                let after = candidate.strip_prefix(tag);
                if after.is_some_and(|rest| {
                    rest.first()
                        .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
                }) {
                    end_of_body = pos;
                    resume = line_end;
                    pos = (line_end + 1).min(bytes.len());
                    break;
                }
                pos = line_end + 1;
            }
            if !doc.code {
                self.mark(body_start, end_of_body.max(body_start), Region::String);
            } else {
                let sub = &bytes[body_start..end_of_body.max(body_start)];
                let offset = self.offset + body_start;
                Lexer {
                    bytes: sub,
                    offset,
                    syntax: self.syntax,
                    out: self.out,
                }
                .run();
            }
            if resume == bytes.len() {
                return bytes.len();
            }
            last_resume = resume;
        }
        last_resume
    }
}
