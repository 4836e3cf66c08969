//! Reading one file of a tree or of the index, and the trees a range compares (each side's
//! configuration is read from its own tree).

use std::path::Path;

use anyhow::{bail, Context, Result};
use git2::{ErrorCode, FileMode, Oid, Repository};

use super::head_tree;
use super::revs::{peel_tree, resolve_range};

/// The trees a range spec compares, for reading the configuration of each side: the old tree, and the
/// new tree (None: the working tree, with `worktree`). See [`range`] for the spec.
pub fn range_trees(repo: &Repository, spec: &str, worktree: bool) -> Result<(Oid, Option<Oid>)> {
    let (old_tree, new_rev) = resolve_range(repo, spec)?;
    if worktree {
        return Ok((old_tree.id(), None));
    }
    let new_tree = peel_tree(repo, new_rev.filter(|r| !r.is_empty()).unwrap_or("HEAD"))?;
    Ok((old_tree.id(), Some(new_tree.id())))
}

/// HEAD's tree (None in a repository without commits).
pub fn head_tree_id(repo: &Repository) -> Result<Option<Oid>> {
    Ok(head_tree(repo)?.map(|t| t.id()))
}

/// The bytes of the file at `path` (relative, `/`-separated) in the tree `tree`: None when there is no
/// such file. A symbolic link or a submodule there is an error: it is not a file whose content a tree
/// holds.
pub fn read_tree_file(repo: &Repository, tree: Oid, path: &str) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .find_tree(tree)
        .with_context(|| format!("cannot read the tree {tree}"))?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(entry) => entry,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => bail!(
            "cannot read `{path}` in the tree {}: {}",
            tree.id(),
            e.message()
        ),
    };
    match entry.filemode() {
        m if m == i32::from(FileMode::Blob) || m == i32::from(FileMode::BlobExecutable) => {}
        m if m == i32::from(FileMode::Tree) => return Ok(None),
        _ => bail!(
            "`{path}` in the tree {} is not a regular file (a symbolic link or a submodule)",
            tree.id()
        ),
    }
    let blob = repo
        .find_blob(entry.id())
        .with_context(|| format!("cannot read `{path}` in the tree {}", tree.id()))?;
    Ok(Some(blob.content().to_vec()))
}

/// The bytes of the file at `path` as staged: in the index `GIT_INDEX_FILE` names (inside a git hook),
/// else the repository's index. None when the index holds no such file.
pub fn read_index_file(repo: &Repository, path: &str) -> Result<Option<Vec<u8>>> {
    let index = match std::env::var_os("GIT_INDEX_FILE").filter(|p| !p.is_empty()) {
        Some(file) => git2::Index::open(Path::new(&file)),
        None => repo.index(),
    }
    .context("cannot read the index")?;
    let Some(entry) = index.get_path(Path::new(path), 0) else {
        return Ok(None);
    };
    if entry.mode != u32::from(FileMode::Blob) && entry.mode != u32::from(FileMode::BlobExecutable)
    {
        bail!("`{path}` in the index is not a regular file (a symbolic link or a submodule)");
    }
    let blob = repo
        .find_blob(entry.id)
        .with_context(|| format!("cannot read the staged `{path}`"))?;
    Ok(Some(blob.content().to_vec()))
}
