//! A small lexer that marks comments and strings, so that code checks never fire in a comment and string
//! checks only look inside literals. It is deliberately forgiving: a string that is not closed by the end
//! of its line ends there unless the language allows multi-line strings, so one odd quote cannot hide the
//! rest of a file.

use super::Language;

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

    /// Whether any byte in `start..end` is a comment (used to find suppression markers).
    pub fn comment_within(&self, start: usize, end: usize) -> bool {
        let idx = self
            .spans
            .partition_point(|&(_, span_end, _)| span_end <= start);
        self.spans[idx..]
            .iter()
            .take_while(|&&(span_start, _, _)| span_start < end)
            .any(|&(_, _, region)| region == Region::Comment)
    }

    fn push(&mut self, start: usize, end: usize, region: Region) {
        if end > start {
            self.spans.push((start, end, region));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hash {
    No,
    Anywhere,
    WordStart,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Single {
    /// `'...'` is a string like `"..."` (with backslash escapes).
    Str,
    /// `'...'` is a raw string without escapes that may span lines (shells).
    Raw,
    /// `'x'` is a character literal; a lone `'` is code (Rust lifetimes, labels).
    Char,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backtick {
    /// Backticks are code (command substitution in shells and Ruby, identifiers in Kotlin).
    Code,
    /// A template literal with `${...}` interpolation (JavaScript).
    Template,
    /// A raw multi-line string (Go).
    Raw,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Interp {
    None,
    /// `${...}` (Kotlin, Groovy, Dart, shells).
    DollarBrace,
    /// `#{...}` (Ruby).
    HashBrace,
    /// `$(...)`, `${...}`, `$NAME` and backticks (shells, Perl, PHP).
    Shell,
    /// `\(...)` (Swift).
    BackslashParen,
    /// `${...}` and `$NAME`, but backticks stay literal (PHP, Perl).
    Dollar,
    /// `$(...)`, `${...}` and `$scope:NAME` (PowerShell).
    PowerShell,
}

#[derive(Clone, Copy)]
struct Syntax {
    slash: bool,
    hash: Hash,
    dash_dash: bool,
    triple: bool,
    single: Single,
    backtick: Backtick,
    multiline: bool,
    interp: Interp,
    prefixes: bool,
    regex_literal: bool,
    begin_end: bool,
    html: bool,
    heredoc: Heredoc,
    /// PowerShell `<# … #>` block comments.
    angle_hash_comments: bool,
    /// Perl POD: `=pod`, `=head1`, … at the start of a line, up to `=cut`.
    pod: bool,
}

/// Which here-document syntax a language has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Heredoc {
    None,
    /// `<<TAG`, `<<-TAG`, `<<'TAG'`; the body is code when fed to an interpreter (`bash <<EOF`).
    Shell,
    /// `<<~TAG`, `<<-TAG`, `<<TAG` (upper case), quoted tags.
    Ruby,
    /// `<<<TAG`, `<<<"TAG"`, `<<<'TAG'`.
    Php,
    /// `<<"TAG"`, `<<'TAG'`, `<<~TAG`, `<<TAG` (upper case).
    Perl,
}

/// A here-document whose body starts on the next line.
struct PendingHeredoc {
    tag_start: usize,
    tag_len: usize,
    indented: bool,
    code: bool,
}

const PLAIN: Syntax = Syntax {
    slash: false,
    hash: Hash::No,
    dash_dash: false,
    triple: false,
    single: Single::Str,
    backtick: Backtick::Code,
    multiline: false,
    interp: Interp::None,
    prefixes: false,
    regex_literal: false,
    begin_end: false,
    html: false,
    heredoc: Heredoc::None,
    angle_hash_comments: false,
    pod: false,
};

const C_LIKE: Syntax = Syntax {
    slash: true,
    single: Single::Char,
    ..PLAIN
};
const SHELL: Syntax = Syntax {
    hash: Hash::WordStart,
    single: Single::Raw,
    multiline: true,
    interp: Interp::Shell,
    heredoc: Heredoc::Shell,
    ..PLAIN
};

fn syntax(lang: Language) -> Option<Syntax> {
    use Language::*;
    Some(match lang {
        JavaScript | TypeScript => Syntax {
            slash: true,
            backtick: Backtick::Template,
            regex_literal: true,
            ..PLAIN
        },
        Go => Syntax {
            backtick: Backtick::Raw,
            ..C_LIKE
        },
        Rust | Cpp | CSharp => Syntax {
            prefixes: true,
            multiline: lang == Rust,
            ..C_LIKE
        },
        Swift => Syntax {
            interp: Interp::BackslashParen,
            triple: true,
            ..C_LIKE
        },
        C | Java | Scala => C_LIKE,
        Kotlin => Syntax {
            interp: Interp::DollarBrace,
            triple: true,
            ..C_LIKE
        },
        Groovy => Syntax {
            interp: Interp::DollarBrace,
            triple: true,
            single: Single::Str,
            ..C_LIKE
        },
        Python => Syntax {
            hash: Hash::Anywhere,
            triple: true,
            prefixes: true,
            ..PLAIN
        },
        Ruby => Syntax {
            hash: Hash::Anywhere,
            multiline: true,
            interp: Interp::HashBrace,
            begin_end: true,
            heredoc: Heredoc::Ruby,
            ..PLAIN
        },
        Php => Syntax {
            slash: true,
            hash: Hash::Anywhere,
            multiline: true,
            interp: Interp::Dollar,
            heredoc: Heredoc::Php,
            ..PLAIN
        },
        Perl => Syntax {
            hash: Hash::Anywhere,
            multiline: true,
            interp: Interp::Dollar,
            heredoc: Heredoc::Perl,
            pod: true,
            ..PLAIN
        },
        Shell | Makefile | Dockerfile | GithubActions => SHELL,
        PowerShell => Syntax {
            hash: Hash::WordStart,
            multiline: true,
            angle_hash_comments: true,
            single: Single::Raw,
            interp: Interp::PowerShell,
            ..PLAIN
        },
        Lua => Syntax {
            dash_dash: true,
            ..PLAIN
        },
        Yaml | Toml => Syntax {
            hash: Hash::WordStart,
            ..PLAIN
        },
        Xml | Html | Markdown => Syntax {
            html: true,
            single: Single::Raw,
            ..PLAIN
        },
        Json | Text => return None,
    })
}

/// Whether review-gate can tell comments and strings from code in this language.
pub fn has_syntax(lang: Language) -> bool {
    syntax(lang).is_some()
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
/// heredocs), after the instruction keyword.
fn dockerfile_code_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut continuing = false;
    let mut heredoc: Option<String> = None;
    for (start, line) in line_spans(text) {
        let end = start + line.len();
        let trimmed = line.trim_end_matches('\r');
        if let Some(tag) = &heredoc {
            push_range(&mut ranges, start, end);
            if trimmed.trim() == tag {
                heredoc = None;
            }
            continue;
        }
        if continuing {
            push_range(&mut ranges, start, end);
            continuing = trimmed.ends_with('\\') || trimmed.trim_start().starts_with('#');
            continue;
        }
        let body = trimmed.trim_start();
        let upper: String = body
            .chars()
            .take(12)
            .collect::<String>()
            .to_ascii_uppercase();
        let keyword = [
            "ONBUILD RUN ",
            "RUN ",
            "CMD ",
            "ENTRYPOINT ",
            "RUN\t",
            "CMD\t",
        ]
        .iter()
        .find(|k| upper.starts_with(*k));
        if let Some(keyword) = keyword {
            let code_start = start + (line.len() - body.len()) + keyword.len();
            push_range(&mut ranges, code_start, end);
            continuing = trimmed.ends_with('\\');
            if let Some(pos) = body.find("<<") {
                let tag: String = body[pos + 2..]
                    .trim_start_matches('-')
                    .trim_matches(|c| c == '"' || c == '\'')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !tag.is_empty() {
                    heredoc = Some(tag);
                }
            }
        }
    }
    ranges
}

/// Byte ranges of a workflow that hold `run:` scripts: inline values and block scalars.
fn workflow_run_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut block_indent: Option<usize> = None;
    for (start, line) in line_spans(text) {
        let end = start + line.len();
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if let Some(parent) = block_indent {
            if body.trim().is_empty() || indent > parent {
                push_range(&mut ranges, start, end);
                continue;
            }
            block_indent = None;
        }
        let after_dash = body.strip_prefix("- ").map(str::trim_start).unwrap_or(body);
        if let Some(value) = after_dash.strip_prefix("run:") {
            let value_trimmed = value.trim();
            if value_trimmed.starts_with('|') || value_trimmed.starts_with('>') {
                block_indent = Some(indent);
            } else if !value_trimmed.is_empty() {
                let value_start = end - value.len();
                push_range(&mut ranges, value_start, end);
            } else {
                block_indent = Some(indent);
            }
        }
    }
    ranges
}

fn push_range(ranges: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    match ranges.last_mut() {
        Some(last) if last.1 + 1 >= start => last.1 = end,
        _ => ranges.push((start, end)),
    }
}

/// Lines of `text` with their start offsets, without the `\n`.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line)
    })
}

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

struct Lexer<'a, 'r> {
    bytes: &'a [u8],
    offset: usize,
    syntax: Syntax,
    out: &'r mut Regions,
}

impl Lexer<'_, '_> {
    fn run(&mut self) {
        let bytes = self.bytes;
        let len = bytes.len();
        let mut stack: Vec<Frame> = Vec::new();
        let mut i = 0;
        let mut last_significant: u8 = b'\n';
        let mut heredocs: Vec<PendingHeredoc> = Vec::new();
        while i < len {
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
            if b == b'"' || b == b'\'' || b == b'`' {
                if let Some((body, kind)) = self.string_start(i) {
                    i = self.string(i, body, kind, &mut stack);
                    last_significant = b'"';
                    continue;
                }
            }
            if s.regex_literal && b == b'/' && regex_may_start(last_significant, bytes, i) {
                if let Some(end) = regex_literal_end(bytes, i) {
                    self.mark(i, end, Region::String);
                    i = end;
                    last_significant = b'"';
                    continue;
                }
            }
            if !b.is_ascii_whitespace() {
                last_significant = b;
            } else if b == b'\n' {
                last_significant = b'\n';
            }
            i += 1;
        }
    }

    /// Recognizes a here-document opener at `i` (`<<`), returning it and where lexing continues.
    fn heredoc_opener(&self, i: usize) -> Option<(PendingHeredoc, usize)> {
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
        if quote.is_none() && !indented && matches!(style, Heredoc::Ruby | Heredoc::Perl) && !bytes[tag_start].is_ascii_uppercase() {
            return None; // `a << b` is a shift or an append
        }
        if let Some(q) = quote {
            if bytes.get(j) != Some(&q) {
                return None;
            }
            j += 1;
        }
        let code = style == Heredoc::Shell && self.feeds_interpreter(i);
        Some((PendingHeredoc { tag_start, tag_len, indented, code }, j))
    }

    /// Whether the shell command before `<<` at `i` is an interpreter, so the here-document is a script.
    fn feeds_interpreter(&self, i: usize) -> bool {
        let line_start = memchr::memrchr(b'\n', &self.bytes[..i]).map_or(0, |p| p + 1);
        let before = String::from_utf8_lossy(&self.bytes[line_start..i]);
        let segment = before.rsplit(['|', ';', '&', '(']).next().unwrap_or("");
        let command = segment
            .split_whitespace()
            .find(|w| !matches!(*w, "sudo" | "env" | "exec" | "command" | "time" | "nohup") && !w.contains('=') && !w.starts_with('-'))
            .unwrap_or("");
        let name = command.rsplit('/').next().unwrap_or(command);
        let name = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        matches!(
            name,
            "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "fish" | "python" | "node" | "ruby" | "perl" | "php" | "eval" | "source" | "." | "ssh" | "pwsh" | "osascript" | "lua" | "deno" | "bun"
        )
    }

    /// Marks the bodies of here-documents opened on the line ending at `newline`; returns where the last
    /// body's terminator line ends.
    fn heredoc_bodies(&mut self, newline: usize, pending: Vec<PendingHeredoc>) -> usize {
        let bytes = self.bytes;
        let mut pos = newline + 1;
        let mut last_resume = newline + 1;
        for doc in pending {
            let tag = &bytes[doc.tag_start..doc.tag_start + doc.tag_len];
            let body_start = pos;
            let mut end_of_body = bytes.len();
            let mut resume = bytes.len();
            while pos < bytes.len() {
                let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |p| pos + p);
                let line = &bytes[pos..line_end];
                let candidate = if doc.indented { line.trim_ascii_start() } else { line };
                let after = candidate.strip_prefix(tag);
                if after.is_some_and(|rest| rest.first().is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')) {
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
                Lexer { bytes: sub, offset, syntax: self.syntax, out: self.out }.run();
            }
            if resume == bytes.len() {
                return bytes.len();
            }
            last_resume = resume;
        }
        last_resume
    }

    fn mark(&mut self, start: usize, end: usize, region: Region) {
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

    /// Decides whether a quote at `i` opens a literal, and which; returns where its body starts.
    fn string_start(&self, i: usize) -> Option<(usize, StrKind)> {
        let bytes = self.bytes;
        let s = self.syntax;
        let q = bytes[i];
        let plain = StrKind {
            close: Close::Byte(q),
            escape: Escape::Backslash,
            multiline: s.multiline,
            interp: Interp::None,
            brace_interp: false,
        };
        let prefix = prefix_before(bytes, i);
        if s.triple && q != b'`' && bytes[i..].starts_with(&[q, q, q]) {
            let raw = prefix.contains(&b'r') || prefix.contains(&b'R');
            let f = prefix.contains(&b'f') || prefix.contains(&b'F');
            return Some((
                i + 3,
                StrKind {
                    close: Close::Triple(q),
                    escape: if raw { Escape::None } else { Escape::Backslash },
                    multiline: true,
                    interp: s.interp,
                    brace_interp: f,
                },
            ));
        }
        match q {
            b'`' => match s.backtick {
                Backtick::Code => None,
                Backtick::Template => Some((
                    i + 1,
                    StrKind {
                        multiline: true,
                        interp: Interp::DollarBrace,
                        ..plain
                    },
                )),
                Backtick::Raw => Some((
                    i + 1,
                    StrKind {
                        multiline: true,
                        escape: Escape::None,
                        ..plain
                    },
                )),
            },
            b'\'' => match s.single {
                Single::Raw => Some((
                    i + 1,
                    StrKind {
                        escape: Escape::None,
                        multiline: true,
                        ..plain
                    },
                )),
                Single::Str => {
                    let raw = s.prefixes && (prefix.contains(&b'r') || prefix.contains(&b'R'));
                    let f = s.prefixes && (prefix.contains(&b'f') || prefix.contains(&b'F'));
                    let escape = if raw { Escape::None } else { Escape::Backslash };
                    Some((
                        i + 1,
                        StrKind {
                            escape,
                            brace_interp: f,
                            ..plain
                        },
                    ))
                }
                Single::Char => {
                    let next = bytes.get(i + 1).copied()?;
                    if next == b'\\' {
                        return Some((
                            i + 1,
                            StrKind {
                                multiline: false,
                                ..plain
                            },
                        ));
                    }
                    let char_len = utf8_len(next);
                    (bytes.get(i + 1 + char_len) == Some(&b'\'')).then_some((
                        i + 1,
                        StrKind {
                            multiline: false,
                            ..plain
                        },
                    ))
                }
            },
            _ => {
                if s.prefixes {
                    if let Some(kind) = self.prefixed_double(i, prefix, plain) {
                        return Some(kind);
                    }
                }
                Some((
                    i + 1,
                    StrKind {
                        interp: s.interp,
                        ..plain
                    },
                ))
            }
        }
    }

    /// Rust `r#"…"#`, C# `@"…"`/`$"…"`, C++ `R"d(…)d"`, Python `r"…"`/`f"…"`.
    fn prefixed_double(&self, i: usize, prefix: &[u8], plain: StrKind) -> Option<(usize, StrKind)> {
        let bytes = self.bytes;
        let hashes = bytes[..i].iter().rev().take_while(|&&b| b == b'#').count();
        let before_hashes = &bytes[..i - hashes];
        let rust_prefix = prefix_before(before_hashes, before_hashes.len());
        if rust_prefix.ends_with(b"r")
            && (rust_prefix.len() == 1 || rust_prefix == b"br" || rust_prefix == b"cr")
        {
            return Some((
                i + 1,
                StrKind {
                    close: Close::RustRaw(hashes),
                    escape: Escape::None,
                    multiline: true,
                    ..plain
                },
            ));
        }
        if prefix.ends_with(b"R") && !self.syntax.hash.eq(&Hash::Anywhere) {
            let open = memchr::memchr(b'(', &bytes[i + 1..(i + 18).min(bytes.len())])?;
            return Some((
                i + 2 + open,
                StrKind {
                    close: Close::CppRaw(i + 1, open),
                    escape: Escape::None,
                    multiline: true,
                    ..plain
                },
            ));
        }
        let verbatim = prefix.contains(&b'@');
        let dollar = prefix.contains(&b'$');
        let python_raw = self.syntax.hash == Hash::Anywhere
            && (prefix.contains(&b'r') || prefix.contains(&b'R'));
        let python_f = self.syntax.hash == Hash::Anywhere
            && (prefix.contains(&b'f') || prefix.contains(&b'F'));
        if verbatim || dollar || python_raw || python_f {
            let escape = if verbatim {
                Escape::Doubled
            } else if python_raw {
                Escape::None
            } else {
                Escape::Backslash
            };
            return Some((
                i + 1,
                StrKind {
                    escape,
                    multiline: verbatim,
                    brace_interp: dollar || python_f,
                    ..plain
                },
            ));
        }
        None
    }

    /// Lexes a string whose span starts at `span_start` and whose body starts at `body`; returns where
    /// lexing continues (after the string, or inside an interpolation, with a frame pushed).
    fn string(
        &mut self,
        mut span_start: usize,
        body: usize,
        kind: StrKind,
        stack: &mut Vec<Frame>,
    ) -> usize {
        let bytes = self.bytes;
        let len = bytes.len();
        let mut i = body;
        while i < len {
            let b = bytes[i];
            if kind.interp == Interp::BackslashParen && b == b'\\' && bytes.get(i + 1) == Some(&b'(') {
                self.mark(span_start, i, Region::String);
                stack.push(Frame { closer: b')', opener: b'(', depth: 0, resume: kind });
                return i + 2;
            }
            if kind.escape == Escape::Backslash && b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'\n' && !kind.multiline {
                self.mark(span_start, i, Region::String);
                return i;
            }
            if let Some(end) = self.closes_at(i, kind) {
                self.mark(span_start, end, Region::String);
                return end;
            }
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            let frame = match kind.interp {
                Interp::DollarBrace | Interp::Shell | Interp::Dollar | Interp::PowerShell if b == b'$' && next == b'{' => {
                    Some((2, b'{', b'}'))
                }
                Interp::Shell | Interp::PowerShell if b == b'$' && next == b'(' => Some((2, b'(', b')')),
                Interp::Shell if b == b'`' => Some((1, b'`', b'`')),
                Interp::HashBrace if b == b'#' && next == b'{' => Some((2, b'{', b'}')),
                _ if kind.brace_interp && b == b'{' && next != b'{' => Some((1, b'{', b'}')),
                _ => None,
            };
            if let Some((skip, opener, closer)) = frame {
                self.mark(span_start, i, Region::String);
                stack.push(Frame {
                    closer,
                    opener,
                    depth: 0,
                    resume: kind,
                });
                return i + skip;
            }
            if matches!(kind.interp, Interp::Shell | Interp::Dollar | Interp::PowerShell)
                && b == b'$'
                && (next.is_ascii_alphabetic() || next == b'_')
            {
                // `$NAME` inside a string is a variable read: code.
                self.mark(span_start, i, Region::String);
                let mut j = i + 1;
                let scoped = kind.interp == Interp::PowerShell;
                while j < len && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || (scoped && bytes[j] == b':')) {
                    j += 1;
                }
                span_start = j;
                i = j;
                continue;
            }
            if kind.brace_interp && b == b'{' && next == b'{' {
                i += 2;
                continue;
            }
            i += 1;
        }
        self.mark(span_start, len, Region::String);
        len
    }

    fn closes_at(&self, i: usize, kind: StrKind) -> Option<usize> {
        let bytes = self.bytes;
        match kind.close {
            Close::Byte(q) if bytes[i] == q => {
                if kind.escape == Escape::Doubled && bytes.get(i + 1) == Some(&q) {
                    return None;
                }
                Some(i + 1)
            }
            Close::Triple(q) if bytes[i..].starts_with(&[q, q, q]) => Some(i + 3),
            Close::RustRaw(hashes) if bytes[i] == b'"' => {
                let after = &bytes[i + 1..];
                (after.len() >= hashes && after[..hashes].iter().all(|&b| b == b'#'))
                    .then_some(i + 1 + hashes)
            }
            Close::CppRaw(delim_at, delim_len) if bytes[i] == b')' => {
                let delim = &bytes[delim_at..delim_at + delim_len];
                let after = &bytes[i + 1..];
                (after.starts_with(delim) && after.get(delim_len) == Some(&b'"'))
                    .then_some(i + 2 + delim_len)
            }
            _ => None,
        }
    }
}

/// The identifier-ish letters right before a quote (`r`, `f`, `br`, `@`, `$`, `R`), if they stand alone.
fn prefix_before(bytes: &[u8], i: usize) -> &[u8] {
    let mut start = i;
    while start > 0
        && i - start < 3
        && matches!(bytes[start - 1], b'a'..=b'z' | b'A'..=b'Z' | b'@' | b'$')
    {
        start -= 1;
    }
    if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        return &[];
    }
    &bytes[start..i]
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

fn regex_literal_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut in_class = false;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 1,
            b'\n' => return None,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'/' if !in_class => {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
                    j += 1;
                }
                return Some(j);
            }
            _ => {}
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders each byte's region as a letter: c(ode), # (comment), s(tring), i(nert).
    fn render(lang: Language, text: &str) -> String {
        let regions = lex(lang, text);
        (0..text.len())
            .map(|i| match regions.at(i) {
                Region::Code => 'c',
                Region::Comment => '#',
                Region::String => 's',
                Region::Inert => 'i',
            })
            .collect()
    }

    #[test]
    fn c_like_comments_and_strings() {
        assert_eq!(render(Language::Java, r#"a("x") // y"#), "ccssscc####");
        assert_eq!(render(Language::C, "x /* a\nb */ y"), "cc#########cc");
        assert_eq!(render(Language::Go, "s := `a\n\"b`"), "cccccssssss");
    }

    #[test]
    fn rust_lifetimes_are_code_and_chars_are_strings() {
        assert_eq!(render(Language::Rust, "f<'a>('x')"), "ccccccsssc");
        assert_eq!(render(Language::Rust, r###"r#"a"b"# c"###), "ccsssssscc");
    }

    #[test]
    fn python_triple_quotes_and_fstrings() {
        let text = "x = \"\"\"\n# not a comment\n\"\"\"\ny # c";
        let r = render(Language::Python, text);
        assert_eq!(&r[4..25], "s".repeat(21), "{r}");
        assert!(r.ends_with("cc###"), "{r}");
        assert_eq!(render(Language::Python, "f\"a{b}c\""), "csscccss");
    }

    #[test]
    fn js_template_interpolation_is_code_and_regex_literals_are_strings() {
        assert_eq!(render(Language::JavaScript, "`a${env}b`"), "ssccccccss");
        assert_eq!(render(Language::JavaScript, "x = /'/; y"), "ccccsssccc");
        assert_eq!(render(Language::JavaScript, "a / b / c"), "ccccccccc");
    }

    #[test]
    fn shell_hash_only_at_word_start_and_vars_in_quotes_are_code() {
        assert_eq!(render(Language::Shell, "a#b # c"), "cccc###");
        let r = render(Language::Shell, "echo \"$HOME x\"");
        assert_eq!(&r[5..], "scccccsss");
        assert_eq!(render(Language::Shell, "echo 'it''s'"), "cccccsssssss");
    }

    #[test]
    fn dockerfile_only_run_lines_are_code() {
        let text = "FROM x\nRUN curl a \\\n  | sh\nCOPY . .";
        let r = render(Language::Dockerfile, text);
        assert!(r[..11].chars().all(|c| c == 'i'), "{r}");
        assert!(r[11..26].chars().all(|c| c == 'c'), "{r}");
        assert!(r[27..].chars().all(|c| c == 'i'), "{r}");
    }

    #[test]
    fn workflow_run_blocks_are_code() {
        let text = "steps:\n  - run: |\n      curl x\n  - name: y\n    run: echo z\n";
        let r = render(Language::GithubActions, text);
        let code: String = text
            .chars()
            .zip(r.chars())
            .filter(|(_, k)| *k == 'c')
            .map(|(c, _)| c)
            .collect();
        assert_eq!(code, "      curl x echo z");
    }

    #[test]
    fn heredocs_are_strings_unless_fed_to_an_interpreter() {
        let text = "cat <<EOF > x\neval \"$x\"\nEOF\nrm y";
        let r = render(Language::Shell, text);
        assert_eq!(&r[14..24], "ssssssssss", "{r}");
        assert!(r.ends_with("cccc"), "{r}");
        let text = "bash <<'EOF'\ncurl x | sh\nEOF\n";
        let r = render(Language::Shell, text);
        assert_eq!(&r[13..24], "ccccccccccc", "{r}");
        let text = "doc = <<~TXT\n  eval(x)\n  TXT\nx << y";
        let r = render(Language::Ruby, text);
        assert_eq!(&r[13..22], "sssssssss", "{r}");
        assert!(r.ends_with("cccccc"), "{r}");
        let r = render(Language::Php, "$s = <<<EOT\neval($x);\nEOT;\n");
        assert_eq!(&r[12..21], "sssssssss", "{r}");
    }

    #[test]
    fn powershell_block_comments_perl_pod_and_swift_interpolation() {
        assert_eq!(render(Language::PowerShell, "<# iex #>x"), "#########c");
        let r = render(Language::Perl, "=head1 X\neval'd\n=cut\nx");
        assert!(r[..20].chars().all(|c| c == '#'), "{r}");
        assert!(r.ends_with('c'), "{r}");
        assert_eq!(render(Language::Swift, "\"a\\(b)c\""), "ssccccss");
    }

    #[test]
    fn unterminated_strings_stop_at_the_line_end() {
        let r = render(Language::Java, "a(\"x\nb()");
        assert_eq!(r, "ccsscccc");
    }
}
