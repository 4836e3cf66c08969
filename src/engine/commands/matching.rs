//! Evaluating a [`CommandMatcher`] on one simple command of a parsed command line.

use super::project::Project;
use crate::checks::command::CommandMatcher;
use crate::checks::compile::LazyRegex;
use crate::shell::{Command, Script};

/// How many later commands `followed_by` looks at.
const FOLLOW_LIMIT: usize = 64;

/// Longest operand shown in a message, in characters.
const SHOWN_CHARS: usize = 60;

/// What a match found, for the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Hit {
    /// The program.
    pub program: String,
    /// The operand, argument or redirection target that matched.
    pub operand: Option<String>,
    /// The package that is new or imitates a popular one.
    pub package: Option<String>,
    /// The popular package imitated.
    pub popular: Option<String>,
}

/// A command's arguments split by what they are.
struct Arguments<'a> {
    /// Flags as written up to `=`, plus each letter of combined short flags (`-rf` → `-rf`, `-r`, `-f`).
    flags: Vec<String>,
    /// Arguments that are neither flags nor flag values.
    operands: Vec<&'a str>,
}

impl<'a> Arguments<'a> {
    fn of(args: &'a [String], value_flags: &[String]) -> Arguments<'a> {
        let takes_value = |flag: &str| value_flags.iter().any(|v| v == flag);
        let mut flags = Vec::new();
        let mut operands = Vec::new();
        let mut options_ended = false;
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_str();
            i += 1;
            if options_ended || arg.len() < 2 || !arg.starts_with('-') {
                operands.push(arg);
                continue;
            }
            if arg == "--" {
                options_ended = true;
                continue;
            }
            if let Some((name, _)) = arg.split_once('=').filter(|_| arg.starts_with("--")) {
                flags.push(name.to_string());
                continue;
            }
            flags.push(arg.to_string());
            let mut value_follows = takes_value(arg);
            if !arg.starts_with("--") && arg.len() > 2 {
                let letters: Vec<String> = arg[1..].chars().map(|c| format!("-{c}")).collect();
                value_follows |= letters.last().is_some_and(|l| takes_value(l));
                flags.extend(letters);
            }
            if value_follows {
                i += 1;
            }
        }
        Arguments { flags, operands }
    }

    fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// Whether the matcher holds for command `idx` of the script (the `opaque` field is the caller's).
pub(super) fn matches(
    matcher: &CommandMatcher,
    script: &Script,
    idx: usize,
    project: &Project<'_>,
) -> Option<Hit> {
    let command = &script.commands[idx];
    let program = command.program();
    if !matcher.names_program(&program) {
        return None;
    }
    if matcher.recursive
        && !command
            .function
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case(&program))
    {
        return None;
    }
    if matcher.computed_program && !command.program_is_computed() {
        return None;
    }
    let args = command.args();
    if matcher.max_args.is_some_and(|max| args.len() > max) {
        return None;
    }
    let arguments = Arguments::of(args, &matcher.value_flags);
    if !matcher.subcommands.is_empty()
        && !arguments
            .operands
            .first()
            .is_some_and(|first| matcher.subcommands.iter().any(|s| s == first))
    {
        return None;
    }
    if matcher
        .max_operands
        .is_some_and(|max| arguments.operands.len() > max)
    {
        return None;
    }
    if !matcher
        .flags
        .iter()
        .all(|group| group.iter().any(|f| arguments.has_flag(f)))
        || matcher.without_flags.iter().any(|f| arguments.has_flag(f))
    {
        return None;
    }
    let mut hit = Hit {
        program,
        ..Hit::default()
    };
    if let Some(regex) = &matcher.operands {
        let found = arguments
            .operands
            .iter()
            .find(|o| word_matches(regex, o, command))?;
        hit.operand = Some(shown(found));
    }
    if let Some(regex) = &matcher.args {
        let found = args.iter().find(|a| word_matches(regex, a, command))?;
        hit.operand.get_or_insert_with(|| shown(found));
    }
    if let Some(regex) = &matcher.redirect_to {
        let found = command
            .redirects
            .iter()
            .find(|r| regex.is_match(r.target.as_bytes()))?;
        hit.operand.get_or_insert_with(|| shown(&found.target));
    }
    if matcher.new_package.is_some() || matcher.typosquat.is_some() {
        let skip = usize::from(!matcher.subcommands.is_empty());
        let packages = arguments
            .operands
            .iter()
            .skip(skip)
            .filter_map(|o| package_name(o));
        let mut found = false;
        for package in packages {
            if let Some(ecosystem) = &matcher.typosquat {
                if let Some(popular) = crate::engine::deps::resembles(ecosystem, &package) {
                    hit.popular = Some(popular);
                } else {
                    continue;
                }
            }
            if let Some(ecosystem) = &matcher.new_package {
                if project.declares(ecosystem, &package) {
                    continue;
                }
            }
            hit.package = Some(shown(&package));
            found = true;
            break;
        }
        if !found {
            return None;
        }
    }
    let related = |list: &[usize], sub: &Option<Box<CommandMatcher>>| match sub {
        None => true,
        Some(sub) => list
            .iter()
            .any(|&other| matches(sub, script, other, project).is_some()),
    };
    if !related(&command.stdin_from, &matcher.input_from)
        || !related(&command.args_from, &matcher.args_from)
        || !related(&command.stdout_to, &matcher.piped_into)
    {
        return None;
    }
    if let Some(sub) = &matcher.not_piped_into {
        if command
            .stdout_to
            .iter()
            .any(|&other| matches(sub, script, other, project).is_some())
        {
            return None;
        }
    }
    if let Some(sub) = &matcher.followed_by {
        let later = idx + 1..script.commands.len().min(idx + 1 + FOLLOW_LIMIT);
        if !later
            .into_iter()
            .any(|other| matches(sub, script, other, project).is_some())
        {
            return None;
        }
    }
    if matcher.on_default_branch && !project.on_default_branch() {
        return None;
    }
    Some(hit)
}

/// The package an install operand names, without its version or extras; `None` for paths, URLs and
/// archives (those are not registry packages).
fn package_name(operand: &str) -> Option<String> {
    let operand = operand.trim();
    if operand.is_empty()
        || operand.starts_with(['.', '/', '~', '$', '-'])
        || operand.contains("://")
        || operand.starts_with("git+")
        || operand.starts_with("file:")
        || operand.ends_with(".tgz")
        || operand.ends_with(".tar.gz")
        || operand.ends_with(".whl")
    {
        return None;
    }
    let operand = operand.strip_prefix("npm:").unwrap_or(operand);
    // `@scope/name@1.2`, `name@1.2`, `module/path@v1`: the version follows the last `@` after the first byte.
    // The first character may be wider than one byte.
    let first = operand.chars().next().map_or(0, char::len_utf8);
    let without_version = match operand[first..].rfind('@') {
        Some(at) => &operand[..first + at],
        None => operand,
    };
    // PEP 508: `name[extra]>=1.0; marker`.
    let end = without_version
        .find(['=', '<', '>', '!', '~', '[', ';', ' ', ','])
        .unwrap_or(without_version.len());
    let name = without_version[..end].trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Whether `regex` matches a word of `command`; in a word whose `$` are quoted (`'$HOME'`) a `$` is
/// literal text, so a pattern looking for an expansion does not see one there.
fn word_matches(regex: &LazyRegex, word: &str, command: &Command) -> bool {
    if command.is_literal(word) {
        regex.is_match(word.replace('$', "\u{FF04}").as_bytes())
    } else {
        regex.is_match(word.as_bytes())
    }
}

/// An operand as a message shows it: at most [`SHOWN_CHARS`] characters.
fn shown(text: &str) -> String {
    if text.chars().count() > SHOWN_CHARS {
        text.chars().take(SHOWN_CHARS).chain("…".chars()).collect()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_name_starting_with_a_multibyte_character_does_not_panic() {
        // Found by the `shell` fuzz target (`go install \u{f9}...`): sliced one byte in, inside the character.
        assert_eq!(
            package_name("\u{20ac}uro@1.0").as_deref(),
            Some("\u{20ac}uro")
        );
    }

    #[test]
    fn package_names_lose_versions_and_extras() {
        assert_eq!(package_name("lodash@4.17.21").as_deref(), Some("lodash"));
        assert_eq!(
            package_name("@types/node@20").as_deref(),
            Some("@types/node")
        );
        assert_eq!(package_name("@types/node").as_deref(), Some("@types/node"));
        assert_eq!(
            package_name("requests[socks]>=2.0").as_deref(),
            Some("requests")
        );
        assert_eq!(package_name("serde@1.0").as_deref(), Some("serde"));
        assert_eq!(
            package_name("github.com/pkg/errors@v0.9.1").as_deref(),
            Some("github.com/pkg/errors")
        );
        assert_eq!(package_name("./local"), None);
        assert_eq!(package_name("https://x/y.tgz"), None);
    }

    #[test]
    fn combined_short_flags_are_split_and_values_skipped() {
        let args: Vec<String> = ["-rf", "--force=yes", "-o", "out", "x"]
            .map(String::from)
            .to_vec();
        let parsed = Arguments::of(&args, &["-o".to_string()]);
        assert!(parsed.has_flag("-r") && parsed.has_flag("-f") && parsed.has_flag("--force"));
        assert_eq!(parsed.operands, vec!["x"]);
    }
}
