//! The read gate: which files an agent may read into its context. A Read, a Grep or Glob aimed at
//! credential files (`.env`, private keys, `~/.ssh`, cloud and registry credentials, kubeconfigs) is
//! refused; templates (`.env.example`) and ordinary files are not. Paths are judged as the agent names
//! them and as they resolve (`./`, `..`, `~`, `$HOME`, symbolic links, letter case), so no spelling
//! walks around a rule. No regular expression is compiled: a read is judged on path components and
//! the `hook.read` globs, matched by hand.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use super::verdict::{Item, Verdict};
use crate::model::Decision;

/// The check id of a refused read.
pub const READ_SECRET: &str = "policy.agent-read-secret";

pub use crate::policy::hook::ReadRules;

/// The verdict on a read of `paths` (files or directories: `Read`'s `file_path`, `Grep`'s `path`) and
/// `globs` (`Glob`'s `pattern`, `Grep`'s `glob`, Gemini's `include`): deny with one item per refused
/// path.
pub fn judge(
    paths: &[String],
    globs: &[String],
    cwd: &Path,
    root: &Path,
    rules: &ReadRules,
) -> Verdict {
    let home = home();
    let mut items = Vec::new();
    for raw in paths {
        if let Some(why) = path_verdict(raw, cwd, root, home.as_deref(), rules) {
            items.push(item(raw, why));
        }
    }
    for glob in globs {
        if let Some(why) = glob_verdict(glob, cwd, root, home.as_deref(), rules) {
            items.push(item(glob, why));
        }
    }
    Verdict::from_items(items, None)
}

fn item(shown: &str, why: String) -> Item {
    Item {
        check: READ_SECRET.to_string(),
        location: None,
        message: format!(
            "reads `{}`: {why}; what an agent reads goes into its context and the model provider's logs",
            crate::redact::redact(shown)
        ),
        decision: Decision::Deny,
    }
}

/// The user's home directory, if known.
fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// `~`, `~/…`, `$HOME`, `${HOME}` and `%USERPROFILE%` at the start of a path, expanded; the path made
/// absolute against `cwd` and cleaned of `.` and `..` (lexically: the file may not exist).
pub fn expand(raw: &str, cwd: &Path, home: Option<&Path>) -> PathBuf {
    let raw = raw.trim();
    let prefixes = [
        "~",
        "$HOME",
        "${HOME}",
        "%USERPROFILE%",
        "$env:USERPROFILE",
        "$env:HOME",
    ];
    let mut expanded = None;
    if let Some(home) = home {
        for prefix in prefixes {
            if let Some(rest) = raw.strip_prefix(prefix) {
                if rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\') {
                    expanded = Some(home.join(rest.trim_start_matches(['/', '\\'])));
                    break;
                }
            }
        }
    }
    let path = expanded.unwrap_or_else(|| {
        let p = Path::new(raw);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        }
    });
    clean(&path)
}

fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The lowercase, slash-separated form a path is matched in.
fn key(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/").to_lowercase()
}

/// Why reading `raw` is refused, if it is.
fn path_verdict(
    raw: &str,
    cwd: &Path,
    root: &Path,
    home: Option<&Path>,
    rules: &ReadRules,
) -> Option<String> {
    let lexical = expand(raw, cwd, home);
    // Where the file exists, its real path (through every symbolic link) is judged too.
    let real = std::fs::canonicalize(&lexical)
        .ok()
        .filter(|r| *r != lexical);
    let forms: Vec<&Path> = std::iter::once(lexical.as_path())
        .chain(real.as_deref())
        .collect();
    let home_key = home.map(|h| key(&clean(h)));
    let root_key = key(&clean(root));
    for form in &forms {
        let k = key(form);
        if let Some(glob) = rules
            .deny
            .iter()
            .find(|g| glob_matches_path(g, &k, &root_key, home_key.as_deref()))
        {
            return Some(format!("the `hook.read.deny` glob `{glob}` names it"));
        }
    }
    let allowed = |k: &str| {
        rules
            .allow
            .iter()
            .any(|g| glob_matches_path(g, k, &root_key, home_key.as_deref()))
    };
    for form in &forms {
        let k = key(form);
        if allowed(&k) {
            continue;
        }
        if let Some(why) = secret_path(&k, home_key.as_deref(), form) {
            let via = if real.as_deref() == Some(*form) && forms.len() > 1 {
                format!(" (it resolves to {})", form.display())
            } else {
                String::new()
            };
            return Some(format!("{why}{via}"));
        }
    }
    None
}

/// Template names an `.env` file may carry: they hold no secret values.
const TEMPLATES: [&str; 8] = [
    "example", "sample", "template", "dist", "defaults", "default", "tmpl", "schema",
];

/// Why the file at `k` (lowercase, slash-separated, absolute) is a credential file, if it is.
/// `real` is the path itself, for the cheap look inside registry files.
fn secret_path(k: &str, home: Option<&str>, real: &Path) -> Option<String> {
    // Windows opens `.env::$DATA` (the file's main stream) and `.env. ` (trailing dots and blanks
    // dropped) as `.env`.
    let raw_name = k.rsplit('/').next().unwrap_or(k);
    let name = raw_name
        .strip_suffix("::$data")
        .unwrap_or(raw_name)
        .trim_end_matches(['.', ' ']);
    if k.starts_with("/proc/") && (name == "environ" || name == "cmdline") {
        return Some("a process's environment holds its secrets".into());
    }
    let in_home = |rest: &str| {
        home.and_then(|h| k.strip_prefix(h))
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|r| r == rest || r.starts_with(&format!("{rest}/")))
    };
    // Directories of credentials: anything in them (but public keys).
    for dir in [
        ".ssh",
        ".gnupg",
        ".config/gcloud",
        ".aws/sso/cache",
        ".aws/cli/cache",
    ] {
        let inside =
            in_home(dir) || k.contains(&format!("/{dir}/")) || k.ends_with(&format!("/{dir}"));
        if inside && !name.ends_with(".pub") {
            return Some(format!("`{dir}` holds credentials"));
        }
    }
    if name == ".env" || name == ".envrc" {
        return Some("environment files hold the project's secrets".into());
    }
    if let Some(rest) = name
        .strip_prefix(".env.")
        .or_else(|| name.strip_prefix(".env-"))
    {
        if rest.split('.').any(|part| TEMPLATES.contains(&part)) {
            return None;
        }
        return Some("environment files hold the project's secrets".into());
    }
    if name.ends_with(".pub") {
        return None;
    }
    for key_name in [
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
    ] {
        if name.starts_with(key_name) {
            return Some("it is an SSH private key".into());
        }
    }
    if name.ends_with(".key") || name.ends_with(".p12") || name.ends_with(".pfx") {
        return Some("it is a private key".into());
    }
    if name.ends_with(".pem") {
        // Certificates are public: a readable `.pem` without a private key is fine.
        return match holds(real, &["private key"]) {
            Some(false) => None,
            _ => Some("it holds a private key (or cannot be looked into)".into()),
        };
    }
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| *p == "secret" || *p == "secrets")
    {
        return Some("it is named a secret".into());
    }
    if k.ends_with("/.aws/credentials") {
        return Some("it holds AWS access keys".into());
    }
    if k.ends_with("/.kube/config") || name == "kubeconfig" || name.ends_with(".kubeconfig") {
        return Some("a kubeconfig holds cluster credentials".into());
    }
    if name == ".git-credentials" {
        return Some("it holds git passwords and tokens".into());
    }
    if k.ends_with("/.docker/config.json") || k.ends_with("/.config/gh/hosts.yml") {
        return Some("it holds registry or GitHub tokens".into());
    }
    if name == "application_default_credentials.json" {
        return Some("it holds Google Cloud credentials".into());
    }
    if matches!(
        k,
        "/etc/shadow" | "/etc/gshadow" | "/etc/sudoers" | "/etc/master.passwd"
    ) {
        return Some("it holds system password hashes".into());
    }
    if matches!(
        name,
        ".npmrc" | ".pypirc" | ".netrc" | "_netrc" | ".yarnrc.yml"
    ) {
        // Registry settings are often harmless: refused when they hold a credential, or cannot be read.
        return match holds(real, &["_authtoken", "_auth", "password", "token"]) {
            Some(false) => None,
            None if !real.exists() => None,
            _ => Some("it holds a registry credential (or cannot be looked into)".into()),
        };
    }
    None
}

/// Whether the first 64 KiB of the file hold any of `needles` (lowercase); None when it cannot be read
/// as a file. A directory holds nothing.
fn holds(path: &Path, needles: &[&str]) -> Option<bool> {
    if path.is_dir() {
        return Some(false);
    }
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::with_capacity(4096);
    file.take(64 * 1024).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    Some(needles.iter().any(|n| text.contains(n)))
}

/// Representative credential file names a glob is tried against.
/// Only names whose distinctive part is the credential (a glob such as `*.json` or `*config*` must
/// not match one).
const SAMPLES: [&str; 11] = [
    ".env",
    ".env.local",
    ".env.production",
    "id_rsa",
    "id_ed25519",
    "server.pem",
    "server.key",
    ".git-credentials",
    ".npmrc",
    ".netrc",
    ".pypirc",
];

/// Why a glob pattern (and the directory it runs in) is refused, if it is: it runs in a credential
/// directory, or its last segment names credential files by a literal part (`.env*`, `**/*.pem`).
/// Patterns with no literal letter (`*`, `**/*`, `.*`) list everything and are fine.
fn glob_verdict(
    glob: &str,
    cwd: &Path,
    root: &Path,
    home: Option<&Path>,
    rules: &ReadRules,
) -> Option<String> {
    let g = glob.trim().replace('\\', "/");
    // The directory part before the first wildcard is a path like any other.
    let first_wild = g.find(['*', '?', '[', '{']).unwrap_or(g.len());
    let dir = &g[..g[..first_wild].rfind('/').map_or(0, |i| i + 1)];
    if !dir.is_empty() {
        if let Some(why) = path_verdict(dir, cwd, root, home, rules) {
            return Some(why);
        }
    }
    let last = g.rsplit('/').next().unwrap_or(&g).to_lowercase();
    if !last.contains(['*', '?', '[', '{']) {
        return path_verdict(&g, cwd, root, home, rules);
    }
    if !last.bytes().any(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let home_key = home.map(|h| key(&clean(h)));
    let root_key = key(&clean(root));
    SAMPLES
        .iter()
        .find(|s| glob_match(&last, s))
        .filter(|s| {
            let sample = format!("{root_key}/{s}");
            !rules
                .allow
                .iter()
                .any(|a| glob_matches_path(a, &sample, &root_key, home_key.as_deref()))
        })
        .map(|s| format!("the pattern selects credential files such as `{s}`"))
}

/// Whether a `hook.read` glob names the absolute path `k` (lowercase): globs with a `/` match from the
/// project root (or `~/` from the home directory, or an absolute path); globs without one match the
/// file name anywhere.
fn glob_matches_path(glob: &str, k: &str, root: &str, home: Option<&str>) -> bool {
    let g = glob.trim().replace('\\', "/").to_lowercase();
    let g = g.strip_prefix("./").unwrap_or(&g);
    if let Some(rest) = g.strip_prefix("~/") {
        return home
            .and_then(|h| k.strip_prefix(h))
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|r| glob_match(rest, r));
    }
    if g.starts_with('/') {
        return glob_match(g, k);
    }
    if !g.contains('/') {
        let name = k.rsplit('/').next().unwrap_or(k);
        return glob_match(g, name);
    }
    k.strip_prefix(root)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|r| glob_match(g, r))
}

/// Glob matching by hand (no regex): `*` (within a segment), `**` (across segments), `?`, `[abc]`,
/// `{a,b}`. Bounded: alternations nest at most 4 deep, and the matcher backtracks over one star at a
/// time per segment.
pub fn glob_match(glob: &str, text: &str) -> bool {
    expand_braces(glob, 4).iter().any(|g| {
        match_segments(
            &g.split('/').collect::<Vec<_>>(),
            &text.split('/').collect::<Vec<_>>(),
        )
    })
}

fn expand_braces(glob: &str, depth: u8) -> Vec<String> {
    let Some(open) = glob.find('{') else {
        return vec![glob.to_string()];
    };
    let Some(close) = glob[open..].find('}').map(|i| open + i) else {
        return vec![glob.to_string()];
    };
    if depth == 0 {
        return vec![glob.to_string()];
    }
    let (head, body, tail) = (&glob[..open], &glob[open + 1..close], &glob[close + 1..]);
    body.split(',')
        .take(32)
        .flat_map(|alt| expand_braces(&format!("{head}{alt}{tail}"), depth - 1))
        .take(256)
        .collect()
}

fn match_segments(glob: &[&str], text: &[&str]) -> bool {
    match glob.split_first() {
        None => text.is_empty(),
        Some((&"**", rest)) => (0..=text.len()).any(|skip| match_segments(rest, &text[skip..])),
        Some((segment, rest)) => match text.split_first() {
            Some((name, tail)) => {
                match_segment(segment.as_bytes(), name.as_bytes()) && match_segments(rest, tail)
            }
            None => false,
        },
    }
}

/// One segment: `*`, `?`, `[…]`, literal bytes; iterative with one backtrack point.
fn match_segment(glob: &[u8], text: &[u8]) -> bool {
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if g < glob.len() {
            match glob[g] {
                b'*' => {
                    star = Some((g, t));
                    g += 1;
                    continue;
                }
                b'?' => {
                    g += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class(&glob[g..], text[t]) {
                        if matched {
                            g += next;
                            t += 1;
                            continue;
                        }
                    } else if text[t] == b'[' {
                        g += 1;
                        t += 1;
                        continue;
                    }
                }
                c if c == text[t] => {
                    g += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sg, st)) => {
                g = sg + 1;
                t = st + 1;
                star = Some((sg, st + 1));
            }
            None => return false,
        }
    }
    glob[g..].iter().all(|&c| c == b'*')
}

/// A `[…]` class at the start of `glob`: whether `c` is in it and the class's length.
fn class(glob: &[u8], c: u8) -> Option<(bool, usize)> {
    let end = glob.iter().skip(1).position(|&b| b == b']')? + 1;
    let body = &glob[1..end];
    let (negate, body) = match body.first() {
        Some(b'!' | b'^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut found = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            found |= body[i] <= c && c <= body[i + 2];
            i += 3;
        } else {
            found |= body[i] == c;
            i += 1;
        }
    }
    Some((found != negate, end + 1))
}

#[cfg(test)]
mod tests;
