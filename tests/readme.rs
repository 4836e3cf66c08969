//! The README's list of checks is generated from `checks/`; this test fails when they drift apart.
//! Regenerate with `UPDATE_README=1 cargo test --test readme`.

use std::path::Path;

const START: &str = "<!-- checks:start -->\n";
const END: &str = "<!-- checks:end -->";

#[test]
fn readme_lists_every_check() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let checks = review_gate::checks::load(&[]).expect("built-in checks load");
    let table = review_gate::app::list_checks(&checks, review_gate::cli::ListFormat::Markdown);
    let start = readme
        .find(START)
        .expect("README has the checks:start marker")
        + START.len();
    let end = readme.find(END).expect("README has the checks:end marker");
    if readme[start..end] == table {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], table, &readme[end..]);
        std::fs::write(&path, updated).expect("README.md writable");
        return;
    }
    panic!(
        "README.md's list of checks is out of date: run `UPDATE_README=1 cargo test --test readme`"
    );
}

#[test]
fn readme_gives_the_commands_ci_runs() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let ci =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    assert!(readme.contains("cargo test --locked"));
    assert!(ci.contains("cargo test --locked"));
    assert!(readme.contains("cargo install --locked --path ."));
    assert!(readme.contains("review-gate diff main"));
}
