//! Changes from a git repository (libgit2): the index against HEAD, `A..B`, `A...B`, a base's merge-base
//! with HEAD, optionally with the working tree on top.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, FileMode, Oid, Repository, Tree};
use rayon::prelude::*;

use super::sniff::printable_runs;
use super::{sniff, sniff_named, whole_file, AddedLines, Content};
use crate::model::{BinaryText, ChangeSet, ChangedFile, Skipped};

#[path = "git_deleted.rs"]
mod deleted;
use deleted::{deleted_changed_file, deleted_file};

#[path = "git_revs.rs"]
mod revs;
pub(super) use revs::{commit_id, revparse};
use revs::{peel_tree, resolve_range};

#[path = "git_trees.rs"]
mod trees;
pub use trees::{head_tree_id, range_trees, read_index_file, read_tree_file};

/// Opens the repository containing `dir`.
pub fn open(dir: &Path) -> Result<Repository> {
    // Reading objects we only review needs no SHA-1 re-verification; it costs a fifth of the read time.
    git2::opts::strict_hash_verification(false);
    Repository::discover(dir).map_err(|e| {
        if e.code() == ErrorCode::Owner {
            anyhow!(
                "git refuses to open {}: the repository is owned by another user. Mark it safe with \
                 `git config --global --add safe.directory {}`",
                dir.display(),
                dir.display()
            )
        } else {
            anyhow!("not a git repository (or any parent up to the root): {}", dir.display())
        }
    })
}

/// The repository's working directory (the root paths are relative to).
pub fn workdir(repo: &Repository) -> Result<PathBuf> {
    repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
        anyhow!(
            "the repository at {} is bare: there is no working tree to review (`review-gate diff A..B` \
             compares two commits and works in a bare repository)",
            repo.path().display()
        )
    })
}

/// The directory a review's paths and configuration are relative to: the working tree, or — for a bare
/// repository, which has none — the repository directory itself, when the review needs no working tree
/// (a range of commits compares trees from the object database; server-side pre-receive hooks run so).
pub fn review_root(repo: &Repository, needs_worktree: bool) -> Result<PathBuf> {
    match repo.workdir() {
        Some(dir) => Ok(dir.to_path_buf()),
        None if !needs_worktree => Ok(repo.path().to_path_buf()),
        None => workdir(repo),
    }
}

/// What the new side of a diff is.
pub(super) enum NewSide {
    /// Blobs in the object database (a tree or the index).
    Objects,
    /// Files in the working tree.
    Workdir(PathBuf),
}

/// Staged changes: the index against HEAD (against nothing in a repository without commits).
///
/// Inside a git hook the index being committed is the one `GIT_INDEX_FILE` names: `git commit -a`
/// and `git commit <paths>` prepare a temporary index (`index.lock`, `next-index-*.lock`) and the
/// repository's own index does not hold those changes yet.
pub fn staged(repo: &Repository) -> Result<ChangeSet> {
    let head = head_tree(repo)?;
    let mut opts = diff_options();
    let index = match std::env::var_os("GIT_INDEX_FILE").filter(|p| !p.is_empty()) {
        Some(path) => Some(git2::Index::open(Path::new(&path)).with_context(|| {
            format!(
                "cannot read the index named by GIT_INDEX_FILE ({})",
                Path::new(&path).display()
            )
        })?),
        None => None,
    };
    let diff = repo
        .diff_tree_to_index(head.as_ref(), index.as_ref(), Some(&mut opts))
        .context("cannot compare the index with HEAD")?;
    collect(repo, diff, NewSide::Objects)
}

/// Changes described by `spec`: `BASE` (merge-base of BASE and HEAD to HEAD), `A..B` (tree A to tree B)
/// or `A...B` (merge-base of A and B to B). With `worktree`, the new side is the working tree (staged and
/// unstaged changes, and untracked files) instead of HEAD.
pub fn range(repo: &Repository, spec: &str, worktree: bool) -> Result<ChangeSet> {
    let (old_tree, new_rev) = resolve_range(repo, spec)?;
    let mut opts = diff_options();
    if worktree {
        if let Some(rev) = new_rev.filter(|r| !r.is_empty() && *r != "HEAD") {
            bail!("--worktree compares against the working tree, so the range cannot name a new side (`{rev}`); use `{}` instead", spec.split("..").next().unwrap_or(spec));
        }
        opts.include_untracked(true).recurse_untracked_dirs(true);
        let root = workdir(repo)?;
        let diff = repo
            .diff_tree_to_workdir_with_index(Some(&old_tree), Some(&mut opts))
            .context("cannot compare with the working tree")?;
        let mut set = collect(repo, diff, NewSide::Workdir(root.clone()))?;
        add_conflicted(repo, &old_tree, &root, &mut set)?;
        return Ok(set);
    }
    let new_tree = peel_tree(repo, new_rev.filter(|r| !r.is_empty()).unwrap_or("HEAD"))?;
    let diff = repo
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut opts))
        .context("cannot compare the two trees")?;
    collect(repo, diff, NewSide::Objects)
}

/// Adds the files a merge left conflicted: the diff of a tree with the working tree through the index
/// drops unmerged entries, so each conflicted path's working file is compared with the base tree here
/// and its added lines (the resolution, markers and all) are reviewed like any other change.
fn add_conflicted(
    repo: &Repository,
    old_tree: &Tree<'_>,
    root: &Path,
    set: &mut ChangeSet,
) -> Result<()> {
    let index = repo.index().context("cannot read the index")?;
    if !index.has_conflicts() {
        return Ok(());
    }
    let mut paths = std::collections::BTreeMap::new();
    for conflict in index
        .conflicts()
        .context("cannot read the index's conflicts")?
    {
        let conflict = conflict.context("cannot read a conflict in the index")?;
        if let Some(entry) = conflict.our.or(conflict.their).or(conflict.ancestor) {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            paths.insert(path, entry.mode);
        }
    }
    let before = set.files.len();
    for (path, mode) in paths {
        let known =
            set.files.iter().any(|f| f.path == path) || set.skipped.binary_paths.contains(&path);
        if known {
            continue;
        }
        if matches!(mode & 0o170000, 0o120000 | 0o160000) {
            set.skipped.add_non_text(path);
            continue;
        }
        let bytes = match std::fs::read(root.join(&path)) {
            Ok(bytes) => bytes,
            // Resolved by deleting the file: nothing is added.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => bail!("cannot read {path}: {e}"),
        };
        let text = match sniff_named(&path, bytes) {
            Content::Text(text) => text,
            Content::Binary(bytes) => {
                set.skipped.add_binary_text(printable_runs(path, &bytes));
                continue;
            }
        };
        // The base's version, as text (a binary or missing one: every line is added).
        let old_text = old_tree
            .get_path(Path::new(&path))
            .ok()
            .and_then(|entry| repo.find_blob(entry.id()).ok())
            .and_then(|blob| match sniff(blob.content().to_vec()) {
                Content::Text(old) => Some(old),
                Content::Binary(_) => None,
            });
        let file = match old_text {
            None => {
                let mut file = whole_file(path, text, AddedLines::All);
                file.base = crate::model::Base::Added;
                file
            }
            Some(old) => {
                let (ranges, old_ranges) = text_ranges(&old, &text, &path)?;
                let mut file = whole_file(path, text, AddedLines::Ranges(&ranges));
                file.removed = super::removed_lines(&old, &old_ranges);
                file.old_text = Some(old);
                file.base = crate::model::Base::Modified;
                file
            }
        };
        if !file.added.is_empty() {
            set.files.push(file);
        }
    }
    if set.files.len() > before {
        set.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(())
}

fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(
            head.peel_to_tree()
                .context("HEAD does not point to a commit")?,
        )),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(anyhow!("cannot read HEAD: {}", e.message())),
    }
}

pub(super) fn diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .ignore_submodules(true)
        .indent_heuristic(false)
        .include_typechange(true);
    opts
}

/// What to load for one changed file, decided while the diff is borrowed.
struct Pending {
    path: String,
    oid: Oid,
    all_added: bool,
    ranges: Vec<(u32, u32)>,
    /// The old text (a modified file).
    old_text: Option<String>,
    /// libgit2 took the file for binary (a NUL byte, or a `-diff`/`binary` attribute): the old
    /// version, to compute the added lines when the new one is text after all.
    rejudge: Option<Oid>,
    /// The (start, count) ranges of removed lines in the old file.
    old_ranges: Vec<(u32, u32)>,
    /// The change deletes the file (`old_text` holds its last version).
    deleted: bool,
    /// With `deleted`: the change renames the file to this path.
    renamed_to: Option<String>,
}

/// One loaded file: text to review, text whose added lines are still to be computed, or binary.
enum Loaded {
    File(ChangedFile),
    Rejudge(Pending, String),
    Binary(BinaryText),
}

fn collect(repo: &Repository, diff: git2::Diff<'_>, new_side: NewSide) -> Result<ChangeSet> {
    collect_with(repo, diff, new_side, true)
}

/// Pairs deleted and added files of `diff` into renames (half the lines alike), as every git source does.
pub(super) fn find_renames(diff: &mut git2::Diff<'_>) -> Result<()> {
    let mut find = DiffFindOptions::new();
    find.renames(true)
        .rename_threshold(50)
        .renames_from_rewrites(false)
        .for_untracked(true);
    diff.find_similar(Some(&mut find))
        .context("cannot detect renames")?;
    Ok(())
}

/// [`collect`], reading the old text of modified files only when `old_texts` (a review of one commit of
/// a range for secrets needs none).
pub(super) fn collect_with(
    repo: &Repository,
    mut diff: git2::Diff<'_>,
    new_side: NewSide,
    old_texts: bool,
) -> Result<ChangeSet> {
    find_renames(&mut diff)?;
    let mut skipped = Skipped::default();
    let mut raw_paths = std::collections::BTreeMap::new();
    let mut pending = Vec::new();
    for (idx, delta) in diff.deltas().enumerate() {
        let status = delta.status();
        if matches!(
            status,
            Delta::Unmodified | Delta::Ignored | Delta::Unreadable
        ) {
            continue;
        }
        if status == Delta::Deleted {
            // What a deletion takes away is reviewed from the old version (a review of one commit of a
            // range for secrets needs none: it reads what commits add).
            if old_texts {
                if let Some(file) = deleted_file(repo, &delta, &mut raw_paths)? {
                    pending.push(file);
                }
            }
            continue;
        }
        if status == Delta::Renamed
            && old_texts
            && delta.old_file().path() != delta.new_file().path()
        {
            // The old path is taken away too: the engine reviews what it meant that the new path does
            // not (a workflow, an agent's settings or a lockfile moved aside stops working there).
            if let Some(mut file) = deleted_file(repo, &delta, &mut raw_paths)? {
                file.renamed_to = delta.new_file().path().map(super::slash_path);
                pending.push(file);
            }
        }
        let new_file = delta.new_file();
        match new_file.mode() {
            FileMode::Commit | FileMode::Link => {
                if let Some(path) = new_file.path() {
                    skipped.add_non_text(super::slash_path(path));
                }
                continue;
            }
            FileMode::Tree => continue,
            _ => {}
        }
        let Some(path) = new_file.path() else {
            continue;
        };
        let raw = super::raw_path_bytes(path);
        let path = super::slash_path(path);
        if let Some(raw) = raw {
            raw_paths.insert(path.clone(), raw);
        }
        let old_empty = matches!(status, Delta::Added | Delta::Untracked);
        if old_empty {
            pending.push(Pending {
                path,
                oid: new_file.id(),
                all_added: true,
                ranges: Vec::new(),
                old_text: None,
                rejudge: None,
                old_ranges: Vec::new(),
                deleted: false,
                renamed_to: None,
            });
            continue;
        }
        let Some(patch) =
            git2::Patch::from_diff(&diff, idx).context("cannot compute the diff of a file")?
        else {
            continue;
        };
        if patch.delta().flags().is_binary() {
            // git's verdict (one NUL byte, or an attribute the change may set itself) is not ours:
            // the content is judged again once loaded.
            pending.push(Pending {
                path,
                oid: new_file.id(),
                all_added: false,
                ranges: Vec::new(),
                old_text: None,
                rejudge: Some(delta.old_file().id()),
                old_ranges: Vec::new(),
                deleted: false,
                renamed_to: None,
            });
            continue;
        }
        let ranges = hunk_ranges(&patch)?;
        let old_ranges = if old_texts {
            old_hunk_ranges(&patch)?
        } else {
            Vec::new()
        };
        if !ranges.is_empty() || !old_ranges.is_empty() {
            // The old text: manifests diff it, and the engine reads the capabilities it had.
            let old_id = delta.old_file().id();
            let old_text = old_texts
                .then(|| repo.find_blob(old_id).ok())
                .flatten()
                .map(|blob| super::text_of(blob.content().to_vec()));
            pending.push(Pending {
                path,
                oid: new_file.id(),
                all_added: false,
                ranges,
                old_text,
                rejudge: None,
                old_ranges,
                deleted: false,
                renamed_to: None,
            });
        }
    }
    let contents: Vec<Result<Option<Vec<u8>>>> = match &new_side {
        NewSide::Objects => pending
            .iter()
            .map(|p| {
                if p.deleted {
                    return Ok(Some(Vec::new()));
                }
                let blob = repo
                    .find_blob(p.oid)
                    .with_context(|| format!("cannot read the new version of {}", p.path))?;
                Ok(Some(blob.content().to_vec()))
            })
            .collect(),
        NewSide::Workdir(root) => pending
            .par_iter()
            .map(|p| match std::fs::read(root.join(&p.path)) {
                _ if p.deleted => Ok(Some(Vec::new())),
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(anyhow!("cannot read {}: {e}", p.path)),
            })
            .collect(),
    };
    let mut files: Vec<Loaded> = Vec::with_capacity(pending.len());
    let loaded: Vec<(Pending, Vec<u8>)> = pending
        .into_iter()
        .zip(contents)
        .filter_map(|(p, c)| match c {
            Ok(Some(bytes)) => Some(Ok((p, bytes))),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_>>()?;
    loaded
        .into_par_iter()
        .map(|(p, bytes)| {
            if p.deleted {
                return Loaded::File(deleted_changed_file(p));
            }
            let text = match sniff_named(&p.path, bytes) {
                Content::Text(text) => text,
                Content::Binary(bytes) => return Loaded::Binary(printable_runs(p.path, &bytes)),
            };
            if p.rejudge.is_some() {
                return Loaded::Rejudge(p, text);
            }
            let which = if p.all_added {
                AddedLines::All
            } else {
                AddedLines::Ranges(&p.ranges)
            };
            let mut file = whole_file(p.path, text, which);
            file.base = if p.all_added {
                crate::model::Base::Added
            } else if p.old_text.is_some() {
                crate::model::Base::Modified
            } else {
                crate::model::Base::Unknown
            };
            if let Some(old) = &p.old_text {
                file.removed = super::removed_lines(old, &p.old_ranges);
            }
            file.old_text = p.old_text;
            Loaded::File(file)
        })
        .collect_into_vec(&mut files);
    let mut set = ChangeSet {
        files: Vec::with_capacity(files.len()),
        skipped,
        raw_paths,
        baseless: false,
        commands: Vec::new(),
    };
    for file in files {
        let file = match file {
            Loaded::File(f) => f,
            Loaded::Rejudge(p, text) => rejudged(repo, p, text)?,
            Loaded::Binary(binary) => {
                set.skipped.add_binary_text(binary);
                continue;
            }
        };
        if !file.added.is_empty() || !file.removed.is_empty() || file.deleted {
            set.files.push(file);
        }
    }
    Ok(set)
}

/// A file libgit2 took for binary whose new version is text: its added lines, from a line diff of the
/// old text (every line when the old version is binary or unreadable).
fn rejudged(repo: &Repository, p: Pending, text: String) -> Result<ChangedFile> {
    let old = p
        .rejudge
        .filter(|id| !id.is_zero())
        .and_then(|id| repo.find_blob(id).ok())
        .and_then(|blob| match sniff(blob.content().to_vec()) {
            Content::Text(old) => Some(old),
            Content::Binary(_) => None,
        });
    let Some(old) = old else {
        let mut file = whole_file(p.path, text, AddedLines::All);
        file.base = crate::model::Base::Added;
        return Ok(file);
    };
    let (ranges, old_ranges) = text_ranges(&old, &text, &p.path)?;
    let mut file = whole_file(p.path, text, AddedLines::Ranges(&ranges));
    file.removed = super::removed_lines(&old, &old_ranges);
    file.old_text = Some(old);
    file.base = crate::model::Base::Modified;
    Ok(file)
}

/// The (start, count) ranges of old (removed) lines in a patch's hunks.
fn old_hunk_ranges(patch: &git2::Patch<'_>) -> Result<Vec<(u32, u32)>> {
    let mut ranges = Vec::new();
    for h in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(h)?;
        if hunk.old_lines() > 0 {
            ranges.push((hunk.old_start(), hunk.old_lines()));
        }
    }
    Ok(ranges)
}

/// The (start, count) ranges of new lines in a patch's hunks.
pub(super) fn hunk_ranges(patch: &git2::Patch<'_>) -> Result<Vec<(u32, u32)>> {
    let mut ranges = Vec::new();
    for h in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(h)?;
        if hunk.new_lines() > 0 {
            ranges.push((hunk.new_start(), hunk.new_lines()));
        }
    }
    Ok(ranges)
}

/// The added-line and removed-line ranges of a line diff of two texts (forced as text: the caller has
/// judged them so).
pub(super) fn text_ranges(
    old: &str,
    new: &str,
    path: &str,
) -> Result<(super::proposed::LineRanges, super::proposed::LineRanges)> {
    let mut opts = diff_options();
    opts.force_text(true);
    let patch =
        git2::Patch::from_buffers(old.as_bytes(), None, new.as_bytes(), None, Some(&mut opts))
            .with_context(|| format!("cannot compare the two versions of {path}"))?;
    Ok((hunk_ranges(&patch)?, old_hunk_ranges(&patch)?))
}
