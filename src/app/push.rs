//! The pre-push gate: the pushes git (or the pre-commit framework) describes, each reviewed.

use anyhow::{anyhow, Result};

use crate::cli::ReviewArgs;
use crate::model::ChangeSet;
use crate::pipeline;
use crate::source;

use super::review::{analyze_range, apply_baseline, finish};
use super::EXIT_CLEAN;

/// The push the pre-commit framework's pre-push stage describes in its environment, as the line git
/// would pass on standard input, and the remote's name.
pub(super) fn pre_commit_push(repo: &git2::Repository) -> Result<(String, String)> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let to = var("PRE_COMMIT_TO_REF").ok_or_else(|| {
        anyhow!("pre-push: no remote given and no PRE_COMMIT_TO_REF: run as the git pre-push hook (`review-gate install --hook pre-push`) or from the pre-commit framework's pre-push stage")
    })?;
    let id = |rev: &str| -> Result<String> {
        let commit = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| anyhow!("pre-push: cannot resolve `{rev}`: {}", e.message()))?;
        Ok(commit.id().to_string())
    };
    let from = match var("PRE_COMMIT_FROM_REF") {
        Some(from) => id(&from)?,
        None => "0".repeat(40),
    };
    let remote = var("PRE_COMMIT_REMOTE_NAME").unwrap_or_else(|| "origin".to_string());
    let branch = var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_else(|| "HEAD".to_string());
    let local = var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_else(|| "HEAD".to_string());
    Ok((remote, format!("{local} {} {branch} {from}\n", id(&to)?)))
}

/// `review-gate pre-push REMOTE`: each ref `git push` sends (read from standard input), its net change
/// against what the remote has (a new branch: against the remote's default branch) and each commit
/// not yet on the remote on its own. The push is blocked (exit 1) when any ref has findings at the fail
/// level.
pub(super) fn review_push(
    repo: &git2::Repository,
    remote: &str,
    input: &str,
    commits: crate::model::CommitsMode,
    review: &ReviewArgs,
) -> Result<u8> {
    let pushed = source::commits::parse_push(input)?;
    let known = source::commits::remote_tips(repo, remote)?;
    let mut code = EXIT_CLEAN;
    for push in pushed {
        let Ok(local) = repo
            .find_object(push.local, None)
            .and_then(|o| o.peel_to_commit())
        else {
            eprintln!(
                "review-gate: pre-push: {} is not a commit: not reviewed",
                push.local_ref
            );
            continue;
        };
        let local = local.id();
        let remote_has = push.remote.filter(|id| repo.find_commit(*id).is_ok());
        let (base, base_name) = match remote_has {
            Some(id) => (Some(id), format!("{remote}'s {}", push.remote_ref)),
            None => match source::commits::default_base(repo, remote) {
                Some((name, id)) => (Some(id), name),
                None => (None, String::new()),
            },
        };
        let mut hide = known.clone();
        hide.extend(base);
        let list = source::commits::commits_between(repo, &hide, local)?;
        if list.ids.is_empty() && list.shallow == 0 {
            continue;
        }
        let n = list.ids.len();
        let what = if n == 1 { "commit" } else { "commits" };
        let mut analysis = match base {
            Some(base) => {
                eprintln!(
                    "review-gate: pre-push: {} ({n} new {what}) against {base_name}",
                    push.local_ref
                );
                let range = format!("{base}...{local}");
                analyze_range(repo, &range, false, commits, Some(&list), review)?
            }
            None => {
                // Nothing to compare with (no remote branch, no main or master): every commit on its
                // own, with every check.
                eprintln!(
                    "review-gate: pre-push: {} ({n} new {what}), each on its own: the remote has no default branch to compare with",
                    push.local_ref
                );
                let root = source::git::review_root(repo, false)?;
                let mut analysis =
                    pipeline::analyze(&root, &review.selection(), |_| Ok(ChangeSet::default()))?;
                let tip = |path: &str| {
                    repo.find_commit(local)
                        .ok()
                        .and_then(|c| source::git::read_tree_file(repo, c.tree_id(), path).ok())
                        .flatten()
                };
                pipeline::history::review_commits(
                    &mut analysis,
                    repo.path(),
                    &list,
                    crate::model::CommitsMode::All,
                    &tip,
                )?;
                analysis
            }
        };
        apply_baseline(&mut analysis, review)?;
        code = code.max(finish(&analysis, review)?);
    }
    Ok(code)
}
