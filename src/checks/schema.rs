//! The YAML schema of a check file, as written by people: every closed set of values is an enum that
//! serde checks. [`super::validate`] turns a definition into a [`super::spec::CheckSpec`]. A leaf: it
//! names only the vocabulary of findings, so that `build.rs` reads the built-in files with it.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::model::{Category, Severity};

/// One check as written in a check file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    /// Unique id, dotted: `<category>.<language>.<what>`.
    pub id: Spanned<String>,
    /// One of the categories (`exec`, `network`, ...).
    pub category: Spanned<Category>,
    /// Base severity; `adjust` rules can change it by context.
    pub severity: Spanned<Severity>,
    /// Languages the check applies to (names or aliases); `[any]` or empty means every language.
    #[serde(default)]
    pub languages: Vec<Spanned<String>>,
    /// Literal words of which at least one must be on the line before the pattern is tried
    /// (matched ASCII case-insensitively).
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// The regular expression (Rust `regex` syntax: linear time, no look-around). Not used by checks
    /// whose findings the engine produces itself (`produced_by`).
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    /// `dependencies`: the findings come from the engine's manifest analysis (new packages, their sources,
    /// typosquats), not from a pattern; the check still gives them their id, severity, message and help.
    #[serde(default)]
    pub produced_by: Option<Spanned<ProducedBy>>,
    /// Where a match may start: `code` (default), `strings`, `comments` or `any`.
    #[serde(default, rename = "in")]
    pub scope: Option<Spanned<Scope>>,
    /// Only files whose path matches one of these globs.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Never files whose path matches one of these globs.
    #[serde(default)]
    pub exclude_paths: Vec<Spanned<String>>,
    /// Every condition here must hold, or there is no finding.
    #[serde(default)]
    pub requires: Vec<ConditionDef>,
    /// If any condition here holds, there is no finding.
    #[serde(default)]
    pub unless: Vec<ConditionDef>,
    /// The first condition that holds sets the severity and adds its reason to the message.
    #[serde(default)]
    pub adjust: Vec<ConditionDef>,
    /// One line saying what was found; `{name}` is replaced by the named capture group `name`.
    pub message: String,
    /// The CWE the finding relates to, e.g. `CWE-78`.
    #[serde(default)]
    pub cwe: Option<String>,
    /// What it finds, why it matters, an example and the fix (or, in user files, one plain text):
    /// printed by `review-gate explain`, in SARIF and in `docs/checks/`.
    pub help: super::help::CheckHelp,
    /// For secrets: the named capture group holding the secret (default: the whole match).
    #[serde(default)]
    pub redact: Option<Spanned<String>>,
    /// For secrets: the least Shannon entropy (bits per character) the secret must have; lower is dropped.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// For secrets: an offline check of a checksum the format carries: `github` (ghp_/gho_/ghu_/ghs_/ghr_
    /// tokens) or `npm` (npm_ tokens). A valid checksum is said in the message; an invalid one lowers the
    /// severity one step.
    #[serde(default)]
    pub validate: Option<Spanned<Checksum>>,
    /// For secrets: `generic` judges the value as a free-form credential (charset-aware entropy, words,
    /// identifiers, paths, URLs and versions rejected) and sets the severity from its strength.
    #[serde(default)]
    pub judge: Option<Spanned<Judge>>,
    /// Also fire, once, when a binary file whose path matches `paths` is added (its text cannot be read,
    /// so the pattern is not used for it). For key stores and similar files.
    #[serde(default)]
    pub binary: bool,
    /// `line` (default): a finding per match; `file`: at most one finding per file (checks about adding a
    /// kind of file at all).
    #[serde(default)]
    pub per: Option<Spanned<Per>>,
    /// A signal: its findings feed attack chains and are not reported on their own.
    #[serde(default)]
    pub signal: bool,
    /// Which side of the change the check reads: `added` (default) lines; `removed` lines, in the old
    /// file's context (net of what the same file adds back); `deleted` files whose path matches `paths`
    /// (once per file, no pattern).
    #[serde(default)]
    pub on: Option<Spanned<On>>,
    /// An attack chain: no pattern; the finding comes from other checks' findings found together.
    #[serde(default)]
    pub chain: Option<ChainDef>,
    /// Command checks only: what the agent gate answers when the check matches (`deny`, `ask`, `allow`).
    #[serde(default)]
    pub action: Option<Spanned<Action>>,
    /// Command checks only: which simple commands of a shell command line the check matches
    /// (see [`CommandDef`]).
    #[serde(default)]
    pub command: Option<CommandDef>,
    /// `always-report`: a finding is risky in itself, so it keeps its severity where the file already
    /// had the capability (novelty never lowers it): TLS verification off, a known exfiltration host…
    #[serde(default)]
    pub novelty: Option<Spanned<NoveltyRule>>,
}

/// How novelty treats a check's findings (`novelty:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoveltyRule {
    /// Reported at its severity even where the file's old version had the same capability.
    AlwaysReport,
}

/// A condition on the text around a match: exactly one target key with a regular expression, plus
/// (in `adjust`) the severity to use and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionDef {
    /// The matched text itself.
    #[serde(default, rename = "match")]
    pub matched: Option<Spanned<String>>,
    /// From the start of the match to the end of the line.
    #[serde(default)]
    pub rest: Option<Spanned<String>>,
    /// The text of the line before the match.
    #[serde(default)]
    pub before: Option<Spanned<String>>,
    /// The whole line.
    #[serde(default)]
    pub line: Option<Spanned<String>>,
    /// From the end of the match onward, across lines, up to 1,024 bytes of known text.
    #[serde(default)]
    pub after: Option<Spanned<String>>,
    /// The call's arguments: the text inside the parentheses that open at or after the match (followed
    /// across lines when the whole file is known), or the rest of the line when there are none.
    #[serde(default)]
    pub args: Option<Spanned<String>>,
    /// The whole file (as far as it is known); for an `on: removed` check, the old file.
    #[serde(default)]
    pub file: Option<Spanned<String>>,
    /// `on: removed` checks only: the file after the change (empty for a deleted file), to say "and
    /// the new file no longer has X".
    #[serde(default)]
    pub new_file: Option<Spanned<String>>,
    /// `on: removed` checks only: holds when the first old line after the match that this regex matches
    /// (within a few lines: the definition a removed decorator or attribute applied to) is kept by the
    /// change, i.e. is not removed with it.
    #[serde(default)]
    pub kept_after: Option<Spanned<String>>,
    /// `adjust` only: the severity when the condition holds.
    #[serde(default)]
    pub severity: Option<Spanned<Severity>>,
    /// `adjust` only: a few words appended to the message, e.g. `through a shell`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Where a match may start for the check to fire (`in:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// In code (not in a comment, string or inert text).
    #[default]
    Code,
    /// Inside a string literal.
    #[serde(alias = "string")]
    Strings,
    /// Inside a comment.
    #[serde(alias = "comment")]
    Comments,
    /// Anywhere.
    Any,
}

impl Scope {
    /// The name used in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Code => "code",
            Scope::Strings => "strings",
            Scope::Comments => "comments",
            Scope::Any => "any",
        }
    }
}

/// Which side of a change a pattern check reads (`on:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum On {
    /// The lines the change adds.
    #[default]
    Added,
    /// The lines the change removes (read in the old file), net of what the same file adds back.
    Removed,
    /// Files the change deletes (once per file whose path matches `paths`; no pattern).
    Deleted,
}

impl On {
    /// The name used in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            On::Added => "added",
            On::Removed => "removed",
            On::Deleted => "deleted",
        }
    }
}

/// How many findings a check makes (`per:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// A finding per match.
    #[default]
    Line,
    /// At most one finding per file.
    File,
}

/// Where the findings of a check without a pattern come from (`produced_by:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProducedBy {
    /// The engine's manifest analysis (new packages, their sources, typosquats).
    Dependencies,
    /// The configuration's own review (a weakened or invalid configuration).
    Policy,
    /// The review of agent instruction files (hidden text, prompt injection).
    Instructions,
    /// The agent configuration review (MCP servers, agent permissions and hooks: `engine::agent`).
    Agent,
    /// The engine's decode stage (obfuscated names, long base64 blobs).
    Decode,
    /// The engine's names stage: API names built or looked up at run time, look-alike identifiers.
    Names,
}

impl ProducedBy {
    /// Who finds what the check reports, as `explain` and the check reference say it.
    pub fn described(self) -> &'static str {
        match self {
            ProducedBy::Dependencies => {
                "the dependency analysis (old and new version of each changed manifest)"
            }
            ProducedBy::Policy => {
                "review-gate itself: the configuration's review and the agent gate's own rules (reads, hook settings, PowerShell)"
            }
            ProducedBy::Instructions => "the review of agent instruction files",
            ProducedBy::Agent => "the agent configuration review",
            ProducedBy::Decode => "the decode stage (encoded strings, decoded and reviewed)",
            ProducedBy::Names => {
                "the names stage (API names built or looked up at run time, look-alike identifiers)"
            }
        }
    }
}

/// What the agent gate answers when a command check matches (`action:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Refuse the command.
    Deny,
    /// Ask the user.
    Ask,
    /// Let it run.
    Allow,
}

/// Checksums that some token formats carry and that can be verified offline (`validate:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Checksum {
    /// GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` tokens: 30 base62 characters and their CRC32 in 6 more.
    Github,
    /// npm `npm_` tokens: the same scheme as GitHub's.
    Npm,
}

/// How a secret's value is judged (`judge:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Judge {
    /// As a free-form credential: charset-aware entropy, words, identifiers, paths, URLs and versions
    /// rejected; the severity follows its strength.
    Generic,
}

/// Where the parts of a chain must lie together (`within:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Within {
    /// The same file.
    File,
    /// The same workflow step, Dockerfile instruction or Makefile rule (the file elsewhere).
    Step,
    /// An install hook and the code it runs.
    Hook,
}

impl Within {
    /// The name used in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Within::File => "file",
            Within::Step => "step",
            Within::Hook => "hook",
        }
    }
}

/// The `chain:` section of a check definition, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainDef {
    /// Where the parts must lie together: `file`, `step` (a workflow step, a Dockerfile instruction, a
    /// Makefile rule; elsewhere the file) or `hook` (an install hook: the line declaring it, the file it
    /// sits in when that is code, and the files its command names).
    pub within: Spanned<Within>,
    /// The parts must also lie within this many lines of the last part.
    #[serde(default)]
    pub lines: Option<u32>,
    /// The other parts must come before the last one (or on its line): a download before what runs it.
    #[serde(default)]
    pub ordered: bool,
    /// The parts, each a role and the checks (ids, id prefixes or categories) that can play it. The
    /// chain's finding sits on the last part.
    pub parts: Vec<ChainPartDef>,
    /// Checks whose finding within the same scope means there is no chain (a checksum verified, ...).
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
}

/// One part of a chain, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainPartDef {
    /// What the part does in the attack: `secret read`, `network send`, ...
    pub role: String,
    /// Checks that can play it: ids, id prefixes or category names.
    pub any: Vec<Spanned<String>>,
}

/// One required flag: a single name, or a list of names of which one must be present.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FlagGroupDef {
    /// `-p`
    One(Spanned<String>),
    /// `[-r, -R, --recursive]`
    AnyOf(Vec<Spanned<String>>),
}

/// Which simple commands a command check matches, as written. Every field given must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandDef {
    /// Program names (the basename after unwrapping `sudo`, `env`, paths…; compared in lowercase); a
    /// trailing `*` matches any suffix (`python*`). Empty: any program.
    #[serde(default)]
    pub program: Vec<Spanned<String>>,
    /// The first operand must be one of these (`push` in `git push`).
    #[serde(default)]
    pub subcommand: Vec<Spanned<String>>,
    /// Options that take the next word as their value (so it is not an operand): `-C` in `git -C dir`.
    #[serde(default)]
    pub value_flags: Vec<Spanned<String>>,
    /// Each entry must be present (an entry that is a list: one of its names). Combined short flags are
    /// split (`-rf` is `-r` and `-f`); `--name=value` counts as `--name`.
    #[serde(default)]
    pub flags: Vec<FlagGroupDef>,
    /// None of these flags may be present.
    #[serde(default)]
    pub without_flags: Vec<Spanned<String>>,
    /// A regex that at least one operand (an argument that is not a flag or a flag's value) must match.
    #[serde(default)]
    pub operands: Option<Spanned<String>>,
    /// A regex that at least one argument (flags included) must match.
    #[serde(default)]
    pub args: Option<Spanned<String>>,
    /// At most this many operands (the subcommand counts).
    #[serde(default)]
    pub max_operands: Option<usize>,
    /// At most this many arguments.
    #[serde(default)]
    pub max_args: Option<usize>,
    /// A regex that the target of one of the command's redirections must match (`/dev/tcp/…`).
    #[serde(default)]
    pub redirect_to: Option<Spanned<String>>,
    /// A command whose output reaches this command's standard input (an earlier command of the pipeline,
    /// `< <(…)`) must match this.
    #[serde(default)]
    pub input_from: Option<Box<CommandDef>>,
    /// A command whose output becomes one of this command's arguments (`$(…)`, backticks, `<(…)`) must
    /// match this.
    #[serde(default)]
    pub args_from: Option<Box<CommandDef>>,
    /// A command that reads this command's output (a later command of the pipeline) must match this.
    #[serde(default)]
    pub piped_into: Option<Box<CommandDef>>,
    /// No command that reads this command's output may match this (`echo "$TOKEN" | gh auth login
    /// --with-token` hands a secret over rather than printing it).
    #[serde(default)]
    pub not_piped_into: Option<Box<CommandDef>>,
    /// A command after this one on the same command line must match this.
    #[serde(default)]
    pub followed_by: Option<Box<CommandDef>>,
    /// An operand after the subcommand names a package of this ecosystem that no manifest in the working
    /// directory (or above it, up to the repository root) declares.
    #[serde(default)]
    pub new_package: Option<Spanned<Ecosystem>>,
    /// An operand after the subcommand names a package of this ecosystem that imitates a popular one.
    #[serde(default)]
    pub typosquat: Option<Spanned<Ecosystem>>,
    /// The repository in the working directory is on its default branch (`origin/HEAD`, else main or
    /// master).
    #[serde(default)]
    pub on_default_branch: bool,
    /// The command calls the shell function it is defined in (a fork bomb's shape).
    #[serde(default)]
    pub recursive: bool,
    /// The program is only known when the command runs: a variable or a substitution names it
    /// (`$cmd -rf /`, `$(echo rm) -rf /`).
    #[serde(default)]
    pub computed_program: bool,
    /// The command line is nested too deeply or is too long to parse completely (the other fields are
    /// ignored).
    #[serde(default)]
    pub opaque: bool,
}

/// An ecosystem whose manifests and popular-name lists `new_package` and `typosquat` know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// npm packages.
    Npm,
    /// Python packages.
    Pypi,
    /// Rust crates.
    Crates,
    /// Ruby gems.
    Rubygems,
    /// Go modules.
    Go,
}

impl Ecosystem {
    /// The name used in check files.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Crates => "crates",
            Ecosystem::Rubygems => "rubygems",
            Ecosystem::Go => "go",
        }
    }
}
