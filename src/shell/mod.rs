//! A shell parser for judging commands, not for running them: it reads a command line the way a POSIX
//! shell (and bash) would — quotes, escapes, `;`, `&&`, `||`, pipes, subshells, `{ …; }` groups,
//! redirections, heredocs, `$(…)`, backticks, `<(…)` — and yields every simple command at every level of
//! nesting, with wrappers unwrapped (`sudo`, `env`, `nohup`, `timeout`, `xargs`, `/bin/rm`, `\rm`, …)
//! and the command strings of `bash -c`, `eval`, `su -c`, `watch`, `ssh host …` and `find -exec` parsed
//! as commands too.
//!
//! It never fails: unbalanced quotes or parentheses end at the end of the input, and whatever is nested
//! deeper than [`MAX_DEPTH`] levels (or beyond [`MAX_COMMANDS`] commands) is skipped and reported through
//! [`Script::opaque`], so a caller can refuse what it could not read. Parsing is linear in the input for
//! each level of nesting; recursion is bounded by [`MAX_DEPTH`].
//!
//! Expansions are not performed: `$HOME`, `${TOKEN}`, `~` and globs stay as written, so checks can match
//! them; a word that holds `$(…)` keeps that text, and the commands inside are listed on their own.

mod compound;
mod parser;
mod redirect;
mod unwrap;
mod words;

/// How deeply substitutions, subshells, groups and nested command strings may nest before the parser
/// stops reading them.
pub const MAX_DEPTH: u32 = 24;

/// How many simple commands the parser records before it stops.
pub const MAX_COMMANDS: usize = 10_000;

/// At most this many related commands are recorded per relation of a command (the nearest ones), so
/// that a very long pipeline stays linear.
const MAX_RELATED: usize = 64;

/// A redirection of a simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2` in `2>&1`).
    pub fd: Option<u32>,
    /// The operator: `<`, `>`, `>>`, `>|`, `<>`, `>&`, `<&`, `&>`, `&>>`, `<<`, `<<-` or `<<<`.
    pub op: &'static str,
    /// The target word (file, descriptor, here-string, or a heredoc's delimiter), quotes removed.
    pub target: String,
    /// A heredoc's body.
    pub body: Option<String>,
}

/// One simple command, after unwrapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    /// The words, quotes removed, escapes resolved, expansions kept as written. `argv[0]` is the
    /// program as written after unwrapping (`/bin/rm` stays a path; see [`Command::program`]).
    pub argv: Vec<String>,
    /// `NAME=value` words before the program (including those given to `env`).
    pub assignments: Vec<String>,
    /// Redirections, in order.
    pub redirects: Vec<Redirect>,
    /// Wrappers that were removed to find the program (`sudo`, `env`, `nohup`, …).
    pub wrappers: Vec<String>,
    /// Indices of commands whose output reaches this command's standard input.
    pub stdin_from: Vec<usize>,
    /// Indices of commands whose output becomes part of this command's arguments.
    pub args_from: Vec<usize>,
    /// Indices of commands that read this command's output.
    pub stdout_to: Vec<usize>,
    /// The shell function this command is defined in, if any.
    pub function: Option<String>,
    /// Words whose every `$` is quoted (`'$GITHUB_TOKEN'`, `\$HOME`): literal text, not expansions.
    pub literal: Vec<String>,
}

impl Command {
    /// The program: the basename of `argv[0]`, in lowercase (empty when there is none).
    pub fn program(&self) -> String {
        self.argv
            .first()
            .map(|p| basename(p).to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// The arguments after the program.
    pub fn args(&self) -> &[String] {
        self.argv.get(1..).unwrap_or(&[])
    }

    /// Whether `word` (one of the words) is literal text: every `$` in it was quoted.
    pub fn is_literal(&self, word: &str) -> bool {
        self.literal.iter().any(|l| l == word)
    }

    /// Whether the program is only known when the command runs: a variable or a substitution names it
    /// (`$cmd`, `$(echo rm)`, `` `printf rm` ``), not just its directory (`"$HOME/bin/tool"`).
    pub fn program_is_computed(&self) -> bool {
        let Some(first) = self.argv.first() else {
            return false;
        };
        if self.is_literal(first) {
            return false;
        }
        basename(first).contains(['$', '`'])
            || first.starts_with("$(")
            || first.starts_with('`')
            || first.starts_with("<(")
    }
}

/// The last path component of a word (`/usr/bin/env` → `env`).
pub fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Everything a command line runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Every simple command at every level, in the order the parser finished them (commands inside a
    /// substitution come before the command that uses their output).
    pub commands: Vec<Command>,
    /// Part of the input was not parsed (unbalanced quotes or parentheses, too deeply nested, or too
    /// many commands).
    pub opaque: bool,
    /// Variables assigned a value on the line so far (`x=rm; $x -rf /`), latest last.
    assigned: Vec<(String, String)>,
    /// Bytes of variable values substituted so far (bounded by [`MAX_SUBSTITUTED`]).
    substituted: usize,
    /// Text read again after it turned out not to be arithmetic (bounded by [`MAX_REREADS`]).
    rereads: usize,
}

/// How many times text that started like arithmetic (`$((`, `((`) may be read again as commands;
/// past that the line is reported as [`Script::opaque`], so nested look-alikes cannot make reading
/// exponential.
const MAX_REREADS: usize = 16;

/// At most this many bytes of variable values are substituted into the words of a command line; past
/// that the line is reported as [`Script::opaque`].
const MAX_SUBSTITUTED: usize = 1 << 20;

impl Script {
    /// Records `NAME=value` assignments made by a command without a program (or by `export`, `local`,
    /// `declare`, `typeset`, `readonly`).
    fn remember_assignments(&mut self, cmd: &Command) {
        let declared: &[String] = match cmd.program().as_str() {
            "" => &cmd.assignments,
            "export" | "local" | "declare" | "typeset" | "readonly" => cmd.args(),
            _ => return,
        };
        for assignment in declared {
            if let Some((name, value)) = assignment.split_once('=') {
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    self.assigned.retain(|(n, _)| n != name);
                    self.assigned.push((name.to_string(), value.to_string()));
                }
            }
        }
    }

    /// Replaces each word that is exactly `$NAME` or `${NAME}` of a variable assigned earlier on the
    /// line by its value, split at blanks as an unquoted expansion is.
    fn substitute_variables(&mut self, cmd: &mut Command) {
        if self.assigned.is_empty() {
            return;
        }
        let mut words = Vec::with_capacity(cmd.argv.len());
        for word in std::mem::take(&mut cmd.argv) {
            if cmd.literal.contains(&word) {
                words.push(word);
                continue;
            }
            let name = word
                .strip_prefix("${")
                .and_then(|w| w.strip_suffix('}'))
                .or_else(|| word.strip_prefix('$'));
            let value = name.and_then(|name| {
                self.assigned
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v)
            });
            match value {
                Some(value) if self.substituted + value.len() <= MAX_SUBSTITUTED => {
                    self.substituted += value.len();
                    words.extend(value.split_whitespace().map(str::to_string));
                }
                Some(_) => {
                    self.opaque = true;
                    words.push(word);
                }
                None => words.push(word),
            }
        }
        cmd.argv = words;
    }
}

/// Parses a command line. Never fails; see the module documentation.
pub fn parse(text: &str) -> Script {
    let mut script = Script::default();
    parser::parse_into(text, 0, &mut script);
    for idx in 0..script.commands.len() {
        let sources = script.commands[idx].stdin_from.clone();
        for source in sources {
            let readers = &mut script.commands[source].stdout_to;
            if readers.len() < MAX_RELATED {
                readers.push(idx);
            }
        }
    }
    script
}

#[cfg(test)]
mod tests;
