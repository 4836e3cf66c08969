//! The dependency diff: each changed manifest is parsed (by [`crate::manifest`]) in its new and, when
//! the source knows it, old version, and every dependency the change adds, or whose version or source it
//! changes, is reported at its line — with typosquats, non-registry sources, unbounded versions and
//! install scripts raised. The checks are data (`checks/dependency.yml`, `produced_by: dependencies`)
//! that give the findings their ids, severities, messages and help; this module decides which of them
//! apply ([`DependencyFinding`], whose ids the check loader requires).

mod group;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::checks::{Check, CheckSet};
use crate::manifest::typosquat::PopularLists;
use crate::manifest::{
    change, is_exact, is_full_sha, is_proc_macro_crate, is_unbounded, normalize, shorten, DeclKind,
    Declared, Manifest,
};
use crate::model::DependencyFinding as Id;
use crate::model::{fnv1a64, Change, ChangedFile, Dependency, Finding, Source, TextExtent};

/// The popular package lists of the built-in check files, read once.
pub fn popular() -> &'static PopularLists {
    static LISTS: OnceLock<PopularLists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let files = crate::checks::builtin_files().unwrap_or_default();
        PopularLists::from_files(files.iter().map(|(n, t)| (n.as_ref(), t.as_ref())))
    })
}

/// The popular package of `ecosystem` that `name` imitates, if it imitates one.
pub fn resembles(ecosystem: &str, name: &str) -> Option<String> {
    popular().resembles(ecosystem, name)
}

/// Reviews the dependency manifests among `files`: findings for the checks in `set` that the
/// dependency analysis produces (one per change of one dependency, with the other places the same change
/// is made as related parts), and the list of added, removed or changed dependencies.
pub fn review(set: &CheckSet, files: &[ChangedFile]) -> (Vec<Finding>, Vec<Dependency>) {
    let mut pending: Vec<group::Pending> = Vec::new();
    let mut dependencies = Vec::new();
    let locked_dirs = group::locked_dirs(files);
    // The actions and images listed so far: (ecosystem, name, from, to).
    let mut listed: HashSet<(&'static str, String, Option<String>, String)> = HashSet::new();
    for file in files {
        let Some(kind) = Manifest::of(&file.path) else {
            continue;
        };
        // A manifest moved to another manifest of its kind declares the same there (reviewed at the
        // new path against its old text): nothing is removed.
        if file
            .renamed_to
            .as_deref()
            .is_some_and(|new| Manifest::of(new) == Some(kind))
        {
            continue;
        }
        // A bare patch holds only pieces of the manifest: line-based formats are read from those pieces
        // put back at their line numbers; structured ones (JSON, TOML, XML) cannot be read from pieces.
        let sparse;
        // For pieces: each line of `text`'s number in the new file (0 for a gap between pieces).
        let mut numbers: Option<Vec<u32>> = None;
        let text: &str = match &file.extent {
            TextExtent::Whole => &file.text,
            TextExtent::Pieces(pieces) if kind.is_line_based() => {
                let (joined, lines) = sparse_text(file, pieces);
                sparse = joined;
                numbers = Some(lines);
                &sparse
            }
            TextExtent::Pieces(_) => continue,
        };
        // A line of `text` as a line number of the new file.
        let real = |line: u32| -> u32 {
            match &numbers {
                None => line,
                Some(numbers) => (line as usize)
                    .checked_sub(1)
                    .and_then(|i| numbers.get(i))
                    .copied()
                    .unwrap_or(line),
            }
        };
        let ecosystem = kind.ecosystem();
        let locked = kind.is_lockfile();
        let emit = |id: Id, decl: &Declared, detail: String, pending: &mut Vec<group::Pending>| {
            if let Some(check) = set.get(id.id()).filter(|c| c.is_produced()) {
                let mut found = finding(check, &file.path, text, decl.line, &decl.name, detail);
                found.line = real(decl.line);
                pending.push(group::Pending::new(
                    id, ecosystem, decl, &file.path, locked, found,
                ));
            }
        };
        // A deleted manifest declares nothing: each of its old declarations is removed.
        let parsed = if file.deleted {
            Ok(Vec::new())
        } else {
            kind.parse(text)
        };
        let new = match parsed {
            Ok(decls) => decls,
            Err(error) => {
                if let Some(check) = set
                    .get(Id::ManifestUnparseable.id())
                    .filter(|c| c.is_produced())
                {
                    let message = format!("{}: {error}", file.path);
                    findings_direct(
                        &mut pending,
                        finding(check, &file.path, text, 1, "", message),
                    );
                }
                continue;
            }
        };
        // A name can be declared more than once (an image in two stages, an action in two jobs): keep all.
        let old: Option<HashMap<(DeclKind, String), Vec<Declared>>> =
            file.old_text.as_deref().map(|old| {
                let mut map: HashMap<(DeclKind, String), Vec<Declared>> = HashMap::new();
                for d in kind.parse(old).unwrap_or_default() {
                    map.entry((d.kind, normalize(&d.name))).or_default().push(d);
                }
                map
            });
        let added_lines: HashSet<u32> = file.added.iter().map(|l| l.number).collect();
        let context = group::Context::of(kind, &file.path, text, &locked_dirs);
        let mut present: HashSet<(DeclKind, String)> = HashSet::new();
        for decl in new {
            let key = (decl.kind, normalize(&decl.name));
            let (change, before) = match &old {
                Some(old) => match old.get(&key) {
                    None => (Change::Added, None),
                    Some(before) => {
                        let same = |b: &&Declared| {
                            change::classify(
                                ecosystem,
                                (&b.spec, b.source),
                                (&decl.spec, decl.source),
                            )
                            .is_none()
                        };
                        if before.iter().any(|b| same(&b)) {
                            present.insert(key);
                            continue;
                        }
                        let first = &before[0];
                        let kind_of = change::classify(
                            ecosystem,
                            (&first.spec, first.source),
                            (&decl.spec, decl.source),
                        )
                        .unwrap_or(Change::Changed);
                        (kind_of, Some(first))
                    }
                },
                // Without the old version, what sits on an added line is what the change adds.
                None if added_lines.contains(&real(decl.line)) => (Change::Added, None),
                None => continue,
            };
            present.insert(key);
            let from = before.map(|b| b.spec.as_str());
            // The dependency list's entry for this declaration.
            let entry = || {
                dependency(
                    ecosystem,
                    &decl,
                    from,
                    change,
                    file,
                    real(decl.line),
                    locked,
                )
            };
            match decl.kind {
                DeclKind::InstallScript => {
                    let detail = match from {
                        None => format!(
                            "adds {ecosystem} install script `{}`: {}",
                            decl.name,
                            shorten(&decl.spec)
                        ),
                        Some(from) => format!(
                            "changes {ecosystem} install script `{}`: {} → {}",
                            decl.name,
                            shorten(from),
                            shorten(&decl.spec)
                        ),
                    };
                    emit(Id::InstallScript, &decl, detail, &mut pending);
                }
                DeclKind::Index => {
                    let verb = if from.is_some() { "changes" } else { "adds" };
                    let detail =
                        format!("{verb} {ecosystem} package index `{}`", shorten(&decl.spec));
                    emit(Id::Index, &decl, detail, &mut pending);
                }
                DeclKind::Image | DeclKind::Action => {
                    // Listed once per bump, however many lines make it.
                    let what = if decl.kind == DeclKind::Image {
                        "docker"
                    } else {
                        "actions"
                    };
                    if listed.insert((
                        what,
                        normalize(&decl.name),
                        from.map(str::to_string),
                        decl.spec.clone(),
                    )) {
                        let mut entry =
                            dependency(what, &decl, from, change, file, real(decl.line), locked);
                        entry.ecosystem = what;
                        dependencies.push(entry);
                    }
                    let mut squatted = false;
                    if let Some(popular) = resembles(ecosystem, &decl.name) {
                        let detail = format!(
                            "`{}` resembles the popular {ecosystem} `{popular}`",
                            decl.name
                        );
                        let before = pending.len();
                        emit(Id::Typosquat, &decl, detail, &mut pending);
                        squatted = pending.len() > before;
                    }
                    let (pinned, id, what) = if decl.kind == DeclKind::Image {
                        (decl.spec.contains("@sha256:"), Id::UnpinnedImage, "image")
                    } else {
                        (is_full_sha(&decl.spec), Id::UnpinnedAction, "action")
                    };
                    // A bump that keeps an image on a tag is no new risk: the tag was trusted before. A
                    // third-party action's new tag is new code run with the workflow's token: still a
                    // finding.
                    let was_unpinned = decl.kind == DeclKind::Image
                        && before.is_some_and(|b| !b.spec.contains("@sha256:"));
                    let mut detail = group::describe(change, what, &decl.name, from, &decl.spec);
                    // GitHub's own actions (`actions/*`, `github/*`: organizations nobody else can
                    // publish under) by tag are not the third-party risk the pin is about.
                    let first_party =
                        decl.kind == DeclKind::Action && group::is_github_owned(&decl.name);
                    if first_party && !pinned {
                        detail.push_str(" (GitHub's own action)");
                    }
                    let id =
                        if pinned || first_party || (was_unpinned && change == Change::Upgraded) {
                            Id::New
                        } else {
                            id
                        };
                    // A typosquat error already says the action is new: no note besides it.
                    if !(squatted && id == Id::New) {
                        emit(id, &decl, detail, &mut pending);
                    }
                }
                DeclKind::Package if ecosystem == "pre-commit" => {
                    dependencies.push(entry());
                    let detail = group::describe(
                        change,
                        "pre-commit hook repository",
                        &decl.name,
                        from,
                        &decl.spec,
                    );
                    let id = if before.is_none() || !crate::manifest::is_pinned_rev(&decl.spec) {
                        Id::PreCommitRepo
                    } else {
                        Id::New
                    };
                    let detail = if crate::manifest::is_pinned_rev(&decl.spec) {
                        detail
                    } else {
                        format!(
                            "{detail} (rev `{}` is a branch, not a tag or commit)",
                            decl.spec
                        )
                    };
                    emit(id, &decl, detail, &mut pending);
                }
                // A lockfile's packages from the default index are listed (the new ones), not findings:
                // a lock refresh moves dozens of transitive versions nobody chose one by one.
                DeclKind::Package if locked && decl.source == Source::Registry => {
                    if change == Change::Added {
                        dependencies.push(entry());
                    }
                }
                DeclKind::Package => {
                    dependencies.push(entry());
                    let what = format!("{ecosystem} package");
                    let mut detail = group::describe(change, &what, &decl.name, from, &decl.spec);
                    // Packages a Dockerfile installs belong to pip, npm, gem…, not to the image list.
                    let squat = (ecosystem != "docker")
                        .then(|| resembles(ecosystem, &decl.name))
                        .flatten();
                    let mut squatted = false;
                    if let Some(popular) = squat {
                        let detail =
                            format!("`{}` resembles the popular package `{popular}`", decl.name);
                        let before = pending.len();
                        emit(Id::Typosquat, &decl, detail, &mut pending);
                        squatted = pending.len() > before;
                    }
                    let was_unbounded = before.is_some_and(|b| {
                        b.source == Source::Registry && is_unbounded(ecosystem, &b.spec)
                    });
                    // A path inside the repository is the project's own code, reviewed with it.
                    // (Not in a lockfile: its paths are relative to the workspace package that links them.)
                    let own = decl.source == Source::Path
                        && !locked
                        && group::inside_repo(&file.path, &decl.spec);
                    let id = if own {
                        Id::New
                    } else if decl.source != Source::Registry {
                        Id::NonRegistry
                    } else if is_unbounded(ecosystem, &decl.spec)
                        && !was_unbounded
                        && context.unbounded_matters()
                    {
                        Id::Unbounded
                    } else if ecosystem == "crates" && is_proc_macro_crate(&decl.name) {
                        Id::ProcMacro
                    } else if change == Change::Loosened
                        && before.is_some_and(|b| {
                            // An exact pin turned into a range, or an upper bound dropped: raising
                            // a cap (`<8` → `<9`) is an ordinary upgrade of what is allowed.
                            is_exact(ecosystem, &b.spec)
                                || (is_unbounded(ecosystem, &decl.spec)
                                    && !is_unbounded(ecosystem, &b.spec))
                        })
                    {
                        Id::Loosened
                    } else {
                        Id::New
                    };
                    if own {
                        detail.push_str(" (from a path in the repository)");
                    } else if decl.source != Source::Registry {
                        detail.push_str(&format!(" (from {})", decl.source.as_str()));
                    }
                    // A typosquat error on the line already says the package is new: no note besides it.
                    if !(squatted && id == Id::New) {
                        emit(id, &decl, detail, &mut pending);
                    }
                }
            }
        }
        // What the old manifest declared and the new one does not: listed, not a finding.
        if let Some(old) = &old {
            for (key, before) in old {
                if key.0 != DeclKind::Package || present.contains(key) {
                    continue;
                }
                let b = &before[0];
                if locked && b.source == Source::Registry {
                    continue;
                }
                let mut gone = dependency(
                    ecosystem,
                    b,
                    Some(&b.spec),
                    Change::Removed,
                    file,
                    b.line,
                    locked,
                );
                gone.to = None;
                dependencies.push(gone);
            }
        }
    }
    dependencies.sort_by(|a, b| {
        (&a.manifest, a.line, &a.name, a.change.as_str()).cmp(&(
            &b.manifest,
            b.line,
            &b.name,
            b.change.as_str(),
        ))
    });
    (group::merge(pending), dependencies)
}

/// A finding that is not about one dependency (a broken manifest), kept as it is.
fn findings_direct(pending: &mut Vec<group::Pending>, found: Finding) {
    pending.push(group::Pending::alone(found));
}

/// The dependency list's entry for a declaration.
fn dependency(
    ecosystem: &'static str,
    decl: &Declared,
    from: Option<&str>,
    change: Change,
    file: &ChangedFile,
    line: u32,
    locked: bool,
) -> Dependency {
    Dependency {
        ecosystem,
        name: decl.name.clone(),
        version: decl.spec.clone(),
        from: from.map(str::to_string),
        to: Some(decl.spec.clone()),
        source: decl.source,
        manifest: file.path.clone(),
        line,
        change,
        locked,
        launcher: None,
        package: None,
    }
}

/// The pieces of a patched file put together in order, each at its line number relative to the others:
/// consecutive pieces stay adjacent, and a gap between two pieces becomes one empty line (so that no
/// block or continuation runs across it). Returns the text and, for each of its lines, the line's number
/// in the new file. Sized by the pieces' own lines, never by the line numbers a patch claims.
fn sparse_text(file: &ChangedFile, pieces: &[std::ops::Range<usize>]) -> (String, Vec<u32>) {
    let mut text = String::new();
    let mut numbers: Vec<u32> = Vec::new();
    let mut added = file.added.iter().peekable();
    for piece in pieces {
        // Pieces and added lines are both in text order: skip the added lines of earlier pieces.
        while added.peek().is_some_and(|l| l.start < piece.start) {
            added.next();
        }
        let Some(anchor) = added.peek().filter(|l| piece.contains(&l.start)) else {
            continue;
        };
        let before = file.text[piece.start..anchor.start].matches('\n').count() as u32;
        let Some(first) = anchor.number.checked_sub(before).filter(|&n| n >= 1) else {
            continue;
        };
        match numbers.last() {
            Some(&last) if first <= last => continue,
            Some(&last) if first > last + 1 => {
                text.push('\n');
                numbers.push(0);
            }
            None if first > 1 => {
                text.push('\n');
                numbers.push(0);
            }
            _ => {}
        }
        for (i, line) in file.text[piece.clone()].lines().enumerate() {
            text.push_str(line.trim_end_matches('\r'));
            text.push('\n');
            numbers.push(first.saturating_add(i as u32));
        }
    }
    (text, numbers)
}

/// A finding at `line` of the manifest `text`, marking `name` in it when the line holds it.
fn finding(
    check: &Check,
    path: &str,
    text: &str,
    line: u32,
    name: &str,
    message: String,
) -> Finding {
    let line_text = text
        .split('\n')
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("")
        .trim_end_matches('\r');
    let (start, end) = match line_text.find(name).filter(|_| !name.is_empty()) {
        Some(at) => (at, at + name.len()),
        None => (0, line_text.len()),
    };
    let snippet = crate::engine::snippet::render(line_text, &[], start, end);
    let column = line_text[..start].chars().count() as u32 + 1;
    Finding {
        path: path.to_string(),
        line,
        column,
        end_column: column + line_text[start..end].chars().count() as u32,
        fingerprint: format!(
            "{:016x}",
            fnv1a64(&[
                check.meta.id.as_bytes(),
                path.as_bytes(),
                message.as_bytes()
            ])
        ),
        snippet_column: snippet.column as u32,
        snippet_width: snippet.width as u32,
        snippet: snippet.text,
        ..Finding::of(
            check.meta.id.to_string(),
            check.meta.category,
            check.meta.severity,
            format!("{}: {message}", check.meta.message),
        )
    }
}

/// A finding of an engine-produced check on line `line` of `path` (whose text is `text`), with `message`
/// after the check's own; the whole line is the match. Used for findings on the configuration.
pub fn policy_finding(
    check: &Check,
    path: &str,
    text: &str,
    line: u32,
    message: String,
) -> Finding {
    finding(check, path, text, line, "", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11 item 11: a bare patch's hunk far down a line-based manifest made the reader lay the
    /// pieces out in a table as long as the line number (32 GiB, then SIGABRT). The pieces are now
    /// joined compactly and their lines mapped back, so findings keep their real line numbers.
    #[test]
    fn patch_pieces_far_down_a_manifest_are_read_without_a_table_of_that_size() {
        let set = crate::checks::into_set(crate::checks::load_checked(&[]).unwrap());
        for (manifest, added) in [
            ("requirements.txt", "reqeusts==2.31.0"),
            ("go.mod", "require github.com/x/y v1.0.0"),
            ("Gemfile", "gem 'rails'"),
            ("Dockerfile", "FROM ubuntu:latest"),
            (
                ".github/workflows/ci.yml",
                "      - uses: dtolnay/rust-toolchain@stable",
            ),
        ] {
            let patch = format!(
                "--- a/{manifest}\n+++ b/{manifest}\n@@ -9,0 +10 @@\n+{added}\n@@ -2147482990,0 +2147483000,1 @@\n+{added}\n"
            );
            let changes = crate::source::patch::parse(patch.as_bytes()).unwrap();
            let (findings, dependencies) = review(&set, &changes.files);
            let lines: Vec<u32> = findings
                .iter()
                .map(|f| f.line)
                .chain(dependencies.iter().map(|d| d.line))
                .collect();
            assert!(
                lines.iter().all(|&l| l == 10 || l == 2_147_483_000),
                "{manifest}: {lines:?}"
            );
            if manifest == "requirements.txt" {
                assert!(
                    lines.contains(&10) && lines.contains(&2_147_483_000),
                    "{lines:?}"
                );
                // The same package at two lines is one finding, the other line its related part.
                let typo = findings
                    .iter()
                    .find(|f| f.check == "dependency.typosquat")
                    .unwrap();
                assert_eq!((typo.line, typo.snippet.as_str()), (10, "reqeusts==2.31.0"));
                assert_eq!(typo.parts[0].line, 2_147_483_000);
            }
        }
    }
}
