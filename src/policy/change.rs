//! What a change does to the configuration: two versions of `.review-gate.yml` (and of the check files
//! it loads) compared, listing every way the new one weakens the old, so that a change never judges
//! itself by its own rules unnoticed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::hook::FailMode;
use super::{inside_path, raw_config, AllowDef, ConfigFile, FailOn, Policy};
use crate::model::Decision;
use crate::model::Severity;

/// Reads a file of a tree by its relative, `/`-separated path: None when there is none.
type Reader<'a> = Box<dyn Fn(&str) -> Result<Option<Vec<u8>>, String> + 'a>;

/// A tree the configuration is read from: the working directory, the index, or a commit's tree.
pub struct ConfigTree<'a> {
    /// What the tree is, for messages (`the base commit 1a2b3c4`).
    pub label: String,
    read: Reader<'a>,
}

impl<'a> ConfigTree<'a> {
    /// A tree read through `read` (relative, `/`-separated path → bytes, None when absent).
    pub fn new(
        label: impl Into<String>,
        read: impl Fn(&str) -> Result<Option<Vec<u8>>, String> + 'a,
    ) -> ConfigTree<'a> {
        ConfigTree {
            label: label.into(),
            read: Box::new(read),
        }
    }

    /// The configuration files of a commit's tree, read from the object database.
    pub fn commit(repo: &'a git2::Repository, tree: git2::Oid, label: String) -> ConfigTree<'a> {
        let label = format!("{label} ({})", &tree.to_string()[..7]);
        ConfigTree::new(label, move |rel| {
            crate::source::git::read_tree_file(repo, tree, rel).map_err(|e| format!("{e:#}"))
        })
    }

    /// The files under `root` on disk; a path that leads outside `root` (through a symbolic link) is an
    /// error.
    pub fn working(root: &Path) -> ConfigTree<'static> {
        let root = root.to_path_buf();
        ConfigTree::new("the working tree", move |rel| {
            let full = root.join(rel);
            let file = match full.canonicalize() {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(format!("cannot read `{rel}`: {e}")),
            };
            let inside = root.canonicalize().is_ok_and(|r| file.starts_with(r));
            if !inside {
                return Err(format!(
                    "`{rel}` leads outside the repository (through a symbolic link)"
                ));
            }
            if !file.is_file() {
                return Ok(None);
            }
            std::fs::read(&file)
                .map(Some)
                .map_err(|e| format!("cannot read `{rel}`: {e}"))
        })
    }

    /// This tree with the file at `rel` replaced by `content` (what a proposed write would leave).
    pub fn with_file(self, rel: &str, content: &str) -> ConfigTree<'a> {
        let (rel, content) = (rel.to_string(), content.as_bytes().to_vec());
        let ConfigTree { label, read } = self;
        ConfigTree::new(label, move |path| {
            if path == rel {
                Ok(Some(content.clone()))
            } else {
                read(path)
            }
        })
    }

    /// This tree without the file at `rel` (what a proposed deletion would leave).
    pub fn without_file(self, rel: &str) -> ConfigTree<'a> {
        let rel = rel.to_string();
        let ConfigTree { label, read } = self;
        ConfigTree::new(
            label,
            move |path| if path == rel { Ok(None) } else { read(path) },
        )
    }

    /// The text of the file at `rel` (None: no such file); a file that is not UTF-8 is an error.
    pub fn read_text(&self, rel: &str) -> Result<Option<String>, String> {
        match (self.read)(rel)? {
            None => Ok(None),
            Some(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| format!("`{rel}` in {} is not UTF-8 text", self.label)),
        }
    }
}

/// One way a new configuration weakens the old one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weakening {
    /// The line of the new configuration that makes the change (1 when no line says it: a key removed).
    pub line: u32,
    /// What it weakens, e.g. ``disables `attack` ``.
    pub what: String,
}

/// How loose a fail level is: the higher, the fewer findings fail the review.
fn looseness(level: FailOn) -> u8 {
    match level {
        FailOn::Severity(Severity::Note) => 0,
        FailOn::Severity(Severity::Warning) => 1,
        FailOn::Severity(Severity::Error) => 2,
        FailOn::Never => 3,
    }
}

fn fail_on_name(level: FailOn) -> &'static str {
    match level {
        FailOn::Severity(s) => s.as_str(),
        FailOn::Never => "never",
    }
}

/// The first line of `text` that starts (after indentation) with `key`, else 1.
fn key_line(text: Option<&str>, key: &str) -> u32 {
    text.and_then(|t| {
        t.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| i as u32 + 1)
    })
    .unwrap_or(1)
}

fn line_of(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX).max(1)
}

/// An allow entry's identity: its paths, fingerprint and checks.
type AllowKey = (BTreeSet<String>, Option<String>, BTreeSet<String>);

fn allow_key(a: &AllowDef) -> AllowKey {
    (
        a.paths.iter().map(|p| p.value.clone()).collect(),
        a.fingerprint
            .as_ref()
            .map(|f| f.value.trim().to_ascii_lowercase()),
        a.checks.iter().map(|c| c.value.clone()).collect(),
    )
}

fn describe_allow(key: &AllowKey) -> String {
    let list = |set: &BTreeSet<String>| {
        set.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let checks = if key.2.is_empty() {
        "every check".to_string()
    } else {
        list(&key.2)
    };
    let paths = if key.0.is_empty() {
        "every path".to_string()
    } else {
        list(&key.0)
    };
    let fingerprint = key
        .1
        .as_ref()
        .map(|f| format!(" with fingerprint `{f}`"))
        .unwrap_or_default();
    format!("allows findings of {checks} in {paths}{fingerprint}")
}

/// Every way `new` weakens `old`: a newly disabled check or category, a higher `fail_on`, a new `exclude`
/// glob, a new `allow` entry, a lowered severity (against `default_severity`, the most severe check a
/// target covers, where `old` has no override), a changed or dropped check file, and a looser `hook:`
/// section. Tightening changes are not listed. Sorted by line.
pub fn weakenings(
    old: &Policy,
    new: &Policy,
    default_severity: &dyn Fn(&str) -> Severity,
) -> Vec<Weakening> {
    let raw = |p: &Policy| {
        p.text
            .as_deref()
            .and_then(|t| raw_config(t).ok())
            .unwrap_or_default()
    };
    let (o, n): (ConfigFile, ConfigFile) = (raw(old), raw(new));
    let text = new.text.as_deref();
    let mut out = Vec::new();
    let mut push = |line: u32, what: String| out.push(Weakening { line, what });

    if looseness(new.fail_on) > looseness(old.fail_on) {
        let line = n
            .fail_on
            .as_ref()
            .map_or(1, |f| line_of(f.referenced.line()));
        push(
            line,
            format!(
                "raises `fail_on` from {} to {}",
                fail_on_name(old.fail_on),
                fail_on_name(new.fail_on)
            ),
        );
    }
    let old_disabled: BTreeSet<&str> = o.disable.iter().map(|d| d.value.as_str()).collect();
    for d in &n.disable {
        if !old_disabled.contains(d.value.as_str()) {
            push(
                line_of(d.referenced.line()),
                format!("disables `{}`", d.value),
            );
        }
    }
    let old_excluded: BTreeSet<&str> = o.exclude.iter().map(|g| g.value.as_str()).collect();
    for g in &n.exclude {
        if !old_excluded.contains(g.value.as_str()) {
            push(
                line_of(g.referenced.line()),
                format!("excludes `{}` from review", g.value),
            );
        }
    }
    let old_hosts: BTreeSet<&str> = o.mcp_hosts.iter().map(|h| h.value.as_str()).collect();
    for h in &n.mcp_hosts {
        if !old_hosts.contains(h.value.as_str()) {
            push(
                line_of(h.referenced.line()),
                format!("accepts remote MCP servers on `{}`", h.value),
            );
        }
    }
    let old_allows: BTreeSet<AllowKey> = o.allow.iter().map(allow_key).collect();
    for a in &n.allow {
        let key = allow_key(a);
        if !old_allows.contains(&key) {
            let line = a
                .paths
                .first()
                .map(|p| p.referenced.line())
                .or(a.fingerprint.as_ref().map(|f| f.referenced.line()))
                .or(a.checks.first().map(|c| c.referenced.line()))
                .unwrap_or(0);
            push(line_of(line), describe_allow(&key));
        }
    }
    let level = |s: &str| s.parse::<Severity>().ok();
    let old_levels: BTreeMap<&str, Severity> = o
        .severity
        .iter()
        .filter_map(|(t, l)| Some((t.as_str(), level(&l.value)?)))
        .collect();
    for (target, value) in &n.severity {
        let Some(new_level) = level(&value.value) else {
            continue;
        };
        let before = old_levels
            .get(target.as_str())
            .copied()
            .unwrap_or_else(|| default_severity(target));
        if new_level < before {
            push(
                line_of(value.referenced.line()),
                format!("lowers the severity of `{target}` from {before} to {new_level}"),
            );
        }
    }
    for (target, old_level) in &old_levels {
        if !n.severity.contains_key(*target) && default_severity(target) < *old_level {
            push(
                key_line(text, "severity:"),
                format!("drops the override that raised `{target}` to {old_level}"),
            );
        }
    }
    for (line, what) in super::roles::weakenings(&o.roles, &n.roles) {
        let line = if line == 0 {
            key_line(text, "roles:")
        } else {
            line_of(line)
        };
        push(line, what);
    }
    check_files(old, new, text, &mut push);
    hook_settings(old, new, text, &mut push);
    out.sort_by_key(|w| w.line);
    out
}

/// Check files the old configuration loads that the new one changes or no longer loads.
fn check_files(old: &Policy, new: &Policy, text: Option<&str>, push: &mut impl FnMut(u32, String)) {
    let files = |p: &Policy| -> BTreeMap<String, (String, u64)> {
        p.check_entries
            .iter()
            .zip(&p.extra_checks)
            .filter_map(|((written, line), (_, content))| {
                Some((inside_path(written).ok()?, (content.clone(), *line)))
            })
            .collect()
    };
    let (before, after) = (files(old), files(new));
    for (path, (content, _)) in &before {
        match after.get(path) {
            None => push(
                key_line(text, "checks:"),
                format!("stops loading the check file `{path}`"),
            ),
            Some((new_content, line)) if new_content != content => push(
                line_of(*line),
                format!(
                    "changes the check file `{path}` (its checks may no longer find what they did)"
                ),
            ),
            Some(_) => {}
        }
    }
}

/// A looser `hook:` section: failures let actions through, no audit log, fewer questions, an explicit
/// allow for clean actions, or a check's action lowered.
fn hook_settings(
    old: &Policy,
    new: &Policy,
    text: Option<&str>,
    push: &mut impl FnMut(u32, String),
) {
    let (o, h) = (&old.hook, &new.hook);
    if o.fail == FailMode::Closed && h.fail == FailMode::Open {
        push(
            key_line(text, "fail:"),
            "sets `hook.fail: open` (an agent action the gate cannot judge is let through)".into(),
        );
    }
    if o.audit && !h.audit {
        push(
            key_line(text, "audit:"),
            "turns the agent gate's audit log off".into(),
        );
    }
    let ask_rank = |a: Option<Severity>| a.map_or(3, |s| s as u8);
    if ask_rank(h.ask_at) > ask_rank(o.ask_at) {
        let name = |a: Option<Severity>| a.map_or("never", |s| s.as_str());
        push(
            key_line(text, "ask_at:"),
            format!(
                "raises `hook.ask_at` from {} to {}",
                name(o.ask_at),
                name(h.ask_at)
            ),
        );
    }
    if !o.approve_clean && h.approve_clean {
        push(
            key_line(text, "approve_clean:"),
            "sets `hook.approve_clean` (the agent's own permission prompt is skipped)".into(),
        );
    }
    for glob in h.read.allow.iter().filter(|g| !o.read.allow.contains(g)) {
        push(
            key_line(text, "allow:"),
            format!("adds `{glob}` to `hook.read.allow` (an agent may read it)"),
        );
    }
    for glob in o.read.deny.iter().filter(|g| !h.read.deny.contains(g)) {
        push(
            key_line(text, "deny:"),
            format!("drops `{glob}` from `hook.read.deny`"),
        );
    }
    let old_actions: BTreeMap<&str, Decision> = o.actions().map(|(t, d, _)| (t, d)).collect();
    for (target, decision, line) in h.actions() {
        let lowered = match old_actions.get(target) {
            Some(before) => decision < *before,
            None => decision == Decision::Allow,
        };
        if lowered {
            push(
                line_of(line),
                format!(
                    "sets the agent gate's action for `{target}` to {}",
                    decision.as_str()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::parse_with(Path::new(".review-gate.yml"), text, &|_| {
            Ok(Some("[]".to_string()))
        })
        .unwrap()
    }

    fn list(old: &str, new: &str) -> Vec<(u32, String)> {
        weakenings(&policy(old), &policy(new), &|_| Severity::Error)
            .into_iter()
            .map(|w| (w.line, w.what))
            .collect()
    }

    #[test]
    fn each_weakening_is_listed_on_its_line() {
        let new = "fail_on: never\ndisable: [attack, secret]\nexclude: ['**']\nallow:\n  - paths: ['**']\n    reason: all\nseverity:\n  exec: note\n";
        let found = list("", new);
        assert_eq!(
            found,
            vec![
                (1, "raises `fail_on` from error to never".to_string()),
                (2, "disables `attack`".to_string()),
                (2, "disables `secret`".to_string()),
                (3, "excludes `**` from review".to_string()),
                (5, "allows findings of every check in `**`".to_string()),
                (
                    8,
                    "lowers the severity of `exec` from error to note".to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_new_mcp_host_is_a_weakening() {
        assert_eq!(
            list("", "mcp_hosts: [mcp.corp.example]\n"),
            [(
                1,
                "accepts remote MCP servers on `mcp.corp.example`".to_string()
            )]
        );
        assert!(list("mcp_hosts: [a.example]\n", "mcp_hosts: [a.example]\n").is_empty());
    }

    #[test]
    fn tightening_and_unchanged_entries_are_not_weakenings() {
        let old = "fail_on: warning\ndisable: [network]\nexclude: [vendor/**]\n";
        assert!(list(old, "fail_on: note\nexclude: [vendor/**]\n").is_empty());
        assert!(list(old, old).is_empty());
        // Removing a key that made the review stricter weakens it.
        assert_eq!(
            list("fail_on: note\n", ""),
            vec![(1, "raises `fail_on` from note to error".to_string())]
        );
    }

    #[test]
    fn looser_hook_settings_are_weakenings() {
        let new =
            "hook:\n  fail: open\n  audit: false\n  ask_at: never\n  actions:\n    exec: allow\n";
        let found: Vec<String> = list("", new).into_iter().map(|w| w.1).collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.iter().any(|w| w.contains("hook.fail: open")));
        assert!(found.iter().any(|w| w.contains("`exec` to allow")));
    }

    #[test]
    fn reads_let_through_or_no_longer_refused_are_weakenings() {
        let old = "hook:\n  read:\n    deny: ['data/**']\n";
        let new = "hook:\n  read:\n    allow: ['.env']\n";
        let found: Vec<String> = list(old, new).into_iter().map(|w| w.1).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found
            .iter()
            .any(|w| w.contains("`.env` to `hook.read.allow`")));
        assert!(found.iter().any(|w| w.contains("drops `data/**`")));
        // Refusing more is not reported.
        assert!(list(
            new,
            "hook:\n  read:\n    allow: ['.env']\n    deny: ['x']\n"
        )
        .is_empty());
    }

    #[test]
    fn check_files_outside_the_configuration_directory_are_refused() {
        for path in ["../outside.yml", "/etc/checks.yml", "a/../../b.yml"] {
            let err = Policy::parse_with(
                Path::new(".review-gate.yml"),
                &format!("checks: ['{path}']\n"),
                &|_| Ok(Some(String::new())),
            )
            .unwrap_err();
            assert_eq!(err.line, 1);
            assert!(err.message.contains("outside the repository"), "{err}");
        }
    }
}
