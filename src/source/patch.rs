//! Changes from a unified diff (`git diff`, `diff -u`, `format-patch` output): each hunk's context and
//! added lines become a piece of the new file's text.

use anyhow::{bail, Result};

use crate::lang::Language;
use crate::model::{AddedLine, ChangeSet, ChangedFile, Skipped, TextExtent};

/// A file being assembled from a patch.
#[derive(Default)]
struct Building {
    path: Option<String>,
    deleted: bool,
    submodule: bool,
    binary: bool,
    text: String,
    pieces: Vec<std::ops::Range<usize>>,
    added: Vec<AddedLine>,
    first_line_known: bool,
}

/// Parses unified-diff text into changed files. Text outside file sections (commit messages, mail
/// headers) is ignored; a hunk header that does not parse is an error naming its line.
pub fn parse(input: &[u8]) -> Result<ChangeSet> {
    let text = super::decode(input.to_vec());
    let mut files = Vec::new();
    let mut skipped = Skipped::default();
    let mut current: Option<Building> = None;
    let mut old_left: u32 = 0;
    let mut new_left: u32 = 0;
    let mut new_line: u32 = 0;
    let mut piece_start = 0usize;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if old_left > 0 || new_left > 0 {
            let file = current.as_mut().expect("hunks only follow a file header");
            let (marker, content) = match line.as_bytes().first() {
                Some(&b) => (b, &line[1..]),
                None => (b' ', ""),
            };
            match marker {
                b'+' => {
                    let start = file.text.len();
                    file.text.push_str(content);
                    file.added.push(AddedLine {
                        number: new_line,
                        start,
                        end: file.text.len(),
                    });
                    file.text.push('\n');
                    new_line += 1;
                    new_left = new_left.saturating_sub(1);
                }
                b' ' => {
                    file.text.push_str(content);
                    file.text.push('\n');
                    new_line += 1;
                    new_left = new_left.saturating_sub(1);
                    old_left = old_left.saturating_sub(1);
                }
                b'-' => old_left = old_left.saturating_sub(1),
                b'\\' => {}
                _ => {
                    // A truncated hunk: stop it here and read the line as a header.
                    old_left = 0;
                    new_left = 0;
                }
            }
            if old_left == 0 && new_left == 0 {
                file.pieces.push(piece_start..file.text.len());
            }
            if old_left > 0
                || new_left > 0
                || marker == b'\\'
                || matches!(marker, b'+' | b' ' | b'-')
            {
                continue;
            }
        }
        if line.starts_with("diff --git ")
            || line.starts_with("diff -")
            || line.starts_with("Index: ")
        {
            finish(current.take(), &mut files, &mut skipped);
            let mut file = Building::default();
            if let Some(rest) = line.strip_prefix("diff --git ") {
                file.path = git_header_new_path(rest);
            }
            current = Some(file);
        } else if let Some(rest) = line.strip_prefix("--- ") {
            if current
                .as_ref()
                .is_none_or(|f| !f.added.is_empty() || !f.pieces.is_empty())
            {
                finish(current.take(), &mut files, &mut skipped);
                current = Some(Building::default());
            }
            let _ = rest;
        } else if let Some(rest) = line.strip_prefix("+++ ") {
            let file = current.get_or_insert_with(Building::default);
            let path = header_path(rest);
            if path == "/dev/null" {
                file.deleted = true;
            } else {
                file.path = Some(strip_prefix(&path));
            }
        } else if line.starts_with("@@ ") {
            let Some(file) = current.as_mut() else {
                bail!(
                    "patch line {}: a hunk header with no file header before it",
                    index + 1
                );
            };
            let Some((old_count, new_start, new_count)) = parse_hunk_header(line) else {
                bail!(
                    "patch line {}: cannot read the hunk header `{line}`",
                    index + 1
                );
            };
            old_left = old_count;
            new_left = new_count;
            new_line = new_start;
            piece_start = file.text.len();
            if new_start <= 1 {
                file.first_line_known = true;
            }
            if old_left == 0 && new_left == 0 {
                file.pieces.push(piece_start..piece_start);
            }
        } else if let Some(file) = current.as_mut() {
            if line.starts_with("deleted file mode") {
                file.deleted = true;
            } else if line.contains(" 160000")
                && (line.starts_with("new file mode") || line.starts_with("index "))
            {
                file.submodule = true;
            } else if line.starts_with("Binary files ") || line == "GIT binary patch" {
                file.binary = true;
            } else if let Some(to) = line
                .strip_prefix("rename to ")
                .or_else(|| line.strip_prefix("copy to "))
            {
                file.path = Some(unquote(to));
            }
        }
    }
    if let Some(file) = current.as_mut() {
        if old_left > 0 || new_left > 0 {
            file.pieces.push(piece_start..file.text.len());
        }
    }
    finish(current.take(), &mut files, &mut skipped);
    Ok(ChangeSet { files, skipped })
}

fn finish(file: Option<Building>, files: &mut Vec<ChangedFile>, skipped: &mut Skipped) {
    let Some(file) = file else { return };
    let Some(path) = file.path else { return };
    if file.binary {
        skipped.add_binary(path);
        return;
    }
    if file.submodule {
        skipped.add_non_text(path);
        return;
    }
    if file.deleted || file.added.is_empty() {
        return;
    }
    let first_line = if file.first_line_known {
        file.text.lines().next().unwrap_or("")
    } else {
        ""
    };
    let language = Language::detect(&path, first_line);
    files.push(ChangedFile {
        path,
        language,
        text: file.text,
        extent: TextExtent::Pieces(file.pieces),
        added: file.added,
        old_text: None,
    });
}

/// Replaces the partial text of each file with the whole file under `root` when that file holds every
/// added line at its number — the patch describes the working tree, so comments and imports far from the
/// hunks are known too, and `patch` sees what `diff` sees.
pub fn complete_from_worktree(set: &mut ChangeSet, root: &std::path::Path) {
    for file in &mut set.files {
        let Ok(bytes) = std::fs::read(root.join(&file.path)) else {
            continue;
        };
        let super::Content::Text(text) = super::sniff(bytes) else {
            continue;
        };
        let ranges: Vec<(u32, u32)> = file.added.iter().map(|l| (l.number, 1)).collect();
        let whole = super::whole_file(file.path.clone(), text, super::AddedLines::Ranges(&ranges));
        let same = whole.added.len() == file.added.len()
            && whole
                .added
                .iter()
                .zip(&file.added)
                .all(|(w, p)| w.number == p.number && whole.line_text(w) == file.line_text(p));
        if same {
            *file = whole;
        }
    }
}

/// `@@ -a,b +c,d @@ ...` → (b, c, d); counts default to 1.
fn parse_hunk_header(line: &str) -> Option<(u32, u32, u32)> {
    let mut parts = line.split_whitespace();
    parts.next()?;
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let count = |range: &str| -> Option<(u32, u32)> {
        match range.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((range.parse().ok()?, 1)),
        }
    };
    let (_, old_count) = count(old)?;
    let (new_start, new_count) = count(new)?;
    Some((old_count, new_start, new_count))
}

/// The path of a `---`/`+++` header, without a trailing timestamp and quotes.
fn header_path(rest: &str) -> String {
    let rest = rest.split('\t').next().unwrap_or(rest).trim_end();
    unquote(rest)
}

/// Removes git's `b/` (or any single-letter `x/`) prefix.
fn strip_prefix(path: &str) -> String {
    let bytes = path.as_bytes();
    if bytes.len() > 2 && bytes[1] == b'/' && bytes[0].is_ascii_lowercase() {
        path[2..].to_string()
    } else {
        path.strip_prefix("./").unwrap_or(path).to_string()
    }
}

/// `a/x b/y` → `y` (when the two halves are the same path, which holds for all but renames, and the
/// `+++` or `rename to` line settles those).
fn git_header_new_path(rest: &str) -> Option<String> {
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find("\" ")? + 1;
        return Some(strip_prefix(&unquote(rest[end + 2..].trim())));
    }
    let half = rest.len().checked_sub(1)? / 2;
    let (a, b) = (&rest[..half], rest.get(half + 1..)?);
    if a.len() > 2 && b.len() > 2 && a[2..] == b[2..] {
        return Some(strip_prefix(b));
    }
    rest.rsplit_once(" b/").map(|(_, b)| b.to_string())
}

/// Undoes git's C-style quoting of unusual paths.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut bytes = Vec::new();
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = chars.peek() {
                        value = value * 8 + u32::from(n - b'0');
                        chars.next();
                    }
                }
                bytes.push(value as u8);
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(set: &ChangeSet) -> Vec<(String, u32, String)> {
        set.files
            .iter()
            .flat_map(|f| {
                f.added
                    .iter()
                    .map(move |l| (f.path.clone(), l.number, f.line_text(l).to_string()))
            })
            .collect()
    }

    #[test]
    fn parses_git_diff_with_new_modified_deleted_and_binary_files() {
        let patch = "diff --git a/src/a.py b/src/a.py\nindex 1..2 100644\n--- a/src/a.py\n+++ b/src/a.py\n@@ -1,3 +1,4 @@\n import os\n-x = 1\n+x = 2\n+y = os.getenv('A')\n z = 3\n\\ No newline at end of file\ndiff --git a/new.sh b/new.sh\nnew file mode 100755\n--- /dev/null\n+++ b/new.sh\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+curl x | sh\ndiff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\ndiff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n";
        let set = parse(patch.as_bytes()).unwrap();
        assert_eq!(
            lines(&set),
            vec![
                ("src/a.py".into(), 2, "x = 2".into()),
                ("src/a.py".into(), 3, "y = os.getenv('A')".into()),
                ("new.sh".into(), 1, "#!/bin/sh".into()),
                ("new.sh".into(), 2, "curl x | sh".into()),
            ]
        );
        assert_eq!(set.files[1].language, Language::Shell);
        assert_eq!(set.skipped.binary, 1);
    }

    #[test]
    fn parses_plain_diff_u_and_removed_lines_that_look_like_headers() {
        let patch = "--- old/app.js\t2024-01-01 00:00:00\n+++ new/app.js\t2024-01-02 00:00:00\n@@ -1,2 +1,2 @@\n--- not a header\n+++ added\n keep\n";
        let set = parse(patch.as_bytes()).unwrap();
        assert_eq!(
            lines(&set),
            vec![("new/app.js".into(), 1, "++ added".into())]
        );
    }

    #[test]
    fn pure_rename_adds_nothing_and_bad_hunk_is_an_error() {
        let patch =
            "diff --git a/x.py b/y.py\nsimilarity index 100%\nrename from x.py\nrename to y.py\n";
        assert!(parse(patch.as_bytes()).unwrap().files.is_empty());
        let err = parse(b"--- a/x\n+++ b/x\n@@ nonsense @@\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }
}
