//! Codex's `apply_patch` envelope: parsing it and applying its hunks to the current files the way Codex
//! does (find the hunk's old lines from a moving cursor, after its `@@` context line; exact, then
//! ignoring trailing, then surrounding whitespace).
//!
//! ```text
//! *** Begin Patch
//! *** Add File: path        (then `+` lines)
//! *** Update File: path     (optional `*** Move to: path`, then `@@ [context]` hunks of ` `/`-`/`+` lines)
//! *** Delete File: path
//! *** End Patch
//! ```

/// One hunk of an update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hunk {
    /// The text after `@@`, a line to find before the hunk (None: none given).
    pub context: Option<String>,
    /// The lines the hunk expects (context and removed lines).
    pub old: Vec<String>,
    /// The lines it leaves (context and added lines).
    pub new: Vec<String>,
    /// The hunk ends at the end of the file (`*** End of File`).
    pub at_end: bool,
}

/// One file operation of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// A new file with these lines.
    Add {
        /// Its path.
        path: String,
        /// Its lines.
        lines: Vec<String>,
    },
    /// A file removed.
    Delete {
        /// Its path.
        path: String,
    },
    /// A file changed (and perhaps moved).
    Update {
        /// Its path.
        path: String,
        /// Where it moves to, if it does.
        move_to: Option<String>,
        /// The hunks, in order.
        hunks: Vec<Hunk>,
    },
}

impl FileOp {
    /// The path the new content ends up at.
    pub fn target(&self) -> &str {
        match self {
            FileOp::Add { path, .. } | FileOp::Delete { path } => path,
            FileOp::Update { path, move_to, .. } => move_to.as_deref().unwrap_or(path),
        }
    }
}

/// Parses a patch envelope. Lenient where Codex is: text before `*** Begin Patch` (a heredoc's
/// `apply_patch <<'EOF'`) and a missing `*** End Patch` are accepted.
pub fn parse(text: &str) -> Result<Vec<FileOp>, String> {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let begin = lines
        .iter()
        .position(|l| l.trim() == "*** Begin Patch")
        .ok_or("the patch has no `*** Begin Patch` line")?;
    let mut ops: Vec<FileOp> = Vec::new();
    for (index, &line) in lines.iter().enumerate().skip(begin + 1) {
        let number = index + 1;
        if line.trim() == "*** End Patch" {
            break;
        }
        if let Some(path) = line.strip_prefix("*** Add File: ") {
            ops.push(FileOp::Add {
                path: path.trim().to_string(),
                lines: Vec::new(),
            });
        } else if let Some(path) = line.strip_prefix("*** Delete File: ") {
            ops.push(FileOp::Delete {
                path: path.trim().to_string(),
            });
        } else if let Some(path) = line.strip_prefix("*** Update File: ") {
            ops.push(FileOp::Update {
                path: path.trim().to_string(),
                move_to: None,
                hunks: Vec::new(),
            });
        } else if let Some(path) = line.strip_prefix("*** Move to: ") {
            match ops.last_mut() {
                Some(FileOp::Update { move_to, .. }) => *move_to = Some(path.trim().to_string()),
                _ => {
                    return Err(format!(
                        "patch line {number}: `*** Move to:` outside an update"
                    ))
                }
            }
        } else {
            match ops.last_mut() {
                Some(FileOp::Add { lines, .. }) => match line.strip_prefix('+') {
                    Some(added) => lines.push(added.to_string()),
                    None if line.is_empty() => {}
                    None => {
                        return Err(format!(
                            "patch line {number}: a line of an added file must start with `+`"
                        ))
                    }
                },
                Some(FileOp::Update { hunks, .. }) => update_line(hunks, line, number)?,
                Some(FileOp::Delete { .. }) if line.trim().is_empty() => {}
                _ => {
                    return Err(format!(
                        "patch line {number}: expected `*** Add File:`, `*** Update File:` or `*** Delete File:`"
                    ))
                }
            }
        }
    }
    Ok(ops)
}

fn update_line(hunks: &mut Vec<Hunk>, line: &str, number: usize) -> Result<(), String> {
    if let Some(context) = line.strip_prefix("@@") {
        let context = context.trim();
        hunks.push(Hunk {
            context: (!context.is_empty()).then(|| context.to_string()),
            ..Hunk::default()
        });
        return Ok(());
    }
    if line.trim() == "*** End of File" {
        if let Some(hunk) = hunks.last_mut() {
            hunk.at_end = true;
        }
        return Ok(());
    }
    if hunks.is_empty() {
        // The first hunk of an update may omit its `@@` line.
        hunks.push(Hunk::default());
    }
    let hunk = hunks.last_mut().expect("a hunk exists");
    match line.as_bytes().first() {
        Some(b'+') => hunk.new.push(line[1..].to_string()),
        Some(b'-') => hunk.old.push(line[1..].to_string()),
        Some(b' ') => {
            hunk.old.push(line[1..].to_string());
            hunk.new.push(line[1..].to_string());
        }
        None => {
            hunk.old.push(String::new());
            hunk.new.push(String::new());
        }
        _ => {
            return Err(format!(
                "patch line {number}: a hunk line must start with ` `, `-` or `+`"
            ))
        }
    }
    Ok(())
}

/// Applies an update's hunks to the current text; None when a hunk does not fit.
pub fn apply(current: &str, hunks: &[Hunk]) -> Option<String> {
    let mut lines: Vec<&str> = current.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let lines: Vec<String> = lines
        .into_iter()
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    let mut replacements: Vec<(usize, usize, &[String])> = Vec::new();
    let mut cursor = 0usize;
    for hunk in hunks {
        if let Some(context) = &hunk.context {
            let found = seek(&lines, std::slice::from_ref(context), cursor, false)?;
            cursor = found + 1;
        }
        if hunk.old.is_empty() {
            replacements.push((lines.len(), 0, &hunk.new));
            continue;
        }
        let mut old: &[String] = &hunk.old;
        let mut new: &[String] = &hunk.new;
        let mut found = seek(&lines, old, cursor, hunk.at_end);
        // A trailing empty line in the hunk may stand for the file's final newline.
        if found.is_none() && old.last().is_some_and(String::is_empty) {
            old = &old[..old.len() - 1];
            if new.last().is_some_and(String::is_empty) {
                new = &new[..new.len() - 1];
            }
            found = seek(&lines, old, cursor, hunk.at_end);
        }
        let start = found?;
        replacements.push((start, old.len(), new));
        cursor = start + old.len();
    }
    let mut result = lines;
    replacements.sort_by_key(|(start, _, _)| *start);
    for (start, len, new) in replacements.into_iter().rev() {
        result.splice(start..start + len, new.iter().cloned());
    }
    let mut text = result.join("\n");
    text.push('\n');
    Some(text)
}

/// Where `pattern` occurs in `lines` at or after `from`: exactly, then ignoring trailing whitespace,
/// then ignoring surrounding whitespace. `at_end` tries the end of the file first.
fn seek(lines: &[String], pattern: &[String], from: usize, at_end: bool) -> Option<usize> {
    if pattern.is_empty() {
        return Some(from);
    }
    if pattern.len() > lines.len() {
        return None;
    }
    let last_start = lines.len() - pattern.len();
    let normalizers: [fn(&str) -> &str; 3] = [|s| s, str::trim_end, str::trim];
    for normalize in normalizers {
        let fits = |start: usize| {
            lines[start..start + pattern.len()]
                .iter()
                .zip(pattern)
                .all(|(a, b)| normalize(a) == normalize(b))
        };
        if at_end && last_start >= from && fits(last_start) {
            return Some(last_start);
        }
        if let Some(start) = (from..=last_start).find(|&s| fits(s)) {
            return Some(start);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "*** Begin Patch\n*** Add File: new.py\n+import os\n+print(1)\n*** Update File: app.py\n*** Move to: main.py\n@@ def run():\n     a = 1\n-    b = 2\n+    b = 3\n+    c = 4\n*** Delete File: old.py\n*** End Patch\n";

    #[test]
    fn parses_every_operation() {
        let ops = parse(PATCH).unwrap();
        assert_eq!(ops.len(), 3);
        assert_eq!(
            ops[0],
            FileOp::Add {
                path: "new.py".into(),
                lines: vec!["import os".into(), "print(1)".into()]
            }
        );
        assert_eq!(ops[1].target(), "main.py");
        assert_eq!(
            ops[2],
            FileOp::Delete {
                path: "old.py".into()
            }
        );
        assert!(parse("no patch here").is_err());
    }

    #[test]
    fn applies_hunks_after_their_context() {
        let ops = parse(PATCH).unwrap();
        let FileOp::Update { hunks, .. } = &ops[1] else {
            panic!()
        };
        let current = "x = 0\ndef run():\n    a = 1\n    b = 2\n    return a\n";
        assert_eq!(
            apply(current, hunks).unwrap(),
            "x = 0\ndef run():\n    a = 1\n    b = 3\n    c = 4\n    return a\n"
        );
        assert_eq!(apply("nothing like it\n", hunks), None);
    }
}
