//! The recursive-descent reader behind [`super::parse`]: lists, pipelines, compound commands, simple
//! commands, words, redirections and heredocs. Every loop consumes at least one byte per round, and
//! recursion goes one level deeper only through [`Parser::nested_list`] or a nested command string, both
//! bounded by [`MAX_DEPTH`].

use std::ops::Range;

use super::unwrap::{self, Nested, ShellInput};
use super::{Command, Redirect, Script, MAX_COMMANDS, MAX_DEPTH, MAX_RELATED};

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

/// A heredoc whose body starts after the next newline.
pub(super) struct PendingHeredoc {
    /// The command it belongs to, once that command is recorded.
    command: Option<usize>,
    /// Its index among that command's redirections.
    redirect: usize,
    delimiter: Vec<u8>,
    strip_tabs: bool,
    /// Unquoted delimiter: the body's `$(…)` and backticks run.
    expands: bool,
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

/// Redirection operators, longest first.
const REDIRECT_OPS: [&str; 12] = [
    "&>>", "<<<", "<<-", "&>", "<<", "<&", "<>", ">>", ">&", ">|", "<", ">",
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

    /// Redirections after `( … )` or `{ …; }` apply to the commands inside (the nearest ones).
    fn compound_redirects(&mut self, script: &mut Script, start: usize) {
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
    fn fd_prefix(&mut self) -> Option<u32> {
        let rest = self.rest();
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 4 || !matches!(rest.get(digits), Some(b'<' | b'>')) {
            return None;
        }
        let fd = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
        self.pos += digits;
        Some(fd)
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

    fn redirect(
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
    fn newline(&mut self, script: &mut Script) {
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
    fn expand_heredoc(&mut self, script: &mut Script, body: &str, owner: usize) {
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

    /// `<(…)` or `>(…)`: the text as written, and the commands inside.
    fn process_substitution(&mut self, script: &mut Script) -> (String, Range<usize>) {
        let start = self.pos;
        let first = script.commands.len();
        self.pos += 2;
        self.nested_list(script, Term::Paren);
        let text =
            String::from_utf8_lossy(&self.src[start..self.pos.min(self.src.len())]).into_owned();
        (text, first..script.commands.len())
    }
}

/// Adds `sources` to `list`, keeping at most [`MAX_RELATED`] entries.
fn extend_capped(list: &mut Vec<usize>, sources: &[usize]) {
    let room = MAX_RELATED.saturating_sub(list.len());
    let skip = sources.len().saturating_sub(room);
    list.extend_from_slice(&sources[skip..]);
}
