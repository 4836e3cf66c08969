//! Deleted files in a git diff: each is carried into the change set with its last version as the old
//! text, nothing added and every line removed, so that checks about what a change takes away (and the
//! agent configuration and dependency reviews) see the deletion.

use anyhow::Result;
use git2::{FileMode, Repository};

use super::Pending;
use crate::model::ChangedFile;
use crate::source::{sniff_named, whole_file, AddedLines, Content};

/// A deleted file to review: its last version as the old text (None for a submodule, a symlink or a
/// binary file, which hold no lines).
pub(super) fn deleted_file(
    repo: &Repository,
    delta: &git2::DiffDelta<'_>,
    raw_paths: &mut std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<Option<Pending>> {
    let old_file = delta.old_file();
    if !matches!(old_file.mode(), FileMode::Blob | FileMode::BlobExecutable) {
        return Ok(None);
    }
    let Some(path) = old_file.path() else {
        return Ok(None);
    };
    let raw = crate::source::raw_path_bytes(path);
    let path = crate::source::slash_path(path);
    let Ok(blob) = repo.find_blob(old_file.id()) else {
        return Ok(None);
    };
    let Content::Text(old) = sniff_named(&path, blob.content().to_vec()) else {
        return Ok(None);
    };
    if let Some(raw) = raw {
        raw_paths.insert(path.clone(), raw);
    }
    Ok(Some(Pending {
        path,
        oid: old_file.id(),
        all_added: false,
        ranges: Vec::new(),
        old_text: Some(old),
        rejudge: None,
        old_ranges: Vec::new(),
        deleted: true,
        renamed_to: None,
    }))
}

/// The changed file of a deleted file: nothing added, every old line removed.
pub(super) fn deleted_changed_file(p: Pending) -> ChangedFile {
    let old = p.old_text.unwrap_or_default();
    let mut file = whole_file(p.path, String::new(), AddedLines::All);
    file.language = crate::model::Language::detect(&file.path, old.lines().next().unwrap_or(""));
    file.removed = crate::model::all_lines_removed(&old);
    file.old_text = Some(old);
    file.base = crate::model::Base::Modified;
    file.deleted = true;
    file.renamed_to = p.renamed_to;
    file
}
