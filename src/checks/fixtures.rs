//! Annotated check fixtures: `fixtures/checks/<category>/<language>[-variant].<ext>`, where a comment
//! line `expect: <id>[=severity], ...` says the next line must produce those findings and `ok` (or
//! `ok: <id>`) says it must produce none of the category (or of that check). Any other finding of the
//! category is unexpected. A first line `fixture-path: <path>` makes the checks see the file under that
//! path (for checks limited to some paths). One test walks every fixture.
//!
//! Removal fixtures (`fixtures/removals/<category>/…`, [`verify_removals`]) use the same annotations:
//! the file as written is the old version and the new version is the file without every annotated
//! line, so every annotated line is a removed line; `expect` lines must fire on the removed side and
//! `ok` lines must not. A line `fixture-deleted: <id>, …` among the first two makes the change delete
//! the file: every line is removed, and those `on: deleted` checks (and no other) must fire.

pub mod commands;

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use regex::Regex;

use crate::checks::CheckSet;
use crate::model::Language;
use crate::model::{Category, Severity};
use crate::source::{slash_path, whole_file, AddedLines};

/// One way a fixture disagrees with the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The fixture file.
    pub file: String,
    /// The line concerned.
    pub line: u32,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

enum Annotation {
    Expect(Vec<(String, Option<Severity>)>),
    Ok(Option<String>),
}

/// Every match must hold one of its check's keywords: the prefilter skips lines without them, so a match
/// that does not need one would be missed wherever the keyword happens not to be on the line.
fn check_keywords_in_matches(
    set: &CheckSet,
    findings: &[crate::model::Finding],
    category: Category,
    lines: &[&str],
    display: &str,
    failures: &mut Vec<Failure>,
) {
    // A finding on decoded text sits at the encoded span, which holds the keyword only once decoded.
    for f in findings
        .iter()
        .filter(|f| f.category == category && f.decoded().is_none())
    {
        let Some(check) = set.get(&f.check) else {
            continue;
        };
        let Some(pattern) = check.pattern() else {
            continue;
        };
        // A lookup the names stage resolved to this check's call: no pattern matched, no keyword needed.
        if f.message.contains(crate::engine::names::RESOLVED_MARK) {
            continue;
        }
        if pattern.redact_group.is_some() || pattern.keywords.is_empty() {
            continue;
        }
        let line = lines.get(f.line as usize - 1).copied().unwrap_or("");
        let matched: String = line
            .chars()
            .skip(f.column as usize - 1)
            .take((f.end_column - f.column) as usize)
            .collect::<String>()
            .to_ascii_lowercase();
        // Look-alike identifiers are folded before the checks run (Python reads them through NFKC).
        let matched: String = if matched.is_ascii() {
            matched
        } else {
            unicode_normalization::UnicodeNormalization::nfkc(matched.as_str())
                .collect::<String>()
                .to_ascii_lowercase()
        };
        if !pattern.keywords.iter().any(|k| matched.contains(&**k)) {
            failures.push(Failure {
                file: display.to_string(),
                line: f.line,
                message: format!(
                    "the match of `{}` (`{matched}`) holds none of its keywords, so a line without them would be skipped",
                    f.check
                ),
            });
        }
    }
}

/// The language name a fixture's file name starts with: the longest known name followed by `-`, `.` or
/// the end (`github-actions-deploy.yml` → `github-actions`).
fn language_prefix(name: &str) -> &str {
    let boundary = |n: &str| {
        name.starts_with(n)
            && matches!(name.as_bytes().get(n.len()), None | Some(b'-') | Some(b'.'))
    };
    Language::ALL
        .iter()
        .map(|l| l.name())
        .filter(|n| boundary(n))
        .max_by_key(|n| n.len())
        .unwrap_or_else(|| name.split(['-', '.']).next().unwrap_or(""))
}

fn annotation_regex() -> Regex {
    Regex::new(r"^\s*(?://|#|--|;|/\*|<!--|\*|'|::|(?i:@?rem\b))\s*(expect|ok)\b\s*:?\s*(.*?)\s*(?:\*/|-->)?\s*$")
        .expect("valid")
}

/// Verifies every fixture under `dir` (optionally of one category), and that every check of the covered
/// categories has at least one `expect` annotation and every fixture file at least one `ok` line.
pub fn verify(dir: &Path, set: &CheckSet, only: Option<&str>) -> Result<Vec<Failure>> {
    verify_side(dir, set, only, false)
}

/// Verifies every removal fixture under `dir` (see the module's documentation), and that every
/// removal check (`on: removed`/`on: deleted`) of the covered categories is expected somewhere.
pub fn verify_removals(dir: &Path, set: &CheckSet, only: Option<&str>) -> Result<Vec<Failure>> {
    verify_side(dir, set, only, true)
}

/// The ids a `fixture-deleted:` line among the first two names (None: the file is not deleted).
fn deleted_ids(text: &str) -> Option<Vec<String>> {
    text.lines().take(2).find_map(|l| {
        let (_, rest) = l.split_once("fixture-deleted:")?;
        let rest = rest.trim().trim_end_matches("*/").trim_end_matches("-->");
        Some(
            rest.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )
    })
}

/// The change a removal fixture stands for: the file as written is the old version; the new one
/// lacks every annotated line (or the whole file, when it is deleted).
fn removal_change(
    mut file: crate::model::ChangedFile,
    annotation: &Regex,
    deleted: bool,
) -> crate::model::ChangedFile {
    let old = std::mem::take(&mut file.text);
    let mut all = crate::model::all_lines_removed(&old);
    let mut new = String::new();
    if !deleted {
        let mut removed = vec![false; all.len() + 2];
        for (idx, line) in all.iter().enumerate() {
            if annotation.is_match(&old[line.start..line.end]) {
                removed[idx + 1] = true;
            }
        }
        all.retain(|l| removed[l.number as usize - 1]);
        for (idx, line) in old.lines().enumerate() {
            if !removed[idx] {
                new.push_str(line);
                new.push('\n');
            }
        }
    }
    file.text = new;
    file.added.clear();
    file.removed = all;
    file.old_text = Some(old);
    file.base = crate::model::Base::Modified;
    file.deleted = deleted;
    file
}

fn verify_side(
    dir: &Path,
    set: &CheckSet,
    only: Option<&str>,
    removals: bool,
) -> Result<Vec<Failure>> {
    use crate::checks::compile::On;
    let annotation = annotation_regex();
    let mut failures = Vec::new();
    let mut expected_ids: Vec<String> = Vec::new();
    let mut categories: Vec<Category> = Vec::new();
    let mut entries: Vec<_> = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .build()
        .flatten()
        .collect();
    entries.sort_by(|a, b| a.path().cmp(b.path()));
    for entry in entries {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let Some(category_name) = rel.components().next().and_then(|c| c.as_os_str().to_str())
        else {
            continue;
        };
        if only.is_some_and(|o| o != category_name) {
            continue;
        }
        let display = slash_path(path);
        let Ok(category) = category_name.parse::<Category>() else {
            failures.push(Failure {
                file: display,
                line: 0,
                message: format!("`{category_name}` is not a category"),
            });
            continue;
        };
        if !categories.contains(&category) {
            categories.push(category);
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read fixture {display}"))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let lang_name = language_prefix(name);
        let Some(language) = Language::from_name(lang_name) else {
            failures.push(Failure {
                file: display,
                line: 0,
                message: format!(
                    "the file name must start with a language name, not `{lang_name}`"
                ),
            });
            continue;
        };
        // A first-line `fixture-path: <path>` makes the checks see that path (for path-scoped checks).
        let virtual_path = text
            .lines()
            .next()
            .and_then(|l| l.split_once("fixture-path:"))
            .map(|(_, p)| {
                p.trim()
                    .trim_end_matches("*/")
                    .trim_end_matches("-->")
                    .trim()
                    .to_string()
            });
        let deleted = if removals { deleted_ids(&text) } else { None };
        let mut file = whole_file(
            virtual_path.unwrap_or_else(|| display.clone()),
            text,
            AddedLines::All,
        );
        file.language = language;
        if removals {
            file = removal_change(file, &annotation, deleted.is_some());
        }
        let changes = crate::model::ChangeSet {
            files: vec![file],
            ..Default::default()
        };
        let options = crate::engine::Options {
            patterns_only: true,
            ..Default::default()
        };
        let side = if removals {
            crate::model::Side::Removed
        } else {
            crate::model::Side::Added
        };
        let mut findings = crate::engine::review(set, &changes, &options).findings;
        findings.retain(|f| f.side == side);
        let file = &changes.files[0];
        let written = file.old_text.as_deref().filter(|_| removals);
        let lines: Vec<&str> = written.unwrap_or(&file.text).lines().collect();
        // The `on: deleted` checks: those named, and no other, fire (on the first line).
        let deletions: Vec<&crate::model::Finding> = findings
            .iter()
            .filter(|f| set.get(&f.check).is_some_and(|c| c.on() == On::Deleted))
            .collect();
        let named = deleted.clone().unwrap_or_default();
        for id in &named {
            expected_ids.push(id.clone());
            if !deletions.iter().any(|f| &f.check == id) {
                failures.push(Failure {
                    file: display.clone(),
                    line: 1,
                    message: format!("`fixture-deleted` expects `{id}` but it did not fire"),
                });
            }
        }
        for f in deletions.iter().filter(|f| !named.contains(&f.check)) {
            failures.push(Failure {
                file: display.clone(),
                line: 1,
                message: format!("unexpected deletion finding `{}`", f.check),
            });
        }
        findings.retain(|f| !set.get(&f.check).is_some_and(|c| c.on() == On::Deleted));
        let mut annotated = vec![false; lines.len() + 2];
        let mut ok_lines = 0;
        for (idx, line) in lines.iter().enumerate() {
            let Some(caps) = annotation.captures(line) else {
                continue;
            };
            let target = idx as u32 + 2;
            annotated[target as usize] = true;
            let parsed = if &caps[1] == "ok" {
                let id = caps[2].trim();
                Annotation::Ok((!id.is_empty()).then(|| id.to_string()))
            } else {
                let mut ids = Vec::new();
                for part in caps[2].split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let (id, severity) = match part.split_once('=') {
                        Some((id, sev)) => match sev.trim().parse::<Severity>() {
                            Ok(s) => (id.trim(), Some(s)),
                            Err(e) => {
                                failures.push(Failure {
                                    file: display.clone(),
                                    line: idx as u32 + 1,
                                    message: e,
                                });
                                continue;
                            }
                        },
                        None => (part, None),
                    };
                    if set.get(id).is_none() {
                        failures.push(Failure {
                            file: display.clone(),
                            line: idx as u32 + 1,
                            message: format!("annotation names unknown check `{id}`"),
                        });
                    }
                    ids.push((id.to_string(), severity));
                }
                Annotation::Expect(ids)
            };
            let on_line: Vec<_> = findings
                .iter()
                .filter(|f| f.line == target && f.category == category)
                .collect();
            let got = || {
                on_line
                    .iter()
                    .map(|f| format!("{}={}", f.check, f.severity))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match parsed {
                Annotation::Expect(ids) => {
                    for extra in on_line
                        .iter()
                        .filter(|f| !ids.iter().any(|(id, _)| *id == f.check))
                    {
                        failures.push(Failure {
                            file: display.clone(),
                            line: target,
                            message: format!(
                                "`{}` also fired here: list it in the annotation or fix the check",
                                extra.check
                            ),
                        });
                    }
                    for (id, severity) in ids {
                        expected_ids.push(id.clone());
                        match on_line.iter().find(|f| f.check == id) {
                            None => failures.push(Failure {
                                file: display.clone(),
                                line: target,
                                message: format!(
                                    "expected `{id}` but it did not fire (got: [{}])",
                                    got()
                                ),
                            }),
                            Some(f) if severity.is_some_and(|s| s != f.severity) => {
                                failures.push(Failure {
                                    file: display.clone(),
                                    line: target,
                                    message: format!(
                                        "expected `{id}` at {} but it fired at {}",
                                        severity.unwrap(),
                                        f.severity
                                    ),
                                })
                            }
                            Some(_) => {}
                        }
                    }
                }
                Annotation::Ok(id) => {
                    ok_lines += 1;
                    let bad: Vec<_> = on_line
                        .iter()
                        .filter(|f| id.as_ref().is_none_or(|id| &f.check == id))
                        .collect();
                    if !bad.is_empty() {
                        failures.push(Failure {
                            file: display.clone(),
                            line: target,
                            message: format!("expected no finding but got: [{}]", got()),
                        });
                    }
                }
            }
        }
        if ok_lines == 0 {
            failures.push(Failure {
                file: display.clone(),
                line: 0,
                message: "no `ok` line: add negatives".into(),
            });
        }
        check_keywords_in_matches(set, &findings, category, &lines, &display, &mut failures);
        for f in findings
            .iter()
            .filter(|f| f.category == category && !annotated[f.line as usize])
        {
            failures.push(Failure {
                file: display.clone(),
                line: f.line,
                message: format!(
                    "unexpected `{}` ({}): annotate it with `expect` or fix the check",
                    f.check, f.severity
                ),
            });
        }
    }
    for check in &set.checks {
        // Checks whose findings the dependency analysis produces are tested with manifest pairs instead.
        if categories.contains(&check.meta.category)
            && (check.on() != On::Added) == removals
            && !check.is_produced()
            && check.chain().is_none()
            && !expected_ids.iter().any(|e| *e == check.meta.id)
        {
            failures.push(Failure {
                file: check.meta.source.to_string(),
                line: 0,
                message: format!(
                    "check `{}` has no fixture line that expects it",
                    check.meta.id
                ),
            });
        }
    }
    Ok(failures)
}
