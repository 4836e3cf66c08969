//! File roles in the policy: the configuration's `roles:` globs (which override detection), and the one
//! table of what each role does to each category of finding ([`effect`]), applied after the engine so
//! that every gate — text, JSON, SARIF, GitHub, the agent hook — sees the same result.

use std::collections::{BTreeMap, BTreeSet};

use globset::GlobSet;
use serde_saphyr::Spanned;

use crate::checks::compile::build_globset;
use crate::model::{Category, Finding, Role, Severity};

/// The configuration's `roles:` globs, in precedence order (see [`RoleGlobs::PRECEDENCE`]).
#[derive(Debug, Clone, Default)]
pub struct RoleGlobs {
    globs: Vec<(Role, GlobSet)>,
}

impl RoleGlobs {
    /// When a path matches the globs of several roles, the first of these wins: an explicit
    /// `production` keeps findings at full weight whatever else matches.
    pub const PRECEDENCE: [Role; 7] = [
        Role::Production,
        Role::Ci,
        Role::Build,
        Role::Instructions,
        Role::Generated,
        Role::Test,
        Role::Docs,
    ];

    /// Parses `roles:` (role name → globs); `text` is the configuration's text, to name the line of an
    /// unknown role. Errors are (line, message).
    pub(super) fn parse(
        raw: &BTreeMap<String, Vec<Spanned<String>>>,
        text: &str,
    ) -> Result<RoleGlobs, (u64, String)> {
        let mut by_role = Vec::new();
        for (name, globs) in raw {
            let role = name.parse::<Role>().map_err(|e| {
                let line = key_line(text, name)
                    .or(globs.first().map(|g| g.referenced.line()))
                    .unwrap_or(0);
                (line, format!("roles: {e}"))
            })?;
            if globs.is_empty() {
                continue;
            }
            let set = build_globset(
                globs
                    .iter()
                    .map(|g| (g.value.as_str(), g.referenced.line())),
            )
            .map_err(|(line, e)| (line, format!("roles.{name}: {e}")))?;
            by_role.push((role, set));
        }
        by_role.sort_by_key(|(role, _)| Self::PRECEDENCE.iter().position(|r| r == role));
        Ok(RoleGlobs { globs: by_role })
    }

    /// The role the configuration gives a path, if any glob names it.
    pub fn role_of(&self, path: &str) -> Option<Role> {
        self.globs
            .iter()
            .find(|(_, set)| set.is_match(path))
            .map(|(role, _)| *role)
    }
}

/// The line of `name:` under the `roles:` key (the first such line after it), 1-based.
fn key_line(text: &str, name: &str) -> Option<u64> {
    let mut in_roles = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if line.starts_with("roles:") {
            in_roles = true;
            continue;
        }
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if in_roles && unquoted.starts_with(name) {
            let rest = unquoted[name.len()..].trim_start_matches(['"', '\'']);
            if rest.trim_start().starts_with(':') {
                return Some(i as u64 + 1);
            }
        }
    }
    None
}

/// What a file's role does to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Full weight.
    Keep,
    /// At most a note: shown, never fails the gate.
    Note,
    /// Not reported (generated and vendored files: only secrets, attacks and policy findings).
    Drop,
}

/// The reads of sensitive locations among the path checks (`path-traversal.any.ssh-key`, ...): they
/// keep their weight in tests, where reading a real credential store is as wrong as anywhere.
const SENSITIVE_READS: [&str; 7] = [
    "ssh-key",
    "cloud-credentials",
    "token-file",
    "system-file",
    "browser-store",
    "crypto-wallet",
    "os-keystore",
];

/// Whether a path check is about a sensitive location rather than an untrusted path.
fn is_sensitive_read(check: &str) -> bool {
    check
        .rsplit('.')
        .next()
        .is_some_and(|last| SENSITIVE_READS.contains(&last))
}

/// The secret checks that match a *shape* any value can take — a password in a URL, an
/// `Authorization` header, a JWT, `password = "..."` — rather than a provider's key format. In tests and
/// docs they find test vectors and examples, so there they are notes; a provider key (`AKIA…`, `ghp_…`),
/// a private key or a credential file keeps its weight everywhere.
const GENERIC_SECRETS: [&str; 6] = [
    "secret.generic.",
    "secret.url.",
    "secret.http.",
    "secret.jwt.",
    "secret.curl.",
    "secret.connection-string.",
];

/// Whether a secret check matches a generic shape rather than a provider's key format.
fn is_generic_secret(check: &str) -> bool {
    GENERIC_SECRETS.iter().any(|p| check.starts_with(p))
}

/// The table: what `role` does to a finding of `category` from `check`. `docs/roles.md` shows it.
///
/// - production, build, ci: everything at full weight (build scripts and CI run with credentials on
///   every machine).
/// - test: network, exec, eval (deserialization included), env, untrusted-path and generic-shape secret
///   findings at most a note; provider secrets, attacks (chains and signals), dependencies, policy
///   findings and reads of sensitive locations keep their weight.
/// - docs: network, exec, eval, env, every path and generic-shape secret finding at most a note;
///   provider secrets, attacks, dependencies and policy findings keep their weight.
/// - generated: only secrets, attacks and policy findings are reported.
/// - instructions (agent instruction, rule and skill files): like docs for the capabilities prose
///   mentions (network, exec, eval, env, paths: notes), but every secret, attack, dependency, policy
///   and command finding (their shell blocks, judged as commands) keeps its weight: the text is sent to
///   the model and obeyed.
/// - agent findings (MCP servers, agent permissions, instruction files) keep their weight in every role:
///   an agent's configuration is loaded by the agent wherever it lies, never docs or test noise.
pub fn effect(role: Role, category: Category, check: &str) -> Effect {
    use Category::*;
    match role {
        Role::Production | Role::Build | Role::Ci => Effect::Keep,
        Role::Test => match category {
            Network | Exec | Eval | Env => Effect::Note,
            PathTraversal if !is_sensitive_read(check) => Effect::Note,
            Secret if is_generic_secret(check) => Effect::Note,
            PathTraversal | Attack | Secret | Dependency | Policy | Command | Agent => Effect::Keep,
        },
        Role::Docs => match category {
            Network | Exec | Eval | Env | PathTraversal => Effect::Note,
            Secret if is_generic_secret(check) => Effect::Note,
            Attack | Secret | Dependency | Policy | Command | Agent => Effect::Keep,
        },
        Role::Instructions => match category {
            Network | Exec | Eval | Env | PathTraversal => Effect::Note,
            Attack | Secret | Dependency | Policy | Command | Agent => Effect::Keep,
        },
        Role::Generated => match category {
            Attack | Secret | Policy | Command | Agent => Effect::Keep,
            Network | Exec | Eval | Env | PathTraversal | Dependency => Effect::Drop,
        },
    }
}

/// What the role rule did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleOutcome {
    /// Findings lowered to notes by their file's role.
    pub lowered: usize,
    /// Findings not reported because their file is generated or vendored.
    pub dropped: usize,
}

/// Gives every finding its file's role (`role_of`; findings on a proposed command stay production)
/// and applies [`effect`]: a lowered finding keeps its former severity in
/// [`Finding::role_lowered_from`].
pub fn apply(
    findings: Vec<Finding>,
    role_of: impl Fn(&str) -> Role,
) -> (Vec<Finding>, RoleOutcome) {
    let mut outcome = RoleOutcome::default();
    let mut out = Vec::with_capacity(findings.len());
    for mut f in findings {
        if f.location.is_file() {
            f.role = role_of(&f.path);
        }
        match effect(f.role, f.category, &f.check) {
            Effect::Keep => {}
            Effect::Note => {
                if f.severity > Severity::Note {
                    f.role_lowered_from = Some(f.severity);
                    f.severity = Severity::Note;
                    outcome.lowered += 1;
                }
            }
            Effect::Drop => {
                outcome.dropped += 1;
                continue;
            }
        }
        out.push(f);
    }
    (out, outcome)
}

/// Ways a new `roles:` section weakens the old one: a glob newly given a role whose findings are
/// lowered or dropped (test, docs, generated), and a `production` glob dropped. (line, what).
pub(super) fn weakenings(
    old: &BTreeMap<String, Vec<Spanned<String>>>,
    new: &BTreeMap<String, Vec<Spanned<String>>>,
) -> Vec<(u64, String)> {
    let globs = |m: &BTreeMap<String, Vec<Spanned<String>>>, role: &str| -> BTreeSet<String> {
        m.get(role)
            .map(|g| g.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for role in ["test", "docs", "generated", "instructions"] {
        let before = globs(old, role);
        for g in new.get(role).into_iter().flatten() {
            if !before.contains(&g.value) {
                out.push((
                    g.referenced.line(),
                    format!(
                        "gives `{}` the role {role} (its findings are lowered or not reported)",
                        g.value
                    ),
                ));
            }
        }
    }
    let now = globs(new, "production");
    for g in old.get("production").into_iter().flatten() {
        if !now.contains(&g.value) {
            out.push((
                0,
                format!(
                    "no longer keeps `{}` at full weight (roles.production)",
                    g.value
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "roles_tests.rs"]
mod tests;
