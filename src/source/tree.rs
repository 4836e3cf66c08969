//! A scan: every line of every file under some paths counts as added. The walk honors `.gitignore`,
//! `.ignore` and git's exclude files, and looks into hidden directories such as `.github` (but not `.git`).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use rayon::prelude::*;

use super::sniff::printable_runs;
use super::{slash_path, sniff_named, whole_file, AddedLines, Content};
use crate::model::{BinaryText, ChangeSet, ChangedFile, Skipped};

/// Walks `paths` (files or directories) and reads every text file. Paths in the result are relative to
/// `root`; `keep` decides from that relative path whether a file is read at all.
pub fn scan(
    root: &Path,
    paths: &[PathBuf],
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<ChangeSet> {
    let mut found: Vec<(PathBuf, String)> = Vec::new();
    let mut skipped = Skipped::default();
    let mut raw_paths = std::collections::BTreeMap::new();
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for path in paths {
        let path = path.canonicalize().map_err(|e| {
            anyhow!(
                "{}: {}",
                path.display(),
                if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                }
            )
        })?;
        let mut builder = ignore::WalkBuilder::new(&path);
        builder
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| entry.file_name() != ".git");
        for entry in builder.build() {
            let entry = entry.map_err(|e| anyhow!("cannot walk {}: {e}", path.display()))?;
            let Some(kind) = entry.file_type() else {
                continue;
            };
            if !kind.is_file() && !kind.is_symlink() {
                continue;
            }
            let absolute = entry.path().to_path_buf();
            let shown = absolute.strip_prefix(&root).unwrap_or(&absolute);
            let relative = slash_path(shown);
            if let Some(raw) = super::raw_path_bytes(shown) {
                raw_paths.insert(relative.clone(), raw);
            }
            if kind.is_symlink() {
                skipped.add_non_text(relative);
                continue;
            }
            if keep(&relative) {
                found.push((absolute, relative));
            } else {
                skipped.excluded += 1;
            }
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found.dedup_by(|a, b| a.1 == b.1);
    let read: Vec<Result<Result<ChangedFile, BinaryText>>> = found
        .into_par_iter()
        .map(|(absolute, relative)| {
            let bytes = std::fs::read(&absolute)
                .map_err(|e| anyhow!("cannot read {}: {e}", absolute.display()))?;
            Ok(match sniff_named(&relative, bytes) {
                Content::Text(text) => Ok(whole_file(relative, text, AddedLines::All)),
                Content::Binary(bytes) => Err(printable_runs(relative, &bytes)),
            })
        })
        .collect();
    let mut set = ChangeSet {
        files: Vec::new(),
        skipped,
        raw_paths,
        // A scan has no base: markers work as a base's do (and are listed).
        baseless: true,
        commands: Vec::new(),
    };
    for file in read {
        match file? {
            Ok(f) if !f.added.is_empty() => set.files.push(f),
            Ok(_) => {}
            Err(binary) => set.skipped.add_binary_text(binary),
        }
    }
    Ok(set)
}
