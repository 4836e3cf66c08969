//! Walks the manifest fixture pairs: `fixtures/manifests/<case>/old.<manifest name>` and
//! `new.<manifest name>` (old may be missing: a new manifest), and `expected.txt` listing every dependency
//! finding the change must produce, one `<line> <check id>` a line (`#` comments). Nothing else may fire.

use std::path::Path;

use review_gate::model::ChangedFile;

fn changed_file(path: &str, new: &str, old: Option<String>) -> ChangedFile {
    let mut file = review_gate::source::whole_file(
        path.to_string(),
        new.to_string(),
        review_gate::source::AddedLines::All,
    );
    file.old_text = old;
    file
}

#[test]
fn every_manifest_pair_gives_exactly_the_expected_findings() {
    let checks =
        review_gate::checks::into_set(review_gate::checks::load_checked(&[]).expect("checks load"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/manifests");
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures/manifests")
        .flatten()
        .collect();
    dirs.sort_by_key(|d| d.path());
    for dir in dirs {
        let dir = dir.path();
        let mut new = None;
        let mut old = None;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(manifest) = name.strip_prefix("new.") {
                new = Some((
                    manifest.to_string(),
                    std::fs::read_to_string(entry.path()).unwrap(),
                ));
            } else if name.starts_with("old.") {
                old = Some(std::fs::read_to_string(entry.path()).unwrap());
            }
        }
        let Some((manifest, new_text)) = new else {
            failures.push(format!("{}: no new.<manifest> file", dir.display()));
            continue;
        };
        cases += 1;
        // Workflows must live under .github/workflows to be recognized.
        let path = if manifest.ends_with(".yml") || manifest.ends_with(".yaml") {
            format!(".github/workflows/{manifest}")
        } else {
            manifest.clone()
        };
        let expected_text = std::fs::read_to_string(dir.join("expected.txt")).unwrap_or_default();
        let mut expected: Vec<(u32, String)> = expected_text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (line, id) = l.split_once(' ').expect("`<line> <check id>`");
                (
                    line.trim().parse().expect("a line number"),
                    id.trim().to_string(),
                )
            })
            .collect();
        let file = changed_file(&path, &new_text, old);
        let (findings, _) = review_gate::engine::deps::review(&checks, std::slice::from_ref(&file));
        let mut got: Vec<(u32, String)> =
            findings.iter().map(|f| (f.line, f.check.clone())).collect();
        expected.sort();
        got.sort();
        if expected != got {
            let messages: Vec<String> = findings
                .iter()
                .map(|f| format!("  {} {} — {}", f.line, f.check, f.message))
                .collect();
            failures.push(format!(
                "{}:\n expected {expected:?}\n got      {got:?}\n{}",
                dir.display(),
                messages.join("\n")
            ));
        }
    }
    assert!(cases > 0, "no manifest fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
