//! Regexes of checks, compiled when first used, and the glob sets of their paths.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::spec::Located;

mod globs;
mod tiers;

pub use globs::{build_globset, LazyGlobs};
pub use tiers::{CapturesIter, Groups, Matches, Tier};

/// A regex compiled when first used: loading hundreds of checks stays cheap, and a commit that touches a
/// few lines compiles only the regexes those lines call for. User check files are compiled at load, so
/// their mistakes are reported up front; the built-in ones are compiled by the test suite.
///
/// A regex is compiled once per process whatever the number of checks that hold it and of copies made
/// of them (see `tiers::compiled_once`): many conditions share one source (`@literal`), and the agent
/// hook's novelty stage runs a copy of the checks its edit calls for over the old file.
///
/// It is compiled in tiers that find the same matches ([`Tier`]), chosen by the text it searches: the
/// agent hook's review gives a regex a few short lines, where compiling costs more than searching; a
/// review of many lines wants the fastest search.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    source: Cow<'static, str>,
    /// The `regex-lite` regex, or None when that crate does not compile the pattern.
    lite: OnceLock<Option<Arc<regex_lite::Regex>>>,
    light: OnceLock<Arc<regex_automata::meta::Regex>>,
    full: OnceLock<Arc<regex_automata::meta::Regex>>,
    /// The names of the capture groups, by index.
    names: OnceLock<Arc<[Option<Box<str>>]>>,
    /// For a built-in regex, the literals one of which every match holds, when there are a few (see
    /// [`super::packed::RequiredLiterals`]); looked up when first searched.
    required: OnceLock<Option<super::packed::LiteralList>>,
}

/// Bytes searched for a regex's required literals (their number times the text's length) before the
/// regex is compiled: a few microseconds, far less than a compilation.
const LITERAL_SCAN: usize = 256 * 1024;

/// A text longer than this is searched with the full tier.
const LONG_TEXT: usize = 2048;

/// Bytes the process searches with the cheap tiers before every regex is compiled in full: past this,
/// the review is one of many lines (a diff, a scan), not the agent hook's few.
const CHEAP_BUDGET: usize = 64 * 1024;

/// Bytes searched with the cheap tiers so far, by every regex of the process.
static CHEAP_SEARCHED: AtomicUsize = AtomicUsize::new(0);

impl LazyRegex {
    /// A regex from a check file (a shorthand such as `@literal` expanded), compiled now when `eager`.
    pub fn new(pattern: &str, eager: bool) -> Result<LazyRegex, String> {
        LazyRegex::from_text(Cow::Owned(pattern.to_string()), eager)
    }

    /// [`LazyRegex::new`] of text that may be borrowed from the binary (then kept borrowed).
    fn from_text(pattern: Cow<'static, str>, eager: bool) -> Result<LazyRegex, String> {
        let source = match expand_shorthand(&pattern) {
            Some(expanded) => Cow::Owned(expanded),
            None => pattern,
        };

        let light = OnceLock::new();
        // A regex compiled at load (a user's check file) never goes to `regex-lite`: only the built-in
        // ones do, which the test suite compares tier against tier.
        let lite = OnceLock::new();
        if eager {
            let _ = light.set(tiers::compiled_once(&source, Tier::Light)?);
            let _ = lite.set(None);
        }
        Ok(LazyRegex {
            source,
            lite,
            light,
            full: OnceLock::new(),
            names: OnceLock::new(),
            required: OnceLock::new(),
        })
    }

    /// A regex written on a line of a check file; an error carries that line.
    pub fn located(pattern: &Located, eager: bool) -> Result<LazyRegex, (u64, String)> {
        LazyRegex::from_text(pattern.text.clone(), eager).map_err(|e| (u64::from(pattern.line), e))
    }

    /// The source of the regex (a shorthand expanded).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The regex as a meta tier ([`Tier::Light`] or [`Tier::Full`]) compiles it.
    pub fn meta(&self, tier: Tier) -> &regex_automata::meta::Regex {
        let cell = match tier {
            Tier::Full => &self.full,
            Tier::Light | Tier::Lite => &self.light,
        };
        cell.get_or_init(|| {
            tiers::compiled_once(&self.source, tier)
                .unwrap_or_else(|e| panic!("built-in regex `{}`: {e}", self.source))
        })
    }

    /// The `regex-lite` regex, when that crate compiles the pattern and the regex may use it (a built-in
    /// one compiled when first used).
    pub fn lite(&self) -> Option<&regex_lite::Regex> {
        self.lite
            .get_or_init(|| tiers::lite_once(&self.source))
            .as_deref()
    }

    /// The engine to search `haystack` with: `regex-lite` for a short ASCII text (on ASCII its ASCII-only
    /// classes and case folding are those of the byte regexes, and it compiles three times faster than
    /// the light tier), the light tier for a short text, the full tier for a long one or once the
    /// process has searched [`CHEAP_BUDGET`] bytes with the cheap tiers.
    fn engine<'h>(&self, haystack: &'h [u8]) -> tiers::Engine<'_, 'h> {
        if let Some(full) = self.full.get() {
            return tiers::Engine::Meta(full, haystack);
        }
        // A text without any literal every match holds cannot match: no engine is compiled to say so
        // (most regexes a short review calls for by a keyword do not match its few lines).
        // Looked for only while the search costs less than a compilation.
        if let Some(list) = self
            .required()
            .filter(|l| l.len() * haystack.len() <= LITERAL_SCAN)
        {
            let literals = super::embedded::literals();
            let held = |group| {
                literals
                    .group(list, group)
                    .any(|literal| memchr::memmem::find(haystack, literal).is_some())
            };
            if !(0..list.groups()).all(held) {
                return tiers::Engine::Nothing;
            }
        }
        let len = haystack.len();
        if len > LONG_TEXT || CHEAP_SEARCHED.fetch_add(len, Ordering::Relaxed) + len > CHEAP_BUDGET
        {
            return tiers::Engine::Meta(self.meta(Tier::Full), haystack);
        }
        if haystack.is_ascii() {
            if let (Ok(text), Some(lite)) = (std::str::from_utf8(haystack), self.lite()) {
                return tiers::Engine::Lite(lite, text);
            }
        }
        tiers::Engine::Meta(self.meta(Tier::Light), haystack)
    }

    /// The literals one of which every match holds, for a built-in regex that has them.
    fn required(&self) -> Option<super::packed::LiteralList> {
        *self.required.get_or_init(|| match &self.source {
            Cow::Borrowed(text) => super::embedded::literals().of(text),
            Cow::Owned(_) => None,
        })
    }

    /// Whether the regex matches somewhere in `haystack`.
    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.engine(haystack).is_match_at(0)
    }

    /// Whether the regex matches in `haystack` at or after `start` (what lies before is look-behind
    /// context only).
    pub fn is_match_at(&self, haystack: &[u8], start: usize) -> bool {
        self.engine(haystack).is_match_at(start)
    }

    /// The successive non-overlapping matches in `haystack`, as (start, end).
    pub fn find_iter<'r, 'h>(&'r self, haystack: &'h [u8]) -> Matches<'r, 'h> {
        self.engine(haystack).find_iter()
    }

    /// The successive non-overlapping matches in `haystack`, with their groups.
    pub fn captures_iter<'r, 'h>(&'r self, haystack: &'h [u8]) -> CapturesIter<'r, 'h> {
        self.engine(haystack).captures_iter()
    }

    /// The names of the capture groups, by index (None for an unnamed group and for the whole match).
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.names().iter().map(|n| n.as_deref())
    }

    /// The index of the group called `name`.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.names().iter().position(|n| n.as_deref() == Some(name))
    }

    fn names(&self) -> &[Option<Box<str>>] {
        // From whichever engine is compiled already (every tier names the same groups).
        self.names.get_or_init(|| {
            let compiled = self.full.get().or(self.light.get()).map(Arc::as_ref);
            if compiled.is_none() {
                if let Some(lite) = self.lite() {
                    return lite.capture_names().map(|n| n.map(Box::from)).collect();
                }
            }
            compiled
                .unwrap_or_else(|| self.meta(Tier::Light))
                .group_info()
                .pattern_names(regex_automata::PatternID::ZERO)
                .map(|n| n.map(Box::from))
                .collect()
        })
    }
}

/// Regex shorthands usable in conditions: `@literal` and friends describe string literals without
/// interpolation, which is what "not if the argument is a literal" needs in most languages.
const LITERAL: &str = r##"(?:[rRbBuU]{0,2}"""(?s:[^"\\]|\\.|"[^"]|""[^"])*"""|[rRbBuU]{0,2}'''(?s:[^'\\]|\\.|'[^']|''[^'])*'''|(?:[rRbBuU]{0,2}|@)"(?:[^"\\$`#\n]|#[^{"\n]|\\.)*#?"|[rRbBuU]{0,2}'(?:[^'\\\n]|\\.)*'|`[^`$\\\n]*`)"##;

fn expand_shorthand(pattern: &str) -> Option<String> {
    Some(match pattern {
        "@literal" => format!(r"^\s*{LITERAL}\s*$"),
        "@literal-first" => format!(r"^\s*{LITERAL}\s*(?:,|$)"),
        "@literals" => format!(r"^\s*[\[(]?\s*{LITERAL}(?:\s*,\s*{LITERAL})*\s*,?\s*[\])]?\s*$"),
        "@empty" => r"^\s*$".to_string(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_shorthands() {
        let literal = regex::bytes::Regex::new(&expand_shorthand("@literal").unwrap()).unwrap();
        let literal = |s: &str| literal.is_match(s.as_bytes());
        for yes in [
            r#""ls -l""#,
            "'x'",
            r#"r"raw\d""#,
            "`plain`",
            r#""""multi
line""""#,
            "'''a'b'''",
            r#"@"C:\path""#,
        ] {
            assert!(literal(yes), "{yes}");
        }
        for no in [
            r#"f"{x}""#,
            r#""a" + b"#,
            "`a ${b}`",
            r##""#{x}""##,
            "cmd",
            r#""$HOME""#,
        ] {
            assert!(!literal(no), "{no}");
        }
        let first = regex::bytes::Regex::new(&expand_shorthand("@literal-first").unwrap()).unwrap();
        assert!(first.is_match(br#""a.txt", "utf8""#));
        assert!(!first.is_match(b"name, 'utf8'"));
        let list = regex::bytes::Regex::new(&expand_shorthand("@literals").unwrap()).unwrap();
        assert!(list.is_match(br#"["ls", "-l"]"#));
        assert!(!list.is_match(br#"["ls", path]"#));
    }

    /// Every tier finds the same matches with the same groups (`regex-lite` on ASCII lines): every
    /// built-in check's pattern and conditions, on the fixture lines that hold one of its keywords (what
    /// the engine would give it), and on lines that mix in bytes outside ASCII.
    #[test]
    fn every_tier_finds_the_same_matches() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut lines: Vec<String> = Vec::new();
        for entry in ignore::WalkBuilder::new(&root)
            .standard_filters(false)
            .build()
            .flatten()
        {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                lines.extend(text.lines().filter(|l| l.len() < 600).map(str::to_string));
            }
        }
        lines.extend(
            lines
                .clone()
                .iter()
                .take(2000)
                .map(|l| format!("é{l}\u{2028}ß")),
        );
        let lowered: Vec<String> = lines.iter().map(|l| l.to_ascii_lowercase()).collect();
        let lite = std::cell::Cell::new(0);
        let (required, held) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let same = |regex: &LazyRegex, line: &str| {
            let full = tiers::spans(regex, Tier::Full, line);
            // A regex's required literals: every line it matches holds one, and through them its
            // search answers as the engines do.
            if let Some(list) = regex.required() {
                required.set(required.get() + 1);
                if !full.is_empty() {
                    held.set(held.get() + 1);
                    for group in 0..list.groups() {
                        assert!(
                            super::super::embedded::literals()
                                .group(list, group)
                                .any(|l| memchr::memmem::find(line.as_bytes(), l).is_some()),
                            "{} matches {line:?} without any literal of group {group}",
                            regex.source
                        );
                    }
                }
                assert_eq!(regex.is_match(line.as_bytes()), !full.is_empty());
            }
            assert_eq!(
                tiers::spans(regex, Tier::Light, line),
                full,
                "{} on {line:?}",
                regex.source
            );
            // From the second character on, with the first as look-behind context.
            let second = line.chars().next().map_or(0, char::len_utf8);
            let from_second = tiers::matches_at(regex, Tier::Full, line, second);
            assert_eq!(
                tiers::matches_at(regex, Tier::Light, line, second),
                from_second,
                "{} on {line:?} from {second}",
                regex.source
            );
            if line.is_ascii() && regex.lite().is_some() {
                assert_eq!(
                    tiers::spans(regex, Tier::Lite, line),
                    full,
                    "{} on {line:?}",
                    regex.source
                );
                assert_eq!(
                    tiers::matches_at(regex, Tier::Lite, line, second),
                    from_second,
                    "{} on {line:?} from {second}",
                    regex.source
                );
                lite.set(lite.get() + 1);
            }
        };
        let mut compared = 0;
        for check in crate::checks::load(&[]).unwrap() {
            let Some(pattern) = check.pattern() else {
                continue;
            };
            let chosen = lowered
                .iter()
                .enumerate()
                .filter(|(_, l)| pattern.keywords.iter().any(|k| l.contains(k.as_ref())))
                .take(60)
                .map(|(i, _)| &lines[i]);
            for line in chosen {
                same(&pattern.regex, line);
                for condition in pattern
                    .requires()
                    .iter()
                    .chain(pattern.unless())
                    .chain(pattern.adjust())
                {
                    same(&condition.regex, line);
                }
                compared += 1;
            }
        }
        assert!(compared > 5000, "{compared}");
        assert!(
            required.get() > 2000 && held.get() > 1000,
            "regexes with required literals tried {} times, matching {} times",
            required.get(),
            held.get()
        );
        assert!(lite.get() > 5000, "{}", lite.get());
    }

    /// Only the built-in regexes, which the test above walks, go to `regex-lite`: one compiled at load
    /// (a user's check file) stays with the meta tiers, and finds the same.
    #[test]
    fn a_user_regex_never_goes_to_regex_lite() {
        let user = LazyRegex::new(r"\bsecret_\w+", true).unwrap();
        let builtin = LazyRegex::new(r"\bsecret_\w+", false).unwrap();
        assert!(user.lite().is_none());
        assert!(builtin.lite().is_some());
        let line = b"x = secret_value + secret_other";
        let found = |r: &LazyRegex| r.find_iter(line).collect::<Vec<_>>();
        assert_eq!(found(&user), vec![(4, 16), (19, 31)]);
        assert_eq!(found(&user), found(&builtin));
    }
}
