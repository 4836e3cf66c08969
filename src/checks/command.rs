//! Command checks: the `command:` matcher of a check with `category: command`, as written (schema) and
//! compiled. The agent gate ([`crate::engine::commands`]) runs them on every simple command of a parsed
//! shell command line; the line engine never sees them.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::compile::{compile_regex, placeholders, LazyRegex};
use crate::model::Decision;

/// Placeholders a command check's message may use.
pub const MESSAGE_PLACEHOLDERS: [&str; 4] = ["program", "operand", "package", "popular"];

/// Ecosystems whose manifests and popular-name lists `new_package` and `typosquat` know.
pub const PACKAGE_ECOSYSTEMS: [&str; 5] = ["npm", "pypi", "crates", "rubygems", "go"];

/// One required flag: a single name, or a list of names of which one must be present.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FlagGroupDef {
    /// `-p`
    One(Spanned<String>),
    /// `[-r, -R, --recursive]`
    AnyOf(Vec<Spanned<String>>),
}

/// Which simple commands a command check matches, as written. Every field given must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandDef {
    /// Program names (the basename after unwrapping `sudo`, `env`, paths…; compared in lowercase); a
    /// trailing `*` matches any suffix (`python*`). Empty: any program.
    #[serde(default)]
    pub program: Vec<Spanned<String>>,
    /// The first operand must be one of these (`push` in `git push`).
    #[serde(default)]
    pub subcommand: Vec<Spanned<String>>,
    /// Options that take the next word as their value (so it is not an operand): `-C` in `git -C dir`.
    #[serde(default)]
    pub value_flags: Vec<Spanned<String>>,
    /// Each entry must be present (an entry that is a list: one of its names). Combined short flags are
    /// split (`-rf` is `-r` and `-f`); `--name=value` counts as `--name`.
    #[serde(default)]
    pub flags: Vec<FlagGroupDef>,
    /// None of these flags may be present.
    #[serde(default)]
    pub without_flags: Vec<Spanned<String>>,
    /// A regex that at least one operand (an argument that is not a flag or a flag's value) must match.
    #[serde(default)]
    pub operands: Option<Spanned<String>>,
    /// A regex that at least one argument (flags included) must match.
    #[serde(default)]
    pub args: Option<Spanned<String>>,
    /// At most this many operands (the subcommand counts).
    #[serde(default)]
    pub max_operands: Option<usize>,
    /// At most this many arguments.
    #[serde(default)]
    pub max_args: Option<usize>,
    /// A regex that the target of one of the command's redirections must match (`/dev/tcp/…`).
    #[serde(default)]
    pub redirect_to: Option<Spanned<String>>,
    /// A command whose output reaches this command's standard input (an earlier command of the pipeline,
    /// `< <(…)`) must match this.
    #[serde(default)]
    pub input_from: Option<Box<CommandDef>>,
    /// A command whose output becomes one of this command's arguments (`$(…)`, backticks, `<(…)`) must
    /// match this.
    #[serde(default)]
    pub args_from: Option<Box<CommandDef>>,
    /// A command that reads this command's output (a later command of the pipeline) must match this.
    #[serde(default)]
    pub piped_into: Option<Box<CommandDef>>,
    /// No command that reads this command's output may match this (`echo "$TOKEN" | gh auth login
    /// --with-token` hands a secret over rather than printing it).
    #[serde(default)]
    pub not_piped_into: Option<Box<CommandDef>>,
    /// A command after this one on the same command line must match this.
    #[serde(default)]
    pub followed_by: Option<Box<CommandDef>>,
    /// An operand after the subcommand names a package of this ecosystem that no manifest in the working
    /// directory (or above it, up to the repository root) declares.
    #[serde(default)]
    pub new_package: Option<Spanned<String>>,
    /// An operand after the subcommand names a package of this ecosystem that imitates a popular one.
    #[serde(default)]
    pub typosquat: Option<Spanned<String>>,
    /// The repository in the working directory is on its default branch (`origin/HEAD`, else main or
    /// master).
    #[serde(default)]
    pub on_default_branch: bool,
    /// The command calls the shell function it is defined in (a fork bomb's shape).
    #[serde(default)]
    pub recursive: bool,
    /// The program is only known when the command runs: a variable or a substitution names it
    /// (`$cmd -rf /`, `$(echo rm) -rf /`).
    #[serde(default)]
    pub computed_program: bool,
    /// The command line is nested too deeply or is too long to parse completely (the other fields are
    /// ignored).
    #[serde(default)]
    pub opaque: bool,
}

/// A compiled command matcher; see [`CommandDef`] for what each field means.
#[derive(Debug, Clone, Default)]
pub struct CommandMatcher {
    /// Lowercase program names; a trailing `*` matches any suffix.
    pub programs: Vec<String>,
    /// Allowed first operands.
    pub subcommands: Vec<String>,
    /// Options that take a value.
    pub value_flags: Vec<String>,
    /// Required flags, each one of a group.
    pub flags: Vec<Vec<String>>,
    /// Forbidden flags.
    pub without_flags: Vec<String>,
    /// Some operand matches.
    pub operands: Option<LazyRegex>,
    /// Some argument matches.
    pub args: Option<LazyRegex>,
    /// Operand limit.
    pub max_operands: Option<usize>,
    /// Argument limit.
    pub max_args: Option<usize>,
    /// Some redirection target matches.
    pub redirect_to: Option<LazyRegex>,
    /// Some command feeding standard input matches.
    pub input_from: Option<Box<CommandMatcher>>,
    /// Some command feeding an argument matches.
    pub args_from: Option<Box<CommandMatcher>>,
    /// Some command reading the output matches.
    pub piped_into: Option<Box<CommandMatcher>>,
    /// No command reading the output matches.
    pub not_piped_into: Option<Box<CommandMatcher>>,
    /// Some later command matches.
    pub followed_by: Option<Box<CommandMatcher>>,
    /// Ecosystem of packages that must be new to the project.
    pub new_package: Option<String>,
    /// Ecosystem of packages that must imitate a popular one.
    pub typosquat: Option<String>,
    /// The repository is on its default branch.
    pub on_default_branch: bool,
    /// The command recurses into its own function.
    pub recursive: bool,
    /// The program is computed at run time.
    pub computed_program: bool,
    /// The command line could not be parsed completely.
    pub opaque: bool,
}

impl CommandMatcher {
    /// Whether `program` (lowercase basename) is one of the names.
    pub fn names_program(&self, program: &str) -> bool {
        self.programs.is_empty()
            || self.programs.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => program.starts_with(prefix),
                None => p == program,
            })
    }
}

/// The action of a command check.
pub fn parse_action(value: &str) -> Result<Decision, String> {
    match value {
        "deny" => Ok(Decision::Deny),
        "ask" => Ok(Decision::Ask),
        "allow" => Ok(Decision::Allow),
        other => Err(format!(
            "unknown `action` value `{other}` (expected deny, ask or allow)"
        )),
    }
}

/// Compiles a matcher; errors carry the line of the offending value (0 when unknown).
pub fn compile_command(def: CommandDef, eager: bool) -> Result<CommandMatcher, (u64, String)> {
    let line = |s: &Spanned<String>| s.referenced.line();
    let regex =
        |s: Option<Spanned<String>>, key: &str| -> Result<Option<LazyRegex>, (u64, String)> {
            s.map(|s| compile_regex(&s, eager).map_err(|e| (line(&s), format!("{key}: {e}"))))
                .transpose()
        };
    let names = |v: Vec<Spanned<String>>, key: &str| -> Result<Vec<String>, (u64, String)> {
        v.into_iter()
            .map(|s| {
                if s.value.trim().is_empty() {
                    Err((line(&s), format!("`{key}` entries may not be empty")))
                } else {
                    Ok(s.value.trim().to_string())
                }
            })
            .collect()
    };
    let nested =
        |d: Option<Box<CommandDef>>| -> Result<Option<Box<CommandMatcher>>, (u64, String)> {
            d.map(|d| compile_command(*d, eager).map(Box::new))
                .transpose()
        };
    let ecosystem =
        |s: Option<Spanned<String>>, key: &str| -> Result<Option<String>, (u64, String)> {
            match s {
                None => Ok(None),
                Some(s) if PACKAGE_ECOSYSTEMS.contains(&s.value.as_str()) => Ok(Some(s.value)),
                Some(s) => Err((
                    line(&s),
                    format!(
                        "unknown `{key}` ecosystem `{}` (expected one of: {})",
                        s.value,
                        PACKAGE_ECOSYSTEMS.join(", ")
                    ),
                )),
            }
        };
    let flags = def
        .flags
        .into_iter()
        .map(|group| match group {
            FlagGroupDef::One(name) => names(vec![name], "flags"),
            FlagGroupDef::AnyOf(list) if list.is_empty() => {
                Err((0, "`flags` may not hold an empty list".to_string()))
            }
            FlagGroupDef::AnyOf(list) => names(list, "flags"),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CommandMatcher {
        programs: names(def.program, "program")?
            .into_iter()
            .map(|p| p.to_ascii_lowercase())
            .collect(),
        subcommands: names(def.subcommand, "subcommand")?,
        value_flags: names(def.value_flags, "value_flags")?,
        flags,
        without_flags: names(def.without_flags, "without_flags")?,
        operands: regex(def.operands, "operands")?,
        args: regex(def.args, "args")?,
        max_operands: def.max_operands,
        max_args: def.max_args,
        redirect_to: regex(def.redirect_to, "redirect_to")?,
        input_from: nested(def.input_from)?,
        args_from: nested(def.args_from)?,
        piped_into: nested(def.piped_into)?,
        not_piped_into: nested(def.not_piped_into)?,
        followed_by: nested(def.followed_by)?,
        new_package: ecosystem(def.new_package, "new_package")?,
        typosquat: ecosystem(def.typosquat, "typosquat")?,
        on_default_branch: def.on_default_branch,
        recursive: def.recursive,
        computed_program: def.computed_program,
        opaque: def.opaque,
    })
}

/// A check's action and command matcher (both `None` for checks that are not command checks).
pub type CommandParts = (Option<Decision>, Option<Box<CommandMatcher>>);

/// The `action` and `command` of a check definition, checked against its category: a command check needs
/// both, any other check neither; a command check's message may use only [`MESSAGE_PLACEHOLDERS`]. Errors
/// carry a line (0: the check's own line).
pub fn compile_command_parts(
    action: Option<Spanned<String>>,
    command: Option<CommandDef>,
    is_command: bool,
    message: &str,
    eager: bool,
) -> Result<CommandParts, (u64, String)> {
    if !is_command {
        if let Some(action) = &action {
            return Err((
                action.referenced.line(),
                "`action` belongs to command checks (`category: command`)".into(),
            ));
        }
        if command.is_some() {
            return Err((
                0,
                "`command` belongs to command checks (`category: command`)".into(),
            ));
        }
        return Ok((None, None));
    }
    let action = action.ok_or((
        0,
        "a command check needs an `action` (deny, ask or allow)".to_string(),
    ))?;
    let decision = parse_action(&action.value).map_err(|e| (action.referenced.line(), e))?;
    let command = command.ok_or((0, "a command check needs a `command` matcher".to_string()))?;
    if let Some(unknown) = placeholders(message).find(|p| !MESSAGE_PLACEHOLDERS.contains(p)) {
        return Err((
            0,
            format!(
                "the message uses `{{{unknown}}}`; a command check's message may use {}",
                MESSAGE_PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ),
        ));
    }
    Ok((
        Some(decision),
        Some(Box::new(compile_command(command, eager)?)),
    ))
}
