//! A runnable check: what every check has ([`CheckMeta`]) and what its kind adds ([`CheckKind`]).

use std::sync::{Arc, OnceLock};

use super::chain::Chain;
use super::command::CommandMatcher;
use super::help::CheckHelp;
use super::regex::{LazyGlobs, LazyRegex};
use super::schema::{Checksum, Scope};
use super::spec::{List, Text};
use crate::lang::{Language, Region};
use crate::model::Decision;
use crate::model::{Category, Severity};

/// A runnable check.
#[derive(Debug, Clone)]
pub struct Check {
    /// What every check has.
    pub meta: CheckMeta,
    /// What its kind adds.
    pub kind: CheckKind,
}

/// What every check has, whatever its kind.
#[derive(Debug, Clone)]
pub struct CheckMeta {
    /// Unique id (borrowed from the binary for built-in checks, like every text here).
    pub id: Text,
    /// Category.
    pub category: Category,
    /// Base severity.
    pub severity: Severity,
    /// Languages it applies to; `None` means all.
    pub languages: Option<Vec<Language>>,
    /// Path globs the check is limited to.
    pub paths: Option<Box<LazyGlobs>>,
    /// Path globs the check never looks at.
    pub exclude_paths: Option<Box<LazyGlobs>>,
    /// Message template.
    pub message: Text,
    /// CWE id, if any.
    pub cwe: Option<Text>,
    /// Long help in its sections, borrowed from the binary for built-in checks (it is most of their
    /// bytes) and unpacked when first shown.
    pub help: Deferred<Box<CheckHelp>>,
    /// The file the check came from.
    pub source: Text,
    /// Findings keep their severity where the file already had the capability (`novelty: always-report`).
    pub always_report: bool,
}

/// The kinds of check.
#[derive(Debug, Clone)]
pub enum CheckKind {
    /// A regular expression the line engine runs on added lines. Shared, so that a set of some checks
    /// (the secret checks the agent gate runs on a command) costs no copy and shares compiled regexes.
    Pattern(Arc<PatternCheck>),
    /// Findings the engine produces itself (dependency analysis, the configuration's review); the check
    /// gives them their id, severity, message and help.
    Produced(super::schema::ProducedBy),
    /// An attack chain made of other checks' findings.
    Chain(Chain),
    /// A matcher of shell commands, run by the agent gate (the line engine skips these checks).
    Command(Box<CommandCheck>),
}

/// A pattern check. A signal is a pattern check too: it runs the same way, only its findings feed attack
/// chains instead of being reported (a property of its findings, not another way of finding them).
#[derive(Debug, Clone)]
pub struct PatternCheck {
    /// Prefilter words (lowercase); empty means the regex runs on every line.
    pub keywords: List<Text>,
    /// The pattern.
    pub regex: LazyRegex,
    /// Where a match may start.
    pub scope: Scope,
    /// Its `requires`, `unless` and `adjust` conditions (see [`PatternCheck::requires`]).
    pub conditions: Deferred<Conditions>,
    /// One past the last slot in a file's state taken by its file-wide conditions or by those of the
    /// checks compiled before it: a set needs room for the most of its checks'.
    pub slots_end: usize,
    /// Name of the capture group holding a secret, for redaction.
    pub redact_group: Option<String>,
    /// Whether the message or redaction needs capture groups (slower than a plain find).
    pub needs_captures: bool,
    /// Least entropy (bits per character) of the secret value.
    pub min_entropy: Option<f64>,
    /// Offline checksum validation of the secret value.
    pub validate: Option<Checksum>,
    /// At most one finding per file.
    pub per_file: bool,
    /// Also fires on binary files whose path matches `paths`.
    pub on_binary: bool,
    /// Judge the value as a free-form credential (see [`crate::engine::secrets::judge_generic`]).
    pub judge_generic: bool,
    /// Its findings feed attack chains and are not reported on their own.
    pub signal: bool,
    /// Which side of the change it reads: added lines, removed lines, or deleted files.
    pub on: super::schema::On,
}

impl PatternCheck {
    /// Conditions that must all hold.
    pub fn requires(&self) -> &[Condition] {
        &self.conditions.requires
    }

    /// Conditions of which none may hold.
    pub fn unless(&self) -> &[Condition] {
        &self.conditions.unless
    }

    /// Severity rules; the first that holds wins.
    pub fn adjust(&self) -> &[Condition] {
        &self.conditions.adjust
    }
}

/// A pattern's compiled conditions.
#[derive(Debug, Clone)]
pub struct Conditions {
    /// Conditions that must all hold.
    pub requires: Vec<Condition>,
    /// Conditions of which none may hold.
    pub unless: Vec<Condition>,
    /// Severity rules; the first that holds wins.
    pub adjust: Vec<Condition>,
}

/// Reads a part of a check packed at a word of the built-in checks; the number with it is the first
/// file slot a pattern's conditions take (a help has no use for it).
pub type Unpack<T> = fn(u32, usize) -> T;

/// A part of a check read when first needed (its help, a pattern's conditions): a built-in check's
/// stays packed in the binary until a review runs the check or shows its help (the agent hook loads
/// hundreds of checks and runs a few).
#[derive(Debug, Clone)]
pub struct Deferred<T> {
    value: OnceLock<T>,
    /// Where it is packed and the number for the reader, with the reader; None when the value is set.
    packed: Option<(u32, usize, Unpack<T>)>,
}

impl<T> Deferred<T> {
    /// A value at hand.
    pub fn new(value: T) -> Deferred<T> {
        Deferred {
            value: OnceLock::from(value),
            packed: None,
        }
    }

    /// A value packed at word `at`, that `unpack` reads (given `number`) when first needed.
    pub fn packed(at: u32, number: usize, unpack: Unpack<T>) -> Deferred<T> {
        Deferred {
            value: OnceLock::new(),
            packed: Some((at, number, unpack)),
        }
    }
}

impl<T> std::ops::Deref for Deferred<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value.get_or_init(|| {
            // A deferred value is made either set or packed: unset, it is packed.
            let (at, number, unpack) = self.packed.expect("an unset deferred value is packed");
            unpack(at, number)
        })
    }
}

/// A command check.
#[derive(Debug, Clone)]
pub struct CommandCheck {
    /// What the agent gate answers when the check matches.
    pub action: Decision,
    /// Which simple commands the check matches.
    pub matcher: CommandMatcher,
}

/// Which text around a match a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
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
    /// The call's arguments (the text inside the parentheses that open at or after the match).
    Args,
    /// The whole file; the result is computed once per file and kept in this slot.
    File(usize),
    /// The file after the change (`on: removed` checks); computed once per file, kept in this slot.
    NewFile(usize),
    /// `on: removed` checks: the first old line after the match that the regex matches is kept.
    KeptAfter,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The text the regex runs on.
    pub target: Target,
    /// The regex.
    pub regex: LazyRegex,
    /// `adjust` only: the severity when it holds.
    pub severity: Option<Severity>,
    /// `adjust` only: words for the message.
    pub reason: Option<String>,
}

impl Scope {
    /// Whether a match starting in `region` is in scope.
    pub fn admits(self, region: Region) -> bool {
        match self {
            Scope::Code => region == Region::Code,
            Scope::Strings => region == Region::String,
            Scope::Comments => region == Region::Comment,
            Scope::Any => true,
        }
    }
}

impl Check {
    /// The pattern check, if it is one.
    pub fn pattern(&self) -> Option<&PatternCheck> {
        match &self.kind {
            CheckKind::Pattern(pattern) => Some(pattern),
            _ => None,
        }
    }

    /// The attack chain, if it is one.
    pub fn chain(&self) -> Option<&Chain> {
        match &self.kind {
            CheckKind::Chain(chain) => Some(chain),
            _ => None,
        }
    }

    /// The command check, if it is one.
    pub fn command(&self) -> Option<&CommandCheck> {
        match &self.kind {
            CheckKind::Command(command) => Some(command),
            _ => None,
        }
    }

    /// Whether the engine produces its findings (dependency analysis, configuration review).
    pub fn is_produced(&self) -> bool {
        matches!(self.kind, CheckKind::Produced(_))
    }

    /// Which side of the change it reads (`on:`): added lines for every check but the removal checks.
    pub fn on(&self) -> super::schema::On {
        self.pattern().map_or(super::schema::On::Added, |p| p.on)
    }

    /// Whether it is a signal: a pattern check whose findings feed attack chains only.
    pub fn is_signal(&self) -> bool {
        self.pattern().is_some_and(|p| p.signal)
    }

    /// A command check's action: what the agent gate answers when it matches.
    pub fn action(&self) -> Option<Decision> {
        self.command().map(|c| c.action)
    }

    /// Whether it is a pattern check that also fires on binary files.
    pub fn on_binary(&self) -> bool {
        self.pattern().is_some_and(|p| p.on_binary)
    }

    /// Whether the check looks at a file of this language and path.
    pub fn applies_to(&self, language: Language, path: &str) -> bool {
        let meta = &self.meta;
        if let Some(languages) = &meta.languages {
            if !languages.contains(&language) {
                return false;
            }
        }
        if let Some(paths) = &meta.paths {
            if !paths.is_match(path) {
                return false;
            }
        }
        !meta
            .exclude_paths
            .as_ref()
            .is_some_and(|g| g.is_match(path))
    }

    /// The languages as a display string.
    pub fn language_names(&self) -> String {
        match &self.meta.languages {
            None => "any".to_string(),
            Some(langs) => langs
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Whether a finding of `check` can play a role named by `targets` (ids, id prefixes or categories).
pub fn plays(targets: &[String], check: &Check) -> bool {
    targets
        .iter()
        .any(|t| crate::model::target_covers(t, &check.meta.id, check.meta.category))
}
