//! The recursive-descent reader behind [`super::parse`]: lists, pipelines, compound commands, simple
//! commands and words (redirections and heredocs are in `redirect.rs`). Every loop consumes at least
//! one byte per round, and recursion goes one level deeper only through [`Parser::nested_list`] or a
//! nested command string, both bounded by [`MAX_DEPTH`].

use std::ops::Range;

use super::redirect::{extend_capped, PendingHeredoc};
use super::unwrap::{self, Nested};
use super::{Command, Script, MAX_COMMANDS, MAX_DEPTH, MAX_RELATED};

/// Parses `text` at nesting `depth`, appending its commands to `script`.
pub(super) fn parse_into(text: &str, depth: u32, script: &mut Script) {
    parse_in_function(text, depth, script, None);
}

pub(super) fn parse_in_function(
    text: &str,
    depth: u32,
    script: &mut Script,
    function: Option<String>,
) {
    if depth > MAX_DEPTH {
        script.opaque = true;
        return;
    }
    let mut parser = Parser {
        src: text.as_bytes(),
        pos: 0,
        depth,
        heredocs: Vec::new(),
        function,
    };
    parser.list(script, Term::End);
}

/// What ends a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Term {
    /// The end of the input.
    End,
    /// `)` (a subshell, `$(…)`, `<(…)`).
    Paren,
    /// A `}` word (a group).
    Brace,
    /// `;;`, `;&`, `;;&` or an `esac` word (a branch of `case`).
    Case,
}

pub(super) struct Parser<'a> {
    pub(super) src: &'a [u8],
    pub(super) pos: usize,
    pub(super) depth: u32,
    pub(super) heredocs: Vec<PendingHeredoc>,
    pub(super) function: Option<String>,
}

/// Bytes that end an unquoted word.
pub(super) fn ends_word(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

const RESERVED_PREFIXES: [&[u8]; 10] = [
    b"if", b"then", b"else", b"elif", b"fi", b"do", b"done", b"while", b"until", b"esac",
];

impl Parser<'_> {
    pub(super) fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, n: usize) -> Option<u8> {
        self.src.get(self.pos + n).copied()
    }

    pub(super) fn rest(&self) -> &[u8] {
        &self.src[self.pos.min(self.src.len())..]
    }

    /// Whether the input continues with `word` as a whole word.
    pub(super) fn at_word(&self, word: &[u8]) -> bool {
        let rest = self.rest();
        rest.starts_with(word) && rest.get(word.len()).is_none_or(|&b| ends_word(b))
    }

    /// Skips blanks, line continuations and comments (not newlines).
    pub(super) fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    self.pos =
                        memchr::memchr(b'\n', self.rest()).map_or(self.src.len(), |i| self.pos + i)
                }
                _ => return,
            }
        }
    }

    pub(super) fn skip_blank_lines(&mut self, script: &mut Script) {
        loop {
            self.skip_blanks();
            if self.peek() == Some(b'\n') {
                self.newline(script);
            } else {
                return;
            }
        }
    }

    fn list(&mut self, script: &mut Script, term: Term) {
        loop {
            if script.commands.len() >= MAX_COMMANDS {
                script.opaque = true;
                self.pos = self.src.len();
                return;
            }
            self.skip_blanks();
            if term == Term::Case
                && (self.rest().starts_with(b";;")
                    || self.rest().starts_with(b";&")
                    || self.at_word(b"esac"))
            {
                return;
            }
            match self.peek() {
                None => {
                    // A `$(`, `(`, `{` or `case` that never closes: a shell would refuse it.
                    if term != Term::End {
                        script.opaque = true;
                    }
                    return;
                }
                Some(b'\n') => {
                    self.newline(script);
                    continue;
                }
                Some(b';' | b'&' | b'|') => {
                    self.pos += 1;
                    continue;
                }
                Some(b')') => {
                    self.pos += 1;
                    if term == Term::Paren {
                        return;
                    }
                    // A `)` that closes nothing: the line is not what it seems.
                    script.opaque = true;
                    continue;
                }
                _ => {}
            }
            if term == Term::Brace && self.at_word(b"}") {
                self.pos += 1;
                return;
            }
            let before = self.pos;
            self.pipeline(script, term);
            if self.pos == before {
                self.pos += 1;
            }
        }
    }

    fn pipeline(&mut self, script: &mut Script, term: Term) {
        let mut previous: Vec<usize> = Vec::new();
        loop {
            self.skip_blanks();
            if self.at_word(b"!") {
                self.pos += 1;
            }
            let start = script.commands.len();
            self.element(script, term);
            let end = script.commands.len();
            if !previous.is_empty() {
                for idx in start..end {
                    extend_capped(&mut script.commands[idx].stdin_from, &previous);
                }
                self.feed_text_to_shells(script, &previous, start..end);
            }
            previous.extend(start..end);
            if previous.len() > MAX_RELATED {
                previous.drain(..previous.len() - MAX_RELATED);
            }
            self.skip_blanks();
            if self.peek() == Some(b'|') && self.peek_at(1) != Some(b'|') {
                self.pos += 1;
                if self.peek() == Some(b'&') {
                    self.pos += 1;
                }
                self.skip_blank_lines(script);
                continue;
            }
            return;
        }
    }

    /// One element of a pipeline: a subshell, a group, or a simple command (after reserved words).
    fn element(&mut self, script: &mut Script, term: Term) {
        loop {
            self.skip_blanks();
            match RESERVED_PREFIXES.iter().find(|w| self.at_word(w)) {
                Some(word) => self.pos += word.len(),
                None => break,
            }
        }
        if self.at_word(b"coproc") {
            self.coproc_name();
        }
        let start = script.commands.len();
        if self.rest().starts_with(b"((") && self.arithmetic_command(script) {
            self.compound_redirects(script, start);
        } else if self.peek() == Some(b'(') {
            self.pos += 1;
            self.nested_list(script, Term::Paren);
            self.compound_redirects(script, start);
        } else if self.at_word(b"[[") {
            self.conditional(script);
            self.compound_redirects(script, start);
        } else if self.at_word(b"case") {
            self.case(script);
            self.compound_redirects(script, start);
        } else if self.at_word(b"{") {
            self.pos += 1;
            self.nested_list(script, Term::Brace);
            self.compound_redirects(script, start);
        } else {
            self.simple(script, term);
        }
    }

    pub(super) fn nested_list(&mut self, script: &mut Script, term: Term) {
        if self.depth >= MAX_DEPTH {
            script.opaque = true;
            self.skip_balanced(term);
            return;
        }
        self.depth += 1;
        self.list(script, term);
        self.depth -= 1;
    }

    /// Skips to the end of a construct nested too deeply to read (quotes respected roughly).
    pub(super) fn skip_balanced(&mut self, term: Term) {
        let (open, close) = match term {
            Term::Paren => (b'(', b')'),
            Term::Brace => (b'{', b'}'),
            Term::End | Term::Case => {
                self.pos = self.src.len();
                return;
            }
        };
        let mut depth = 1usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'\'' => {
                    self.pos = memchr::memchr(b'\'', self.rest())
                        .map_or(self.src.len(), |i| self.pos + i + 1)
                }
                _ if b == open => depth += 1,
                _ if b == close => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
        self.pos = self.pos.min(self.src.len());
    }

    fn simple(&mut self, script: &mut Script, term: Term) {
        let nested_start = script.commands.len();
        let heredocs_start = self.heredocs.len();
        let mut cmd = Command::default();
        let mut words: Vec<String> = Vec::new();
        let mut stdin_ranges: Vec<Range<usize>> = Vec::new();
        let mut output_ranges: Vec<Range<usize>> = Vec::new();
        let mut expanded: Vec<String> = Vec::new();
        loop {
            self.skip_blanks();
            let Some(b) = self.peek() else { break };
            match b {
                b'\n' | b';' | b'|' | b')' => break,
                b'&' if self.peek_at(1) != Some(b'>') => break,
                b'<' | b'>' if self.peek_at(1) == Some(b'(') => {
                    let (text, range) = self.process_substitution(script);
                    if b == b'>' {
                        output_ranges.push(range);
                    }
                    words.push(text);
                }
                b'<' | b'>' | b'&' => self.redirect(script, None, &mut cmd, &mut stdin_ranges),
                b'(' => {
                    if words.len() == 1 && cmd.assignments.is_empty() && self.empty_parens() {
                        let name = words.pop().unwrap_or_default();
                        self.function_body(script, name);
                        return;
                    }
                    break;
                }
                _ => {
                    if term == Term::Brace && words.is_empty() && self.at_word(b"}") {
                        break;
                    }
                    if let Some(fd) = self.fd_prefix() {
                        self.redirect(script, Some(fd), &mut cmd, &mut stdin_ranges);
                        continue;
                    }
                    let start = self.pos;
                    let word = self.word(script);
                    if self.pos == start {
                        self.pos += 1;
                        continue;
                    }
                    if words.is_empty()
                        && cmd.assignments.is_empty()
                        && word.plain
                        && word.text == b"function"
                    {
                        self.skip_blanks();
                        let name = self.word(script).into_words().concat();
                        self.skip_blanks();
                        self.empty_parens();
                        self.function_body(script, name);
                        return;
                    }
                    if words.is_empty() && word.is_assignment() {
                        cmd.assignments
                            .push(String::from_utf8_lossy(&word.text).into_owned());
                    } else if word.literal_dollar || word.expands {
                        let literal = word.literal_dollar && !word.expands;
                        let first = words.len();
                        words.extend(word.into_words());
                        let texts = if literal {
                            &mut cmd.literal
                        } else {
                            &mut expanded
                        };
                        texts.extend(words[first..].iter().cloned());
                    } else {
                        words.extend(word.into_words());
                    }
                }
            }
        }
        if words.is_empty() && cmd.assignments.is_empty() && cmd.redirects.is_empty() {
            return;
        }
        cmd.argv = words;
        // A text written both quoted and as an expansion counts as an expansion.
        cmd.literal.retain(|text| !expanded.contains(text));
        let nested_end = script.commands.len();
        let in_ranges =
            |ranges: &[Range<usize>], idx: usize| ranges.iter().any(|r| r.contains(&idx));
        let first = nested_start.max(nested_end.saturating_sub(MAX_RELATED));
        for idx in first..nested_end {
            if in_ranges(&stdin_ranges, idx) {
                cmd.stdin_from.push(idx);
            } else if !in_ranges(&output_ranges, idx) {
                cmd.args_from.push(idx);
            }
        }
        let Some(owner) = self.push(script, cmd) else {
            return;
        };
        for idx in output_ranges
            .iter()
            .flat_map(|r| r.clone())
            .filter(|&i| i >= first)
        {
            script.commands[idx].stdin_from.push(owner);
        }
        let from = heredocs_start.min(self.heredocs.len());
        for pending in &mut self.heredocs[from..] {
            pending.command.get_or_insert(owner);
        }
    }

    /// At `(`: whether `()` follows (a function definition); consumes it if so.
    fn empty_parens(&mut self) -> bool {
        if self.peek() != Some(b'(') {
            return false;
        }
        let after = self.rest()[1..]
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .map(|i| self.pos + 1 + i);
        match after {
            Some(close) if self.src[close] == b')' => {
                self.pos = close + 1;
                true
            }
            _ => false,
        }
    }

    fn function_body(&mut self, script: &mut Script, name: String) {
        self.skip_blank_lines(script);
        let outer = self.function.replace(name);
        self.element(script, Term::End);
        self.function = outer;
    }

    /// Records a command (unwrapped) and whatever it runs in turn (`bash -c …`, `find -exec …`).
    fn push(&mut self, script: &mut Script, mut cmd: Command) -> Option<usize> {
        if script.commands.len() >= MAX_COMMANDS {
            script.opaque = true;
            return None;
        }
        script.substitute_variables(&mut cmd);
        script.remember_assignments(&cmd);
        let nested = unwrap::unwrap(&mut cmd);
        cmd.function.clone_from(&self.function);
        let owner = script.commands.len();
        script.commands.push(cmd);
        for inner in nested {
            if self.depth + 1 > MAX_DEPTH {
                script.opaque = true;
                break;
            }
            match inner {
                Nested::Script(text) => {
                    parse_in_function(&text, self.depth + 1, script, self.function.clone())
                }
                Nested::Argv(argv) => {
                    let mut sub = Parser {
                        src: b"",
                        pos: 0,
                        depth: self.depth + 1,
                        heredocs: Vec::new(),
                        function: self.function.clone(),
                    };
                    sub.push(
                        script,
                        Command {
                            argv,
                            ..Command::default()
                        },
                    );
                }
            }
        }
        Some(owner)
    }

    /// `<(…)` or `>(…)`: the text as written, and the commands inside.
    pub(super) fn process_substitution(&mut self, script: &mut Script) -> (String, Range<usize>) {
        let start = self.pos;
        let first = script.commands.len();
        self.pos += 2;
        self.nested_list(script, Term::Paren);
        let text =
            String::from_utf8_lossy(&self.src[start..self.pos.min(self.src.len())]).into_owned();
        (text, first..script.commands.len())
    }
}
