//! The commits of a range, one by one: each commit's added lines against its first parent, for the
//! review of what only history holds (a secret added in one commit and deleted in a later one).

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use git2::{Oid, Repository, Sort};

use super::git::{collect_with, commit_id, diff_options, NewSide};
use crate::model::{ChangeSet, CommitRef};

/// The commits of a range, oldest first (parents before children).
#[derive(Debug, Default)]
pub struct RangeCommits {
    /// The commits' ids.
    pub ids: Vec<Oid>,
    /// Commits left out because their parents were not fetched (a shallow clone's boundary): comparing
    /// them with nothing would report the whole tree.
    pub shallow: usize,
}

/// The commits a range spec covers (see [`super::git::range`]): `BASE` — those on HEAD and not on
/// BASE; `A..B` and `A...B` — those on B and not on A. None when the old side names a tree rather than
/// a commit (there is no history between two trees).
pub fn range_commits(repo: &Repository, spec: &str) -> Result<Option<RangeCommits>> {
    let (old, new) = if let Some((a, b)) = spec.split_once("...") {
        (a, b)
    } else if let Some((a, b)) = spec.split_once("..") {
        (a, b)
    } else {
        (spec, "HEAD")
    };
    let old = if old.is_empty() { "HEAD" } else { old };
    let new = if new.is_empty() { "HEAD" } else { new };
    let Ok(old) = commit_id(repo, old) else {
        // `A..B` between trees: the net diff still compares them; there are no commits to walk.
        super::git::revparse(repo, old)?;
        return Ok(None);
    };
    let new = commit_id(repo, new)?;
    commits_between(repo, &[old], new).map(Some)
}

/// The commits reachable from `new` and from none of `hide`, oldest first.
pub fn commits_between(repo: &Repository, hide: &[Oid], new: Oid) -> Result<RangeCommits> {
    let mut walk = repo.revwalk().context("cannot walk the history")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .context("cannot walk the history")?;
    walk.push(new).context("cannot walk the history")?;
    for id in hide {
        walk.hide(*id)
            .with_context(|| format!("cannot walk the history from {id}"))?;
    }
    let mut out = RangeCommits::default();
    let shallow = repo.is_shallow();
    for id in walk {
        let id = id.context("cannot walk the history")?;
        if shallow {
            let commit = repo.find_commit(id)?;
            if commit.parent_count() == 0 && is_graft(repo, id) {
                out.shallow += 1;
                continue;
            }
        }
        out.ids.push(id);
    }
    Ok(out)
}

/// Whether a commit is a shallow clone's boundary (listed in `.git/shallow`).
fn is_graft(repo: &Repository, id: Oid) -> bool {
    std::fs::read_to_string(repo.path().join("shallow"))
        .map(|s| s.lines().any(|l| l.trim() == id.to_string()))
        .unwrap_or(false)
}

/// How reports name a commit.
pub fn commit_ref(repo: &Repository, id: Oid) -> Result<CommitRef> {
    let commit = repo
        .find_commit(id)
        .with_context(|| format!("cannot read the commit {id}"))?;
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let when = commit.author().when().seconds();
    Ok(CommitRef::new(&id.to_string(), when, &message))
}

/// What one commit adds: its tree against its first parent's (a merge commit is reviewed against its
/// first parent, so what it brings from the merged branch counts; a root commit against nothing). Old
/// texts are not read: a per-commit review looks for secrets, which need none.
pub fn commit_changes(repo: &Repository, id: Oid) -> Result<ChangeSet> {
    let commit = repo
        .find_commit(id)
        .with_context(|| format!("cannot read the commit {id}"))?;
    let tree = commit.tree().context("cannot read a commit's tree")?;
    let parent = match commit.parent_count() {
        0 => None,
        _ => Some(
            commit
                .parent(0)
                .and_then(|p| p.tree())
                .map_err(|e| anyhow!("cannot read the parent of {id}: {}", e.message()))?,
        ),
    };
    let mut opts = diff_options();
    let diff = repo
        .diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts))
        .with_context(|| format!("cannot compare the commit {id} with its parent"))?;
    collect_with(repo, diff, NewSide::Objects, false)
}

/// Opens the repository at `git_dir` again (a `git2::Repository` is not shared between threads).
pub fn reopen(git_dir: &Path) -> Result<Repository> {
    Repository::open(git_dir)
        .map_err(|e| anyhow!("cannot open {}: {}", git_dir.display(), e.message()))
}
