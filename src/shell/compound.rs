//! The constructs that run commands without looking like a simple command: arithmetic (`$(( ))`,
//! `$[ ]`, `(( ))`), `[[ … ]]`, `case … esac`, `coproc`, and text printed into a shell
//! (`echo 'rm -rf /' | sh`). Each reads its input once; nested commands go one level deeper.

use std::ops::Range;

use super::parser::{parse_in_function, Parser, Term};
use super::unwrap::{self, ShellInput};
use super::{Command, Script, MAX_DEPTH, MAX_RELATED, MAX_REREADS};

/// What a failed attempt to read arithmetic must undo before the text is read another way.
pub(super) struct Checkpoint {
    pos: usize,
    commands: usize,
    heredocs: usize,
    opaque: bool,
}

impl Parser<'_> {
    pub(super) fn checkpoint(&self, script: &Script) -> Checkpoint {
        Checkpoint {
            pos: self.pos,
            commands: script.commands.len(),
            heredocs: self.heredocs.len(),
            opaque: script.opaque,
        }
    }

    /// Goes back to `at` to read the text another way, and true; or, when too much text has been
    /// read again already, marks the script opaque, stays where it is, and false.
    pub(super) fn restore(&mut self, script: &mut Script, at: Checkpoint) -> bool {
        if script.rereads >= MAX_REREADS {
            script.opaque = true;
            return false;
        }
        script.rereads += 1;
        self.pos = at.pos;
        script.commands.truncate(at.commands);
        self.heredocs.truncate(at.heredocs);
        script.opaque = at.opaque;
        true
    }

    /// Reads arithmetic after its opening (`$((`, `((` or `$[`) up to its closing `))` (or `]` when
    /// `close` is `]`), recording the commands of the substitutions inside. False when a `)` closes
    /// something else first (the text was `$( (…) … )`, a substitution holding a subshell) or the
    /// input ends.
    pub(super) fn arithmetic(&mut self, script: &mut Script, close: u8) -> bool {
        if self.depth >= MAX_DEPTH {
            script.opaque = true;
            self.pos = self.src.len();
            return true;
        }
        self.depth += 1;
        let closed = self.arithmetic_body(script, close);
        self.depth -= 1;
        closed
    }

    fn arithmetic_body(&mut self, script: &mut Script, close: u8) -> bool {
        let open = if close == b']' { b'[' } else { b'(' };
        let mut depth = 0usize;
        let mut scratch = Vec::new();
        while let Some(b) = self.peek() {
            match b {
                b'$' => self.dollar(script, &mut scratch, true),
                b'`' => self.backtick(script, &mut scratch),
                b'"' => {
                    self.pos += 1;
                    self.double_quoted(script, &mut scratch);
                }
                b'\'' => {
                    self.pos += 1;
                    self.pos = memchr::memchr(b'\'', self.rest())
                        .map_or(self.src.len(), |i| self.pos + i + 1);
                }
                b'\\' => self.pos += 2,
                _ if b == open => {
                    depth += 1;
                    self.pos += 1;
                }
                _ if b == close => {
                    self.pos += 1;
                    if depth > 0 {
                        depth -= 1;
                    } else if close == b']' {
                        return true;
                    } else if self.peek() == Some(b')') {
                        self.pos += 1;
                        return true;
                    } else {
                        return false;
                    }
                }
                _ => self.pos += 1,
            }
            scratch.clear();
        }
        self.pos = self.pos.min(self.src.len());
        false
    }

    /// At `((`: an arithmetic command. False (nothing consumed) when it is two subshells instead.
    pub(super) fn arithmetic_command(&mut self, script: &mut Script) -> bool {
        let at = self.checkpoint(script);
        self.pos += 2;
        if self.arithmetic(script, b')') {
            return true;
        }
        // Not arithmetic: read it again as subshells, unless that was done too often already.
        !self.restore(script, at)
    }

    /// At `coproc`: skips the keyword and the coprocess's name, if one precedes a `{` or `(`.
    pub(super) fn coproc_name(&mut self) {
        self.pos += "coproc".len();
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        let name_end = self.pos
            + self
                .rest()
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
        if name_end == self.pos {
            return;
        }
        let after = name_end
            + self.src[name_end..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
        let compound = match self.src.get(after) {
            Some(b'(') => true,
            Some(b'{') => self
                .src
                .get(after + 1)
                .is_none_or(|b| b.is_ascii_whitespace()),
            _ => false,
        };
        if compound && after > name_end {
            self.pos = after;
        }
    }

    /// At `[[`: a conditional expression, whose words may hold substitutions; operators are skipped.
    pub(super) fn conditional(&mut self, script: &mut Script) {
        self.pos += 2;
        loop {
            self.skip_blanks();
            if self.at_word(b"]]") {
                self.pos += 2;
                return;
            }
            match self.peek() {
                None => {
                    script.opaque = true;
                    return;
                }
                Some(b'\n' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' | b'!' | b';') => {
                    self.pos += 1
                }
                _ => {
                    let before = self.pos;
                    self.word(script);
                    if self.pos == before {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    /// At `case`: the subject, then each branch's patterns and commands, up to `esac`.
    pub(super) fn case(&mut self, script: &mut Script) {
        self.pos += "case".len();
        self.skip_blanks();
        self.word(script);
        self.skip_blank_lines(script);
        if self.at_word(b"in") {
            self.pos += 2;
        }
        loop {
            self.skip_blank_lines(script);
            if self.at_word(b"esac") {
                self.pos += "esac".len();
                return;
            }
            match self.peek() {
                None => {
                    script.opaque = true;
                    return;
                }
                Some(b'(') => self.pos += 1,
                _ => {}
            }
            loop {
                self.skip_blanks();
                match self.peek() {
                    None => {
                        script.opaque = true;
                        return;
                    }
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(b'|' | b'\n') => self.pos += 1,
                    _ => {
                        let before = self.pos;
                        self.word(script);
                        if self.pos == before {
                            self.pos += 1;
                        }
                    }
                }
            }
            self.nested_list(script, Term::Case);
            if let Some(sep) = [";;&", ";;", ";&"]
                .iter()
                .find(|sep| self.rest().starts_with(sep.as_bytes()))
            {
                self.pos += sep.len();
            }
        }
    }

    /// Text that earlier commands of a pipeline print (`echo 'rm -rf /' | sh`) runs in the shells among
    /// `readers` that read their standard input: it is parsed as commands.
    pub(super) fn feed_text_to_shells(
        &mut self,
        script: &mut Script,
        sources: &[usize],
        readers: Range<usize>,
    ) {
        let shells: Vec<usize> = readers
            .filter(|&idx| unwrap::shell_input(&script.commands[idx]) == ShellInput::Stdin)
            .collect();
        if shells.is_empty() {
            return;
        }
        let texts: Vec<String> = sources
            .iter()
            .filter_map(|&i| printed_text(&script.commands[i]))
            .collect();
        for _ in shells {
            for text in &texts {
                parse_in_function(text, self.depth + 1, script, self.function.clone());
            }
        }
    }

    /// A heredoc's body given to `cat` (or a similar printer) runs in the shells that read its output.
    pub(super) fn heredoc_through_printer(
        &mut self,
        script: &mut Script,
        owner: usize,
        body: &str,
    ) {
        if !matches!(script.commands[owner].program().as_str(), "cat" | "tee") {
            return;
        }
        let end = script.commands.len().min(owner + 1 + MAX_RELATED);
        let fed = (owner + 1..end).any(|idx| {
            script.commands[idx].stdin_from.contains(&owner)
                && unwrap::shell_input(&script.commands[idx]) == ShellInput::Stdin
        });
        if fed {
            parse_in_function(body, self.depth + 1, script, self.function.clone());
        }
    }
}

/// The text a command prints from its own arguments: `echo`'s words, `printf`'s format and arguments,
/// a here-string given to `cat`. `\n` escapes count as line breaks.
fn printed_text(cmd: &Command) -> Option<String> {
    let args = cmd.args();
    let text = match cmd.program().as_str() {
        "echo" => {
            let skip = args
                .iter()
                .take_while(|a| {
                    a.len() > 1 && a.starts_with('-') && a[1..].bytes().all(|b| b"neE".contains(&b))
                })
                .count();
            args[skip..].join(" ")
        }
        "printf" => args.join("\n"),
        "cat" | "tee" => cmd
            .redirects
            .iter()
            .filter(|r| r.op == "<<<")
            .map(|r| r.target.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return None,
    };
    let text = text.replace("\\n", "\n");
    (!text.trim().is_empty()).then_some(text)
}
