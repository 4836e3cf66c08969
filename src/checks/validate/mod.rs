//! Validating check definitions: YAML text to [`CheckSpec`]s, with errors naming the file, the line and
//! the check. `build.rs` runs this on every built-in check file (a bad one fails the build); user check
//! files go through it at run time. A leaf: regexes, globs and language names are checked when the spec
//! is compiled ([`super::compile`]).

mod chain;
mod command;

use std::borrow::Cow;

use serde_saphyr::Spanned;

use super::error::DefinitionError;
use super::schema::{CheckDef, ConditionDef, On, Per, Scope};
use super::spec::{CheckSpec, ConditionSpec, KindSpec, List, Located, PatternSpec, TargetSpec};
use crate::model::Category;

/// An error of one definition before the file and check are known: (line, message); line 0 means the
/// check's own line.
type Fault = (u64, String);

/// Parses and validates one check file.
pub fn parse_specs(file: &str, text: &str) -> Result<Vec<CheckSpec>, DefinitionError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let defs: Vec<CheckDef> = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        DefinitionError {
            file: file.to_string(),
            line,
            check: check_at(text, line),
            message: yaml_error_message(&e),
        }
    })?;
    defs.into_iter().map(|def| validate(def, file)).collect()
}

/// The first line of a YAML error, without the location the caller prints itself.
pub fn yaml_error_message(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    first.to_string()
}

/// Validates one definition from `file`.
pub fn validate(def: CheckDef, file: &str) -> Result<CheckSpec, DefinitionError> {
    let id = def.id.value.clone();
    let id_line = line_of(&def.id);
    let err = |(line, message): Fault| DefinitionError {
        file: file.to_string(),
        line: if line == 0 { id_line } else { line },
        check: Some(id.clone()),
        message,
    };
    check_id(&id).map_err(|m| err((id_line, m)))?;
    if let Some(empty) = def.help.empty_sections().first() {
        return Err(err((
            0,
            format!("`help` may not be empty ({empty}): say what it finds, why it matters, give an example and the fix"),
        )));
    }
    let languages = def
        .languages
        .iter()
        .filter(|l| l.value != "any" && l.value != "*")
        .map(located)
        .collect::<Vec<_>>();
    let any_language = def
        .languages
        .iter()
        .any(|l| l.value == "any" || l.value == "*");
    let kind = kind(&def).map_err(err)?;
    Ok(CheckSpec {
        id: Cow::Owned(id.clone()),
        line: id_line as u32,
        source: Cow::Owned(file.to_string()),
        category: def.category.value,
        severity: def.severity.value,
        languages: if any_language {
            Cow::Owned(Vec::new())
        } else {
            Cow::Owned(languages)
        },
        paths: located_list(&def.paths),
        exclude_paths: located_list(&def.exclude_paths),
        message: Cow::Owned(def.message.trim().to_string()),
        cwe: def.cwe.map(Cow::Owned),
        help: def.help,
        kind,
        always_report: def.novelty.is_some(),
    })
}

fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err("an id may only hold letters, digits, `.`, `-` and `_`".into());
    }
    Ok(())
}

/// Which kind the definition is, from the keys it has: `chain`, `produced_by`, `category: command`, or
/// else a pattern; the keys of another kind are refused.
fn kind(def: &CheckDef) -> Result<KindSpec, Fault> {
    let is_command = def.category.value == Category::Command;
    let chosen = [
        def.chain.is_some().then_some("chain"),
        def.produced_by.is_some().then_some("produced_by"),
        is_command.then_some("category: command"),
    ];
    let mut chosen = chosen.into_iter().flatten();
    let first = chosen.next();
    if let Some(second) = chosen.next() {
        return Err((
            0,
            format!(
                "a check is one kind: `{}` and `{second}` do not go together",
                first.unwrap_or("")
            ),
        ));
    }
    if first.is_some() {
        if let Some(key) = pattern_keys(def).next() {
            let message = if key == "pattern" {
                "a check with `produced_by`, `chain` or `command` takes no `pattern`".to_string()
            } else {
                format!(
                    "`{key}` belongs to pattern checks, not to a check with `{}`",
                    first.unwrap_or("")
                )
            };
            return Err((pattern_line(def), message));
        }
    }
    if !is_command {
        if let Some(action) = &def.action {
            return Err((
                line_of(action),
                "`action` belongs to command checks (`category: command`)".into(),
            ));
        }
        if def.command.is_some() {
            return Err((
                0,
                "`command` belongs to command checks (`category: command`)".into(),
            ));
        }
    }
    if let Some(chain) = &def.chain {
        return chain::chain(chain).map(KindSpec::Chain);
    }
    if let Some(producer) = &def.produced_by {
        return Ok(KindSpec::Produced(producer.value));
    }
    if is_command {
        return command::command_check(def).map(KindSpec::Command);
    }
    pattern(def).map(KindSpec::Pattern)
}

/// The keys only a pattern check may have, of those the definition sets.
fn pattern_keys(def: &CheckDef) -> impl Iterator<Item = &'static str> {
    [
        ("pattern", def.pattern.is_some()),
        ("keywords", !def.keywords.is_empty()),
        ("in", def.scope.is_some()),
        ("requires", !def.requires.is_empty()),
        ("unless", !def.unless.is_empty()),
        ("adjust", !def.adjust.is_empty()),
        ("redact", def.redact.is_some()),
        ("entropy", def.entropy.is_some()),
        ("validate", def.validate.is_some()),
        ("judge", def.judge.is_some()),
        ("binary", def.binary),
        ("per", def.per.is_some()),
        ("signal", def.signal),
        ("on", def.on.is_some()),
    ]
    .into_iter()
    .filter_map(|(key, set)| set.then_some(key))
}

fn pattern_line(def: &CheckDef) -> u64 {
    def.pattern.as_ref().map_or(0, line_of)
}

fn pattern(def: &CheckDef) -> Result<PatternSpec, Fault> {
    let on = def.on.as_ref().map_or(On::Added, |o| o.value);
    let on_line = def.on.as_ref().map_or(0, line_of);
    if on == On::Deleted {
        return deleted(def, on_line);
    }
    if on == On::Removed {
        if let Some(key) = [("binary", def.binary), ("signal", def.signal)]
            .into_iter()
            .find_map(|(key, set)| set.then_some(key))
        {
            return Err((
                on_line,
                format!("`{key}` does not go with `on: removed`: removed lines feed no chain and no binary file"),
            ));
        }
    }
    let pattern = def
        .pattern
        .as_ref()
        .ok_or((0, "missing `pattern`".to_string()))?;
    let mut keywords = Vec::new();
    for keyword in &def.keywords {
        if keyword.value.is_empty() {
            return Err((line_of(keyword), "a keyword may not be empty".into()));
        }
        keywords.push(Cow::Owned(keyword.value.to_ascii_lowercase()));
    }
    if def.binary && def.paths.is_empty() {
        return Err((
            0,
            "`binary: true` needs `paths`: which binary files it is about".into(),
        ));
    }
    if let Some(entropy) = def.entropy {
        if !(0.0..=8.0).contains(&entropy) {
            return Err((
                0,
                format!("`entropy` must be between 0 and 8 bits per character, not {entropy}"),
            ));
        }
    }
    Ok(PatternSpec {
        pattern: located(pattern),
        keywords: Cow::Owned(keywords),
        scope: def.scope.as_ref().map_or(Scope::Code, |s| s.value),
        requires: conditions(&def.requires, false)?,
        unless: conditions(&def.unless, false)?,
        adjust: conditions(&def.adjust, true)?,
        redact: def.redact.as_ref().map(located),
        entropy: def.entropy,
        validate: def.validate.as_ref().map(|v| v.value),
        judge: def.judge.as_ref().map(|j| j.value),
        binary: def.binary,
        per: def.per.as_ref().map_or(Per::Line, |p| p.value),
        signal: def.signal,
        on,
    })
    .and_then(|spec| {
        let new_file = spec
            .requires
            .iter()
            .chain(spec.unless.iter())
            .chain(spec.adjust.iter())
            .find(|c| matches!(c.target, TargetSpec::NewFile | TargetSpec::KeptAfter));
        match new_file {
            Some(c) if on != On::Removed && c.target == TargetSpec::KeptAfter => Err((
                u64::from(c.pattern.line),
                "`kept_after` belongs in `on: removed` checks (it asks whether the change keeps a line)"
                    .into(),
            )),
            Some(c) if on != On::Removed => Err((
                u64::from(c.pattern.line),
                "`new_file` belongs in `on: removed` checks (an added line's file is `file`)"
                    .into(),
            )),
            _ => Ok(spec),
        }
    })
}

/// An `on: deleted` check: no pattern and no pattern keys; `paths` say which deleted files it is about.
fn deleted(def: &CheckDef, on_line: u64) -> Result<PatternSpec, Fault> {
    if let Some(key) = pattern_keys(def).find(|&k| k != "on") {
        return Err((
            on_line,
            format!("`{key}` does not go with `on: deleted`: the check fires once per deleted file whose path matches `paths`"),
        ));
    }
    if def.paths.is_empty() {
        return Err((
            on_line,
            "`on: deleted` needs `paths`: which deleted files it is about".into(),
        ));
    }
    Ok(PatternSpec {
        // Never run: the engine reports a deleted file without matching its text.
        pattern: Located {
            text: Cow::Borrowed("^"),
            line: on_line as u32,
        },
        keywords: Cow::Owned(Vec::new()),
        scope: Scope::Any,
        requires: Cow::Owned(Vec::new()),
        unless: Cow::Owned(Vec::new()),
        adjust: Cow::Owned(Vec::new()),
        redact: None,
        entropy: None,
        validate: None,
        judge: None,
        binary: false,
        per: Per::File,
        signal: false,
        on: On::Deleted,
    })
}

fn conditions(defs: &[ConditionDef], is_adjust: bool) -> Result<List<ConditionSpec>, Fault> {
    defs.iter()
        .map(|def| condition(def, is_adjust))
        .collect::<Result<Vec<_>, _>>()
        .map(Cow::Owned)
}

fn condition(def: &ConditionDef, is_adjust: bool) -> Result<ConditionSpec, Fault> {
    let targets = [
        (TargetSpec::Match, &def.matched),
        (TargetSpec::Rest, &def.rest),
        (TargetSpec::Before, &def.before),
        (TargetSpec::Line, &def.line),
        (TargetSpec::After, &def.after),
        (TargetSpec::Args, &def.args),
        (TargetSpec::File, &def.file),
        (TargetSpec::NewFile, &def.new_file),
        (TargetSpec::KeptAfter, &def.kept_after),
    ];
    let mut chosen = targets
        .into_iter()
        .filter_map(|(t, p)| p.as_ref().map(|p| (t, p)));
    let (target, pattern) = chosen.next().ok_or((
        0,
        "a condition needs one of: match, rest, before, line, after, args, file, new_file, kept_after"
            .to_string(),
    ))?;
    if let Some((_, extra)) = chosen.next() {
        return Err((
            line_of(extra),
            "a condition takes exactly one of: match, rest, before, line, after, args, file, new_file, kept_after".into(),
        ));
    }
    let line = line_of(pattern);
    let severity = match &def.severity {
        Some(s) if is_adjust => Some(s.value),
        Some(s) => {
            return Err((
                line_of(s),
                "`severity` belongs in `adjust` conditions only".into(),
            ))
        }
        None if is_adjust => return Err((line, "an `adjust` condition needs a `severity`".into())),
        None => None,
    };
    if def.reason.is_some() && !is_adjust {
        return Err((line, "`reason` belongs in `adjust` conditions only".into()));
    }
    Ok(ConditionSpec {
        target,
        pattern: located(pattern),
        severity,
        reason: def.reason.clone().map(Cow::Owned),
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

fn located(spanned: &Spanned<String>) -> Located {
    Located {
        text: Cow::Owned(spanned.value.clone()),
        line: line_of(spanned) as u32,
    }
}

fn located_list(values: &[Spanned<String>]) -> List<Located> {
    Cow::Owned(values.iter().map(located).collect())
}

/// The id of the check whose item holds `line` (for errors that serde reports before any id is known):
/// the top-level item (`- `) around the line, and its own `id:` key.
fn check_at(text: &str, line: u64) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = usize::try_from(line)
        .ok()?
        .checked_sub(1)?
        .min(lines.len().checked_sub(1)?);
    let start = (0..=at).rev().find(|&i| lines[i].starts_with("- "))?;
    let end = (start + 1..lines.len())
        .find(|&i| lines[i].starts_with("- "))
        .unwrap_or(lines.len());
    lines[start..end].iter().find_map(|l| {
        let key = l.strip_prefix("- ").or_else(|| l.strip_prefix("  "))?;
        let value = key.strip_prefix("id:")?.trim();
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .or_else(|| value.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
            .unwrap_or(value);
        (!value.is_empty()).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests;
