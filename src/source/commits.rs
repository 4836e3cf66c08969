//! The commits of a range, one by one: each commit's added lines against its first parent, for the
//! review of what only history holds (a secret added in one commit and deleted in a later one).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use git2::{Delta, FileMode, Oid, Repository, Sort};

use super::git::{commit_id, diff_options, find_renames, hunk_ranges, text_ranges};
use super::sniff::printable_runs;
use super::{sniff, sniff_named, whole_file, AddedLines, Content};
use crate::model::{Base, BinaryText, ChangeSet, ChangedFile, CommitRef};

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
/// a commit (there is no history between two trees), or the new side does.
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
    let Ok(new) = commit_id(repo, new) else {
        super::git::revparse(repo, new)?;
        return Ok(None);
    };
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

/// Blobs read for the review of consecutive commits, by id: the new version of a file one commit
/// changes is the old version the next commit changing it starts from, so each is read once. Bounded
/// (emptied past [`BlobCache::LIMIT`] bytes); a blob is handed out once (a file's next commit needs it
/// once).
#[derive(Debug, Default)]
pub struct BlobCache {
    blobs: HashMap<Oid, Vec<u8>>,
    bytes: usize,
}

impl BlobCache {
    /// Most bytes kept at once.
    const LIMIT: usize = 32 << 20;

    /// The content of the blob `id`, from the cache when there.
    fn take(&mut self, repo: &Repository, id: Oid, path: &str) -> Result<Vec<u8>> {
        if let Some(bytes) = self.blobs.remove(&id) {
            self.bytes -= bytes.len();
            return Ok(bytes);
        }
        let blob = repo
            .find_blob(id)
            .with_context(|| format!("cannot read a version of {path}"))?;
        Ok(blob.content().to_vec())
    }

    /// Keeps a copy of the blob `id` for a later commit.
    fn keep(&mut self, id: Oid, bytes: &[u8]) {
        if bytes.len() > Self::LIMIT / 4 {
            return;
        }
        if self.bytes + bytes.len() > Self::LIMIT {
            self.blobs.clear();
            self.bytes = 0;
        }
        if self.blobs.insert(id, bytes.to_vec()).is_none() {
            self.bytes += bytes.len();
        }
    }
}

/// What one commit adds: its tree against its first parent's (a merge commit is reviewed against its
/// first parent, so what it brings from the merged branch counts; a root commit against nothing). Old
/// texts are not kept: a per-commit review looks for secrets, which need none.
///
/// The same files and added lines as [`super::git::range`] gives for the commit's `parent..commit`,
/// read more cheaply: each blob once (`cache`, shared by the commits one thread reviews in order), and
/// the added lines from a diff of the two versions' bytes, without libgit2's per-file look-up of diff
/// drivers in `.gitattributes` (which only decides whether a file is binary, and a file git takes for
/// binary is judged again by its content anyway).
pub fn commit_changes(repo: &Repository, id: Oid, cache: &mut BlobCache) -> Result<ChangeSet> {
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
    let mut diff = repo
        .diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts))
        .with_context(|| format!("cannot compare the commit {id} with its parent"))?;
    // Renames as `git::range` finds them.
    find_renames(&mut diff)?;
    let mut set = ChangeSet::default();
    for delta in diff.deltas() {
        let status = delta.status();
        if matches!(
            status,
            Delta::Deleted | Delta::Unmodified | Delta::Ignored | Delta::Unreadable
        ) {
            continue;
        }
        let new_file = delta.new_file();
        match new_file.mode() {
            FileMode::Commit | FileMode::Link => {
                if let Some(path) = new_file.path() {
                    set.skipped.add_non_text(super::slash_path(path));
                }
                continue;
            }
            FileMode::Tree => continue,
            _ => {}
        }
        let Some(path) = new_file.path() else {
            continue;
        };
        if let Some(raw) = super::raw_path_bytes(path) {
            set.raw_paths.insert(super::slash_path(path), raw);
        }
        let path = super::slash_path(path);
        let new = cache.take(repo, new_file.id(), &path)?;
        let old = match status {
            Delta::Added | Delta::Untracked => None,
            _ => Some(cache.take(repo, delta.old_file().id(), &path)?),
        };
        cache.keep(new_file.id(), &new);
        let file = match old {
            None => match sniff_named(&path, new) {
                Content::Text(text) => {
                    let mut file = whole_file(path, text, AddedLines::All);
                    file.base = Base::Added;
                    file
                }
                Content::Binary(bytes) => {
                    set.skipped.add_binary_text(printable_runs(path, &bytes));
                    continue;
                }
            },
            Some(old) => match modified(path, &old, new)? {
                Some(Ok(file)) => file,
                Some(Err(binary)) => {
                    set.skipped.add_binary_text(binary);
                    continue;
                }
                None => continue,
            },
        };
        if !file.added.is_empty() {
            set.files.push(file);
        }
    }
    Ok(set)
}

/// A file a commit changes, from the bytes of its two versions: None when no line is added, the
/// printable runs of a binary new version, else the file with its added lines.
fn modified(
    path: String,
    old: &[u8],
    new: Vec<u8>,
) -> Result<Option<std::result::Result<ChangedFile, BinaryText>>> {
    let ranges = {
        let mut opts = diff_options();
        let patch = git2::Patch::from_buffers(old, None, &new, None, Some(&mut opts))
            .with_context(|| format!("cannot compare the two versions of {path}"))?;
        // git's verdict (one NUL byte) is not ours: the content is judged again.
        if patch.delta().flags().is_binary() {
            None
        } else {
            Some(hunk_ranges(&patch)?)
        }
    };
    if ranges.as_ref().is_some_and(Vec::is_empty) {
        return Ok(None);
    }
    let text = match sniff_named(&path, new) {
        Content::Text(text) => text,
        Content::Binary(bytes) => return Ok(Some(Err(printable_runs(path, &bytes)))),
    };
    let file = match ranges {
        Some(ranges) => whole_file(path, text, AddedLines::Ranges(&ranges)),
        None => match sniff(old.to_vec()) {
            Content::Text(old) => {
                let (ranges, _) = text_ranges(&old, &text, &path)?;
                let mut file = whole_file(path, text, AddedLines::Ranges(&ranges));
                file.old_text = Some(old);
                file.base = Base::Modified;
                file
            }
            Content::Binary(_) => {
                let mut file = whole_file(path, text, AddedLines::All);
                file.base = Base::Added;
                file
            }
        },
    };
    Ok(Some(Ok(file)))
}

/// Opens the repository at `git_dir` again (a `git2::Repository` is not shared between threads).
pub fn reopen(git_dir: &Path) -> Result<Repository> {
    Repository::open(git_dir)
        .map_err(|e| anyhow!("cannot open {}: {}", git_dir.display(), e.message()))
}

/// The commits every remote-tracking branch of `remote` points to (what the remote is known to hold).
pub fn remote_tips(repo: &Repository, remote: &str) -> Result<Vec<Oid>> {
    let mut out = Vec::new();
    let refs = repo
        .references_glob(&format!("refs/remotes/{remote}/*"))
        .context("cannot list the remote-tracking branches")?;
    for reference in refs.flatten() {
        if let Ok(commit) = reference.peel_to_commit() {
            out.push(commit.id());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The branch a new branch pushed to `remote` is compared with: the remote's default branch
/// (`refs/remotes/<remote>/HEAD`), else its `main` or `master`, else a local `main` or `master`. Its
/// name and commit.
pub fn default_base(repo: &Repository, remote: &str) -> Option<(String, Oid)> {
    let candidates = [
        format!("refs/remotes/{remote}/HEAD"),
        format!("refs/remotes/{remote}/main"),
        format!("refs/remotes/{remote}/master"),
        "refs/heads/main".to_string(),
        "refs/heads/master".to_string(),
    ];
    candidates.into_iter().find_map(|name| {
        let reference = repo.find_reference(&name).ok()?;
        let resolved = reference.resolve().ok()?;
        let id = resolved.peel_to_commit().ok()?.id();
        let shown = String::from_utf8_lossy(resolved.shorthand_bytes()).into_owned();
        Some((shown, id))
    })
}

/// One ref `git push` is about to update, as the pre-push hook reads it on standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRef {
    /// The local ref pushed (`refs/heads/topic`).
    pub local_ref: String,
    /// The commit pushed.
    pub local: Oid,
    /// The remote ref updated.
    pub remote_ref: String,
    /// The commit the remote ref pointed to (None: a new ref).
    pub remote: Option<Oid>,
}

/// Parses the pre-push hook's input (`<local ref> <local sha> <remote ref> <remote sha>` per line);
/// deletions (an all-zero local sha) are left out. A malformed line is an error: the push is blocked
/// rather than reviewed partly.
pub fn parse_push(input: &str) -> Result<Vec<PushedRef>> {
    let mut out = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local, remote_ref, remote] = fields[..] else {
            anyhow::bail!("unexpected pre-push input line: `{line}` (want `<local ref> <local sha> <remote ref> <remote sha>`)");
        };
        let parse = |sha: &str| {
            Oid::from_str(sha)
                .map_err(|_| anyhow!("unexpected object id `{sha}` in the pre-push input"))
        };
        let (local, remote) = (parse(local)?, parse(remote)?);
        if local.is_zero() {
            continue;
        }
        out.push(PushedRef {
            local_ref: local_ref.to_string(),
            local,
            remote_ref: remote_ref.to_string(),
            remote: (!remote.is_zero()).then_some(remote),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits `files` (path, content; None deletes) on top of HEAD.
    fn commit(repo: &Repository, files: &[(&str, Option<&[u8]>)]) -> Oid {
        let root = repo.workdir().unwrap().to_path_buf();
        let mut index = repo.index().unwrap();
        for (path, content) in files {
            let at = root.join(path);
            match content {
                Some(bytes) => {
                    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
                    std::fs::write(&at, bytes).unwrap();
                    index.add_path(Path::new(path)).unwrap();
                }
                None => {
                    std::fs::remove_file(&at).unwrap();
                    index.remove_path(Path::new(path)).unwrap();
                }
            }
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::new("t", "t@example.invalid", &git2::Time::new(0, 0)).unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, "c", &tree, &parents)
            .unwrap()
    }

    /// What a review sees of a change set: each file's path, base, added line numbers and old text,
    /// and what was skipped.
    fn seen(set: &ChangeSet) -> String {
        let mut out: Vec<String> = set
            .files
            .iter()
            .map(|f| {
                let lines: Vec<u32> = f.added.iter().map(|l| l.number).collect();
                format!("{} {:?} {lines:?} {:?}", f.path, f.base, f.old_text)
            })
            .collect();
        out.push(format!("{:?}", set.skipped));
        out.join("\n")
    }

    /// Each commit's change set is the one `parent..commit` gives (old texts aside, which the
    /// per-commit review does not read), whatever the blob cache holds.
    #[test]
    fn a_commits_changes_are_those_of_its_range() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let code: &[u8] = b"a = 1\nb = 2\nc = 3\n";
        let long: String = (0..40).map(|i| format!("line {i} of a file\n")).collect();
        let mut ids = vec![commit(
            &repo,
            &[
                ("src/a.py", Some(code)),
                ("old/name.txt", Some(long.as_bytes())),
                ("bin.dat", Some(b"\0\x01\x02binary\n")),
                ("nul.txt", Some(b"text\0with a nul\n")),
            ],
        )];
        let renamed = long.replace("line 3 ", "line three ");
        ids.push(commit(
            &repo,
            &[
                ("src/a.py", Some(b"a = 1\nb = 20\nc = 3\nd = 4\n")),
                ("old/name.txt", None),
                ("new/name.txt", Some(renamed.as_bytes())),
                ("bin.dat", Some(b"\0\x01\x02binary, AKIAQ3EGRZ7XK2MNB5TW\n")),
                ("nul.txt", Some(b"text now\nkey = 1\n")),
                ("added.md", Some(b"# new\n")),
            ],
        ));
        ids.push(commit(
            &repo,
            &[
                ("src/a.py", Some(b"a = 1\nb = 20\nc = 3\nd = 4\ne = 5\n")),
                ("nul.txt", Some(b"text now\nkey = 1\0\n")),
                ("added.md", Some(b"# new\n")),
            ],
        ));
        for (i, id) in ids.iter().enumerate() {
            let spec = match i {
                0 => format!("4b825dc642cb6eb9a060e54bf8d69288fbee4904..{id}"),
                _ => format!("{}..{id}", ids[i - 1]),
            };
            let mut want = super::super::git::range(&repo, &spec, false).unwrap();
            // The per-commit review reads what each commit adds, not the paths it takes away (a
            // rename's old path).
            want.files.retain(|f| !f.deleted);
            for f in &mut want.files {
                if f.base == Base::Modified {
                    f.base = Base::Unknown;
                    f.old_text = None;
                }
            }
            for mut cache in [BlobCache::default(), {
                // A cache that already holds every blob of the parent.
                let mut cache = BlobCache::default();
                if i > 0 {
                    let _ = commit_changes(&repo, ids[i - 1], &mut cache).unwrap();
                }
                cache
            }] {
                let got = commit_changes(&repo, *id, &mut cache).unwrap();
                // A binary version judged text again keeps the old text, as the range does.
                let mut got_seen = got.clone();
                for f in &mut got_seen.files {
                    if f.base == Base::Modified {
                        f.base = Base::Unknown;
                        f.old_text = None;
                    }
                }
                assert_eq!(seen(&got_seen), seen(&want), "commit {i}");
                assert_eq!(got.raw_paths, want.raw_paths);
            }
        }
    }

    #[test]
    fn parses_push_lines() {
        let zero = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let input = format!(
            "refs/heads/new {a} refs/heads/new {zero}\nrefs/heads/x {b} refs/heads/x {a}\n(delete) {zero} refs/heads/gone {b}\n\n"
        );
        let refs = parse_push(&input).unwrap();
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].remote, None);
        assert_eq!(refs[1].remote, Some(Oid::from_str(&a).unwrap()));
        assert!(parse_push("refs/heads/x abc").is_err());
        assert!(parse_push(&format!("r {a} r nothex")).is_err());
    }
}
