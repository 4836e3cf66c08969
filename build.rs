//! Validates every built-in check file under `checks/` (a bad definition fails the build, naming the
//! file, the line and the check) and embeds the result as static data: the binary parses no YAML for
//! its built-in checks. The data files next to them (popular-name lists) are embedded as text.

use std::fmt::{Debug, Write};
use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/model/vocabulary.rs"]
mod vocabulary;

/// What the check schema names of the vocabulary of findings.
mod model {
    pub use super::vocabulary::{Category, Severity};
}

/// The schema, its validation and the specs it produces: the library's own modules.
#[allow(dead_code)]
mod checks {
    #[path = "../src/checks/error.rs"]
    pub mod error;
    #[path = "../src/checks/help.rs"]
    pub mod help;
    #[path = "../src/checks/schema.rs"]
    pub mod schema;
    #[path = "../src/checks/spec.rs"]
    pub mod spec;
    #[path = "../src/checks/validate/mod.rs"]
    pub mod validate;
}

use checks::help::{CheckHelp, Help};
use checks::spec::{
    ChainSpec, CheckSpec, CommandCheckSpec, CommandSpec, ConditionSpec, KindSpec, Located,
    PatternSpec, RoleSpec,
};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-changed=checks");
    let mut files = Vec::new();
    collect(&root.join("checks"), &mut files);
    files.sort();
    let mut specs = String::from("/// The built-in checks, validated when the binary was built.\npub static BUILTIN_CHECKS: &[CheckSpec] = &[\n");
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
            Ok(file_specs) => {
                for spec in &file_specs {
                    specs.push_str("    ");
                    spec.emit(&mut specs);
                    specs.push_str(",\n");
                }
            }
            Err(e) => {
                eprintln!("error: invalid built-in check: {e}");
                std::process::exit(1);
            }
        }
    }
    specs.push_str("];\n");
    data.push_str("];\n");
    specs.push_str(&data);
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_checks.rs");
    fs::write(dest, specs).unwrap();
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

/// Writes a value as a Rust expression of the static data (`B` is `Cow::Borrowed`).
trait Emit {
    fn emit(&self, out: &mut String);
}

/// An enum value by its variant name.
fn variant(out: &mut String, ty: &str, value: impl Debug) {
    write!(out, "{ty}::{value:?}").unwrap();
}

impl Emit for std::borrow::Cow<'static, str> {
    fn emit(&self, out: &mut String) {
        write!(out, "B({:?})", self.as_ref()).unwrap();
    }
}

impl<T: Emit + Clone> Emit for std::borrow::Cow<'static, [T]> {
    fn emit(&self, out: &mut String) {
        out.push_str("B(&[");
        for item in self.iter() {
            item.emit(out);
            out.push(',');
        }
        out.push_str("])");
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit(&self, out: &mut String) {
        match self {
            None => out.push_str("None"),
            Some(value) => {
                out.push_str("Some(");
                value.emit(out);
                out.push(')');
            }
        }
    }
}

/// Numbers and booleans write as themselves.
macro_rules! plain {
    ($($ty:ty),*) => {$(
        impl Emit for $ty {
            fn emit(&self, out: &mut String) {
                write!(out, "{self:?}").unwrap();
            }
        }
    )*};
}
plain!(bool, u32, usize, f64);

/// Enums write as their variant.
macro_rules! enums {
    ($($ty:ident),*) => {$(
        impl Emit for $ty {
            fn emit(&self, out: &mut String) {
                variant(out, stringify!($ty), self);
            }
        }
    )*};
}
use checks::schema::{Action, Checksum, Ecosystem, Judge, On, Per, ProducedBy, Scope, Within};
use checks::spec::{Relation, TargetSpec};
use model::{Category, Severity};
enums!(
    Action, Checksum, Ecosystem, Judge, On, Per, ProducedBy, Scope, Within, Relation, TargetSpec,
    Category, Severity
);

/// Structs write as a literal with every field.
macro_rules! structs {
    ($($ty:ident { $($field:ident),* })*) => {$(
        impl Emit for $ty {
            fn emit(&self, out: &mut String) {
                out.push_str(concat!(stringify!($ty), " {"));
                $(
                    out.push_str(concat!(stringify!($field), ": "));
                    self.$field.emit(out);
                    out.push_str(", ");
                )*
                out.push('}');
            }
        }
    )*};
}
structs! {
    Help { finds, why, example, fix }
    Located { text, line }
    CheckSpec { id, line, source, category, severity, languages, paths, exclude_paths, message, cwe, help, kind, always_report }
    PatternSpec { pattern, keywords, scope, requires, unless, adjust, redact, entropy, validate, judge, binary, per, signal, on }
    ConditionSpec { target, pattern, severity, reason }
    ChainSpec { within, lines, ordered, parts, unless }
    RoleSpec { role, any }
    CommandCheckSpec { action, matcher }
    CommandSpec { programs, subcommands, value_flags, flags, without_flags, operands, args, max_operands, max_args, redirect_to, related, new_package, typosquat, on_default_branch, recursive, computed_program, opaque }
}

impl Emit for (Relation, CommandSpec) {
    fn emit(&self, out: &mut String) {
        out.push('(');
        self.0.emit(out);
        out.push(',');
        self.1.emit(out);
        out.push(')');
    }
}

impl Emit for CheckHelp {
    fn emit(&self, out: &mut String) {
        match self {
            CheckHelp::Sections(help) => {
                out.push_str("CheckHelp::Sections(");
                help.emit(out);
                out.push(')');
            }
            CheckHelp::Text(text) => {
                out.push_str("CheckHelp::Text(");
                text.emit(out);
                out.push(')');
            }
        }
    }
}

impl Emit for KindSpec {
    fn emit(&self, out: &mut String) {
        let (name, inner): (&str, &dyn Emit) = match self {
            KindSpec::Pattern(p) => ("Pattern", p),
            KindSpec::Produced(p) => ("Produced", p),
            KindSpec::Chain(c) => ("Chain", c),
            KindSpec::Command(c) => ("Command", c),
        };
        write!(out, "KindSpec::{name}(").unwrap();
        inner.emit(out);
        out.push(')');
    }
}
