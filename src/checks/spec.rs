//! A check definition once validated: plain data with every closed set an enum and every value that can
//! still fail (a regex, a glob, a language name) kept with its line. The built-in checks are validated
//! by `build.rs` and embedded packed ([`super::packed`]; no YAML is parsed at run time for them); user
//! check files become the same values at run time. [`super::compile`] makes runnable checks of them.
//!
//! Text and lists are `Cow`s: borrowed from the binary for built-in checks, owned for user files.

use std::borrow::Cow;

use super::schema::{Action, Checksum, Ecosystem, Judge, On, Per, ProducedBy, Scope, Within};
use crate::model::{Category, Severity};

/// Text borrowed from the binary or owned.
pub type Text = Cow<'static, str>;

/// A list borrowed from the binary or owned.
pub type List<T> = Cow<'static, [T]>;

/// A value with the line of the check file it was written on.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The value as written.
    pub text: Text,
    /// 1-based line in the check file.
    pub line: u32,
}

/// One validated check definition.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    /// Unique id.
    pub id: Text,
    /// Line of the id.
    pub line: u32,
    /// The check file it came from.
    pub source: Text,
    /// Category.
    pub category: Category,
    /// Base severity.
    pub severity: Severity,
    /// Language names as written; empty means every language.
    pub languages: List<Located>,
    /// Path globs the check is limited to.
    pub paths: List<Located>,
    /// Path globs the check never looks at.
    pub exclude_paths: List<Located>,
    /// Message template (trimmed).
    pub message: Text,
    /// CWE id, if any.
    pub cwe: Option<Text>,
    /// Long help, in sections (see [`super::help`]).
    pub help: super::help::CheckHelp,
    /// What kind of check it is.
    pub kind: KindSpec,
    /// Findings keep their severity where the file already had the capability (`novelty: always-report`).
    pub always_report: bool,
}

/// The kinds of check.
#[derive(Debug, Clone, PartialEq)]
pub enum KindSpec {
    /// A regular expression run on added lines.
    Pattern(PatternSpec),
    /// Findings the engine produces itself (no pattern).
    Produced(ProducedBy),
    /// An attack chain made of other checks' findings.
    Chain(ChainSpec),
    /// A matcher of shell commands, for the agent gate.
    Command(CommandCheckSpec),
}

/// A pattern check.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSpec {
    /// The regex (a shorthand such as `@literal` not yet expanded).
    pub pattern: Located,
    /// Prefilter words, lowercase.
    pub keywords: List<Text>,
    /// Where a match may start.
    pub scope: Scope,
    /// Conditions that must all hold.
    pub requires: List<ConditionSpec>,
    /// Conditions of which none may hold.
    pub unless: List<ConditionSpec>,
    /// Severity rules; the first that holds wins.
    pub adjust: List<ConditionSpec>,
    /// Capture group holding a secret.
    pub redact: Option<Located>,
    /// Least entropy of the secret value.
    pub entropy: Option<f64>,
    /// Offline checksum of the secret value.
    pub validate: Option<Checksum>,
    /// How the secret value is judged.
    pub judge: Option<Judge>,
    /// Also fires on binary files whose path matches `paths`.
    pub binary: bool,
    /// A finding per match or per file.
    pub per: Per,
    /// Its findings feed attack chains and are not reported on their own.
    pub signal: bool,
    /// Which side of the change it reads (`on:`).
    pub on: On,
}

/// Which text around a match a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetSpec {
    /// The matched text.
    Match,
    /// From the match to the end of the line.
    Rest,
    /// The line before the match.
    Before,
    /// The whole line.
    Line,
    /// From the end of the match onward, across lines (bounded).
    After,
    /// The call's arguments.
    Args,
    /// The whole file.
    File,
    /// The file after the change (`on: removed` checks).
    NewFile,
    /// `on: removed` checks: the first old line after the match that the regex matches is not removed.
    KeptAfter,
}

/// A condition on the text around a match.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionSpec {
    /// The text the regex runs on.
    pub target: TargetSpec,
    /// The regex (or shorthand).
    pub pattern: Located,
    /// `adjust` only: the severity when it holds.
    pub severity: Option<Severity>,
    /// `adjust` only: words for the message.
    pub reason: Option<Text>,
}

/// An attack chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainSpec {
    /// Where the parts must lie together.
    pub within: Within,
    /// Line window around the last part.
    pub lines: Option<u32>,
    /// The other parts come before the last one.
    pub ordered: bool,
    /// The roles, in order.
    pub parts: List<RoleSpec>,
    /// Targets whose presence cancels the chain.
    pub unless: List<Located>,
}

/// One role of a chain.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleSpec {
    /// What the part does.
    pub role: Text,
    /// Ids, id prefixes or categories of the checks that can play it.
    pub any: List<Located>,
}

/// A command check: what to answer and which commands.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandCheckSpec {
    /// The agent gate's answer when it matches.
    pub action: Action,
    /// Which simple commands it matches.
    pub matcher: CommandSpec,
}

/// A command matcher; see [`super::schema::CommandDef`] for what each field means.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandSpec {
    /// Lowercase program names; a trailing `*` matches any suffix.
    pub programs: List<Text>,
    /// Allowed first operands.
    pub subcommands: List<Text>,
    /// Options that take a value.
    pub value_flags: List<Text>,
    /// Required flags, each one of a group.
    pub flags: List<List<Text>>,
    /// Forbidden flags.
    pub without_flags: List<Text>,
    /// Some operand matches this regex.
    pub operands: Option<Located>,
    /// Some argument matches this regex.
    pub args: Option<Located>,
    /// Operand limit.
    pub max_operands: Option<usize>,
    /// Argument limit.
    pub max_args: Option<usize>,
    /// Some redirection target matches this regex.
    pub redirect_to: Option<Located>,
    /// Matchers of related commands.
    pub related: List<(Relation, CommandSpec)>,
    /// Ecosystem of packages that must be new to the project.
    pub new_package: Option<Ecosystem>,
    /// Ecosystem of packages that must imitate a popular one.
    pub typosquat: Option<Ecosystem>,
    /// The repository is on its default branch.
    pub on_default_branch: bool,
    /// The command recurses into its own function.
    pub recursive: bool,
    /// The program is computed at run time.
    pub computed_program: bool,
    /// The command line could not be parsed completely.
    pub opaque: bool,
}

/// How a related command stands to the matched one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Its output reaches the command's standard input.
    InputFrom,
    /// Its output becomes one of the command's arguments.
    ArgsFrom,
    /// It reads the command's output.
    PipedInto,
    /// No command reading the output may match.
    NotPipedInto,
    /// It comes later on the same command line.
    FollowedBy,
}
