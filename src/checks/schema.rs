//! The YAML schema of a check file, as written by people. [`super::compile`] turns it into
//! something the engine can run.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// One check as written in a check file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    /// Unique id, dotted: `<category>.<language>.<what>`.
    pub id: Spanned<String>,
    /// One of the categories (`exec`, `network`, ...).
    pub category: Spanned<String>,
    /// Base severity; `adjust` rules can change it by context.
    pub severity: Spanned<String>,
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
    pub produced_by: Option<Spanned<String>>,
    /// Where a match may start: `code` (default), `strings`, `comments` or `any`.
    #[serde(default, rename = "in")]
    pub scope: Option<Spanned<String>>,
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
    pub validate: Option<Spanned<String>>,
    /// For secrets: `generic` judges the value as a free-form credential (charset-aware entropy, words,
    /// identifiers, paths, URLs and versions rejected) and sets the severity from its strength.
    #[serde(default)]
    pub judge: Option<Spanned<String>>,
    /// Also fire, once, when a binary file whose path matches `paths` is added (its text cannot be read,
    /// so the pattern is not used for it). For key stores and similar files.
    #[serde(default)]
    pub binary: bool,
    /// `line` (default): a finding per match; `file`: at most one finding per file (checks about adding a
    /// kind of file at all).
    #[serde(default)]
    pub per: Option<Spanned<String>>,
    /// A signal: its findings feed attack chains and are not reported on their own.
    #[serde(default)]
    pub signal: bool,
    /// An attack chain: no pattern; the finding comes from other checks' findings found together.
    #[serde(default)]
    pub chain: Option<super::chain::ChainDef>,
    /// Command checks only: what the agent gate answers when the check matches (`deny`, `ask`, `allow`).
    #[serde(default)]
    pub action: Option<Spanned<String>>,
    /// Command checks only: which simple commands of a shell command line the check matches
    /// (see [`super::command::CommandDef`]).
    #[serde(default)]
    pub command: Option<super::command::CommandDef>,
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
    /// The whole file (as far as it is known).
    #[serde(default)]
    pub file: Option<Spanned<String>>,
    /// `adjust` only: the severity when the condition holds.
    #[serde(default)]
    pub severity: Option<Spanned<String>>,
    /// `adjust` only: a few words appended to the message, e.g. `through a shell`.
    #[serde(default)]
    pub reason: Option<String>,
}
