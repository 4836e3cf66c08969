//! Command checks: the `command:` matcher of a check with `category: command`, as written (schema) and
//! compiled. The agent gate ([`crate::engine::commands`]) runs them on every simple command of a parsed
//! shell command line; the line engine never sees them.

use super::regex::LazyRegex;
use super::spec::{CommandSpec, Located, Text};

/// A compiled command matcher; see [`super::schema::CommandDef`] for what each field means.
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

/// Compiles a validated matcher; a regex that does not compile is reported on its line.
pub fn compile(spec: &CommandSpec, eager: bool) -> Result<CommandMatcher, (u64, String)> {
    let regex = |s: &Option<Located>, key: &str| -> Result<Option<LazyRegex>, (u64, String)> {
        s.as_ref()
            .map(|s| {
                LazyRegex::located(s, eager).map_err(|(line, e)| (line, format!("{key}: {e}")))
            })
            .transpose()
    };
    let texts = |list: &[Text]| list.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let mut related: [Option<Box<CommandMatcher>>; 5] = Default::default();
    for (relation, nested) in spec.related.iter() {
        related[*relation as usize] = Some(Box::new(compile(nested, eager)?));
    }
    let [input_from, args_from, piped_into, not_piped_into, followed_by] = related;
    Ok(CommandMatcher {
        programs: texts(&spec.programs),
        subcommands: texts(&spec.subcommands),
        value_flags: texts(&spec.value_flags),
        flags: spec.flags.iter().map(|group| texts(group)).collect(),
        without_flags: texts(&spec.without_flags),
        operands: regex(&spec.operands, "operands")?,
        args: regex(&spec.args, "args")?,
        max_operands: spec.max_operands,
        max_args: spec.max_args,
        redirect_to: regex(&spec.redirect_to, "redirect_to")?,
        input_from,
        args_from,
        piped_into,
        not_piped_into,
        followed_by,
        new_package: spec.new_package.map(|e| e.as_str().to_string()),
        typosquat: spec.typosquat.map(|e| e.as_str().to_string()),
        on_default_branch: spec.on_default_branch,
        recursive: spec.recursive,
        computed_program: spec.computed_program,
        opaque: spec.opaque,
    })
}
