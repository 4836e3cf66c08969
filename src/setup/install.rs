//! `review-gate install` / `uninstall`: the git pre-commit hook that runs `review-gate staged`, and the
//! pre-push hook that runs `review-gate pre-push`.
//!
//! The hooks directory is resolved like `git rev-parse --git-path hooks`: `core.hooksPath` when set
//! (relative to the work tree root), else `hooks/` in the common git directory, which linked worktrees
//! share. An existing hook that is not ours is chained, never overwritten: it moves to
//! `<hook>.review-gate-saved` and our script runs it first (same arguments and standard input; its
//! failure blocks the commit), then review-gate. `uninstall` puts it back.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use git2::Repository;

/// The line that marks a hook script as written by `review-gate install`.
pub const MARKER: &str = "# review-gate-managed-hook";

/// Suffix of the file an existing hook is moved to while ours is installed.
pub const SAVED_SUFFIX: &str = ".review-gate-saved";

/// Suffix of the copy `--force` keeps of a hook it replaces without chaining.
pub const BACKUP_SUFFIX: &str = ".review-gate-backup";

/// The git hooks review-gate can install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GitHook {
    /// Review the staged changes before each commit.
    PreCommit,
    /// Review the commits `git push` sends (each one for secrets, the net change of each ref).
    PrePush,
}

impl GitHook {
    /// The hook's file name in the hooks directory.
    pub fn file_name(self) -> &'static str {
        match self {
            GitHook::PreCommit => "pre-commit",
            GitHook::PrePush => "pre-push",
        }
    }
}

/// Where a repository's hooks live.
#[derive(Debug)]
pub struct HooksDir {
    /// The directory git runs hooks from.
    pub path: PathBuf,
    /// `core.hooksPath` when it decides the directory.
    pub configured: Option<PathBuf>,
}

/// Resolves the hooks directory of the repository containing `dir` (`git rev-parse --git-path hooks`).
pub fn hooks_dir(dir: &Path) -> Result<HooksDir> {
    let repo = crate::source::git::open(dir)?;
    if repo.is_bare() {
        bail!(
            "{} is a bare repository: nothing is committed or pushed from there, so the hook would never \
             run; install it in a clone with a working tree",
            repo.path().display()
        );
    }
    let workdir = crate::source::git::workdir(&repo)?;
    let configured = configured_hooks_path(&repo)?;
    let path = match &configured {
        Some(p) if p.is_absolute() => p.clone(),
        Some(p) => workdir.join(p),
        None => repo.commondir().join("hooks"),
    };
    Ok(HooksDir { path, configured })
}

fn configured_hooks_path(repo: &Repository) -> Result<Option<PathBuf>> {
    let config = repo
        .config()
        .context("cannot read the repository's git configuration")?;
    match config.get_path("core.hooksPath") {
        Ok(path) if path.as_os_str().is_empty() => Ok(None),
        Ok(path) => Ok(Some(path)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(anyhow!("cannot read core.hooksPath: {}", e.message())),
    }
}

/// Whether a hook script was written by `review-gate install`.
pub fn is_ours(script: &str) -> bool {
    script.lines().any(|line| line.trim_end() == MARKER)
}

/// The hook script: runs a chained hook first, then `review-gate staged` with the binary found at
/// install time (else on PATH). A missing binary blocks the commit: the gate fails closed, and
/// `git commit --no-verify` stays the escape hatch.
pub fn script(hook: GitHook, binary: &Path) -> String {
    if hook == GitHook::PrePush {
        return push_script(binary);
    }
    let name = hook.file_name();
    let binary = shell_quote(&binary.to_string_lossy());
    format!(
        r#"#!/bin/sh
{MARKER}
# Installed by `review-gate install`; remove with `review-gate uninstall`.
# Blocks a commit whose staged changes have findings at the fail level (see .review-gate.yml).
# Skip it once with `git commit --no-verify`.

saved="$(dirname "$0")/{name}{SAVED_SUFFIX}"
if [ -x "$saved" ]; then
  "$saved" "$@" || exit $?
fi

review_gate={binary}
if [ ! -x "$review_gate" ]; then
  review_gate=$(command -v review-gate 2>/dev/null) || review_gate=
fi
if [ -z "$review_gate" ]; then
  echo "review-gate: not found at {binary} nor on PATH, so the staged changes cannot be reviewed." >&2
  echo "review-gate: commit blocked. Install review-gate and run \`review-gate install\` again, or skip once with \`git commit --no-verify\`." >&2
  exit 1
fi

"$review_gate" staged --silent-if-clean
status=$?
if [ "$status" -eq 1 ]; then
  echo "review-gate: commit blocked by the findings above. Fix them, allow them inline or in .review-gate.yml, or skip once with \`git commit --no-verify\`." >&2
elif [ "$status" -ne 0 ]; then
  echo "review-gate: commit blocked: the staged changes could not be reviewed (error above). Skip once with \`git commit --no-verify\`." >&2
fi
exit "$status"
"#
    )
}

/// The pre-push hook script: keeps the refs git passes on standard input, gives them to a chained hook
/// first, then to `review-gate pre-push <remote> <url>`.
fn push_script(binary: &Path) -> String {
    let binary = shell_quote(&binary.to_string_lossy());
    format!(
        r#"#!/bin/sh
{MARKER}
# Installed by `review-gate install --hook pre-push`; remove with `review-gate uninstall --hook pre-push`.
# Blocks a push whose commits have findings at the fail level (each commit is reviewed for secrets).
# Skip it once with `git push --no-verify`.

refs=$(cat)

saved="$(dirname "$0")/pre-push{SAVED_SUFFIX}"
if [ -x "$saved" ]; then
  printf '%s
' "$refs" | "$saved" "$@" || exit $?
fi

review_gate={binary}
if [ ! -x "$review_gate" ]; then
  review_gate=$(command -v review-gate 2>/dev/null) || review_gate=
fi
if [ -z "$review_gate" ]; then
  echo "review-gate: not found at {binary} nor on PATH, so the pushed commits cannot be reviewed." >&2
  echo "review-gate: push blocked. Install review-gate and run \`review-gate install --hook pre-push\` again, or skip once with \`git push --no-verify\`." >&2
  exit 1
fi

printf '%s
' "$refs" | "$review_gate" pre-push --silent-if-clean "$@"
status=$?
if [ "$status" -eq 1 ]; then
  echo "review-gate: push blocked by the findings above. A secret in any pushed commit stays in the remote's history: remove it from every commit (rebase) and rotate it. Skip once with \`git push --no-verify\`." >&2
elif [ "$status" -ne 0 ]; then
  echo "review-gate: push blocked: the pushed commits could not be reviewed (error above). Skip once with \`git push --no-verify\`." >&2
fi
exit "$status"
"#
    )
}

/// Quotes a string for `sh` with single quotes.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Installs the hook in the repository containing `dir` and returns what was done, one line each.
/// `binary` is the review-gate executable the hook should run.
pub fn install(dir: &Path, hook: GitHook, binary: &Path, force: bool) -> Result<Vec<String>> {
    let hooks = hooks_dir(dir)?;
    let mut report = Vec::new();
    if let Some(manager) = hooks.configured.as_deref().and_then(hook_manager) {
        if !force {
            bail!(
                "core.hooksPath ({}) is managed by {manager}, which regenerates the hooks there. Add \
                 `review-gate staged` to {manager}'s pre-commit configuration instead, or pass --force to \
                 install anyway",
                hooks.path.display()
            );
        }
        report.push(format!(
            "warning: {} is managed by {manager}; it may replace this hook",
            hooks.path.display()
        ));
    }
    std::fs::create_dir_all(&hooks.path)
        .with_context(|| format!("cannot create the hooks directory {}", hooks.path.display()))?;
    let target = hooks.path.join(hook.file_name());
    let saved = with_suffix(&target, SAVED_SUFFIX);
    let wanted = script(hook, binary);
    match read_existing(&target)? {
        Some(current) if current == wanted => {
            report.push(format!(
                "{} is already installed: nothing changed",
                target.display()
            ));
            return Ok(report);
        }
        Some(current) if is_ours(&current) => {
            report.push(format!("updated {}", target.display()));
        }
        Some(_) if saved.exists() => {
            if !force {
                bail!(
                    "{} exists and is not review-gate's, and {} (a hook chained earlier) exists too, so \
                     it cannot be chained. Merge them by hand, or pass --force to replace {} (a copy is \
                     kept as {})",
                    target.display(),
                    saved.display(),
                    target.display(),
                    with_suffix(&target, BACKUP_SUFFIX).display()
                );
            }
            let backup = with_suffix(&target, BACKUP_SUFFIX);
            std::fs::rename(&target, &backup).with_context(|| {
                format!("cannot move {} to {}", target.display(), backup.display())
            })?;
            report.push(format!(
                "replaced {} (--force); the old hook is kept in {} and no longer runs",
                target.display(),
                backup.display()
            ));
        }
        Some(_) => {
            std::fs::rename(&target, &saved).with_context(|| {
                format!("cannot move {} to {}", target.display(), saved.display())
            })?;
            report.push(format!(
                "chained the existing hook: moved to {}; it runs first and its failure blocks the commit",
                saved.display()
            ));
            report.push(format!("installed {}", target.display()));
        }
        None => report.push(format!("installed {}", target.display())),
    }
    write_executable(&target, &wanted)?;
    if let Some(configured) = &hooks.configured {
        report.push(format!(
            "the hooks directory comes from core.hooksPath ({}): every repository using that setting runs this hook",
            configured.display()
        ));
    }
    report.push(match hook {
        GitHook::PreCommit => format!(
            "the hook runs {} staged (or review-gate on PATH); skip it once with `git commit --no-verify`",
            binary.display()
        ),
        GitHook::PrePush => format!(
            "the hook runs {} pre-push (or review-gate on PATH) on the commits each push sends; skip it once with `git push --no-verify`",
            binary.display()
        ),
    });
    Ok(report)
}

/// Removes our hook from the repository containing `dir` and restores a chained one.
pub fn uninstall(dir: &Path, hook: GitHook) -> Result<Vec<String>> {
    let hooks = hooks_dir(dir)?;
    let target = hooks.path.join(hook.file_name());
    let saved = with_suffix(&target, SAVED_SUFFIX);
    let Some(current) = read_existing(&target)? else {
        return Ok(vec![format!(
            "no {} hook in {}: nothing to uninstall",
            hook.file_name(),
            hooks.path.display()
        )]);
    };
    if !is_ours(&current) {
        bail!(
            "{} was not installed by review-gate (it lacks the `{MARKER}` line); refusing to remove it",
            target.display()
        );
    }
    std::fs::remove_file(&target).with_context(|| format!("cannot remove {}", target.display()))?;
    let mut report = vec![format!("removed {}", target.display())];
    if saved.exists() {
        std::fs::rename(&saved, &target).with_context(|| {
            format!(
                "cannot move {} back to {}",
                saved.display(),
                target.display()
            )
        })?;
        report.push(format!(
            "restored the previous hook from {}",
            saved.display()
        ));
    }
    Ok(report)
}

/// The hook manager that owns a `core.hooksPath`, if one is recognized (husky writes `.husky/_`).
fn hook_manager(configured: &Path) -> Option<&'static str> {
    configured
        .components()
        .any(|c| c.as_os_str() == ".husky")
        .then_some("husky")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The hook's text, `None` when there is none. A hook that is not UTF-8 is foreign by definition.
fn read_existing(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!("cannot read {}: {e}", path.display())),
    }
}

/// Writes `text` to `path` through a temporary file in the same directory, then makes it executable.
fn write_executable(path: &Path, text: &str) -> Result<()> {
    let temp = with_suffix(path, ".review-gate-tmp");
    std::fs::write(&temp, text).with_context(|| format!("cannot write {}", temp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", temp.display()))?;
    }
    std::fs::rename(&temp, path)
        .with_context(|| format!("cannot move {} to {}", temp.display(), path.display()))
}

/// The review-gate executable to put in the hook: this process's own, with symlinks resolved.
pub fn current_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find the review-gate executable")?;
    Ok(std::fs::canonicalize(&exe).unwrap_or(exe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_paths_for_sh() {
        assert_eq!(shell_quote("/a b/rg"), "'/a b/rg'");
        assert_eq!(shell_quote("/it's/rg"), r"'/it'\''s/rg'");
    }

    #[test]
    fn push_script_keeps_the_refs_for_both_hooks() {
        let text = script(GitHook::PrePush, Path::new("/usr/bin/review-gate"));
        assert!(is_ours(&text));
        assert!(text.contains("refs=$(cat)"));
        assert!(text.contains("pre-push.review-gate-saved"));
        assert!(text.contains("pre-push --silent-if-clean \"$@\""));
    }

    #[test]
    fn recognizes_its_own_script_only() {
        let ours = script(GitHook::PreCommit, Path::new("/usr/bin/review-gate"));
        assert!(is_ours(&ours));
        assert!(!is_ours("#!/bin/sh\nexec lint-staged\n"));
        assert!(!is_ours(
            "#!/bin/sh\necho '# review-gate-managed-hook is mentioned here'\n"
        ));
    }

    #[test]
    fn husky_owns_its_hooks_path() {
        assert_eq!(hook_manager(Path::new(".husky/_")), Some("husky"));
        assert_eq!(hook_manager(Path::new(".githooks")), None);
    }
}
