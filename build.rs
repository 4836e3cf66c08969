//! Embeds every check definition under `checks/` (and the data files next to them) in the binary,
//! with the index of their ids and keywords (`src/checks/index.rs`) computed once, here.

use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/checks/index.rs"]
mod index;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let checks = root.join("checks");
    println!("cargo:rerun-if-changed=checks");
    let mut files = Vec::new();
    collect(&checks, &mut files);
    files.sort();
    let mut out = String::from("/// Built-in check files: (path relative to the crate, contents).\npub const BUILTIN_FILES: &[(&str, &str)] = &[\n");
    let mut index_out = String::from("/// The index of each built-in file (ids, keywords or None when always needed), same order.\n#[allow(clippy::type_complexity)]\npub const BUILTIN_INDEX: &[(&[&str], Option<&[&str]>)] = &[\n");
    for file in files {
        let yaml = matches!(
            file.extension().and_then(|e| e.to_str()),
            Some("yml" | "yaml")
        );
        let entry = if yaml {
            index::index_file(&fs::read_to_string(&file).unwrap())
        } else {
            index::FileIndex::default()
        };
        let keywords = match &entry.keywords {
            Some(words) => format!("Some(&{words:?})"),
            None => "None".to_string(),
        };
        index_out.push_str(&format!("    (&{:?}, {keywords}),\n", entry.ids));
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    index_out.push_str("];\n");
    out.push_str(&index_out);
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_checks.rs");
    fs::write(dest, out).unwrap();
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
