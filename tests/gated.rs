//! The agent hook loads only the checks whose keywords and languages can match what it judges
//! (`pipeline::analyze_gated`, `Pipeline::withholding`). That must never change a verdict: every
//! annotated fixture, reviewed as a new file both ways, gives the same findings.

use std::path::Path;

use review_gate::checks::Needed;
use review_gate::model::{ChangeSet, Finding, Language};
use review_gate::pipeline::{analyze, analyze_gated, Pipeline, Selection};
use review_gate::policy::Policy;
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

/// Every fixture under a path of its own (the one it stands for, else its directory and name), with its
/// text.
fn fixtures() -> Vec<(String, String)> {
    let mut files = Vec::new();
    fixture_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/checks"),
        &mut files,
    );
    files.sort();
    assert!(files.len() > 100, "fixtures/checks lost files");
    files
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
        .collect()
}

#[test]
fn gated_loading_finds_exactly_what_full_loading_finds() {
    let root = tempfile::tempdir().unwrap();
    let selection = Selection::default();
    let fixtures = fixtures();
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

/// The agent hook's review of a file edit: the checks of its language (and shell) none of whose
/// keywords the added lines hold are withheld. A review that notes no miss finds exactly what a review
/// with every check finds; one that notes a miss is made again whole (as the hook does). Both happen
/// among the fixtures: the check must not always miss, nor never.
#[test]
fn withheld_checks_are_missed_or_lose_nothing() {
    let root = tempfile::tempdir().unwrap();
    let selection = Selection::default();
    let policy = Policy::discover(None, root.path()).unwrap();
    let (mut withheld, mut missed, mut compared) = (0, 0, 0);
    for (path, text) in fixtures() {
        let one = ChangeSet {
            files: vec![whole_file(path.clone(), text.clone(), AddedLines::All)],
            ..ChangeSet::default()
        };
        let needed = Needed::Languages(vec![one.files[0].language, Language::Shell]);
        let full = Pipeline::gated_for(policy.clone(), &selection, &needed)
            .unwrap()
            .review(one.clone())
            .unwrap();
        let pipeline = Pipeline::withholding(
            policy.clone(),
            &selection,
            &needed,
            &text.to_ascii_lowercase(),
        )
        .unwrap();
        let loaded = pipeline.checks().checks.len();
        let first = pipeline.review(one).unwrap();
        withheld += usize::from(loaded < full.checks.checks.len());
        if first.missed() {
            missed += 1;
            continue;
        }
        assert_eq!(
            summary(&full.review.findings),
            summary(&first.review.findings),
            "{path}"
        );
        compared += full.review.findings.len();
    }
    assert!(withheld > 100, "only {withheld} reviews withheld checks");
    assert!(missed > 0, "no review missed a withheld check");
    assert!(compared > 1000, "only {compared} findings compared");
}
