//! A small lexer that marks comments and strings, so that code checks never fire in a comment and string
//! checks only look inside literals. It is deliberately forgiving: a string that is not closed by the end
//! of its line ends there unless the language allows multi-line strings, so one odd quote cannot hide the
//! rest of a file.

use super::embedded::{dockerfile_code_ranges, workflow_run_ranges};
use super::syntax::{syntax, Hash, Heredoc, Interp, PendingHeredoc, Syntax, SHELL};
use crate::model::Language;

mod strings;

use strings::perl_quote_end;

/// What a byte of source is, as far as checks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Executable code.
    Code,
    /// A comment.
    Comment,
    /// A string, character or regex literal (interpolated parts are code).
    String,
    /// Text that is neither code nor a literal of the checked language: a Dockerfile `COPY` line, a
    /// workflow key that is not a `run:` step.
    Inert,
}

/// The non-code spans of a text, sorted and disjoint. Everything not covered is code.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    spans: Vec<(usize, usize, Region)>,
}

impl Regions {
    /// What the byte at `pos` is.
    pub fn at(&self, pos: usize) -> Region {
        let idx = self.spans.partition_point(|&(start, _, _)| start <= pos);
        match idx.checked_sub(1).map(|i| self.spans[i]) {
            Some((_, end, region)) if pos < end => region,
            _ => Region::Code,
        }
    }

    fn push(&mut self, start: usize, end: usize, region: Region) {
        if end > start {
            self.spans.push((start, end, region));
        }
    }
}

/// Lexes `text` as `lang`, returning its comment, string and inert spans. Dockerfiles and workflows
/// are lexed as shell where they run commands and are inert elsewhere.
pub fn lex(lang: Language, text: &str) -> Regions {
    let mut regions = Regions::default();
    match lang {
        Language::Dockerfile => {
            lex_command_pieces(text, dockerfile_code_ranges(text), &mut regions)
        }
        Language::GithubActions => {
            lex_command_pieces(text, workflow_run_ranges(text), &mut regions)
        }
        _ => {
            if let Some(syntax) = syntax(lang) {
                Lexer {
                    bytes: text.as_bytes(),
                    offset: 0,
                    syntax,
                    out: &mut regions,
                }
                .run();
            }
        }
    }
    regions
}

/// Lexes each piece of a partial text (the hunks of a patch) on its own, starting in code.
pub fn lex_pieces(lang: Language, text: &str, pieces: &[std::ops::Range<usize>]) -> Regions {
    let mut regions = Regions::default();
    for piece in pieces {
        let sub = lex(lang, &text[piece.clone()]);
        regions.spans.extend(
            sub.spans
                .into_iter()
                .map(|(s, e, r)| (s + piece.start, e + piece.start, r)),
        );
    }
    regions
}

fn lex_command_pieces(text: &str, code: Vec<(usize, usize)>, regions: &mut Regions) {
    let mut last = 0;
    for (start, end) in code {
        regions.push(last, start, Region::Inert);
        if text[start..end].trim_start().starts_with('[') {
            // The exec form (`RUN ["sh", "-c", "…"]`): the strings are the command, so all of it is code.
            last = end;
            continue;
        }
        Lexer {
            bytes: &text.as_bytes()[start..end],
            offset: start,
            syntax: SHELL,
            out: regions,
        }
        .run();
        last = end;
    }
    regions.push(last, text.len(), Region::Inert);
}

/// Byte ranges of a Dockerfile that hold shell: `RUN`, `CMD`, `ENTRYPOINT` (with continuations and
#[derive(Clone, Copy)]
enum Close {
    Byte(u8),
    Triple(u8),
    /// Rust raw string closing `"` followed by this many `#`.
    RustRaw(usize),
    /// C++ raw string: `)` + delimiter (at this offset and length in the text) + `"`.
    CppRaw(usize, usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    Backslash,
    /// PowerShell escapes with a backtick.
    Backtick,
    None,
    /// `""` stands for one quote (C# verbatim strings).
    Doubled,
}

#[derive(Clone, Copy)]
struct StrKind {
    close: Close,
    escape: Escape,
    multiline: bool,
    interp: Interp,
    /// Python f-strings and C# `$"..."`: `{...}` is code.
    brace_interp: bool,
}

struct Frame {
    closer: u8,
    opener: u8,
    depth: u32,
    resume: StrKind,
}

/// One lexing pass over a text (or a piece of one that starts at `offset` in the whole).
pub(super) struct Lexer<'a, 'r> {
    pub(super) bytes: &'a [u8],
    pub(super) offset: usize,
    pub(super) syntax: Syntax,
    pub(super) out: &'r mut Regions,
}

impl Lexer<'_, '_> {
    pub(super) fn run(&mut self) {
        let bytes = self.bytes;
        let len = bytes.len();
        let mut stack: Vec<Frame> = Vec::new();
        let mut i = 0;
        let mut heredocs: Vec<PendingHeredoc> = Vec::new();
        let interesting = interesting_bytes(&self.syntax);
        // Searches that failed and would fail again from any later start: no regex literal closes
        // before this offset (the end of the line a search ran off), no Perl quote closes with these
        // bytes. Remembered so that a long line of `/` or `q(` is read once, not once per candidate.
        let mut no_regex_before = 0usize;
        let mut unclosed_perl = [false; 256];
        while i < len {
            if stack.is_empty() && heredocs.is_empty() {
                // Most code is identifiers, operators and spaces: jump to the next byte that can start
                // a comment, a string or a here-document.
                while i < len && !interesting[bytes[i] as usize] {
                    i += 1;
                }
                if i >= len {
                    break;
                }
            }
            let b = bytes[i];
            if b == b'\n' && !heredocs.is_empty() && stack.is_empty() {
                i = self.heredoc_bodies(i, std::mem::take(&mut heredocs));
                continue;
            }
            if let Some(frame) = stack.last_mut() {
                if b == frame.opener && frame.opener != frame.closer {
                    frame.depth += 1;
                } else if b == frame.closer {
                    if frame.depth == 0 {
                        let resume = frame.resume;
                        stack.pop();
                        i = self.string(i + 1, i + 1, resume, &mut stack);
                        continue;
                    }
                    frame.depth -= 1;
                }
            }
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            let s = &self.syntax;
            if s.slash && b == b'/' && next == b'/' {
                i = self.mark_to_line_end(i, Region::Comment);
                continue;
            }
            if s.slash && b == b'/' && next == b'*' {
                let end = find(bytes, i + 2, b"*/").map_or(len, |p| p + 2);
                self.mark(i, end, Region::Comment);
                i = end;
                continue;
            }
            if b == b'#' && self.hash_starts_comment(i) {
                i = self.mark_to_line_end(i, Region::Comment);
                continue;
            }
            if s.dash_dash && b == b'-' && next == b'-' {
                if bytes[i + 2..].starts_with(b"[[") {
                    let end = find(bytes, i + 4, b"]]").map_or(len, |p| p + 2);
                    self.mark(i, end, Region::Comment);
                    i = end;
                } else {
                    i = self.mark_to_line_end(i, Region::Comment);
                }
                continue;
            }
            if s.begin_end
                && b == b'='
                && at_line_start(bytes, i)
                && bytes[i..].starts_with(b"=begin")
            {
                let end = find(bytes, i, b"\n=end").map_or(len, |p| p + 5);
                self.mark(i, end, Region::Comment);
                i = end;
                continue;
            }
            if s.rem_comments && matches!(b, b':' | b'r' | b'R') && batch_comment_at(bytes, i) {
                i = self.mark_to_line_end(i, Region::Comment);
                continue;
            }
            if s.angle_hash_comments && b == b'<' && next == b'#' {
                let end = find(bytes, i + 2, b"#>").map_or(len, |p| p + 2);
                self.mark(i, end, Region::Comment);
                i = end;
                continue;
            }
            if s.pod && b == b'=' && at_line_start(bytes, i) && next.is_ascii_alphabetic() {
                let end = find(bytes, i, b"\n=cut").map_or(len, |p| {
                    memchr::memchr(b'\n', &bytes[p + 1..]).map_or(len, |q| p + 1 + q)
                });
                self.mark(i, end, Region::Comment);
                i = end;
                continue;
            }
            if s.heredoc != Heredoc::None && b == b'<' && next == b'<' {
                if let Some((pending, after)) = self.heredoc_opener(i) {
                    heredocs.push(pending);
                    i = after;
                    continue;
                }
            }
            if s.html && b == b'<' && bytes[i..].starts_with(b"<!--") {
                let end = find(bytes, i + 4, b"-->").map_or(len, |p| p + 3);
                self.mark(i, end, Region::Comment);
                i = end;
                continue;
            }
            if s.perl_quotes && (b == b'q') {
                if let Some(end) = perl_quote_end(bytes, i, &mut unclosed_perl) {
                    self.mark(i, end, Region::String);
                    i = end;
                    continue;
                }
            }
            let perl_special_var = s.perl_quotes && i > 0 && bytes[i - 1] == b'$';
            if (b == b'"' || b == b'\'' || b == b'`') && !perl_special_var {
                if let Some((body, kind)) = self.string_start(i) {
                    i = self.string(i, body, kind, &mut stack);
                    continue;
                }
            }
            if s.regex_literal
                && b == b'/'
                && i >= no_regex_before
                && regex_may_start(previous_significant(bytes, i), bytes, i)
            {
                match regex_literal_end(bytes, i) {
                    Ok(end) => {
                        self.mark(i, end, Region::String);
                        i = end;
                        continue;
                    }
                    Err(line_end) => no_regex_before = line_end,
                }
            }
            i += 1;
        }
    }

    pub(super) fn mark(&mut self, start: usize, end: usize, region: Region) {
        self.out
            .push(self.offset + start, self.offset + end, region);
    }

    fn mark_to_line_end(&mut self, i: usize, region: Region) -> usize {
        let end = memchr::memchr(b'\n', &self.bytes[i..]).map_or(self.bytes.len(), |p| i + p);
        self.mark(i, end, region);
        end
    }

    fn hash_starts_comment(&self, i: usize) -> bool {
        let next = self.bytes.get(i + 1).copied().unwrap_or(0);
        match self.syntax.hash {
            Hash::No => false,
            Hash::Anywhere => {
                // Perl's `$#array` (last index) is not a comment.
                if i > 0 && self.bytes[i - 1] == b'$' {
                    return false;
                }
                let php_attribute = next == b'[' && self.syntax.slash;
                let ruby_interpolation = next == b'{' && self.syntax.interp == Interp::HashBrace;
                !(php_attribute || ruby_interpolation)
            }
            Hash::WordStart => {
                i == 0
                    || matches!(
                        self.bytes[i - 1],
                        b' ' | b'\t' | b'\n' | b'\r' | b';' | b'(' | b'|' | b'&'
                    )
            }
        }
    }
}

fn at_line_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || bytes[i - 1] == b'\n'
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    memchr::memmem::find(&haystack[from..], needle).map(|p| p + from)
}

/// The bytes at which something other than plain code can start, for this syntax.
fn interesting_bytes(s: &Syntax) -> [bool; 256] {
    let mut table = [false; 256];
    for b in [b'"', b'\'', b'`'] {
        table[b as usize] = true;
    }
    let mut set = |on: bool, b: u8| {
        if on {
            table[b as usize] = true;
        }
    };
    set(s.slash || s.regex_literal, b'/');
    set(s.hash != Hash::No, b'#');
    set(s.dash_dash, b'-');
    set(s.begin_end || s.pod, b'=');
    set(
        s.html || s.angle_hash_comments || s.heredoc != Heredoc::None,
        b'<',
    );
    set(s.perl_quotes, b'q');
    for b in [b':', b'r', b'R'] {
        set(s.rem_comments, b);
    }
    table
}

/// A batch comment starts at `i`: `::` or `REM` (any case, then a blank or the line end) as the first
/// word of the line, after blanks and an optional `@`.
fn batch_comment_at(bytes: &[u8], i: usize) -> bool {
    let blanks_before = |mut j: usize| {
        while j > 0 && matches!(bytes[j - 1], b' ' | b'\t') {
            j -= 1;
        }
        j
    };
    let mut j = blanks_before(i);
    if j > 0 && bytes[j - 1] == b'@' {
        j = blanks_before(j - 1);
    }
    if !at_line_start(bytes, j) {
        return false;
    }
    let rest = &bytes[i..];
    if rest.starts_with(b"::") {
        return true;
    }
    rest.len() >= 3
        && rest[..3].eq_ignore_ascii_case(b"rem")
        && rest
            .get(3)
            .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The last byte before `i` that is not a space or tab (`\n` at the start of a line).
fn previous_significant(bytes: &[u8], i: usize) -> u8 {
    bytes[..i]
        .iter()
        .rev()
        .find(|&&b| !matches!(b, b' ' | b'\t' | b'\r'))
        .copied()
        .unwrap_or(b'\n')
}

fn regex_may_start(last: u8, bytes: &[u8], i: usize) -> bool {
    let next = bytes.get(i + 1).copied().unwrap_or(b'\n');
    if next == b'/' || next == b'*' || next == b' ' || next == b'=' || next == b'\n' {
        return false;
    }
    if matches!(
        last,
        b'(' | b',' | b'=' | b':' | b'[' | b'!' | b'&' | b'|' | b'?' | b'{' | b'}' | b';' | b'\n'
    ) {
        return true;
    }
    // After keywords such as `return` or `typeof`.
    let before = &bytes[..i];
    let trimmed = before.trim_ascii_end();
    trimmed.ends_with(b"return") || trimmed.ends_with(b"typeof")
}

/// The end of the regex literal starting at `i`, or (when none closes on this line) the offset of the
/// line's end, before which no literal is looked for again: at worst a later one on the same line is
/// lexed as code, which hides nothing from code checks.
fn regex_literal_end(bytes: &[u8], i: usize) -> Result<usize, usize> {
    let mut j = i + 1;
    let mut in_class = false;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 1,
            b'\n' => return Err(j),
            b'[' => in_class = true,
            b']' => in_class = false,
            b'/' if !in_class => {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
                    j += 1;
                }
                return Ok(j);
            }
            _ => {}
        }
        j += 1;
    }
    Err(bytes.len())
}

#[cfg(test)]
#[path = "lexer_tests.rs"]
mod tests;
