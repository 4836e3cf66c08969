//! The capability digest: what the change makes the code do, grouped by directory and category, new
//! capabilities first — a few lines at the top of the text report and the pull-request summary (the
//! JSON report's `capabilities`), not a list of findings.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{family, has_capability, Category, Finding, Novelty};

/// Lines of the digest shown in the text and Markdown reports (the JSON report lists every group).
pub const SHOWN: usize = 8;

/// Families named per line.
const FAMILIES_SHOWN: usize = 4;

/// One capability of one directory: its findings' count, families and novelty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capability {
    /// The directory of the files (`.` for the root).
    pub directory: String,
    /// The category (network, exec, eval, env, path-traversal).
    pub category: Category,
    /// `new` when a file gains it, else `existing` when a file already had it, else `unknown`.
    pub novelty: Novelty,
    /// Findings of it.
    pub findings: usize,
    /// Files they are in.
    pub files: usize,
    /// Their families (`requests`, `subprocess`), most findings first.
    pub families: Vec<String>,
}

/// The digest of `findings`: one entry per directory and capability category, new ones first, then by
/// directory and category.
pub fn capabilities(findings: &[Finding]) -> Vec<Capability> {
    struct Group<'a> {
        novelty: Novelty,
        findings: usize,
        files: std::collections::HashSet<&'a str>,
        families: BTreeMap<&'a str, usize>,
    }
    let mut groups: BTreeMap<(&str, Category), Group<'_>> = BTreeMap::new();
    for f in findings {
        // What a change takes away is no capability it gives the code.
        if !has_capability(f.category)
            || !f.location.is_file()
            || f.path.is_empty()
            || !f.side.is_added()
        {
            continue;
        }
        let directory = f.path.rsplit_once('/').map_or(".", |(dir, _)| dir);
        let group = groups.entry((directory, f.category)).or_insert(Group {
            novelty: Novelty::Unknown,
            findings: 0,
            files: Default::default(),
            families: BTreeMap::new(),
        });
        group.novelty = match (group.novelty, f.novelty) {
            (Novelty::New, _) | (_, Novelty::New) => Novelty::New,
            (Novelty::Existing, _) | (_, Novelty::Existing) => Novelty::Existing,
            _ => Novelty::Unknown,
        };
        group.findings += 1;
        group.files.insert(&f.path);
        *group.families.entry(family(&f.check)).or_insert(0) += 1;
    }
    let mut out: Vec<Capability> = groups
        .into_iter()
        .map(|((directory, category), g)| {
            let mut families: Vec<(&str, usize)> = g.families.into_iter().collect();
            families.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            Capability {
                directory: directory.to_string(),
                category,
                novelty: g.novelty,
                findings: g.findings,
                files: g.files.len(),
                families: families.into_iter().map(|(f, _)| f.to_string()).collect(),
            }
        })
        .collect();
    // BTreeMap order (directory, category) within each novelty.
    out.sort_by_key(|c| c.novelty);
    out
}

/// `network (requests, httpx)`.
fn named(c: &Capability) -> String {
    let mut families = c.families[..c.families.len().min(FAMILIES_SHOWN)].join(", ");
    if c.families.len() > FAMILIES_SHOWN {
        families.push_str(", …");
    }
    format!("{} ({families})", c.category)
}

/// The digest as lines for people (without a trailing newline), at most [`SHOWN`] of them: a
/// directory's new capabilities on one line ("`app`: gains exec (subprocess) and network (requests) —
/// new"), then more of what directories already did ("`src/cli`: more env (getenv): 3"), then what has
/// no base to compare with.
pub fn lines(capabilities: &[Capability], code: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    let mut i = 0;
    while i < capabilities.len() {
        let c = &capabilities[i];
        let dir = code(&c.directory);
        match c.novelty {
            Novelty::New => {
                let mut same = vec![named(c)];
                while i + 1 < capabilities.len()
                    && capabilities[i + 1].novelty == Novelty::New
                    && capabilities[i + 1].directory == c.directory
                {
                    i += 1;
                    same.push(named(&capabilities[i]));
                }
                let last = same.pop().unwrap_or_default();
                let list = if same.is_empty() {
                    last
                } else {
                    format!("{} and {last}", same.join(", "))
                };
                lines.push(format!("{dir}: gains {list} — new"));
            }
            Novelty::Existing => {
                lines.push(format!("{dir}: more {}: {}", named(c), c.findings));
            }
            Novelty::Unknown => {
                lines.push(format!("{dir}: {}: {}", named(c), c.findings));
            }
        }
        i += 1;
    }
    if lines.len() > SHOWN {
        let more = lines.len() - SHOWN;
        lines.truncate(SHOWN);
        lines.push(format!("and {more} more"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn finding(check: &str, category: Category, path: &str, novelty: Novelty) -> Finding {
        Finding {
            path: path.into(),
            location: Default::default(),
            line: 1,
            column: 1,
            end_column: 2,
            snippet_width: 1,
            novelty,
            ..Finding::of(check, category, Severity::Warning, String::new())
        }
    }

    #[test]
    fn new_capabilities_lead_grouped_by_directory() {
        let findings = vec![
            finding(
                "env.go.getenv",
                Category::Env,
                "src/cli/a.go",
                Novelty::Existing,
            ),
            finding(
                "env.go.getenv",
                Category::Env,
                "src/cli/b.go",
                Novelty::Existing,
            ),
            finding(
                "env.go.getenv",
                Category::Env,
                "src/cli/b.go",
                Novelty::Existing,
            ),
            finding(
                "network.go.http-client",
                Category::Network,
                "pkg/upload/u.go",
                Novelty::New,
            ),
            finding(
                "exec.go.exec-command",
                Category::Exec,
                "pkg/upload/u.go",
                Novelty::New,
            ),
            finding(
                "secret.aws",
                Category::Secret,
                "pkg/upload/u.go",
                Novelty::New,
            ),
            finding(
                "network.python.requests",
                Category::Network,
                "x.py",
                Novelty::Unknown,
            ),
        ];
        let caps = capabilities(&findings);
        assert_eq!(caps.len(), 4);
        assert_eq!(caps[2].files, 2);
        let code = |s: &str| format!("`{s}`");
        assert_eq!(
            lines(&caps, &code),
            [
                "`pkg/upload`: gains network (http) and exec (exec) — new",
                "`src/cli`: more env (getenv): 3",
                "`.`: network (requests): 1",
            ]
        );
    }
}
