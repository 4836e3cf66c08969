//! Checks as data: the YAML schema, the built-in files embedded at build time, user check files, and
//! compiling them all into one [`CheckSet`].

pub mod chain;
pub mod command;
pub mod compile;
pub mod fixtures;
pub mod help;
pub mod index;
pub mod keyword_files;
mod produced;
pub mod reference;
pub mod schema;
pub mod set;

use std::borrow::Cow;
use std::path::Path;

pub use compile::{Check, Condition, DefinitionError, Scope, Target};
pub use set::CheckSet;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_checks.rs"));
}

/// Environment variable that makes review-gate read its built-in checks from a directory instead of the
/// copies embedded in the binary (for people editing `checks/`, so they need not rebuild).
pub const BUILTIN_DIR_ENV: &str = "REVIEW_GATE_BUILTIN_CHECKS";

/// A built-in check file: (name, contents), borrowed from the binary unless read from a directory.
pub type BuiltinFile = (Cow<'static, str>, Cow<'static, str>);

/// The built-in check files as (name, contents): embedded, or read from [`BUILTIN_DIR_ENV`] when set.
pub fn builtin_files() -> Result<Vec<BuiltinFile>, DefinitionError> {
    match std::env::var_os(BUILTIN_DIR_ENV) {
        None => Ok(embedded::BUILTIN_FILES
            .iter()
            .map(|(n, t)| (Cow::Borrowed(*n), Cow::Borrowed(*t)))
            .collect()),
        Some(dir) => {
            let mut files = Vec::new();
            let walker = ignore::WalkBuilder::new(&dir)
                .standard_filters(false)
                .sort_by_file_name(|a, b| a.cmp(b))
                .build();
            for entry in walker.flatten() {
                let path = entry.path();
                if path
                    .extension()
                    .is_some_and(|e| e == "yml" || e == "yaml" || e == "txt")
                {
                    let name = Path::new("checks").join(path.strip_prefix(&dir).unwrap_or(path));
                    let text = read_check_file(path)?;
                    files.push((
                        Cow::Owned(name.to_string_lossy().replace('\\', "/")),
                        Cow::Owned(text),
                    ));
                }
            }
            Ok(files)
        }
    }
}

/// The index of every built-in file (in [`builtin_files`] order): computed when the binary was built,
/// or now when the files come from [`BUILTIN_DIR_ENV`].
pub fn builtin_indexes(files: &[BuiltinFile]) -> Vec<index::FileIndex> {
    let embedded_files = std::env::var_os(BUILTIN_DIR_ENV).is_none();
    if embedded_files && embedded::BUILTIN_INDEX.len() == files.len() {
        return embedded::BUILTIN_INDEX
            .iter()
            .map(|(ids, keywords)| index::FileIndex {
                ids: ids.iter().map(|s| s.to_string()).collect(),
                keywords: keywords.map(|k| k.iter().map(|s| s.to_string()).collect()),
            })
            .collect();
    }
    files
        .iter()
        .map(|(name, text)| {
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                index::index_file(text)
            } else {
                index::FileIndex::default()
            }
        })
        .collect()
}

/// Reads a user's check file, with an error naming it when it cannot be read.
pub fn read_check_file(path: &Path) -> Result<String, DefinitionError> {
    std::fs::read_to_string(path).map_err(|e| DefinitionError {
        file: path.display().to_string(),
        line: 0,
        check: None,
        message: format!("cannot read check file: {e}"),
    })
}

/// Parses and compiles one check file.
pub fn parse_file(
    name: &str,
    text: &str,
    file_slots: &mut usize,
    eager: bool,
) -> Result<Vec<Check>, DefinitionError> {
    let defs: Vec<schema::CheckDef> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str(text).map_err(|e| DefinitionError {
            file: name.to_string(),
            line: e.location().map_or(0, |l| l.line()),
            check: None,
            message: yaml_error_message(&e),
        })?
    };
    defs.into_iter()
        .map(|def| compile::compile(def, name, file_slots, eager))
        .collect()
}

/// The first line of a YAML error, without the location the caller prints itself.
pub fn yaml_error_message(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    first.to_string()
}

/// Loads every built-in check plus the given extra files (name, contents), rejecting duplicate ids. The
/// extra files' regexes are compiled at once; the built-in ones when first needed.
pub fn load(extra: &[(String, String)]) -> Result<Vec<Check>, DefinitionError> {
    load_with(extra, false)
}

/// Like [`load`], but compiles every regex now, built-in ones included (for tests and check authors).
pub fn load_checked(extra: &[(String, String)]) -> Result<Vec<Check>, DefinitionError> {
    load_with(extra, true)
}

fn load_with(
    extra: &[(String, String)],
    eager_builtin: bool,
) -> Result<Vec<Check>, DefinitionError> {
    let checks = load_builtin_where(&builtin_files()?, extra, eager_builtin, |_, _| true)?;
    // Chains are validated against the whole set (a partial load may lack a chain's parts).
    for check in &checks {
        if let Some(chain) = &check.chain {
            if let Some((target, line)) = chain::unknown_target(chain, &checks) {
                return Err(DefinitionError {
                    file: check.source.clone(),
                    line: *line,
                    check: Some(check.id.clone()),
                    message: format!("chain part `{target}` names no check, id prefix or category"),
                });
            }
        }
    }
    if let Some(error) = produced::missing_dependency_check(&checks) {
        return Err(error);
    }
    Ok(checks)
}

/// Loads the built-in check files that `keep` (given the file's index in `builtin`, and its name)
/// accepts, plus every extra file.
pub fn load_builtin_where(
    builtin: &[BuiltinFile],
    extra: &[(String, String)],
    eager_builtin: bool,
    keep: impl Fn(usize, &str) -> bool,
) -> Result<Vec<Check>, DefinitionError> {
    use rayon::prelude::*;
    let yaml_files: Vec<(&str, &str, bool)> = builtin
        .iter()
        .enumerate()
        .filter(|(index, (name, _))| {
            (name.ends_with(".yml") || name.ends_with(".yaml")) && keep(*index, name)
        })
        .map(|(_, (name, text))| (name.as_ref(), text.as_ref(), eager_builtin))
        .chain(
            extra
                .iter()
                .map(|(name, text)| (name.as_str(), text.as_str(), true)),
        )
        .collect();
    // YAML parsing is most of the start-up time: files are parsed in parallel, each numbering its
    // file-wide condition slots from zero, then renumbered in file order.
    let parsed: Vec<Result<(Vec<Check>, usize), DefinitionError>> = yaml_files
        .par_iter()
        .map(|(name, text, eager)| {
            let mut slots = 0;
            parse_file(name, text, &mut slots, *eager).map(|checks| (checks, slots))
        })
        .collect();
    let mut checks: Vec<Check> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut offset = 0;
    for ((name, _, _), result) in yaml_files.iter().zip(parsed) {
        let (file_checks, slots) = result?;
        for mut check in file_checks {
            shift_file_slots(&mut check, offset);
            if let Some(&existing) = seen.get(&check.id) {
                return Err(DefinitionError {
                    file: name.to_string(),
                    line: 0,
                    check: Some(check.id.clone()),
                    message: format!(
                        "duplicate check id (also defined in {})",
                        checks[existing].source
                    ),
                });
            }
            seen.insert(check.id.clone(), checks.len());
            checks.push(check);
        }
        offset += slots;
    }
    Ok(checks)
}

/// Rejects a check from an extra file whose id a built-in check file also defines, whether or not that
/// built-in file was loaded: a partial load (keyword-gated) refuses what loading everything refuses.
pub fn reject_builtin_duplicates(
    builtin: &[BuiltinFile],
    indexes: &[index::FileIndex],
    checks: &[Check],
    extra: &[(String, String)],
) -> Result<(), DefinitionError> {
    let from_extra = |check: &&Check| extra.iter().any(|(name, _)| *name == check.source);
    for check in checks.iter().filter(from_extra) {
        let defined = indexes.iter().position(|i| i.ids.contains(&check.id));
        if let Some((name, _)) = defined.and_then(|i| builtin.get(i)) {
            return Err(DefinitionError {
                file: check.source.clone(),
                line: 0,
                check: Some(check.id.clone()),
                message: format!("duplicate check id (also defined in {name})"),
            });
        }
    }
    Ok(())
}

/// Moves a check's file-wide condition slots past those of the files loaded before its own.
fn shift_file_slots(check: &mut Check, offset: usize) {
    if offset == 0 {
        return;
    }
    for condition in check
        .requires
        .iter_mut()
        .chain(&mut check.unless)
        .chain(&mut check.adjust)
    {
        if let Target::File(slot) = &mut condition.target {
            *slot += offset;
        }
    }
}

/// Compiles the chosen checks into a set; `file_slots` must cover every file-wide condition, so the
/// caller passes the count from loading (simplest: the number of conditions overall).
pub fn into_set(checks: Vec<Check>) -> CheckSet {
    let slots = checks
        .iter()
        .flat_map(|c| c.requires.iter().chain(&c.unless).chain(&c.adjust))
        .filter_map(|c| match c.target {
            Target::File(slot) => Some(slot + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    CheckSet::new(checks, slots)
}
