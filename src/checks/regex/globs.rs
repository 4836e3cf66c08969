//! The path globs of checks: built into a glob set when first used, and the shapes (plain names and
//! paths, `**/name`, `**/prefix*suffix`, `**/dir/**`) compared without building one.

use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::checks::spec::Located;

/// Path globs of a check, built into a glob set when first used (building one compiles regexes: most of
/// what loading every check would cost). User check files are built at load, so their mistakes are
/// reported up front; the built-in ones are built by the test suite.
#[derive(Debug, Clone)]
pub struct LazyGlobs {
    globs: Vec<(String, u64)>,
    built: OnceLock<GlobSet>,
}

impl LazyGlobs {
    /// The globs written on lines of a check file (None when there are none), built now when `eager`.
    pub fn new(globs: &[Located], eager: bool) -> Result<Option<LazyGlobs>, (u64, String)> {
        if globs.is_empty() {
            return Ok(None);
        }
        let globs: Vec<(String, u64)> = globs
            .iter()
            .map(|g| (g.text.to_string(), u64::from(g.line)))
            .collect();
        let built = OnceLock::new();
        if eager {
            let _ = built.set(build_globset(globs.iter().map(|(g, l)| (g.as_str(), *l)))?);
        }
        Ok(Some(LazyGlobs { globs, built }))
    }

    /// Whether a path matches one of the globs. Globs that are plain names or paths are compared as
    /// such (what their glob set would match), so most checks never build one.
    pub fn is_match(&self, path: &str) -> bool {
        if path.is_empty() && self.globs.iter().all(|(g, _)| needs_a_character(g)) {
            // A shell command is reviewed as a file without a path: no glob set is built for it.
            return false;
        }
        if self.built.get().is_none() {
            // Each glob compared on its own while no set is built: one that matches decides; the set
            // is built only when a glob of a shape compared neither way might.
            let mut undecided = false;
            for (glob, _) in &self.globs {
                match simple_matches(glob, path).or_else(|| wildcard_matches(glob, path)) {
                    Some(true) => return true,
                    Some(false) => {}
                    None => undecided = true,
                }
            }
            if !undecided {
                return false;
            }
        }
        self.built
            .get_or_init(|| {
                build_globset(self.globs.iter().map(|(g, l)| (g.as_str(), *l)))
                    .unwrap_or_else(|(_, e)| panic!("built-in globs: {e}"))
            })
            .is_match(path)
    }
}

/// Whether a glob can only match a path of at least one character: it names a character (a literal,
/// `?` or a class), and has no alternation (`{a,}` may be empty). Only `*` and `**/` match nothing.
fn needs_a_character(glob: &str) -> bool {
    !glob.contains('{') && glob.chars().any(|c| c != '*' && c != '/')
}

/// Whether a glob holds no glob syntax.
fn is_literal(glob: &str) -> bool {
    !glob.contains(['*', '?', '[', ']', '{', '}', '\\'])
}

/// What [`build_globset`] matches for a glob of a shape compared without building one (None for other
/// shapes): a literal name or path ([`literal_matches`]); `**/name` or `**/dir/name`, that file (the
/// path is `name` or ends with `/name`); `**/prefix*suffix` (either part may be empty, and a glob
/// without `/` counts as under `**/`) or `**/dir/**` (`dir/` then anything): a path whose component
/// starts with `prefix` and that ends with `suffix` after it (a glob set's `*` crosses `/`).
fn simple_matches(glob: &str, path: &str) -> Option<bool> {
    if is_literal(glob) {
        return Some(literal_matches(glob, path));
    }
    let (rest, recursive) = match glob.strip_prefix("**/") {
        Some(rest) => (rest, true),
        None if !glob.contains('/') => (glob, false),
        None => return None,
    };
    let path_like = |s: &str| is_literal(s) && !s.starts_with('/');
    if recursive && !rest.is_empty() && path_like(rest) {
        return Some(
            path.strip_suffix(rest)
                .is_some_and(|head| head.is_empty() || head.ends_with('/')),
        );
    }
    let (prefix, suffix) = match rest.strip_suffix("**") {
        Some(dir) if dir.ends_with('/') => (dir, ""),
        _ => rest.split_once('*')?,
    };
    let shaped =
        path_like(prefix) && is_literal(suffix) && !(prefix.is_empty() && suffix.is_empty());
    shaped.then(|| starts_component_then_ends(path, prefix, suffix))
}

/// What [`build_globset`] matches for a glob made of literal text, `*` and `**` components only (None
/// for other globs, and for a glob whose `**` components could make more than [`MAX_SHAPES`] shapes),
/// without compiling it. A glob set's `*` crosses `/`, so `**/` at the start is nothing or `*/`, `/**/`
/// within is `/` or `/*/`, `/**` at the end is `/*`: the glob is a few wildcard shapes, each compared
/// with [`wildcard`] (`**/*.test.*` is `*.test.*` or `*/*.test.*`).
fn wildcard_matches(glob: &str, path: &str) -> Option<bool> {
    if glob.contains(['?', '[', ']', '{', '}', '\\']) || !glob.contains('*') {
        return None;
    }
    let pattern = if glob.contains('/') {
        glob.trim_start_matches('/')
    } else {
        // build_globset puts a glob without `/` under `**/`.
        return wildcard_matches(&format!("/**/{glob}"), path);
    };
    let components: Vec<&str> = pattern.split('/').collect();
    let last = components.len() - 1;
    if last == 0 || components.iter().all(|c| *c == "**") {
        return (!pattern.contains("**")).then(|| wildcard(pattern, path));
    }
    let mut shapes: Vec<String> = vec![String::new()];
    for (i, component) in components.iter().enumerate() {
        let after_prefix = i == 1 && components[0] == "**";
        let separator = if i == 0 || after_prefix { "" } else { "/" };
        if *component == "**" {
            if i > 0 && components[i - 1] == "**" {
                return None;
            }
            if i == 0 {
                shapes = vec![String::new(), "*/".to_string()];
            } else if i == last {
                shapes.iter_mut().for_each(|s| s.push_str("/*"));
            } else {
                let deeper: Vec<String> = shapes.iter().map(|s| format!("{s}/*")).collect();
                shapes.extend(deeper);
            }
            if shapes.len() > MAX_SHAPES {
                return None;
            }
        } else if component.contains("**") {
            return None;
        } else {
            shapes.iter_mut().for_each(|s| {
                s.push_str(separator);
                s.push_str(component);
            });
        }
    }
    Some(shapes.iter().any(|shape| wildcard(shape, path)))
}

/// Most wildcard shapes [`wildcard_matches`] makes of one glob.
const MAX_SHAPES: usize = 8;

/// Whether `text` matches `pattern`, where `*` stands for any text (`/` included) and every other
/// character for itself. The pieces between stars are found leftmost first: linear in the text.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut pieces: Vec<&str> = pieces.collect();
    let Some(last) = pieces.pop() else {
        return rest.is_empty();
    };
    let Some(mut rest) = rest.strip_suffix(last) else {
        return false;
    };
    for piece in pieces {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Whether some component of `path` starts with `prefix` and the path ends with `suffix` after it.
fn starts_component_then_ends(path: &str, prefix: &str, suffix: &str) -> bool {
    let Some(limit) = path.strip_suffix(suffix).map(str::len) else {
        return false;
    };
    // The first component that starts with the prefix leaves the most room for the suffix.
    let mut at = 0;
    loop {
        if path[at..].starts_with(prefix) {
            return at + prefix.len() <= limit;
        }
        match path[at..].find('/') {
            Some(slash) => at += slash + 1,
            None => return false,
        }
    }
}

/// What [`build_globset`] matches for a literal glob: with a `/`, that path or anything below it;
/// without, any path with a component of that name.
fn literal_matches(glob: &str, path: &str) -> bool {
    if glob.contains('/') {
        let exact = glob.trim_start_matches('/');
        let dir = exact.trim_end_matches('/');
        path == exact
            || path
                .strip_prefix(dir)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'))
    } else {
        path.split('/').any(|component| component == glob)
    }
}

/// Builds a glob set from (glob, line) pairs; a bad glob is reported with its line.
pub fn build_globset<'a>(
    globs: impl Iterator<Item = (&'a str, u64)>,
) -> Result<GlobSet, (u64, String)> {
    let mut builder = GlobSetBuilder::new();
    for (glob, line) in globs {
        let pattern = if glob.contains('/') {
            glob.trim_start_matches('/').to_string()
        } else {
            format!("**/{glob}")
        };
        let compiled =
            Glob::new(&pattern).map_err(|e| (line, format!("bad glob `{glob}`: {e}")))?;
        builder.add(compiled);
        if !glob.contains('*') {
            // A directory name also covers everything below it.
            let below = Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))
                .map_err(|e| (line, format!("bad glob `{glob}`: {e}")))?;
            builder.add(below);
        }
    }
    builder.build().map_err(|e| (0, format!("bad glob: {e}")))
}

#[cfg(test)]
#[path = "globs_tests.rs"]
mod tests;
