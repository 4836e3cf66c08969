//! The agent hook loads only the checks whose keywords and languages can match what it judges
//! (`pipeline::analyze_gated`). That must never change a verdict: every annotated fixture, reviewed as a
//! new file both ways, gives the same findings.

use std::path::Path;

use review_gate::model::{ChangeSet, Finding};
use review_gate::pipeline::{analyze, analyze_gated, Selection};
use review_gate::source::{whole_file, AddedLines};

fn fixture_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixture_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn summary(findings: &[Finding]) -> Vec<(String, u32, String, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f.path.clone(),
                f.line,
                f.check.clone(),
                f.severity.as_str().to_string(),
            )
        })
        .collect()
}

#[test]
fn gated_loading_finds_exactly_what_full_loading_finds() {
    let root = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    fixture_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/checks"),
        &mut files,
    );
    files.sort();
    assert!(files.len() > 100, "fixtures/checks lost files");
    let selection = Selection::default();
    // Every fixture under a path of its own: the one it stands for, else its directory and name.
    let fixtures: Vec<(String, String)> = files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let path = text
                .lines()
                .next()
                .and_then(|l| l.split_once("fixture-path:"))
                .map(|(_, p)| p.trim().to_string())
                .unwrap_or_else(|| {
                    let dir = file
                        .parent()
                        .unwrap()
                        .file_name()
                        .unwrap()
                        .to_string_lossy();
                    format!("{dir}/{}", file.file_name().unwrap().to_string_lossy())
                });
            (path, text)
        })
        .collect();
    let mut paths: Vec<&str> = fixtures.iter().map(|(p, _)| p.as_str()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(
        paths.len(),
        fixtures.len(),
        "two fixtures stand for the same path"
    );
    // All at once with every check, then each alone with only the checks it can need.
    let all = ChangeSet {
        files: fixtures
            .iter()
            .map(|(path, text)| whole_file(path.clone(), text.clone(), AddedLines::All))
            .collect(),
        ..ChangeSet::default()
    };
    let full = analyze(root.path(), &selection, |_| Ok(all)).unwrap();
    let mut compared = 0;
    for (path, text) in &fixtures {
        let one = ChangeSet {
            files: vec![whole_file(path.clone(), text.clone(), AddedLines::All)],
            ..ChangeSet::default()
        };
        let gated = analyze_gated(root.path(), &selection, |_| Ok(one)).unwrap();
        let expected: Vec<Finding> = full
            .review
            .findings
            .iter()
            .filter(|f| &f.path == path)
            .cloned()
            .collect();
        assert_eq!(
            summary(&expected),
            summary(&gated.review.findings),
            "{path}"
        );
        compared += expected.len();
    }
    assert!(compared > 1000, "only {compared} findings compared");
}
