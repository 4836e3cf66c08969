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
    link_unwinder_statically();
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
    packer.finish();
    let literals = out.join("builtin_literals.words");
    let table = literal_table(&specs);
    fs::write(&literals, packer.literal_table(&table)).unwrap();
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
    writeln!(
        code,
        "/// The literals every match of some built-in regexes holds (see `checks::packed::RequiredLiterals`).\npub static PACKED_LITERALS: &[u8] = include_bytes!({:?});",
        literals.display().to_string()
    )
    .unwrap();
    code.push_str(&data);
    fs::write(out.join("builtin_checks.rs"), code).unwrap();
}

/// On Linux with glibc, links libgcc's unwinder (`libgcc_eh.a`) into the binary instead of loading
/// `libgcc_s.so` when it starts: one shared library fewer to map, relocate and initialise (its
/// constructor probes the CPU), some 0.1 ms of every agent-hook call. Panics unwind the same way. When
/// the C compiler has no static unwinder (or the build is a cross build), the shared library is used
/// as before.
fn link_unwinder_statically() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    // A cross build's linker is not the `cc` asked here: it keeps its default.
    if var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("HOST") != var("TARGET")
    {
        return;
    }
    let found = std::process::Command::new("cc")
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .is_some_and(|path| Path::new(&path).is_absolute() && Path::new(&path).exists());
    if found {
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
}

/// For each regex of a pattern check (its pattern and its conditions') whose every match holds one of
/// a few literals, those literals: the binary skips compiling a regex for a text that holds none.
fn literal_table(specs: &[checks::spec::CheckSpec]) -> Vec<(&str, Vec<Vec<String>>)> {
    let mut table = Vec::new();
    for spec in specs {
        let checks::spec::KindSpec::Pattern(pattern) = &spec.kind else {
            continue;
        };
        let conditions = pattern
            .requires
            .iter()
            .chain(pattern.unless.iter())
            .chain(pattern.adjust.iter());
        for source in std::iter::once(&pattern.pattern).chain(conditions.map(|c| &c.pattern)) {
            if let Some(literals) = required_literals(&source.text) {
                table.push((source.text.as_ref(), literals));
            }
        }
    }
    table
}

/// Most literals kept for one regex: past this, looking for each costs more than it saves.
const MOST_LITERALS: usize = 64;

/// Groups of literals of each of which every match of `source` holds one (parsed as the binary
/// compiles it: bytes, Unicode off), when they are few and none is empty: the prefixes every match
/// starts with or the suffixes every match ends with (whichever are the longer), and the literals
/// every match holds somewhere ([`inner_literals`]). `@` shorthands are left out.
fn required_literals(source: &str) -> Option<Vec<Vec<String>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    if source.starts_with('@') {
        return None;
    }
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(source)
        .ok()?;
    let mut best: Option<Vec<String>> = None;
    let shortest = |texts: &[String]| texts.iter().map(String::len).min().unwrap_or(0);
    for prefix in [true, false] {
        let kind = if prefix {
            ExtractKind::Prefix
        } else {
            ExtractKind::Suffix
        };
        let mut seq = Extractor::new().kind(kind).extract(&hir);
        // Shortened where that makes them fewer (`from\t`, `from\n`, … become `from`): a prefix of a
        // literal every match starts with is one too (and a suffix of one it ends with).
        if prefix {
            seq.optimize_for_prefix_by_preference();
        } else {
            seq.optimize_for_suffix_by_preference();
        }
        // An infinite sequence says nothing; an empty one (no match at all) is left to the regex.
        let Some(literals) = seq.literals() else {
            continue;
        };
        if literals.is_empty()
            || literals.len() > MOST_LITERALS
            || literals.iter().any(|l| l.as_bytes().is_empty())
        {
            continue;
        }
        let Ok(texts) = literals
            .iter()
            .map(|l| String::from_utf8(l.as_bytes().to_vec()))
            .collect::<Result<Vec<String>, _>>()
        else {
            continue;
        };
        if best.as_ref().is_none_or(|b| shortest(&texts) > shortest(b)) {
            best = Some(texts);
        }
    }
    // The literals inside a match are a second requirement, when they differ: `os.environ` starts every
    // match of `os\.environ\.(?:copy|items)`, and `copy` or `items` is in each too.
    // Of a concatenation's parts, the best one whose literals are not those already kept.
    let parts: Vec<&regex_syntax::hir::Hir> = match hir.kind() {
        regex_syntax::hir::HirKind::Concat(parts) => parts.iter().collect(),
        _ => vec![&hir],
    };
    let inner = parts
        .into_iter()
        .filter_map(inner_literals)
        .filter_map(|mut literals| {
            literals.sort();
            literals.dedup();
            let texts: Option<Vec<String>> = literals
                .into_iter()
                .map(|l| String::from_utf8(l).ok())
                .collect();
            texts.filter(|t| !t.is_empty() && t.len() <= MOST_LITERALS && shortest(t) > 0)
        })
        .filter(|texts| best.as_ref() != Some(texts))
        .max_by_key(|texts| (shortest(texts), std::cmp::Reverse(texts.len())));
    let groups: Vec<Vec<String>> = match (best, inner) {
        (Some(ends), Some(inner)) if ends != inner => vec![ends, inner],
        (Some(ends), _) => vec![ends],
        (None, Some(inner)) => vec![inner],
        (None, None) => return None,
    };
    Some(groups)
}

/// Literals one of which every match of `hir` holds somewhere, not only at its start or end: a
/// literal itself; for a concatenation, those of its part with the longest shortest literal (every
/// match holds a match of each part); for an alternation, those of all its branches; for a repetition
/// of at least one, those of what it repeats. None when a part can match without any (a class, an
/// assertion, an optional part).
fn inner_literals(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    let shortest = |set: &Vec<Vec<u8>>| set.iter().map(Vec::len).min().unwrap_or(0);
    match hir.kind() {
        HirKind::Literal(literal) => Some(vec![literal.0.to_vec()]),
        HirKind::Capture(capture) => inner_literals(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => inner_literals(&repetition.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(inner_literals)
            .max_by_key(|set| (shortest(set), std::cmp::Reverse(set.len()))),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for branch in branches {
                all.extend(inner_literals(branch)?);
            }
            Some(all)
        }
        _ => None,
    }
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
