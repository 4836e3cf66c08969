//! Validates every built-in check file under `checks/` (a bad definition fails the build, naming the
//! file, the line and the check) and embeds the result packed (`src/checks/packed.rs`: words and one
//! string blob, no pointers to relocate at start-up): the binary parses no YAML for its built-in checks.
//! The data files next to them (popular-name lists) are embedded as text.

use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/model/vocabulary.rs"]
mod vocabulary;

#[allow(dead_code)]
#[path = "src/model/language.rs"]
mod language;

/// What the check schema names of the vocabulary of findings.
mod model {
    pub use super::language::Language;
    pub use super::vocabulary::{Category, Severity};
}

/// The schema, its validation and the specs it produces: the library's own modules.
#[allow(dead_code)]
mod checks {
    #[path = "../src/checks/error.rs"]
    pub mod error;
    #[path = "../src/checks/help.rs"]
    pub mod help;
    #[path = "../src/checks/packed.rs"]
    pub mod packed;
    #[path = "../src/checks/schema.rs"]
    pub mod schema;
    #[path = "../src/checks/spec.rs"]
    pub mod spec;
    #[path = "../src/checks/validate/mod.rs"]
    pub mod validate;
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-changed=checks");
    let mut files = Vec::new();
    collect(&root.join("checks"), &mut files);
    files.sort();
    let mut specs = Vec::new();
    let mut data = String::from("/// Built-in data files: (path relative to the crate, contents).\npub const BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with(".txt") {
            writeln!(
                data,
                "    ({rel:?}, include_str!({:?})),",
                file.display().to_string()
            )
            .unwrap();
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        match checks::validate::parse_specs(&rel, &text) {
            Ok(file_specs) => specs.extend(file_specs),
            Err(e) => {
                eprintln!("error: invalid built-in check: {e}");
                std::process::exit(1);
            }
        }
    }
    data.push_str("];\n");
    // Ids are unique: the binary trusts this and does not check the embedded checks again.
    let mut ids = std::collections::HashMap::new();
    for spec in &specs {
        if let Some(other) = ids.insert(spec.id.to_string(), spec.source.to_string()) {
            eprintln!(
                "error: invalid built-in check: {}: duplicate check id `{}` (also defined in {other})",
                spec.source, spec.id
            );
            std::process::exit(1);
        }
    }
    // The specs as packed words and one string blob (see `src/checks/packed.rs`): data without pointers,
    // so the binary needs no relocation for them when it starts.
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut packer = checks::packed::Packer::default();
    checks::packed::pack_specs(&specs, &mut packer);
    let words = out.join("builtin_checks.words");
    let strings = out.join("builtin_checks.strings");
    fs::write(&words, packer.word_bytes()).unwrap();
    fs::write(&strings, &packer.strings).unwrap();
    let mut code = String::new();
    writeln!(
        code,
        "/// The built-in checks, validated when the binary was built, packed (see `checks::packed`).\npub static PACKED_WORDS: &[u8] = include_bytes!({:?});",
        words.display().to_string()
    )
    .unwrap();
    writeln!(
        code,
        "/// The texts of the packed built-in checks.\npub static PACKED_STRINGS: &str = include_str!({:?});",
        strings.display().to_string()
    )
    .unwrap();
    code.push_str(&data);
    fs::write(out.join("builtin_checks.rs"), code).unwrap();
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yml" | "yaml" | "txt")
        ) {
            files.push(path);
        }
    }
}
