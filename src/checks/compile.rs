//! Compiling validated checks ([`CheckSpec`]) into runnable ones: languages resolved, globs built,
//! regexes wrapped (compiled at once when `eager`, else when first used). The keyword prefilter over the
//! whole set is in [`super::set`].

use super::check::{CommandCheck, Conditions, Deferred, PatternCheck, Unpack};
use super::spec::{CheckSpec, ConditionSpec, KindSpec, Located, PatternSpec, TargetSpec};
use crate::lang::Language;
use crate::model::Decision;

pub use super::check::{Check, CheckKind, CheckMeta, Condition, Target};
pub use super::error::DefinitionError;
pub use super::regex::{build_globset, LazyGlobs, LazyRegex};
pub use super::schema::{Checksum, On, Scope};
pub use super::validate::placeholders;

/// An error of one spec before the check is known: (line, message).
type Fault = (u64, String);

/// Compiles one spec. `file_slots` counts file-wide conditions across the whole set; with `eager`,
/// regexes are compiled (and the capture groups the message and redaction name checked) now.
pub fn compile(
    spec: &CheckSpec,
    file_slots: &mut usize,
    eager: bool,
) -> Result<Check, DefinitionError> {
    compile_parts(spec, file_slots, eager, None)
}

/// What a built-in spec unpacked without its help and conditions ([`super::packed::Index::unpack_deferred`])
/// needs to have them read when first used: where they are, how many file slots the conditions take,
/// and the functions that read them from the binary.
#[derive(Debug, Clone, Copy)]
pub struct Packed {
    /// Where the help and conditions are.
    pub at: super::packed::Deferred,
    /// How many file-wide conditions the spec holds.
    pub file_slots: usize,
    /// Reads the help.
    pub help: Unpack<Box<super::help::CheckHelp>>,
    /// Reads and compiles the conditions, the file-wide ones taking slots from the given one on.
    pub conditions: Unpack<Conditions>,
}

/// [`compile`] of a spec whose help and conditions stay packed until first used (see [`Packed`]).
pub fn compile_packed(
    spec: &CheckSpec,
    file_slots: &mut usize,
    packed: Packed,
) -> Result<Check, DefinitionError> {
    compile_parts(spec, file_slots, false, Some(packed))
}

/// Compiles the conditions of a pattern, the file-wide ones taking slots from `file_slots` on.
pub fn compile_conditions(
    requires: &[ConditionSpec],
    unless: &[ConditionSpec],
    adjust: &[ConditionSpec],
    file_slots: &mut usize,
    eager: bool,
) -> Result<Conditions, (u64, String)> {
    let mut conditions = |specs: &[ConditionSpec]| -> Result<Vec<Condition>, Fault> {
        specs
            .iter()
            .map(|c| condition(c, file_slots, eager))
            .collect()
    };
    Ok(Conditions {
        requires: conditions(requires)?,
        unless: conditions(unless)?,
        adjust: conditions(adjust)?,
    })
}

fn compile_parts(
    spec: &CheckSpec,
    file_slots: &mut usize,
    eager: bool,
    packed: Option<Packed>,
) -> Result<Check, DefinitionError> {
    let err = |(line, message): Fault| DefinitionError {
        file: spec.source.to_string(),
        line: if line == 0 {
            u64::from(spec.line)
        } else {
            line
        },
        check: Some(spec.id.to_string()),
        message,
    };
    let meta = CheckMeta {
        id: spec.id.clone(),
        category: spec.category,
        severity: spec.severity,
        languages: languages(&spec.languages).map_err(err)?,
        paths: LazyGlobs::new(&spec.paths, eager)
            .map_err(err)?
            .map(Box::new),
        exclude_paths: LazyGlobs::new(&spec.exclude_paths, eager)
            .map_err(err)?
            .map(Box::new),
        message: spec.message.clone(),
        cwe: spec.cwe.clone(),
        help: match packed {
            Some(packed) => Deferred::packed(packed.at.help, 0, packed.help),
            None => Deferred::new(Box::new(spec.help.clone())),
        },
        source: spec.source.clone(),
        always_report: spec.always_report,
    };
    let kind = match &spec.kind {
        KindSpec::Pattern(pattern) => CheckKind::Pattern(std::sync::Arc::new(
            compile_pattern(pattern, &spec.message, file_slots, eager, packed).map_err(err)?,
        )),
        KindSpec::Produced(producer) => CheckKind::Produced(*producer),
        KindSpec::Chain(chain) => CheckKind::Chain(super::chain::compile(chain)),
        KindSpec::Command(command) => CheckKind::Command(Box::new(CommandCheck {
            action: match command.action {
                super::schema::Action::Deny => Decision::Deny,
                super::schema::Action::Ask => Decision::Ask,
                super::schema::Action::Allow => Decision::Allow,
            },
            matcher: super::command::compile(&command.matcher, eager).map_err(err)?,
        })),
    };
    Ok(Check { meta, kind })
}

/// The languages by name; `None` (every language) when there are none.
fn languages(names: &[Located]) -> Result<Option<Vec<Language>>, Fault> {
    if names.is_empty() {
        return Ok(None);
    }
    names
        .iter()
        .map(|name| {
            Language::from_name(&name.text).ok_or_else(|| {
                (
                    u64::from(name.line),
                    format!(
                        "unknown language `{}` (known: {})",
                        name.text,
                        Language::ALL.map(Language::name).join(", ")
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn compile_pattern(
    spec: &PatternSpec,
    message: &str,
    file_slots: &mut usize,
    eager: bool,
    packed: Option<Packed>,
) -> Result<PatternCheck, Fault> {
    let regex = LazyRegex::located(&spec.pattern, eager)?;
    let conditions = match packed {
        Some(packed) => {
            let at = packed
                .at
                .conditions
                .expect("a packed pattern has its conditions' place");
            let first_slot = *file_slots;
            *file_slots += packed.file_slots;
            Deferred::packed(at, first_slot, packed.conditions)
        }
        None => Deferred::new(compile_conditions(
            &spec.requires,
            &spec.unless,
            &spec.adjust,
            file_slots,
            eager,
        )?),
    };
    if eager {
        check_capture_names(&regex, spec.redact.as_ref(), message)?;
    }
    let redact_group = spec.redact.as_ref().map(|r| r.text.to_string());
    Ok(PatternCheck {
        keywords: spec.keywords.clone(),
        needs_captures: redact_group.is_some() || placeholders(message).next().is_some(),
        regex,
        scope: spec.scope,
        conditions,
        slots_end: *file_slots,
        redact_group,
        min_entropy: spec.entropy,
        validate: spec.validate,
        per_file: spec.per == super::schema::Per::File,
        on_binary: spec.binary,
        judge_generic: spec.judge.is_some(),
        signal: spec.signal,
        on: spec.on,
    })
}

/// The capture groups that the redaction and the message's placeholders name must exist.
fn check_capture_names(
    regex: &LazyRegex,
    redact: Option<&Located>,
    message: &str,
) -> Result<(), Fault> {
    if let Some(name) = redact {
        if !regex.capture_names().any(|n| n == Some(name.text.as_ref())) {
            return Err((
                u64::from(name.line),
                format!("the pattern has no capture group named `{}`", name.text),
            ));
        }
    }
    for placeholder in placeholders(message) {
        if !regex.capture_names().any(|n| n == Some(placeholder)) {
            return Err((
                0,
                format!("the message uses `{{{placeholder}}}` but the pattern has no capture group of that name"),
            ));
        }
    }
    Ok(())
}

fn condition(
    spec: &ConditionSpec,
    file_slots: &mut usize,
    eager: bool,
) -> Result<Condition, Fault> {
    let target = match spec.target {
        TargetSpec::Match => Target::Match,
        TargetSpec::Rest => Target::Rest,
        TargetSpec::Before => Target::Before,
        TargetSpec::Line => Target::Line,
        TargetSpec::After => Target::After,
        TargetSpec::Args => Target::Args,
        TargetSpec::File => {
            *file_slots += 1;
            Target::File(*file_slots - 1)
        }
        TargetSpec::NewFile => {
            *file_slots += 1;
            Target::NewFile(*file_slots - 1)
        }
        TargetSpec::KeptAfter => Target::KeptAfter,
    };
    Ok(Condition {
        target,
        regex: LazyRegex::located(&spec.pattern, eager)?,
        severity: spec.severity,
        reason: spec.reason.as_ref().map(|r| r.to_string()),
    })
}
