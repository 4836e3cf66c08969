//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the kept crashers (`tests/crashers/<target>/`)
//! through the same entry points the fuzz targets call (`review_gate::fuzz_targets`), on the stable
//! toolchain, so that CI runs them without nightly or cargo-fuzz. An input passes when its target returns:
//! a panic fails the test and names the file.

use std::path::{Path, PathBuf};

use review_gate::fuzz_targets;

/// The files of `dir/<target>/`, sorted (none when the directory does not exist).
fn inputs(dir: &Path, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every input of `target` under `dir`, each in its own `catch_unwind`, and fails naming each
/// input that panicked. Returns how many inputs ran.
fn replay(dir: &Path, target: &str) -> usize {
    let mut failed = Vec::new();
    let files = inputs(dir, target);
    for file in &files {
        let data = std::fs::read(file).expect("a readable corpus file");
        let outcome = std::panic::catch_unwind(|| assert!(fuzz_targets::run(target, &data)));
        if outcome.is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} input(s) of `{target}` panicked:\n{}",
        failed.len(),
        failed.join("\n")
    );
    files.len()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus(target: &str) {
    let ran = replay(&root().join("fuzz/corpus"), target);
    assert!(ran > 0, "the corpus of `{target}` is empty");
}

fn crashers(target: &str) {
    replay(&root().join("tests/crashers"), target);
}

#[test]
fn every_target_has_a_corpus_and_a_fuzz_target() {
    for target in fuzz_targets::TARGETS {
        assert!(
            root()
                .join("fuzz/fuzz_targets")
                .join(format!("{target}.rs"))
                .is_file(),
            "fuzz/fuzz_targets/{target}.rs is missing"
        );
        assert!(
            !inputs(&root().join("fuzz/corpus"), target).is_empty(),
            "no corpus for {target}"
        );
    }
    assert!(!fuzz_targets::run("no-such-target", b""));
}

#[test]
fn corpus_patch() {
    corpus("patch");
}

#[test]
fn corpus_shell() {
    corpus("shell");
}

#[test]
fn corpus_hook_input() {
    corpus("hook_input");
}

#[test]
fn corpus_config() {
    corpus("config");
}

#[test]
fn corpus_checks_yaml() {
    corpus("checks_yaml");
}

#[test]
fn corpus_manifests() {
    corpus("manifests");
}

#[test]
fn corpus_lexer() {
    corpus("lexer");
}

#[test]
fn crashers_fixed() {
    for target in fuzz_targets::TARGETS {
        if *target != "patch" {
            crashers(target);
        }
    }
}

/// Crashers of the patch parser and of what reads its output (issue 11, items 10 and 11: a panic on
/// non-ASCII paths in `src/source/patch.rs`, a 32 GiB allocation sized by a hunk header's count in
/// `engine::deps::sparse_text`).
#[test]
fn crashers_patch() {
    crashers("patch");
}
