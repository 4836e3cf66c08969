//! Turning check definitions into runnable checks: regexes compiled, names resolved (the keyword
//! prefilter over the whole set is in [`super::set`]).

use std::fmt;
use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde_saphyr::Spanned;

use super::command::{compile_command_parts, CommandMatcher};
use super::schema::{CheckDef, ConditionDef};
use crate::lang::Region;
use crate::model::{Category, Decision, Language, Severity};

/// An error in a check definition, naming the file, the line and the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The check file.
    pub file: String,
    /// 1-based line of the offending key (0 when unknown).
    pub line: u64,
    /// The check's id, when known.
    pub check: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(check) = &self.check {
            write!(f, ": check `{check}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DefinitionError {}

/// Where a match may start for the check to fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// In code (not in a comment, string or inert text).
    Code,
    /// Inside a string literal.
    Strings,
    /// Inside a comment.
    Comments,
    /// Anywhere.
    Any,
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
    /// The call's arguments (see [`ConditionDef::args`]).
    Args,
    /// The whole file; the result is computed once per file and kept in this slot.
    File(usize),
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

/// A runnable check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Unique id.
    pub id: String,
    /// Category.
    pub category: Category,
    /// Base severity.
    pub severity: Severity,
    /// Languages it applies to; `None` means all.
    pub languages: Option<Vec<Language>>,
    /// Prefilter words (lowercase); empty means the regex runs on every line.
    pub keywords: Vec<String>,
    /// The pattern.
    pub regex: LazyRegex,
    /// Where a match may start.
    pub scope: Scope,
    /// Path globs the check is limited to, and excluded from.
    pub paths: Option<GlobSet>,
    /// Path globs the check never looks at.
    pub exclude_paths: Option<GlobSet>,
    /// Conditions that must all hold.
    pub requires: Vec<Condition>,
    /// Conditions of which none may hold.
    pub unless: Vec<Condition>,
    /// Severity rules; the first that holds wins.
    pub adjust: Vec<Condition>,
    /// Message template.
    pub message: String,
    /// CWE id, if any.
    pub cwe: Option<String>,
    /// Long help, in sections.
    pub help: super::help::CheckHelp,
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
    /// The engine produces this check's findings (dependency analysis); it has no pattern to run.
    pub produced_by_engine: bool,
    /// Its findings feed attack chains and are not reported on their own.
    pub signal: bool,
    /// An attack chain made of other checks' findings (no pattern of its own).
    pub chain: Option<super::chain::Chain>,
    /// Judge the value as a free-form credential (see [`crate::engine::secrets::judge_generic`]).
    pub judge_generic: bool,
    /// The file the check came from.
    pub source: String,
    /// Command checks: what the agent gate answers when the check matches.
    pub action: Option<Decision>,
    /// Command checks: which simple commands the check matches (the line engine skips these checks).
    pub command: Option<Box<CommandMatcher>>,
}

impl Check {
    /// Whether the check looks at a file of this language and path.
    pub fn applies_to(&self, language: Language, path: &str) -> bool {
        if let Some(languages) = &self.languages {
            if !languages.contains(&language) {
                return false;
            }
        }
        if let Some(paths) = &self.paths {
            if !paths.is_match(path) {
                return false;
            }
        }
        !self
            .exclude_paths
            .as_ref()
            .is_some_and(|g| g.is_match(path))
    }

    /// The languages as a display string.
    pub fn language_names(&self) -> String {
        match &self.languages {
            None => "any".to_string(),
            Some(langs) => langs
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A regex compiled when first used: loading hundreds of checks stays cheap, and a commit that touches a
/// few lines compiles only the regexes those lines call for. User check files are compiled at load, so
/// their mistakes are reported up front; the built-in ones are compiled by the test suite.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    source: String,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    fn checked(source: String) -> Result<LazyRegex, String> {
        let compiled = OnceLock::new();
        let _ = compiled.set(build_regex(&source)?);
        Ok(LazyRegex { source, compiled })
    }

    fn deferred(source: String) -> LazyRegex {
        LazyRegex {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled regex.
    pub fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            build_regex(&self.source)
                .unwrap_or_else(|e| panic!("built-in regex `{}`: {e}", self.source))
        })
    }

    /// The names of the capture groups.
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.get().capture_names()
    }
}

/// The pattern of checks whose findings the engine produces: it never matches.
const NEVER_MATCHES: &str = r"[^\s\S]";

/// Checksums that some token formats carry and that can be verified offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` tokens: 30 base62 characters and their CRC32 in 6 more.
    Github,
    /// npm `npm_` tokens: the same scheme as GitHub's.
    Npm,
}

/// Regex shorthands usable in conditions: `@literal` and friends describe string literals without
/// interpolation, which is what "not if the argument is a literal" needs in most languages.
const LITERAL: &str = r##"(?:[rRbBuU]{0,2}"""(?s:[^"\\]|\\.|"[^"]|""[^"])*"""|[rRbBuU]{0,2}'''(?s:[^'\\]|\\.|'[^']|''[^'])*'''|(?:[rRbBuU]{0,2}|@)"(?:[^"\\$`#\n]|#[^{"\n]|\\.)*#?"|[rRbBuU]{0,2}'(?:[^'\\\n]|\\.)*'|`[^`$\\\n]*`)"##;

fn expand_shorthand(pattern: &str) -> Option<String> {
    Some(match pattern {
        "@literal" => format!(r"^\s*{LITERAL}\s*$"),
        "@literal-first" => format!(r"^\s*{LITERAL}\s*(?:,|$)"),
        "@literals" => format!(r"^\s*[\[(]?\s*{LITERAL}(?:\s*,\s*{LITERAL})*\s*,?\s*[\])]?\s*$"),
        "@empty" => r"^\s*$".to_string(),
        _ => return None,
    })
}

/// Compiles one definition. `file_slots` counts file-wide conditions across the whole set.
/// Compiles one definition; with `eager`, regexes are compiled (and their capture groups checked) now.
pub fn compile(
    def: CheckDef,
    file: &str,
    file_slots: &mut usize,
    eager: bool,
) -> Result<Check, DefinitionError> {
    let id = def.id.value.clone();
    let err = |line: u64, message: String| DefinitionError {
        file: file.to_string(),
        line,
        check: Some(id.clone()),
        message,
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(err(
            line_of(&def.id),
            "an id may only hold letters, digits, `.`, `-` and `_`".into(),
        ));
    }
    let category = def
        .category
        .value
        .parse::<Category>()
        .map_err(|e| err(line_of(&def.category), e))?;
    let severity = def
        .severity
        .value
        .parse::<Severity>()
        .map_err(|e| err(line_of(&def.severity), e))?;
    let mut languages = Vec::new();
    let mut any_language = def.languages.is_empty();
    for lang in &def.languages {
        if lang.value == "any" || lang.value == "*" {
            any_language = true;
            continue;
        }
        match Language::from_name(&lang.value) {
            Some(l) => languages.push(l),
            None => {
                return Err(err(
                    line_of(lang),
                    format!(
                        "unknown language `{}` (known: {})",
                        lang.value,
                        Language::ALL.map(Language::name).join(", ")
                    ),
                ))
            }
        }
    }
    let produced_by_engine = match def.produced_by.as_ref().map(|p| p.value.as_str()) {
        None => false,
        Some("dependencies") | Some("policy") => true,
        Some(other) => {
            return Err(err(
                line_of(def.produced_by.as_ref().unwrap()),
                format!("unknown `produced_by` value `{other}` (expected dependencies or policy)"),
            ))
        }
    };
    let chain = match def.chain {
        Some(chain) => Some(super::chain::compile(chain).map_err(|(line, e)| err(line, e))?),
        None => None,
    };
    let produced_by_engine = produced_by_engine || chain.is_some();
    let is_command = category == Category::Command;
    let (action, command) =
        compile_command_parts(def.action, def.command, is_command, &def.message, eager)
            .map_err(|(line, e)| err(if line == 0 { line_of(&def.id) } else { line }, e))?;
    let regex = match (&def.pattern, produced_by_engine || is_command) {
        (Some(pattern), false) => {
            compile_regex(pattern, eager).map_err(|e| err(line_of(pattern), e))?
        }
        (None, true) => LazyRegex::deferred(NEVER_MATCHES.to_string()),
        (Some(pattern), true) => {
            return Err(err(
                line_of(pattern),
                "a check with `produced_by`, `chain` or `command` takes no `pattern`".into(),
            ))
        }
        (None, false) => return Err(err(line_of(&def.id), "missing `pattern`".into())),
    };
    let scope = match def.scope.as_ref().map(|s| s.value.as_str()) {
        None | Some("code") => Scope::Code,
        Some("strings") | Some("string") => Scope::Strings,
        Some("comments") | Some("comment") => Scope::Comments,
        Some("any") => Scope::Any,
        Some(other) => {
            return Err(err(
                line_of(def.scope.as_ref().unwrap()),
                format!("unknown `in` value `{other}` (expected code, strings, comments or any)"),
            ))
        }
    };
    let mut keywords = Vec::new();
    for keyword in &def.keywords {
        if keyword.value.is_empty() {
            return Err(err(line_of(keyword), "a keyword may not be empty".into()));
        }
        keywords.push(keyword.value.to_ascii_lowercase());
    }
    let paths = compile_globs(&def.paths).map_err(|(line, e)| err(line, e))?;
    let exclude_paths = compile_globs(&def.exclude_paths).map_err(|(line, e)| err(line, e))?;
    let mut conditions = |defs: Vec<ConditionDef>,
                          is_adjust: bool|
     -> Result<Vec<Condition>, DefinitionError> {
        defs.into_iter()
            .map(|c| {
                compile_condition(c, is_adjust, file_slots, eager).map_err(|(line, e)| err(line, e))
            })
            .collect()
    };
    let requires = conditions(def.requires, false)?;
    let unless = conditions(def.unless, false)?;
    let adjust = conditions(def.adjust, true)?;
    let redact_group = def.redact.as_ref().map(|name| name.value.clone());
    if eager && !is_command {
        if let Some(name) = &def.redact {
            if !regex
                .capture_names()
                .any(|n| n == Some(name.value.as_str()))
            {
                return Err(err(
                    line_of(name),
                    format!("the pattern has no capture group named `{}`", name.value),
                ));
            }
        }
        for placeholder in placeholders(&def.message) {
            if !regex.capture_names().any(|n| n == Some(placeholder)) {
                return Err(err(
                    line_of(&def.id),
                    format!("the message uses `{{{placeholder}}}` but the pattern has no capture group of that name"),
                ));
            }
        }
    }
    if let Some(empty) = def.help.empty_sections().first() {
        return Err(err(
            line_of(&def.id),
            format!("`help` may not be empty ({empty}): say what it finds, why it matters, give an example and the fix"),
        ));
    }
    let needs_captures =
        !is_command && (redact_group.is_some() || placeholders(&def.message).next().is_some());
    let validate = match &def.validate {
        None => None,
        Some(v) => Some(match v.value.as_str() {
            "github" => Checksum::Github,
            "npm" => Checksum::Npm,
            other => {
                return Err(err(
                    line_of(v),
                    format!("unknown `validate` value `{other}` (expected github or npm)"),
                ))
            }
        }),
    };
    let per_file = match def.per.as_ref().map(|p| p.value.as_str()) {
        None | Some("line") => false,
        Some("file") => true,
        Some(other) => {
            return Err(err(
                line_of(def.per.as_ref().unwrap()),
                format!("unknown `per` value `{other}` (expected line or file)"),
            ))
        }
    };
    if def.binary && def.paths.is_empty() {
        return Err(err(
            line_of(&def.id),
            "`binary: true` needs `paths`: which binary files it is about".into(),
        ));
    }
    let judge_generic = match def.judge.as_ref().map(|j| j.value.as_str()) {
        None => false,
        Some("generic") => true,
        Some(other) => {
            return Err(err(
                line_of(def.judge.as_ref().unwrap()),
                format!("unknown `judge` value `{other}` (expected generic)"),
            ))
        }
    };
    if let Some(entropy) = def.entropy {
        if !(0.0..=8.0).contains(&entropy) {
            return Err(err(
                line_of(&def.id),
                format!("`entropy` must be between 0 and 8 bits per character, not {entropy}"),
            ));
        }
    }
    Ok(Check {
        id,
        category,
        severity,
        languages: (!any_language).then_some(languages),
        keywords,
        regex,
        scope,
        paths,
        exclude_paths,
        requires,
        unless,
        adjust,
        message: def.message.trim().to_string(),
        cwe: def.cwe,
        help: def.help,
        redact_group,
        needs_captures,
        min_entropy: def.entropy,
        validate,
        per_file,
        on_binary: def.binary,
        produced_by_engine,
        signal: def.signal,
        chain,
        judge_generic,
        source: file.to_string(),
        action,
        command,
    })
}

/// `{name}` placeholders in a message.
pub fn placeholders(message: &str) -> impl Iterator<Item = &str> {
    message.split('{').skip(1).filter_map(|part| {
        let name = part.split_once('}')?.0;
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then_some(name)
    })
}

fn line_of<T>(spanned: &Spanned<T>) -> u64 {
    spanned.referenced.line()
}

pub(super) fn compile_regex(pattern: &Spanned<String>, eager: bool) -> Result<LazyRegex, String> {
    let source = expand_shorthand(&pattern.value).unwrap_or_else(|| pattern.value.clone());
    if eager {
        LazyRegex::checked(source)
    } else {
        Ok(LazyRegex::deferred(source))
    }
}

fn build_regex(source: &str) -> Result<Regex, String> {
    // Byte regexes with Unicode off: `\w`, `\b` and `(?i)` are ASCII, which is what source code needs,
    // and it keeps compiling hundreds of checks cheap and matching on the fast DFA path.
    regex::bytes::RegexBuilder::new(source)
        .unicode(false)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| format!("the regex does not compile: {e}"))
}

fn compile_globs(globs: &[Spanned<String>]) -> Result<Option<GlobSet>, (u64, String)> {
    if globs.is_empty() {
        return Ok(None);
    }
    build_globset(globs.iter().map(|g| (g.value.as_str(), line_of(g)))).map(Some)
}

/// Builds a glob set from (glob, line) pairs; a bad glob is reported with its line.
pub fn build_globset<'a>(
    globs: impl Iterator<Item = (&'a str, u64)>,
) -> Result<GlobSet, (u64, String)> {
    let mut builder = GlobSetBuilder::new();
    for (glob, line) in globs {
        let pattern = if glob.contains('/') {
            glob.trim_start_matches('/').to_string()
        } else {
            format!("**/{glob}")
        };
        let compiled =
            Glob::new(&pattern).map_err(|e| (line, format!("bad glob `{glob}`: {e}")))?;
        builder.add(compiled);
        if !glob.contains('*') {
            // A directory name also covers everything below it.
            let below = Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))
                .map_err(|e| (line, format!("bad glob `{glob}`: {e}")))?;
            builder.add(below);
        }
    }
    builder.build().map_err(|e| (0, format!("bad glob: {e}")))
}

fn compile_condition(
    def: ConditionDef,
    is_adjust: bool,
    file_slots: &mut usize,
    eager: bool,
) -> Result<Condition, (u64, String)> {
    let targets = [
        (Target::Match, def.matched),
        (Target::Rest, def.rest),
        (Target::Before, def.before),
        (Target::Line, def.line),
        (Target::After, def.after),
        (Target::Args, def.args),
        (Target::File(0), def.file),
    ];
    let mut chosen = targets.into_iter().filter_map(|(t, p)| p.map(|p| (t, p)));
    let (mut target, pattern) = chosen.next().ok_or((
        0,
        "a condition needs one of: match, rest, before, line, after, args, file".to_string(),
    ))?;
    if let Some((_, extra)) = chosen.next() {
        return Err((
            line_of(&extra),
            "a condition takes exactly one of: match, rest, before, line, after, args, file".into(),
        ));
    }
    let line = line_of(&pattern);
    let regex = compile_regex(&pattern, eager).map_err(|e| (line, e))?;
    if let Target::File(_) = target {
        target = Target::File(*file_slots);
        *file_slots += 1;
    }
    let severity = match def.severity {
        Some(s) if is_adjust => Some(s.value.parse::<Severity>().map_err(|e| (line_of(&s), e))?),
        Some(s) => {
            return Err((
                line_of(&s),
                "`severity` belongs in `adjust` conditions only".into(),
            ))
        }
        None if is_adjust => return Err((line, "an `adjust` condition needs a `severity`".into())),
        None => None,
    };
    if def.reason.is_some() && !is_adjust {
        return Err((line, "`reason` belongs in `adjust` conditions only".into()));
    }
    Ok(Condition {
        target,
        regex,
        severity,
        reason: def.reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_shorthands() {
        let literal = Regex::new(&expand_shorthand("@literal").unwrap()).unwrap();
        let literal = |s: &str| literal.is_match(s.as_bytes());
        for yes in [
            r#""ls -l""#,
            "'x'",
            r#"r"raw\d""#,
            "`plain`",
            r#""""multi
line""""#,
            "'''a'b'''",
            r#"@"C:\path""#,
        ] {
            assert!(literal(yes), "{yes}");
        }
        for no in [
            r#"f"{x}""#,
            r#""a" + b"#,
            "`a ${b}`",
            r##""#{x}""##,
            "cmd",
            r#""$HOME""#,
        ] {
            assert!(!literal(no), "{no}");
        }
        let first = Regex::new(&expand_shorthand("@literal-first").unwrap()).unwrap();
        assert!(first.is_match(br#""a.txt", "utf8""#));
        assert!(!first.is_match(b"name, 'utf8'"));
        let list = Regex::new(&expand_shorthand("@literals").unwrap()).unwrap();
        assert!(list.is_match(br#"["ls", "-l"]"#));
        assert!(!list.is_match(br#"["ls", path]"#));
    }
}
