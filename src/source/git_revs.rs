//! Revisions and ranges: a range spec resolved to the trees it compares, a merge base, a revision parsed
//! with a hint when it is missing (a shallow or partial clone).

use anyhow::{anyhow, bail, Result};
use git2::{ErrorCode, Oid, Repository, Tree};

/// Resolves a range spec to the old tree and the new side's revision (None: HEAD).
pub(crate) fn resolve_range<'r>(
    repo: &'r Repository,
    spec: &'r str,
) -> Result<(Tree<'r>, Option<&'r str>)> {
    if let Some((a, b)) = spec.split_once("...") {
        let a = if a.is_empty() { "HEAD" } else { a };
        let b_rev = if b.is_empty() { "HEAD" } else { b };
        let base = merge_base(repo, a, b_rev)?;
        return Ok((base, Some(b)));
    }
    if let Some((a, b)) = spec.split_once("..") {
        let a = if a.is_empty() { "HEAD" } else { a };
        return Ok((peel_tree(repo, a)?, Some(b)));
    }
    Ok((merge_base(repo, spec, "HEAD")?, None))
}

pub(crate) fn merge_base<'r>(repo: &'r Repository, a: &str, b: &str) -> Result<Tree<'r>> {
    let a_id = commit_id(repo, a)?;
    let b_id = commit_id(repo, b)?;
    match repo.merge_base(a_id, b_id) {
        Ok(base) => Ok(repo.find_commit(base)?.tree()?),
        Err(e) if e.code() == ErrorCode::NotFound => {
            if repo.is_shallow() {
                bail!(
                    "`{a}` and `{b}` have no common ancestor in this shallow clone: the merge base was not fetched. \
                     Fetch the history (`git fetch --unshallow`, or `fetch-depth: 0` for actions/checkout)"
                )
            }
            bail!("`{a}` and `{b}` have no common ancestor; to compare the trees directly use `{a}..{b}`")
        }
        Err(e) => Err(anyhow!(
            "cannot find the merge base of `{a}` and `{b}`: {}",
            e.message()
        )),
    }
}

pub(crate) fn commit_id(repo: &Repository, rev: &str) -> Result<Oid> {
    let object = revparse(repo, rev)?;
    let commit = object
        .peel_to_commit()
        .map_err(|_| anyhow!("`{rev}` does not name a commit"))?;
    Ok(commit.id())
}

pub(crate) fn peel_tree<'r>(repo: &'r Repository, rev: &str) -> Result<Tree<'r>> {
    revparse(repo, rev)?
        .peel_to_tree()
        .map_err(|_| anyhow!("`{rev}` does not name a commit or tree"))
}

pub(crate) fn revparse<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Object<'r>> {
    repo.revparse_single(rev).map_err(|e| {
        let shallow = if repo.is_shallow() {
            " This clone is shallow, so the commit may simply not have been fetched: use `fetch-depth: 0` with actions/checkout, or `git fetch --unshallow`."
        } else {
            ""
        };
        if rev == "HEAD" && matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) {
            anyhow!("the repository has no commits yet, so there is no `HEAD` to compare with; use `review-gate staged` before the first commit")
        } else {
            anyhow!(
                "unknown revision `{rev}`: {}. If it is a branch or commit on the remote, fetch it first (e.g. `{}`).{shallow}",
                e.message(),
                fetch_hint(repo, rev)
            )
        }
    })
}

/// The command that fetches `rev`: for a remote-tracking name (`origin/main`,
/// `refs/remotes/origin/main`) the branch from that remote into that name, else `rev` from `origin`.
pub(crate) fn fetch_hint(repo: &Repository, rev: &str) -> String {
    let short = rev.strip_prefix("refs/remotes/").unwrap_or(rev);
    let mut tracking = None;
    if let Ok(remotes) = repo.remotes() {
        for remote in (0..remotes.len()).filter_map(|i| remotes.get(i).ok().flatten()) {
            let branch = short
                .strip_prefix(remote)
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|branch| !branch.is_empty());
            if let Some(branch) = branch {
                tracking = Some((remote.to_string(), branch.to_string()));
                break;
            }
        }
    }
    match tracking {
        Some((remote, branch)) => {
            format!("git fetch {remote} {branch}:refs/remotes/{remote}/{branch}")
        }
        None => format!("git fetch origin {rev}"),
    }
}
