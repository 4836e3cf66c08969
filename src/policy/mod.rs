//! Configuration (`.review-gate.yml`, the whole schema, the agent gate's `hook:` settings included) and
//! what it decides: which checks run, which files and findings are allowed, severity overrides, and the
//! level at which the review fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::GlobSet;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::checks::compile::build_globset;
use crate::checks::{Check, DefinitionError};
use crate::model::target_covers;
use crate::model::{Category, Finding, Severity};
use hook::HookSettings;

pub mod change;
mod decide;
pub mod hook;
pub mod novelty;
pub mod roles;

pub use change::{ConfigTree, Weakening};
pub use decide::decide;

/// The configuration file names looked for at the repository root, in order.
pub const CONFIG_NAMES: [&str; 2] = [".review-gate.yml", ".review-gate.yaml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    allow: Vec<AllowDef>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    #[serde(default)]
    hook: Option<hook::HookDef>,
    #[serde(default)]
    roles: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    mcp_hosts: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowDef {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    fingerprint: Option<Spanned<String>>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    #[serde(default)]
    reason: Option<String>,
}

/// The level at which the review fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Fail when a finding is at least this severe.
    Severity(Severity),
    /// Never fail (report only).
    Never,
}

impl std::str::FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "never" {
            return Ok(FailOn::Never);
        }
        s.parse::<Severity>().map(FailOn::Severity).map_err(|_| {
            format!("unknown fail level `{s}` (expected error, warning, note or never)")
        })
    }
}

/// An allow: findings of these checks under these paths (or with this fingerprint) are dropped.
#[derive(Debug, Clone)]
struct Allow {
    paths: Option<GlobSet>,
    fingerprint: Option<String>,
    targets: Vec<(String, u64)>,
}

impl Allow {
    fn covers(&self, f: &Finding) -> bool {
        self.paths.as_ref().is_none_or(|p| p.is_match(&f.path))
            && self
                .fingerprint
                .as_ref()
                .is_none_or(|fp| *fp == f.fingerprint)
            && (self.targets.is_empty()
                || self
                    .targets
                    .iter()
                    .any(|(t, _)| target_covers(t, &f.check, f.category)))
    }
}

/// The configuration in force.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where it was read from (None: defaults).
    pub source: Option<PathBuf>,
    /// The fail level from the file (the command line may override it).
    pub fail_on: FailOn,
    exclude: Option<GlobSet>,
    disabled: Vec<(String, u64)>,
    overrides: Vec<(String, Severity, u64)>,
    allows: Vec<Allow>,
    /// Extra check files named by the configuration: (path as written, contents).
    pub extra_checks: Vec<(String, String)>,
    /// The agent gate's settings (`hook:`).
    pub hook: HookSettings,
    /// The configuration's text (None: defaults), kept to compare it with another version.
    text: Option<String>,
    /// Each entry of `checks:` as written, with its line, in the order of `extra_checks`.
    check_entries: Vec<(String, u64)>,
    /// The `roles:` globs, which override the detected role of a file.
    roles: roles::RoleGlobs,
    /// Hosts of remote MCP servers the project accepts besides the built-in list (`mcp_hosts:`), lowercase;
    /// `*.example.com` covers the subdomains.
    pub mcp_hosts: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            source: None,
            fail_on: FailOn::Severity(Severity::Error),
            exclude: None,
            disabled: Vec::new(),
            overrides: Vec::new(),
            allows: Vec::new(),
            extra_checks: Vec::new(),
            hook: HookSettings::default(),
            text: None,
            check_entries: Vec::new(),
            roles: roles::RoleGlobs::default(),
            mcp_hosts: Vec::new(),
        }
    }
}

impl Policy {
    /// Finds the configuration: `explicit` if given (it must exist), else the first of [`CONFIG_NAMES`] in
    /// `root`, else the defaults.
    pub fn discover(explicit: Option<&Path>, root: &Path) -> Result<Policy, DefinitionError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match CONFIG_NAMES
                .iter()
                .map(|n| root.join(n))
                .find(|p| p.is_file())
            {
                Some(p) => p,
                None => return Ok(Policy::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| DefinitionError {
            file: path.display().to_string(),
            line: 0,
            check: None,
            message: format!("cannot read the configuration: {e}"),
        })?;
        Policy::parse(&path, &text)
    }

    /// Reads the configuration a tree holds (the first of [`CONFIG_NAMES`] in it, else the defaults),
    /// with its check files read from the same tree.
    pub fn load_from(tree: &ConfigTree<'_>) -> Result<Policy, DefinitionError> {
        for name in CONFIG_NAMES {
            let text = tree.read_text(name).map_err(|message| DefinitionError {
                file: format!("{name} ({})", tree.label),
                line: 0,
                check: None,
                message: format!("cannot read the configuration: {message}"),
            })?;
            if let Some(text) = text {
                return Policy::parse_with(Path::new(name), &text, &|rel| tree.read_text(rel));
            }
        }
        Ok(Policy::default())
    }

    /// Reads the configuration at `rel` (relative, `/`-separated) in a tree, with its check files read
    /// from the same tree; the defaults when the tree has no such file.
    pub fn load_file(tree: &ConfigTree<'_>, rel: &str) -> Result<Policy, DefinitionError> {
        let text = tree.read_text(rel).map_err(|message| DefinitionError {
            file: format!("{rel} ({})", tree.label),
            line: 0,
            check: None,
            message: format!("cannot read the configuration: {message}"),
        })?;
        match text {
            Some(text) => Policy::parse_with(Path::new(rel), &text, &|check| {
                let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
                tree.read_text(&crate::source::slash_path(&dir.join(check)))
            }),
            None => Ok(Policy::default()),
        }
    }

    /// Parses a configuration file's text; `path` names it in errors and anchors relative check files,
    /// which must lie inside its directory (a check file elsewhere is refused).
    pub fn parse(path: &Path, text: &str) -> Result<Policy, DefinitionError> {
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let read = move |rel: &str| -> Result<Option<String>, String> {
            let full = dir.join(rel);
            let inside = match (dir_or_cwd(&dir).canonicalize(), full.canonicalize()) {
                (Ok(dir), Ok(file)) => file.starts_with(&dir),
                (_, Err(e)) => return Err(format!("cannot read `{}`: {e}", full.display())),
                (Err(e), _) => return Err(format!("cannot read `{}`: {e}", dir.display())),
            };
            if !inside {
                return Err(format!(
                    "`{rel}` leads outside the directory of the configuration (through a symbolic link); \
                     check files must be inside it"
                ));
            }
            std::fs::read_to_string(&full)
                .map(Some)
                .map_err(|e| format!("cannot read `{}`: {e}", full.display()))
        };
        let mut policy = Policy::parse_with(path, text, &read)?;
        // Name check files by where they are on disk, as before.
        let base = path.parent().unwrap_or(Path::new("."));
        for (name, _) in &mut policy.extra_checks {
            *name = base.join(&*name).display().to_string();
        }
        Ok(policy)
    }

    /// Parses a configuration's text, reading each check file it names through `read` (given the path
    /// relative to the configuration's directory, after refusing absolute paths and `..`).
    pub fn parse_with(
        path: &Path,
        text: &str,
        read: &dyn Fn(&str) -> Result<Option<String>, String>,
    ) -> Result<Policy, DefinitionError> {
        let file = path.display().to_string();
        let err = |line: u64, message: String| DefinitionError {
            file: file.clone(),
            line,
            check: None,
            message,
        };
        let config = raw_config(text).map_err(|(line, message)| err(line, message))?;
        let fail_on = match &config.fail_on {
            Some(level) => level
                .value
                .parse::<FailOn>()
                .map_err(|e| err(level.referenced.line(), format!("fail_on: {e}")))?,
            None => FailOn::Severity(Severity::Error),
        };
        let exclude = if config.exclude.is_empty() {
            None
        } else {
            Some(
                build_globset(
                    config
                        .exclude
                        .iter()
                        .map(|g| (g.value.as_str(), g.referenced.line())),
                )
                .map_err(|(line, e)| err(line, format!("exclude: {e}")))?,
            )
        };
        let mut overrides = Vec::new();
        for (target, level) in &config.severity {
            let severity = level
                .value
                .parse::<Severity>()
                .map_err(|e| err(level.referenced.line(), format!("severity.{target}: {e}")))?;
            overrides.push((target.clone(), severity, level.referenced.line()));
        }
        // A check id overrides its category: apply the most specific (longest) target first.
        overrides.sort_by_key(|(target, _, _)| std::cmp::Reverse(target.len()));
        let mut allows = Vec::new();
        for allow in &config.allow {
            let line = allow
                .paths
                .first()
                .map(|p| p.referenced.line())
                .or(allow.fingerprint.as_ref().map(|f| f.referenced.line()))
                .unwrap_or(0);
            let line = line.max(allow.checks.first().map_or(0, |c| c.referenced.line()));
            // `checks` alone allows those checks everywhere (for command checks: every command).
            if allow.paths.is_empty() && allow.fingerprint.is_none() && allow.checks.is_empty() {
                return Err(err(
                    line,
                    "allow: each entry needs `paths`, a `fingerprint` or `checks`".into(),
                ));
            }
            if allow.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(err(
                    line,
                    "allow: each entry needs a `reason` (why these findings are acceptable)".into(),
                ));
            }
            let paths = if allow.paths.is_empty() {
                None
            } else {
                Some(
                    build_globset(
                        allow
                            .paths
                            .iter()
                            .map(|g| (g.value.as_str(), g.referenced.line())),
                    )
                    .map_err(|(line, e)| err(line, format!("allow.paths: {e}")))?,
                )
            };
            let targets = allow
                .checks
                .iter()
                .map(|c| (c.value.clone(), c.referenced.line()))
                .collect();
            let fingerprint = allow
                .fingerprint
                .as_ref()
                .map(|f| f.value.trim().to_ascii_lowercase());
            allows.push(Allow {
                paths,
                fingerprint,
                targets,
            });
        }
        let mut extra_checks = Vec::new();
        let mut check_entries = Vec::new();
        for check_file in &config.checks {
            let line = check_file.referenced.line();
            let rel =
                inside_path(&check_file.value).map_err(|e| err(line, format!("checks: {e}")))?;
            let text = read(&rel)
                .map_err(|e| err(line, format!("checks: {e}")))?
                .ok_or_else(|| {
                    err(
                        line,
                        format!(
                            "checks: cannot read `{rel}`: no such file next to the configuration"
                        ),
                    )
                })?;
            extra_checks.push((rel, text));
            check_entries.push((check_file.value.clone(), line));
        }
        let role_globs =
            roles::RoleGlobs::parse(&config.roles, text).map_err(|(line, e)| err(line, e))?;
        let hook = match &config.hook {
            Some(def) => HookSettings::from_def(def).map_err(|(line, e)| err(line, e))?,
            None => HookSettings::default(),
        };
        Ok(Policy {
            source: Some(path.to_path_buf()),
            fail_on,
            exclude,
            disabled: config
                .disable
                .iter()
                .map(|d| (d.value.clone(), d.referenced.line()))
                .collect(),
            overrides,
            allows,
            extra_checks,
            hook,
            text: Some(text.to_string()),
            check_entries,
            roles: role_globs,
            mcp_hosts: config
                .mcp_hosts
                .iter()
                .map(|h| h.value.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        })
    }

    /// The check files the configuration loads, relative to its directory (`/`-separated).
    pub fn check_files(&self) -> impl Iterator<Item = String> + '_ {
        self.check_entries
            .iter()
            .filter_map(|(written, _)| inside_path(written).ok())
    }

    /// The configuration's text (None: the defaults).
    pub fn config_text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// Checks that every check id or category the configuration names exists, so a typo cannot
    /// silently disable nothing.
    pub fn validate(&self, checks: &[Check]) -> Result<(), DefinitionError> {
        self.validate_names(|target| {
            checks
                .iter()
                .any(|c| target_covers(target, &c.meta.id, c.meta.category))
        })
    }

    /// Like [`Policy::validate`], with `covers_a_check` telling whether a target names a check (for
    /// callers that know the check ids without loading every check).
    pub fn validate_names(
        &self,
        covers_a_check: impl Fn(&str) -> bool,
    ) -> Result<(), DefinitionError> {
        let named = self
            .disabled
            .iter()
            .map(|(t, l)| ("disable", t.as_str(), *l))
            .chain(
                self.overrides
                    .iter()
                    .map(|(t, _, l)| ("severity", t.as_str(), *l)),
            )
            .chain(self.allows.iter().flat_map(|a| {
                a.targets
                    .iter()
                    .map(|(t, l)| ("allow.checks", t.as_str(), *l))
            }))
            .chain(
                self.hook
                    .action_targets()
                    .map(|(t, l)| ("hook.actions", t, l)),
            );
        for (key, target, line) in named {
            let known =
                target == "all" || target.parse::<Category>().is_ok() || covers_a_check(target);
            if !known {
                return Err(DefinitionError {
                    file: self.source.as_ref().map_or_else(String::new, |p| p.display().to_string()),
                    line,
                    check: None,
                    message: format!("{key}: `{target}` is neither a check id nor a category (see `review-gate checks`)"),
                });
            }
        }
        Ok(())
    }

    /// Whether a file (path relative to the root) is reviewed at all.
    pub fn includes_path(&self, path: &str) -> bool {
        !self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// The role of a file: the configuration's `roles:` globs first, else `detected`.
    pub fn role_for(&self, path: &str, detected: crate::model::Role) -> crate::model::Role {
        self.roles.role_of(path).unwrap_or(detected)
    }

    /// Whether the configuration turns a check off.
    pub fn is_disabled(&self, check: &Check) -> bool {
        self.disabled
            .iter()
            .any(|(t, _)| target_covers(t, &check.meta.id, check.meta.category))
    }

    /// Whether an `overrides:` entry sets the severity of `finding`'s check.
    pub fn overrides_severity(&self, finding: &Finding) -> bool {
        self.overrides
            .iter()
            .any(|(t, _, _)| target_covers(t, &finding.check, finding.category))
    }

    /// Applies path-scoped allows and severity overrides to the findings.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| !self.allows.iter().any(|a| a.covers(f)))
            .map(|mut f| {
                if let Some((_, severity, _)) = self
                    .overrides
                    .iter()
                    .find(|(t, _, _)| target_covers(t, &f.check, f.category))
                {
                    f.severity = *severity;
                }
                f
            })
            .collect()
    }
}

/// The raw configuration, or (line, message) when it does not parse.
fn raw_config(text: &str) -> Result<ConfigFile, (u64, String)> {
    if text.trim().is_empty() {
        return Ok(ConfigFile::default());
    }
    serde_saphyr::from_str(text).map_err(|e| {
        (
            e.location().map_or(0, |l| l.line()),
            crate::checks::yaml_error_message(&e),
        )
    })
}

/// `dir`, or `.` when it is empty (the parent of a bare file name).
fn dir_or_cwd(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

/// A check file's path as written, checked to stay inside the configuration's directory: relative, with
/// no `..`; returned normalized (`/`-separated, without `.` parts).
fn inside_path(written: &str) -> Result<String, String> {
    use std::path::Component;
    let mut parts = Vec::new();
    for component in Path::new(written).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "`{written}` points outside the repository: check files must be inside the \
                     directory of the configuration, named relative to it"
                ))
            }
        }
    }
    if parts.is_empty() {
        return Err(format!("`{written}` names no file"));
    }
    Ok(parts.join("/"))
}

/// Whether findings reach the fail level.
pub fn fails(findings: &[Finding], fail_on: FailOn) -> bool {
    match fail_on {
        FailOn::Never => false,
        FailOn::Severity(level) => findings.iter().any(|f| f.severity >= level),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_file_and_line() {
        let err = Policy::parse(
            Path::new(".review-gate.yml"),
            "fail_on: error\nexlude: [a]\n",
        )
        .unwrap_err();
        assert_eq!(err.file, ".review-gate.yml");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("exlude"), "{}", err.message);
    }

    #[test]
    fn bad_glob_and_bad_level_are_errors_with_lines() {
        let err = Policy::parse(Path::new("c.yml"), "exclude:\n  - 'src/[a'\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        let err = Policy::parse(Path::new("c.yml"), "fail_on: sometimes\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.to_string().contains("sometimes"));
    }
}
