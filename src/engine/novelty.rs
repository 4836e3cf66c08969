//! Novelty: whether each finding is a capability its file gains or one the file's old version already
//! had.
//!
//! A **capability** is what a reviewer means by "this module already talks HTTP through `requests`":
//! the check's category, language and family — the check id's first three dot-parts, the third cut at
//! its first `-` (`network.python.requests`, `exec.python.subprocess-alias` → `exec.python.subprocess`,
//! `network.python.http-session` → `network.python.http`). Only the categories that name something code
//! *does* have capabilities (network, exec, eval, env, path-traversal); a secret, a dependency, an
//! attack chain or a policy finding is always about what the change itself adds, so it is new.
//!
//! A finding is **existing** when the old version had a finding of the same capability at the same
//! severity or above (the engine's, context included): a module that made requests to computed URLs
//! (warnings) does so once more; one that only fetched literal URLs (notes) gains something when it first
//! requests a computed one.
//!
//! After the engine, the old version of each modified file with a capability finding is run through the
//! pattern stage once, every line treated as added, with the checks of those findings' capabilities
//! that the added lines call for (a keyword of theirs on an added line, or none); its findings are kept
//! as a set of capability keys and never reported. Before the engine, the old texts no stage reads are dropped (those of added and
//! deleted files, unless a dependency diff or a removal check reads them); after it, the old texts are
//! taken out of the files as they are read (dependency manifests keep theirs), a batch at a time.

use std::collections::HashMap;

use crate::checks::CheckSet;
pub use crate::model::{capability_key, has_capability};
use crate::model::{Base, ChangedFile, Finding, Location, Novelty, Severity};

/// Old files read through the pattern stage at a time (bounds the old texts held at once).
const BATCH: usize = 64;

/// The capabilities the old version of each modified file had, by path, with the highest severity of
/// their findings.
#[derive(Debug, Default)]
pub struct BaseCapabilities {
    by_path: HashMap<String, HashMap<String, Severity>>,
}

impl BaseCapabilities {
    /// Whether the old version of `path` had a finding of the capability of `check` at `severity` or
    /// above.
    pub fn had(&self, path: &str, check: &str, severity: Severity) -> bool {
        self.by_path
            .get(path)
            .and_then(|keys| keys.get(capability_key(check)))
            .is_some_and(|&old| old >= severity)
    }
}

/// Drops, before the engine runs, every old text no stage will read: all but those of the dependency
/// manifests, of the files whose removed lines a removal check reads, and of the modified files with
/// added lines (the novelty read may need theirs after the engine, [`base_capabilities`]).
pub fn drop_unread_old_texts(checks: &CheckSet, files: &mut [ChangedFile]) {
    for file in files {
        if file.old_text.is_some() && !novelty_may_read(file) && !keeps_old_text(checks, file) {
            file.old_text = None;
        }
    }
}

/// Whether the novelty read may need the old text of `file`: a modified file that gains lines.
fn novelty_may_read(file: &ChangedFile) -> bool {
    file.base == Base::Modified && !file.deleted && !file.added.is_empty()
}

/// Reads the capabilities the old version of each modified file had, for the capabilities `findings`
/// (the engine's, on the new version) give it, then drops every old text but the dependency manifests'
/// and the removal checks'.
///
/// Only the old texts of the files with such a finding are read (no other file has a finding to mark),
/// with the capability checks of a capability some finding has (no other result could mark one) that the
/// added lines of the modified files call for (a keyword of theirs, or none).
pub fn base_capabilities(
    checks: &CheckSet,
    files: &mut [ChangedFile],
    findings: &[Finding],
) -> BaseCapabilities {
    let mut base = BaseCapabilities::default();
    let mut keys: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut paths: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for f in findings {
        if f.location == Location::File
            && f.side == crate::model::Side::Added
            && has_capability(f.category)
        {
            keys.insert(capability_key(&f.check));
            paths.insert(f.path.as_str());
        }
    }
    let modified: Vec<usize> = (0..files.len())
        .filter(|&i| {
            let file = &files[i];
            novelty_may_read(file) && file.old_text.is_some() && paths.contains(file.path.as_str())
        })
        .collect();
    let capability_checks: Vec<crate::checks::Check> = if modified.is_empty() {
        Vec::new()
    } else {
        // Of those, the checks the added lines of the modified files call for: one whose keyword they
        // hold, or one without keywords (an agent gate's review withholds no such check).
        let mut wanted: std::collections::HashSet<u32> =
            checks.keywordless().iter().copied().collect();
        for file in files
            .iter()
            .filter(|f| novelty_may_read(f) && f.old_text.is_some())
        {
            let mut added = String::new();
            for line in &file.added {
                added.push_str(file.line_text(line));
                added.push('\n');
            }
            for (_, keyword) in checks.keyword_hits(&added) {
                wanted.extend(checks.checks_for_keyword(keyword));
            }
        }
        checks
            .checks
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                wanted.contains(&(*i as u32))
                    && has_capability(c.meta.category)
                    && c.pattern().is_some()
                    && !c.is_signal()
                    && keys.contains(capability_key(&c.meta.id))
            })
            .map(|(_, c)| c.clone())
            .collect()
    };
    if capability_checks.is_empty() {
        drop_old_texts(checks, files);
        return base;
    }
    let set = crate::checks::into_set(capability_checks);
    for batch in modified.chunks(BATCH) {
        let old_files: Vec<ChangedFile> = batch
            .iter()
            .map(|&i| {
                let file = &mut files[i];
                let old = if keeps_old_text(checks, file) {
                    file.old_text.clone().unwrap_or_default()
                } else {
                    file.old_text.take().unwrap_or_default()
                };
                let mut old_file = crate::source::whole_file(
                    file.path.clone(),
                    old,
                    crate::source::AddedLines::All,
                );
                old_file.language = file.language;
                old_file
            })
            .collect();
        let run = super::lines::run_files(&set, &old_files, true);
        for f in run.findings.iter().chain(&run.silenced) {
            let seen = base
                .by_path
                .entry(f.path.clone())
                .or_default()
                .entry(capability_key(&f.check).to_string())
                .or_insert(f.severity);
            *seen = (*seen).max(f.severity);
        }
    }
    drop_old_texts(checks, files);
    base
}

/// Drops the old text of every file but the dependency manifests (the dependency diff reads theirs)
/// and the files whose removed lines a removal check reads.
fn drop_old_texts(checks: &CheckSet, files: &mut [ChangedFile]) {
    for file in files {
        if file.old_text.is_some() && !keeps_old_text(checks, file) {
            file.old_text = None;
        }
    }
}

/// Whether a later stage reads the old text of `file`: the dependency diff (manifests, agent
/// configurations) or the removal checks.
fn keeps_old_text(checks: &CheckSet, file: &ChangedFile) -> bool {
    crate::manifest::is_manifest(&file.path) || super::removals::wants_old_text(checks, file)
}

/// Sets [`Finding::novelty`] on every finding: new in an added file or when the old version lacked
/// the capability at its severity (and for categories without capabilities), existing when it had it,
/// unknown when the source does not know the old version.
pub fn mark(findings: &mut [Finding], files: &[ChangedFile], base: &BaseCapabilities) {
    let bases: HashMap<&str, Base> = files.iter().map(|f| (f.path.as_str(), f.base)).collect();
    for f in findings {
        if f.side == crate::model::Side::Removed {
            // What a change takes away is new to it, whatever the old version had.
            f.novelty = Novelty::New;
            continue;
        }
        f.novelty = match (f.location, bases.get(f.path.as_str())) {
            (Location::Command, _) => Novelty::New,
            (_, None) => Novelty::Unknown,
            (_, Some(Base::Unknown)) => Novelty::Unknown,
            (_, Some(Base::Added)) => Novelty::New,
            (_, Some(Base::Modified)) => {
                if has_capability(f.category) && base.had(&f.path, &f.check, f.severity) {
                    Novelty::Existing
                } else {
                    Novelty::New
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Category;

    #[test]
    fn capability_keys_are_category_language_and_family() {
        assert_eq!(
            capability_key("network.python.requests"),
            "network.python.requests"
        );
        assert_eq!(
            capability_key("exec.python.subprocess-alias"),
            "exec.python.subprocess"
        );
        assert_eq!(
            capability_key("exec.python.subprocess-imported-run"),
            "exec.python.subprocess"
        );
        assert_eq!(
            capability_key("network.python.http-session"),
            "network.python.http"
        );
        assert_eq!(capability_key("env.go.getenv"), "env.go.getenv");
        assert_eq!(capability_key("a.b.c.d"), "a.b.c");
        assert_eq!(capability_key("policy"), "policy");
        assert_eq!(capability_key("a.b"), "a.b");
    }

    #[test]
    fn only_what_code_does_has_a_capability() {
        assert!(has_capability(Category::Network));
        assert!(has_capability(Category::PathTraversal));
        assert!(!has_capability(Category::Secret));
        assert!(!has_capability(Category::Dependency));
        assert!(!has_capability(Category::Attack));
    }

    fn file(path: &str, new: &str, old: Option<&str>, base: Base) -> ChangedFile {
        let mut file = crate::source::whole_file(
            path.to_string(),
            new.to_string(),
            crate::source::AddedLines::All,
        );
        file.old_text = old.map(str::to_string);
        file.base = base;
        file
    }

    #[test]
    fn the_old_version_tells_existing_from_new() {
        let checks = crate::checks::into_set(crate::checks::load_checked(&[]).expect("checks"));
        let mut files = vec![
            file(
                "app/client.py",
                "import requests\nimport subprocess\nrequests.get(request.args[u])\nrequests.get(request.args[v])\nsubprocess.run([\"ls\"])\n",
                Some("import requests\nrequests.get(request.args[u])\n"),
                Base::Modified,
            ),
            file("app/new.py", "import requests\nrequests.get(request.args[u])\n", None, Base::Added),
            file("app/p.py", "import requests\nrequests.get(request.args[u])\n", None, Base::Unknown),
        ];
        drop_unread_old_texts(&checks, &mut files);
        assert!(
            files[0].old_text.is_some(),
            "novelty reads it after the engine"
        );
        let mut changes = crate::model::ChangeSet {
            files,
            ..Default::default()
        };
        let mut findings = crate::engine::review(&checks, &changes, &Default::default()).findings;
        let base = base_capabilities(&checks, &mut changes.files, &findings);
        assert!(
            changes.files[0].old_text.is_none(),
            "the old text is dropped"
        );
        // The old version fetched a URL from request input (a warning).
        assert!(base.had(
            "app/client.py",
            "network.python.requests",
            Severity::Warning
        ));
        assert!(!base.had("app/client.py", "network.python.requests", Severity::Error));
        assert!(!base.had("app/client.py", "exec.python.subprocess", Severity::Note));
        mark(&mut findings, &changes.files, &base);
        let of = |path: &str, check: &str| {
            findings
                .iter()
                .find(|f| f.path == path && f.check.starts_with(check))
                .map(|f| f.novelty)
        };
        assert_eq!(
            of("app/client.py", "network.python.requests"),
            Some(Novelty::Existing)
        );
        assert_eq!(
            of("app/client.py", "exec.python.subprocess"),
            Some(Novelty::New)
        );
        assert_eq!(
            of("app/new.py", "network.python.requests"),
            Some(Novelty::New)
        );
        assert_eq!(
            of("app/p.py", "network.python.requests"),
            Some(Novelty::Unknown)
        );
    }

    /// Only the files with a capability finding have their old version read, and an old text no stage
    /// reads is dropped before the engine: a deleted file's, and then a modified file's without one.
    #[test]
    fn only_files_with_a_capability_finding_are_read_again() {
        let checks = crate::checks::into_set(crate::checks::load_checked(&[]).expect("checks"));
        let mut gone = file("app/gone.py", "", Some("import requests\n"), Base::Modified);
        gone.deleted = true;
        let mut files = vec![
            file(
                "app/plain.py",
                "x = 1\n",
                Some("import requests\nrequests.get(request.args[u])\n"),
                Base::Modified,
            ),
            file(
                "app/client.py",
                "import requests\nrequests.get(request.args[u])\n",
                Some("import requests\nrequests.get(request.args[u])\n"),
                Base::Modified,
            ),
            gone,
        ];
        drop_unread_old_texts(&checks, &mut files);
        assert!(
            files[2].old_text.is_none(),
            "a deleted file's old text is dropped"
        );
        assert!(files[0].old_text.is_some() && files[1].old_text.is_some());
        let changes = crate::model::ChangeSet {
            files,
            ..Default::default()
        };
        let findings = crate::engine::review(&checks, &changes, &Default::default()).findings;
        let mut files = changes.files;
        let base = base_capabilities(&checks, &mut files, &findings);
        assert!(files.iter().all(|f| f.old_text.is_none()));
        assert!(base.had("app/client.py", "network.python.requests", Severity::Note));
        // Its old version made requests, but nothing of it is added: nothing to compare.
        assert!(!base.had("app/plain.py", "network.python.requests", Severity::Note));
    }

    /// The old version is read with the checks the added lines call for: a check of the same capability
    /// whose keywords the added lines do not hold (`std::env::var` in the old file, `env!` added) is not
    /// run, so the finding stays new (what the review did before the old version was read after it).
    #[test]
    fn the_old_version_is_read_with_the_checks_the_added_lines_call_for() {
        let checks = crate::checks::into_set(crate::checks::load_checked(&[]).expect("checks"));
        let old = "fn main() {\n    let token = std::env::var(\"GITHUB_TOKEN\");\n}\n";
        let new = "fn main() {\n    let token = std::env::var(\"GITHUB_TOKEN\");\n}\nconst KEY: &str = env!(\"ANALYTICS_API_KEY\");\n";
        let mut changed = file("src/main.rs", new, Some(old), Base::Modified);
        changed.added.retain(|l| l.number == 4);
        let mut files = vec![changed];
        drop_unread_old_texts(&checks, &mut files);
        let changes = crate::model::ChangeSet {
            files,
            ..Default::default()
        };
        let mut findings = crate::engine::review(&checks, &changes, &Default::default()).findings;
        let mut files = changes.files;
        let base = base_capabilities(&checks, &mut files, &findings);
        mark(&mut findings, &files, &base);
        let baked = findings
            .iter()
            .find(|f| f.check == "env.rust.env-macro")
            .expect("env! is reported");
        assert_eq!(
            capability_key("env.rust.env-var"),
            capability_key(&baked.check)
        );
        assert_eq!(baked.novelty, Novelty::New);
    }
}
