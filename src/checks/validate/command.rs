//! Validating command checks: their `action`, their `command` matcher and their message.

use std::borrow::Cow;

use serde_saphyr::Spanned;

use super::{line_of, located, placeholders, Fault};
use crate::checks::schema::{CheckDef, CommandDef, FlagGroupDef};
use crate::checks::spec::{CommandCheckSpec, CommandSpec, List, Relation, Text};

/// Placeholders a command check's message may use.
pub const MESSAGE_PLACEHOLDERS: [&str; 4] = ["program", "operand", "package", "popular"];

/// Validates a command check (`category: command`): it needs an `action` and a `command`; its message
/// may use only [`MESSAGE_PLACEHOLDERS`].
pub fn command_check(def: &CheckDef) -> Result<CommandCheckSpec, Fault> {
    let action = def.action.as_ref().ok_or((
        0,
        "a command check needs an `action` (deny, ask or allow)".to_string(),
    ))?;
    let command = def
        .command
        .as_ref()
        .ok_or((0, "a command check needs a `command` matcher".to_string()))?;
    if let Some(unknown) = placeholders(&def.message).find(|p| !MESSAGE_PLACEHOLDERS.contains(p)) {
        return Err((
            0,
            format!(
                "the message uses `{{{unknown}}}`; a command check's message may use {}",
                MESSAGE_PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ),
        ));
    }
    Ok(CommandCheckSpec {
        action: action.value,
        matcher: matcher(command)?,
    })
}

/// Validates a matcher and the matchers of its related commands.
fn matcher(def: &CommandDef) -> Result<CommandSpec, Fault> {
    let flags = def
        .flags
        .iter()
        .map(|group| match group {
            FlagGroupDef::One(name) => names(std::slice::from_ref(name), "flags"),
            FlagGroupDef::AnyOf(list) if list.is_empty() => {
                Err((0, "`flags` may not hold an empty list".to_string()))
            }
            FlagGroupDef::AnyOf(list) => names(list, "flags"),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let relations = [
        (Relation::InputFrom, &def.input_from),
        (Relation::ArgsFrom, &def.args_from),
        (Relation::PipedInto, &def.piped_into),
        (Relation::NotPipedInto, &def.not_piped_into),
        (Relation::FollowedBy, &def.followed_by),
    ];
    let mut related = Vec::new();
    for (relation, nested) in relations {
        if let Some(nested) = nested {
            related.push((relation, matcher(nested)?));
        }
    }
    let programs = names(&def.program, "program")?
        .iter()
        .map(|p| Cow::Owned(p.to_ascii_lowercase()))
        .collect::<Vec<Text>>();
    Ok(CommandSpec {
        programs: Cow::Owned(programs),
        subcommands: names(&def.subcommand, "subcommand")?,
        value_flags: names(&def.value_flags, "value_flags")?,
        flags: Cow::Owned(flags),
        without_flags: names(&def.without_flags, "without_flags")?,
        operands: def.operands.as_ref().map(located),
        args: def.args.as_ref().map(located),
        max_operands: def.max_operands,
        max_args: def.max_args,
        redirect_to: def.redirect_to.as_ref().map(located),
        related: Cow::Owned(related),
        new_package: def.new_package.as_ref().map(|e| e.value),
        typosquat: def.typosquat.as_ref().map(|e| e.value),
        on_default_branch: def.on_default_branch,
        recursive: def.recursive,
        computed_program: def.computed_program,
        opaque: def.opaque,
    })
}

/// Names (trimmed), none of them empty.
fn names(values: &[Spanned<String>], key: &str) -> Result<List<Text>, Fault> {
    values
        .iter()
        .map(|s| {
            if s.value.trim().is_empty() {
                Err((line_of(s), format!("`{key}` entries may not be empty")))
            } else {
                Ok(Cow::Owned(s.value.trim().to_string()))
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Cow::Owned)
}
