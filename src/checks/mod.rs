//! Checks as data: the YAML schema, its validation into specs, the built-in specs embedded at build
//! time, user check files, and compiling them all into one [`CheckSet`].

pub mod chain;
pub mod check;
pub mod command;
pub mod compile;
pub mod error;
pub mod fixtures;
pub mod help;
pub mod packed;
mod produced;
pub mod reference;
pub mod regex;
pub mod schema;
pub mod set;
pub mod spec;
pub mod validate;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

pub use check::{plays, Check, CheckKind, CheckMeta, CommandCheck, PatternCheck};
pub use compile::{Condition, Target};
pub use error::DefinitionError;
pub use schema::Scope;
pub use set::CheckSet;
pub use validate::yaml_error_message;

use crate::model::Category;
use packed::KindTag;
use spec::CheckSpec;

mod embedded {
    //! The built-in checks, validated and packed by `build.rs` (see [`super::packed`]), and the data
    //! files next to them.
    use super::spec::CheckSpec;
    use std::sync::OnceLock;

    include!(concat!(env!("OUT_DIR"), "/builtin_checks.rs"));

    /// The built-in specs, unpacked on first use.
    pub fn checks() -> &'static [CheckSpec] {
        static CHECKS: OnceLock<Vec<CheckSpec>> = OnceLock::new();
        CHECKS.get_or_init(|| super::packed::unpack_specs(PACKED_WORDS, PACKED_STRINGS))
    }

    /// The index of the built-in specs: each one's id, category and kind, and each unpacked alone.
    pub fn index() -> super::packed::Index {
        super::packed::Index::new(PACKED_WORDS, PACKED_STRINGS)
    }

    /// The literals every match of some built-in regexes holds.
    pub fn literals() -> super::packed::RequiredLiterals {
        super::packed::RequiredLiterals::new(PACKED_LITERALS, PACKED_STRINGS)
    }
}

/// Environment variable that makes review-gate read its built-in checks from a directory instead of the
/// copies embedded in the binary (for people editing `checks/`, so they need not rebuild).
pub const BUILTIN_DIR_ENV: &str = "REVIEW_GATE_BUILTIN_CHECKS";

/// A built-in file: (name, contents), borrowed from the binary unless read from a directory.
pub type BuiltinFile = (Cow<'static, str>, Cow<'static, str>);

/// The built-in data files (the popular-name lists, `.txt`) as (name, contents): embedded, or read from
/// [`BUILTIN_DIR_ENV`] when set (then the check files too).
pub fn builtin_files() -> Result<Vec<BuiltinFile>, DefinitionError> {
    match std::env::var_os(BUILTIN_DIR_ENV) {
        None => Ok(embedded::BUILTIN_FILES
            .iter()
            .map(|(n, t)| (Cow::Borrowed(*n), Cow::Borrowed(*t)))
            .collect()),
        Some(dir) => {
            let mut files = Vec::new();
            let walker = ignore::WalkBuilder::new(&dir)
                .standard_filters(false)
                .sort_by_file_name(|a, b| a.cmp(b))
                .build();
            for entry in walker.flatten() {
                let path = entry.path();
                if path
                    .extension()
                    .is_some_and(|e| e == "yml" || e == "yaml" || e == "txt")
                {
                    let name = Path::new("checks").join(path.strip_prefix(&dir).unwrap_or(path));
                    let text = read_check_file(path)?;
                    files.push((
                        Cow::Owned(name.to_string_lossy().replace('\\', "/")),
                        Cow::Owned(text),
                    ));
                }
            }
            Ok(files)
        }
    }
}

/// The built-in check specs: embedded (validated when the binary was built), or parsed from the files
/// of [`BUILTIN_DIR_ENV`] when set.
pub fn builtin_specs() -> Result<Cow<'static, [CheckSpec]>, DefinitionError> {
    if std::env::var_os(BUILTIN_DIR_ENV).is_none() {
        return Ok(Cow::Borrowed(embedded::checks()));
    }
    let mut specs = Vec::new();
    for (name, text) in builtin_files()? {
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            specs.extend(validate::parse_specs(&name, &text)?);
        }
    }
    Ok(Cow::Owned(specs))
}

/// The id, category and kind of every built-in check, read without unpacking the embedded specs.
pub fn builtin_names() -> Result<Vec<(Cow<'static, str>, Category, KindTag)>, DefinitionError> {
    if std::env::var_os(BUILTIN_DIR_ENV).is_none() {
        return Ok(embedded::index()
            .entries()
            .map(|e| (Cow::Borrowed(e.id()), e.category, e.kind))
            .collect());
    }
    Ok(builtin_specs()?
        .iter()
        .map(|s| (s.id.clone(), s.category, KindTag::of(&s.kind)))
        .collect())
}

/// Reads a user's check file, with an error naming it when it cannot be read.
pub fn read_check_file(path: &Path) -> Result<String, DefinitionError> {
    std::fs::read_to_string(path).map_err(|e| DefinitionError {
        file: path.display().to_string(),
        line: 0,
        check: None,
        message: format!("cannot read check file: {e}"),
    })
}

/// Parses, validates and compiles one check file.
pub fn parse_file(
    name: &str,
    text: &str,
    file_slots: &mut usize,
    eager: bool,
) -> Result<Vec<Check>, DefinitionError> {
    validate::parse_specs(name, text)?
        .iter()
        .map(|spec| compile::compile(spec, file_slots, eager))
        .collect()
}

/// Which built-in checks a review needs. The user's own check files are always loaded whole (they are
/// few, and their mistakes are reported whatever the review).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Needed {
    /// Every check: any change may come.
    #[default]
    Everything,
    /// A shell command only: the command checks, and the secret checks that mask it.
    Commands,
    /// Files of these languages only (no binary files, no commands): the pattern checks for any of
    /// them, the dependency and chain checks, and for Markdown and text the command checks (an agent
    /// instruction file's shell blocks are judged as commands).
    Languages(Vec<crate::lang::Language>),
}

impl Needed {
    /// Whether a built-in spec is needed.
    fn wants(&self, spec: &CheckSpec) -> bool {
        self.wants_parts(
            KindTag::of(&spec.kind),
            spec.category,
            spec.languages.iter().map(|l| l.text.as_ref()),
        )
    }

    /// Whether the built-in spec of an index entry is needed (what [`Needed::wants`] says of it).
    fn wants_entry(&self, entry: &packed::Entry) -> bool {
        match self {
            Needed::Languages(languages) if entry.kind == KindTag::Pattern => {
                entry.languages & packed::ANY_LANGUAGE != 0
                    || languages
                        .iter()
                        .any(|l| entry.languages & packed::language_bit(*l) != 0)
            }
            _ => self.wants_parts(entry.kind, entry.category, std::iter::empty()),
        }
    }

    /// Whether a built-in spec of this kind, category and language list (names as written) is needed.
    fn wants_parts<'a>(
        &self,
        kind: KindTag,
        category: Category,
        mut spec_languages: impl Iterator<Item = &'a str>,
    ) -> bool {
        match self {
            Needed::Everything => true,
            Needed::Commands => match kind {
                KindTag::Command => true,
                KindTag::Pattern => category == Category::Secret,
                KindTag::Produced | KindTag::Chain => false,
            },
            Needed::Languages(languages) => match kind {
                KindTag::Command => languages.iter().any(|l| {
                    matches!(
                        l,
                        crate::lang::Language::Markdown | crate::lang::Language::Text
                    )
                }),
                KindTag::Produced | KindTag::Chain => true,
                KindTag::Pattern => {
                    let mut any = false;
                    let wanted = spec_languages.any(|name| {
                        any = true;
                        crate::lang::Language::from_name(name)
                            .is_none_or(|l| languages.contains(&l))
                    });
                    wanted || !any
                }
            },
        }
    }

    /// Whether the dependency analysis runs, so its checks must all be there.
    fn runs_dependencies(&self) -> bool {
        !matches!(self, Needed::Commands)
    }
}

/// Loads every built-in check plus the given extra files (name, contents), rejecting duplicate ids. The
/// extra files' regexes are compiled at once; the built-in ones when first needed.
pub fn load(extra: &[(String, String)]) -> Result<Vec<Check>, DefinitionError> {
    Ok(load_with(extra, false, &Needed::Everything, None)?.0)
}

/// Like [`load`], keeping of the built-in checks only those `needed` (the agent gate judging one action
/// compiles no more than that action can use). Names are still validated against every check.
pub fn load_for(
    extra: &[(String, String)],
    needed: &Needed,
) -> Result<Vec<Check>, DefinitionError> {
    Ok(load_with(extra, false, needed, None)?.0)
}

/// Like [`load_for`], leaving out the built-in checks none of whose keywords is in `text` (lowercase:
/// every text the review knows it will search) when that can only lose findings a stage would notice
/// it lost (see [`set::Withheld`]): returned apart, for the set.
pub fn load_withholding(
    extra: &[(String, String)],
    needed: &Needed,
    text: &str,
) -> Result<(Vec<Check>, set::Withheld), DefinitionError> {
    load_with(extra, false, needed, Some(text))
}

/// Like [`load`], but compiles every regex now, built-in ones included (for tests and check authors).
pub fn load_checked(extra: &[(String, String)]) -> Result<Vec<Check>, DefinitionError> {
    Ok(load_with(extra, true, &Needed::Everything, None)?.0)
}

fn load_with(
    extra: &[(String, String)],
    eager_builtin: bool,
    needed: &Needed,
    text: Option<&str>,
) -> Result<(Vec<Check>, set::Withheld), DefinitionError> {
    let embedded = std::env::var_os(BUILTIN_DIR_ENV).is_none();
    let mut slots = 0;
    let mut checks = Vec::new();
    let mut withheld = set::Withheld::default();
    if embedded && *needed != Needed::Everything {
        // Only the embedded specs needed are unpacked, each compiled as it is read.
        let index = embedded::index();
        // A text longer than the probe's budget would count every keyword as held.
        let holds = text
            .filter(|t| t.len() <= PROBE_BUDGET)
            .map(KeywordProbe::new);
        let wanted: Vec<packed::Entry> =
            index.entries().filter(|e| needed.wants_entry(e)).collect();
        checks.reserve_exact(wanted.len() + extra.len());
        for entry in wanted {
            if let (Some(holds), Some(mut keywords)) = (&holds, index.keywords(&entry)) {
                if !keywords.any(|k| holds.holds(k)) {
                    withheld.checks.push((entry.id(), entry.category));
                    withheld
                        .words
                        .extend(index.keywords(&entry).into_iter().flatten());
                    continue;
                }
            }
            checks.push(if eager_builtin {
                compile::compile(&index.unpack(&entry), &mut slots, true)?
            } else {
                let (spec, at) = index.unpack_deferred(&entry);
                let packed = compile::Packed {
                    at,
                    file_slots: entry.file_slots,
                    help: |at, _| Box::new(embedded::index().unpack_help(at)),
                    conditions: packed_conditions,
                };
                compile::compile_packed(&spec, &mut slots, packed)?
            });
        }
    } else {
        let specs = builtin_specs()?;
        checks.reserve(specs.len() + extra.len());
        for spec in specs.iter().filter(|s| needed.wants(s)) {
            checks.push(compile::compile(spec, &mut slots, eager_builtin)?);
        }
    }
    // The embedded checks' ids are unique (`build.rs` refuses a duplicate); those read from a directory
    // and the user's are checked here.
    let mut seen: HashMap<Cow<'static, str>, usize> = HashMap::new();
    if !embedded || !extra.is_empty() {
        seen.reserve(checks.len());
        for (i, check) in checks.iter().enumerate() {
            if let Some(&existing) = seen.get(&check.meta.id) {
                return Err(duplicate_id(check, &checks[existing].meta.source));
            }
            seen.insert(check.meta.id.clone(), i);
        }
    }
    let mut names = None;
    let mut user_checks = 0;
    for (name, text) in extra {
        for check in parse_file(name, text, &mut slots, true)? {
            if let Some(&existing) = seen.get(&check.meta.id) {
                return Err(duplicate_id(&check, &checks[existing].meta.source));
            }
            let names = match &mut names {
                Some(names) => names,
                None => names.insert(builtin_names()?),
            };
            if names.iter().any(|(id, _, _)| *id == check.meta.id) {
                // A built-in check left out still owns its id.
                let source = builtin_specs()?
                    .iter()
                    .find(|s| s.id == check.meta.id)
                    .map_or_else(
                        || "the built-in checks".to_string(),
                        |s| s.source.to_string(),
                    );
                return Err(duplicate_id(&check, &source));
            }
            seen.insert(check.meta.id.clone(), checks.len());
            checks.push(check);
            user_checks += 1;
        }
    }
    // Chains are validated against every check, loaded or not: the built-in ones were when the test
    // suite loaded them all, so an embedded set without user checks needs no second look.
    if user_checks > 0 || !embedded || eager_builtin {
        let names = match names {
            Some(names) => names,
            None => builtin_names()?,
        };
        let mut parts: Vec<(&str, crate::model::Category)> = names
            .iter()
            .filter(|(_, _, kind)| *kind != KindTag::Chain)
            .map(|(id, category, _)| (id.as_ref(), *category))
            .collect();
        let user = &checks[checks.len() - user_checks..];
        parts.extend(
            user.iter()
                .filter(|c| c.chain().is_none())
                .map(|c| (c.meta.id.as_ref(), c.meta.category)),
        );
        for check in &checks {
            if let Some(chain) = check.chain() {
                if let Some((target, line)) = unknown_target(chain, &parts) {
                    return Err(DefinitionError {
                        file: check.meta.source.to_string(),
                        line: *line,
                        check: Some(check.meta.id.to_string()),
                        message: format!(
                            "chain part `{target}` names no check, id prefix or category"
                        ),
                    });
                }
            }
        }
    }
    if needed.runs_dependencies() {
        if let Some(error) = produced::missing_dependency_check(&checks) {
            return Err(error);
        }
        if let Some(error) = produced::missing_agent_check(&checks) {
            return Err(error);
        }
    }
    Ok((checks, withheld))
}

/// Whether a keyword is in a lowercase text: each keyword is looked for on its own (a few thousand, in
/// the short texts of one agent action), passing over those with a pair of adjacent bytes the text does
/// not hold side by side. The searches stop at [`PROBE_BUDGET`] bytes: past it every keyword counts as
/// held (its check is loaded), so a long or varied text costs no more than that.
struct KeywordProbe<'a> {
    text: &'a str,
    pairs: set::BytePairs,
    /// Bytes the searches may still read.
    budget: std::cell::Cell<usize>,
}

/// Most bytes [`KeywordProbe`] searches for one review (some tenths of a millisecond): leaving checks
/// out saves about that much, and no more is worth spending on it.
pub const PROBE_BUDGET: usize = 4 << 20;

impl<'a> KeywordProbe<'a> {
    fn new(text: &'a str) -> KeywordProbe<'a> {
        KeywordProbe {
            text,
            pairs: set::BytePairs::new(text),
            budget: std::cell::Cell::new(PROBE_BUDGET),
        }
    }

    fn holds(&self, keyword: &str) -> bool {
        if !self.pairs.may_hold(keyword) {
            return false;
        }
        let Some(left) = self.budget.get().checked_sub(self.text.len()) else {
            return true;
        };
        self.budget.set(left);
        memchr::memmem::find(self.text.as_bytes(), keyword.as_bytes()).is_some()
    }
}

/// The error for a check whose id another check (defined in `other`) already has.
fn duplicate_id(check: &Check, other: &str) -> DefinitionError {
    DefinitionError {
        file: check.meta.source.to_string(),
        line: 0,
        check: Some(check.meta.id.to_string()),
        message: format!("duplicate check id (also defined in {other})"),
    }
}

/// The first target of a chain that names no loaded check, with its line.
fn unknown_target<'a>(
    chain: &'a chain::Chain,
    parts: &[(&str, crate::model::Category)],
) -> Option<&'a (String, u64)> {
    chain.targets.iter().find(|(target, _)| {
        !parts
            .iter()
            .any(|(id, category)| crate::model::target_covers(target, id, *category))
    })
}

/// The conditions of a built-in pattern packed at word `at`, compiled with their file-wide ones taking
/// slots from `first_slot` on (see [`compile::Packed`]).
fn packed_conditions(at: u32, first_slot: usize) -> check::Conditions {
    let (requires, unless, adjust) = embedded::index().unpack_conditions(at);
    let mut slot = first_slot;
    // Not compiled now, a built-in regex cannot fail here (the test suite compiles every one).
    compile::compile_conditions(&requires, &unless, &adjust, &mut slot, false)
        .unwrap_or_else(|(line, e)| panic!("built-in condition on line {line}: {e}"))
}

/// Compiles the chosen checks into a set, with room for every file-wide condition they hold.
pub fn into_set(checks: Vec<Check>) -> CheckSet {
    into_set_withheld(checks, set::Withheld::default())
}

/// [`into_set`], with the checks the review left out (see [`set::Withheld`]).
pub fn into_set_withheld(checks: Vec<Check>, withheld: set::Withheld) -> CheckSet {
    let slots = checks
        .iter()
        .filter_map(Check::pattern)
        .map(|p| p.slots_end)
        .max()
        .unwrap_or(0);
    CheckSet::with_withheld(checks, slots, withheld)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The probe finds what a plain search finds, until its budget is spent: then every keyword counts
    /// as held (its check is loaded, never wrongly left out).
    #[test]
    fn the_keyword_probe_is_exact_within_its_budget_and_holds_everything_past_it() {
        let text = "token = os.environ['api_key']\nrequests.get(url)\n";
        let probe = KeywordProbe::new(text);
        for (keyword, held) in [
            ("environ", true),
            ("requests.get", true),
            ("api_key", true),
            ("subprocess", false),
            ("ket", false),
            ("tokens", false),
            // Every pair of its bytes is in the text, the keyword is not.
            ("tokenviron", false),
        ] {
            assert_eq!(probe.holds(keyword), held, "{keyword}");
        }
        probe.budget.set(text.len() - 1);
        assert!(
            probe.holds("tokenviron"),
            "past the budget a keyword counts as held"
        );
        // Unless a pair of its bytes is not in the text at all.
        assert!(!probe.holds("subprocess"));
    }

    /// `novelty: always-report` marks a check; any other value is refused when the file is read.
    #[test]
    fn the_novelty_key_takes_always_report_only() {
        let check = |novelty: &str| {
            format!(
                "- id: network.t.off\n  category: network\n  severity: warning\n  {novelty}\n  languages: [python]\n  keywords: [verify]\n  pattern: 'verify=False'\n  message: off\n  help:\n    finds: a.\n    why: b.\n    example: verify=False\n    fix: c.\n"
            )
        };
        let mut slots = 0;
        let marked = parse_file(
            "checks/t.yml",
            &check("novelty: always-report"),
            &mut slots,
            true,
        )
        .unwrap();
        assert!(marked[0].meta.always_report);
        let plain = parse_file("checks/t.yml", &check(""), &mut slots, true).unwrap();
        assert!(!plain[0].meta.always_report);
        assert!(parse_file(
            "checks/t.yml",
            &check("novelty: sometimes"),
            &mut slots,
            true
        )
        .is_err());
        // The built-in checks marked: TLS verification off, SSH host keys, exfiltration hosts.
        let builtin = load(&[]).unwrap();
        let ids: Vec<&str> = builtin
            .iter()
            .filter(|c| c.meta.always_report)
            .map(|c| &*c.meta.id)
            .collect();
        assert!(ids.contains(&"network.any.tls-verify-off"), "{ids:?}");
        assert!(ids.contains(&"network.any.exfil-host"), "{ids:?}");
    }

    /// A review of one language's files loads exactly the checks that can run on them: every check
    /// for that language or for any, the dependency and chain checks, and the command checks only for
    /// Markdown and text (agent instruction files hold shell blocks).
    #[test]
    fn a_language_loads_the_checks_that_apply_to_it() {
        let all = load(&[]).unwrap();
        for language in crate::lang::Language::ALL {
            let some = load_for(&[], &Needed::Languages(vec![language])).unwrap();
            let expected: Vec<&str> = all
                .iter()
                .filter(|c| match &c.kind {
                    CheckKind::Command(_) => matches!(
                        language,
                        crate::lang::Language::Markdown | crate::lang::Language::Text
                    ),
                    CheckKind::Pattern(_) => c
                        .meta
                        .languages
                        .as_ref()
                        .is_none_or(|l| l.contains(&language)),
                    CheckKind::Produced(_) | CheckKind::Chain(_) => true,
                })
                .map(|c| c.meta.id.as_ref())
                .collect();
            let loaded: Vec<&str> = some.iter().map(|c| c.meta.id.as_ref()).collect();
            assert_eq!(loaded, expected, "{}", language.name());
        }
    }

    /// A partial load leaves each check's help and conditions packed until first used; read then, they
    /// are what compiling the whole spec gives, the file-wide conditions in the same slots.
    #[test]
    fn deferred_help_and_conditions_are_the_compiled_ones() {
        let index = embedded::index();
        for needed in [
            Needed::Languages(vec![crate::lang::Language::Python]),
            Needed::Languages(vec![
                crate::lang::Language::JavaScript,
                crate::lang::Language::Markdown,
            ]),
            Needed::Commands,
        ] {
            let lazy = load_for(&[], &needed).unwrap();
            let mut slots = 0;
            let full: Vec<Check> = index
                .entries()
                .filter(|e| needed.wants_entry(e))
                .map(|e| compile::compile(&index.unpack(&e), &mut slots, false).unwrap())
                .collect();
            assert_eq!(lazy.len(), full.len());
            let conditions = |c: &Check| -> Vec<(Target, String, Option<crate::model::Severity>)> {
                c.pattern().map_or(Vec::new(), |p| {
                    let lists = [p.requires(), p.unless(), p.adjust()];
                    lists
                        .iter()
                        .enumerate()
                        .flat_map(|(i, list)| {
                            list.iter().map(move |c| {
                                (c.target, format!("{i}{}", c.regex.source()), c.severity)
                            })
                        })
                        .collect()
                })
            };
            let mut with_file_slots = 0;
            for (l, f) in lazy.iter().zip(&full) {
                assert_eq!(l.meta.id, f.meta.id);
                assert_eq!(
                    l.meta.help.to_text(),
                    f.meta.help.to_text(),
                    "{}",
                    l.meta.id
                );
                assert_eq!(conditions(l), conditions(f), "{}", l.meta.id);
                assert_eq!(
                    l.pattern().map(|p| p.slots_end),
                    f.pattern().map(|p| p.slots_end),
                    "{}",
                    l.meta.id
                );
                with_file_slots += conditions(l)
                    .iter()
                    .filter(|(t, _, _)| matches!(t, Target::File(_) | Target::NewFile(_)))
                    .count();
            }
            assert_eq!(into_set(lazy).file_slots, into_set(full).file_slots);
            if needed != Needed::Commands {
                assert!(with_file_slots > 0, "the case tries file-wide conditions");
            }
        }
    }

    /// What the packed index says of a spec chooses it as the spec itself does, for every kind of
    /// review.
    #[test]
    fn the_index_chooses_the_specs_the_specs_choose() {
        let index = embedded::index();
        let specs = embedded::checks();
        let mut neededs = vec![
            Needed::Everything,
            Needed::Commands,
            Needed::Languages(vec![]),
        ];
        neededs.extend(crate::lang::Language::ALL.map(|l| Needed::Languages(vec![l])));
        neededs.push(Needed::Languages(vec![
            crate::lang::Language::Python,
            crate::lang::Language::Shell,
        ]));
        for (entry, spec) in index.entries().zip(specs) {
            assert_eq!(entry.id(), spec.id);
            for needed in &neededs {
                assert_eq!(
                    needed.wants_entry(&entry),
                    needed.wants(spec),
                    "{} for {needed:?}",
                    spec.id
                );
            }
        }
    }

    /// A command loads the command checks and the secret checks that mask it, nothing else.
    #[test]
    fn a_command_loads_the_command_and_secret_checks() {
        let all = load(&[]).unwrap();
        let some = load_for(&[], &Needed::Commands).unwrap();
        let expected: Vec<&str> = all
            .iter()
            .filter(|c| {
                c.command().is_some()
                    || (c.pattern().is_some() && c.meta.category == crate::model::Category::Secret)
            })
            .map(|c| c.meta.id.as_ref())
            .collect();
        let loaded: Vec<&str> = some.iter().map(|c| c.meta.id.as_ref()).collect();
        assert!(loaded.len() > 300, "{}", loaded.len());
        assert_eq!(loaded, expected);
    }

    /// A user check may not take the id of a built-in check left out of a partial load, and its chain
    /// may name a built-in check left out.
    #[test]
    fn a_partial_load_still_knows_every_built_in_id() {
        let taken = [(
            "mine.yml".to_string(),
            "- id: exec.python.subprocess\n  category: exec\n  severity: note\n  pattern: 'x'\n  message: m\n  help: h\n".to_string(),
        )];
        let error = load_for(&taken, &Needed::Commands).unwrap_err();
        assert!(
            error.message.contains("duplicate check id"),
            "{}",
            error.message
        );
        let chain = [(
            "mine.yml".to_string(),
            "- id: mine.chain\n  category: attack\n  severity: error\n  chain:\n    within: file\n    parts:\n      - role: runs\n        any: [exec.python.subprocess]\n      - role: sends\n        any: [network]\n  message: m\n  help: h\n".to_string(),
        )];
        load_for(&chain, &Needed::Languages(vec![crate::lang::Language::Go])).unwrap();
        let unknown = [(
            "mine.yml".to_string(),
            "- id: mine.chain\n  category: attack\n  severity: error\n  chain:\n    within: file\n    parts:\n      - role: runs\n        any: [exec.nothing-like-this]\n      - role: sends\n        any: [network]\n  message: m\n  help: h\n".to_string(),
        )];
        let error = load_for(
            &unknown,
            &Needed::Languages(vec![crate::lang::Language::Go]),
        )
        .unwrap_err();
        assert!(
            error.message.contains("names no check"),
            "{}",
            error.message
        );
    }

    /// The specs `build.rs` embedded are those the check files give when parsed now (what
    /// [`BUILTIN_DIR_ENV`] does), in the same order.
    #[test]
    fn the_embedded_specs_are_the_check_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for entry in ignore::WalkBuilder::new(root.join("checks"))
            .standard_filters(false)
            .build()
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path.to_path_buf());
            }
        }
        // Sorted as paths, component by component, as `build.rs` sorts them.
        files.sort();
        let parsed: Vec<CheckSpec> = files
            .iter()
            .flat_map(|path| {
                let name = path.strip_prefix(root).unwrap().to_string_lossy();
                let text = std::fs::read_to_string(path).unwrap();
                validate::parse_specs(&name.replace('\\', "/"), &text).unwrap()
            })
            .collect();
        assert!(parsed.len() > 800, "{}", parsed.len());
        assert_eq!(parsed.as_slice(), embedded::checks());
    }
}
