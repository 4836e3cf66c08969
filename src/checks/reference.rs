//! The check reference under `docs/checks/`, generated from the checks themselves: an index of the
//! categories and one page per category with one section per check (its facts and its [`help`]
//! sections), like ruff's rule pages. `tests/docs.rs` keeps the committed pages equal to these.
//!
//! [`help`]: super::help

use super::Check;
use crate::model::Category;
use std::collections::HashMap;

/// The folder of the generated pages, relative to the repository root.
pub const DIR: &str = "docs/checks";

/// Every page of the reference as (path relative to the repository root, contents): `README.md` (the
/// index) and one `<category>.md` per category that has checks, in reporting order.
pub fn pages(checks: &[Check]) -> Vec<(String, String)> {
    let groups: Vec<(Category, Vec<&Check>)> = Category::ALL
        .iter()
        .map(|&category| {
            let members = checks
                .iter()
                .filter(|c| c.meta.category == category)
                .collect();
            (category, members)
        })
        .filter(|(_, members): &(Category, Vec<&Check>)| !members.is_empty())
        .collect();
    let pages_of: HashMap<&str, Category> = checks
        .iter()
        .map(|c| (&*c.meta.id, c.meta.category))
        .collect();
    let mut pages = vec![(format!("{DIR}/README.md"), index(checks.len(), &groups))];
    for (category, members) in &groups {
        pages.push((
            format!("{DIR}/{}.md", category.as_str()),
            category_page(*category, members, &pages_of),
        ));
    }
    pages
}

const GENERATED: &str =
    "<!-- Generated from checks/ by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->";

/// What a category holds, in a few words.
fn blurb(category: Category) -> &'static str {
    match category {
        Category::Attack => {
            "Combinations of findings that real supply-chain attacks leave, and tricks that hide code from review"
        }
        Category::Secret => "Hard-coded credentials: tokens, keys, passwords and connection strings",
        Category::Dependency => "New or changed dependencies: their sources, pins and look-alike names",
        Category::Network => "Talking to the network: HTTP clients, sockets, servers, downloads",
        Category::Exec => "Starting processes and shell commands",
        Category::Eval => "Evaluating code or deserializing untrusted data",
        Category::Env => "Reading environment variables and secrets from the environment",
        Category::PathTraversal => "Touching files outside where it should",
        Category::Policy => "About review-gate itself (suppressions, configuration, hook settings) and the protections a change removes: ignore entries, workflow permissions, lockfiles, auth guards, CODEOWNERS",
        Category::Command => "Shell commands an agent proposes to run (judged by the agent hook)",
        Category::Agent => {
            "What changes the coding agents: MCP servers they start, permissions and hooks they are given, instructions they obey"
        }
    }
}

fn index(total: usize, groups: &[(Category, Vec<&Check>)]) -> String {
    let mut out = format!(
        "{GENERATED}\n\n# Check reference\n\nreview-gate has {total} built-in checks in {} categories. Each \
         category has a page with one section per check: its severity, where it looks, its CWE, the \
         message of its findings, and its help — what it finds, why it matters, an example that fires, \
         and the fix. `review-gate explain <id>` prints the same for one check, and SARIF reports carry \
         it as each rule's help.\n\n| Category | Checks | What it covers |\n| --- | ---: | --- |\n",
        groups.len()
    );
    for (category, members) in groups {
        let name = category.as_str();
        out.push_str(&format!(
            "| [{name}]({name}.md) | {} | {} |\n",
            members.len(),
            blurb(*category)
        ));
    }
    out
}

fn category_page(
    category: Category,
    checks: &[&Check],
    pages_of: &HashMap<&str, Category>,
) -> String {
    let name = category.as_str();
    let mut out = format!(
        "{GENERATED}\n\n# {name} checks\n\n{}. {} checks; [all categories](README.md).\n\n",
        blurb(category),
        checks.len()
    );
    for check in checks {
        out.push_str(&format!(
            "- [`{}`](#{}) — {}\n",
            check.meta.id,
            check.meta.id,
            escape(&check.meta.message)
        ));
    }
    for check in checks {
        out.push('\n');
        out.push_str(&section(check, pages_of));
    }
    out
}

/// One check's section: an anchor named by its id, its facts, and its help.
fn section(check: &Check, pages_of: &HashMap<&str, Category>) -> String {
    let mut out = format!(
        "<a id=\"{}\"></a>\n\n## {}\n\n",
        check.meta.id, check.meta.id
    );
    let mut fact = |label: &str, value: String| {
        out.push_str(&format!("- **{label}:** {value}\n"));
    };
    fact("Severity", severity(check));
    if let Some(chain) = check.chain() {
        let lines = chain
            .lines
            .map(|n| format!(" and {n} lines"))
            .unwrap_or_default();
        let parts: Vec<String> = chain
            .parts
            .iter()
            .map(|part| {
                let any: Vec<String> = part.any.iter().map(|t| target_link(t, pages_of)).collect();
                format!("{} ({})", escape(&part.role), any.join(", "))
            })
            .collect();
        fact(
            "Found by",
            format!(
                "findings of other checks together within one {}{lines}: {}",
                chain.within.as_str(),
                parts.join("; ")
            ),
        );
    } else if let Some(action) = check.action() {
        fact(
            "Agent gate",
            format!(
                "{} (each simple command of a shell command)",
                action.as_str()
            ),
        );
    } else if matches!(
        check.kind,
        super::CheckKind::Produced(super::schema::ProducedBy::Agent)
    ) {
        fact(
            "Found by",
            "the agent configuration review of changed MCP configurations and agent settings"
                .into(),
        );
    } else if let super::CheckKind::Produced(producer) = check.kind {
        fact("Found by", producer.described().into());
    } else if let Some(pattern) = check.pattern() {
        fact("Languages", check.language_names());
        match pattern.on {
            super::schema::On::Added => {}
            super::schema::On::Removed => fact(
                "Reads",
                "the lines a change removes (`on: removed`), net of what the file adds back".into(),
            ),
            super::schema::On::Deleted => fact(
                "Reads",
                "files a change deletes (`on: deleted`), once per file whose path matches".into(),
            ),
        }
        fact("In", format!("`{}`", pattern.scope.as_str()));
        if check.is_signal() {
            fact(
                "Signal",
                "feeds attack chains; not reported on its own".into(),
            );
        }
    }
    if check.meta.always_report {
        fact(
            "Novelty",
            "always reported at its severity, even where the file already had the capability"
                .into(),
        );
    }
    if let Some(cwe) = &check.meta.cwe {
        let number = cwe.trim_start_matches("CWE-");
        fact(
            "CWE",
            format!("[{cwe}](https://cwe.mitre.org/data/definitions/{number}.html)"),
        );
    }
    fact("Message", escape(&check.meta.message));
    fact(
        "Defined in",
        format!("[`{0}`](../../{0})", check.meta.source),
    );
    out.push('\n');
    out.push_str(&check.meta.help.to_markdown());
    out.push('\n');
    out
}

/// A chain part's target: a link to the check's section, or to the category's page, or (an id
/// prefix) plain code.
fn target_link(target: &str, pages_of: &HashMap<&str, Category>) -> String {
    if let Some(category) = pages_of.get(target) {
        format!("[`{target}`]({}.md#{target})", category.as_str())
    } else if let Some(category) = Category::ALL.iter().find(|c| c.as_str() == target) {
        format!("[`{target}`]({}.md)", category.as_str())
    } else {
        format!("`{target}`")
    }
}

/// The base severity and the context that raises or lowers it (each stated reason once).
fn severity(check: &Check) -> String {
    let mut text = check.meta.severity.to_string();
    let mut adjusted: Vec<String> = Vec::new();
    for rule in check.pattern().map_or(&[][..], |p| p.adjust()) {
        if let (Some(severity), Some(reason)) = (rule.severity, rule.reason.as_deref()) {
            let line = format!("{severity} when {reason}");
            if !adjusted.contains(&line) {
                adjusted.push(line);
            }
        }
    }
    for line in adjusted {
        text.push_str("; ");
        text.push_str(&escape(&line));
    }
    text
}

/// Text made safe for Markdown outside code: no raw HTML.
fn escape(text: &str) -> String {
    text.replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_index_every_category_and_section_every_check() {
        let yaml = "- id: exec.t.one\n  category: exec\n  severity: warning\n  languages: [python]\n  keywords: [run]\n  pattern: 'run\\('\n  adjust:\n    - args: 'sh'\n      severity: error\n      reason: through <sh>\n  message: runs <it>\n  cwe: CWE-78\n  help:\n    finds: a run.\n    why: it runs.\n    example: run(x)\n    fix: do not.\n";
        let mut slots = 0;
        let checks = crate::checks::parse_file("checks/t.yml", yaml, &mut slots, true).unwrap();
        let pages = pages(&checks);
        let paths: Vec<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["docs/checks/README.md", "docs/checks/exec.md"]);
        assert!(pages[0].1.contains("| [exec](exec.md) | 1 |"));
        let page = &pages[1].1;
        assert!(page.contains("- [`exec.t.one`](#exec.t.one) — runs &lt;it&gt;\n"));
        assert!(page.contains("<a id=\"exec.t.one\"></a>\n\n## exec.t.one\n"));
        assert!(page.contains("- **Severity:** warning; error when through &lt;sh&gt;\n"));
        assert!(page.contains("- **Languages:** python\n- **In:** `code`\n"));
        assert!(page.contains("[CWE-78](https://cwe.mitre.org/data/definitions/78.html)"));
        assert!(page.contains("[`checks/t.yml`](../../checks/t.yml)"));
        assert!(page.ends_with("**Fix:** do not.\n"));
    }

    #[test]
    fn chain_targets_link_to_their_section_or_page() {
        let pages_of = HashMap::from([("env.x.read", Category::Env)]);
        assert_eq!(
            target_link("env.x.read", &pages_of),
            "[`env.x.read`](env.md#env.x.read)"
        );
        assert_eq!(target_link("network", &pages_of), "[`network`](network.md)");
        assert_eq!(target_link("env.x", &pages_of), "`env.x`");
    }
}
