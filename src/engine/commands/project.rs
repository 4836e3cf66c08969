//! What a command check may ask about the project the command would run in: the packages its manifests
//! declare, and whether its repository is on the default branch. Read lazily, once per judged command.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How many directories above the working directory manifests are looked for (up to the repository
/// root, whichever comes first).
const MANIFEST_LEVELS: usize = 8;

/// Manifests larger than this are not read.
const MANIFEST_LIMIT: u64 = 4 << 20;

/// The project around a working directory.
pub(super) struct Project<'a> {
    cwd: &'a Path,
    declared: OnceCell<HashMap<&'static str, HashSet<String>>>,
    on_default_branch: OnceCell<bool>,
}

impl<'a> Project<'a> {
    pub(super) fn new(cwd: &'a Path) -> Project<'a> {
        Project {
            cwd,
            declared: OnceCell::new(),
            on_default_branch: OnceCell::new(),
        }
    }

    /// No project: no manifest declares anything and no branch is checked out (for a script in a file
    /// under review, which runs wherever its reader runs it).
    pub(super) fn none() -> Project<'static> {
        Project {
            cwd: Path::new(""),
            declared: OnceCell::from(HashMap::new()),
            on_default_branch: OnceCell::from(false),
        }
    }

    /// Whether a manifest of the ecosystem declares the package (name as normalized by the dependency
    /// analysis).
    pub(super) fn declares(&self, ecosystem: &str, name: &str) -> bool {
        let declared = self.declared.get_or_init(|| read_manifests(self.cwd));
        let name = crate::manifest::normalize(name);
        declared.get(ecosystem).is_some_and(|names| {
            names.contains(&name)
                // A Go package path lies under the module that a go.mod requires.
                || (ecosystem == "go"
                    && names
                        .iter()
                        .any(|module| name.starts_with(module.as_str()) && name[module.len()..].starts_with('/')))
        })
    }

    /// Whether HEAD is the default branch: `origin/HEAD`'s target, else `main` or `master`.
    pub(super) fn on_default_branch(&self) -> bool {
        *self
            .on_default_branch
            .get_or_init(|| default_branch_checked_out(self.cwd).unwrap_or(false))
    }
}

fn read_manifests(cwd: &Path) -> HashMap<&'static str, HashSet<String>> {
    let mut declared: HashMap<&'static str, HashSet<String>> = HashMap::new();
    for dir in cwd.ancestors().take(MANIFEST_LEVELS) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut repository_root = false;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name == ".git" {
                repository_root = true;
                continue;
            }
            if !crate::manifest::is_manifest(name)
                || !entry
                    .metadata()
                    .is_ok_and(|m| m.is_file() && m.len() <= MANIFEST_LIMIT)
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            if let Some((ecosystem, names)) = crate::manifest::declared_packages(name, &text) {
                declared.entry(ecosystem).or_default().extend(names);
            }
        }
        if repository_root {
            break;
        }
    }
    declared
}

fn default_branch_checked_out(cwd: &Path) -> Option<bool> {
    let repo = git2::Repository::discover(cwd).ok()?;
    let head = repo.find_reference("HEAD").ok()?;
    let branch = head
        .symbolic_target()
        .ok()
        .flatten()?
        .strip_prefix("refs/heads/")?
        .to_string();
    let default = repo
        .find_reference("refs/remotes/origin/HEAD")
        .ok()
        .and_then(|r| {
            r.symbolic_target()
                .ok()
                .flatten()
                .and_then(|t| t.strip_prefix("refs/remotes/origin/"))
                .map(str::to_string)
        });
    Some(match default {
        Some(default) => branch == default,
        None => branch == "main" || branch == "master",
    })
}
