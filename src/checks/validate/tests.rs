use super::*;
use crate::checks::schema::{Action, Ecosystem, Within};
use crate::checks::spec::Relation;

const GOOD: &str = "- id: exec.python.system
  category: exec
  severity: warning
  languages: [python]
  keywords: [System]
  pattern: 'os\\.system\\('
  in: string
  adjust:
    - args: '@literal'
      severity: note
      reason: with a literal
  message: runs a shell command
  help: What it finds.
";

fn error_of(text: &str) -> String {
    parse_specs("team.yml", text).unwrap_err().to_string()
}

#[test]
fn a_good_definition_becomes_a_pattern_spec() {
    let specs = parse_specs("team.yml", GOOD).unwrap();
    assert_eq!(specs.len(), 1);
    let spec = &specs[0];
    assert_eq!((spec.id.as_ref(), spec.line), ("exec.python.system", 1));
    assert_eq!(spec.category, Category::Exec);
    let KindSpec::Pattern(pattern) = &spec.kind else {
        panic!("{spec:?}");
    };
    assert_eq!(pattern.keywords.as_ref(), [Cow::Borrowed("system")]);
    assert_eq!(pattern.scope, Scope::Strings);
    assert_eq!(pattern.adjust[0].target, TargetSpec::Args);
    assert_eq!(pattern.adjust[0].pattern.line, 9);
}

#[test]
fn a_bad_enum_value_names_the_file_the_line_and_the_check() {
    for (key, bad, line) in [
        ("severity: warning", "severity: fatal", 3),
        ("category: exec", "category: shell", 2),
        ("in: string", "in: docs", 7),
    ] {
        let text = GOOD.replace(key, bad);
        let error = error_of(&text);
        assert!(
            error.starts_with(&format!("team.yml:{line}: check `exec.python.system`: ")),
            "{error}"
        );
        let value = bad.split(": ").nth(1).unwrap();
        assert!(error.contains(value), "{error}");
    }
    let per = GOOD.replace("  in: string\n", "  per: module\n");
    let error = error_of(&per);
    assert!(
        error.starts_with("team.yml:7: check `exec.python.system`: ") && error.contains("module"),
        "{error}"
    );
    let adjust = GOOD.replace("severity: note", "severity: low");
    assert!(error_of(&adjust).starts_with("team.yml:10: check `exec.python.system`: "));
}

#[test]
fn the_other_closed_sets_are_enums_too() {
    let command = "- id: command.team.x
  category: command
  severity: error
  action: deny
  command:
    program: [Npm]
    typosquat: npm
    piped_into: {program: [sh]}
  message: runs {program}
  help: h
";
    let spec = &parse_specs("c.yml", command).unwrap()[0];
    let KindSpec::Command(check) = &spec.kind else {
        panic!("{spec:?}");
    };
    assert_eq!(check.action, Action::Deny);
    assert_eq!(check.matcher.programs.as_ref(), [Cow::Borrowed("npm")]);
    assert_eq!(check.matcher.typosquat, Some(Ecosystem::Npm));
    assert_eq!(check.matcher.related[0].0, Relation::PipedInto);
    for (bad, line) in [("action: deny", 4), ("typosquat: npm", 7)] {
        let text = command.replace(bad, &format!("{}: maybe", bad.split(':').next().unwrap()));
        let error = error_of(&text);
        assert!(
            error.starts_with(&format!("team.yml:{line}: check `command.team.x`: ")),
            "{error}"
        );
    }
    let chain = "- id: attack.team.x
  category: attack
  severity: error
  chain:
    within: step
    parts:
      - {role: read, any: [env]}
      - {role: send, any: [network]}
  message: m
  help: h
";
    let spec = &parse_specs("a.yml", chain).unwrap()[0];
    let KindSpec::Chain(spec) = &spec.kind else {
        panic!("{spec:?}");
    };
    assert_eq!(spec.within, Within::Step);
    assert!(error_of(&chain.replace("within: step", "within: repo"))
        .starts_with("team.yml:5: check `attack.team.x`: "));
}

/// What `build.rs` runs on every built-in file: a bad definition is refused with its file and line.
#[test]
fn the_build_time_validator_refuses_bad_definitions() {
    let cases = [
        (
            GOOD.replace("id: exec.python.system", "id: exec python.system"),
            1,
            "an id may only hold",
        ),
        (
            GOOD.replace("  pattern: 'os\\.system\\('\n", ""),
            1,
            "missing `pattern`",
        ),
        (
            GOOD.replace("help: What it finds.", "help: ' '"),
            1,
            "`help` may not be empty",
        ),
        (
            GOOD.replace("      severity: note\n", ""),
            9,
            "needs a `severity`",
        ),
        (
            GOOD.replace("adjust:", "requires:"),
            10,
            "belongs in `adjust`",
        ),
        (
            GOOD.replace("  in: string\n", "  produced_by: dependencies\n"),
            6,
            "takes no `pattern`",
        ),
        (
            GOOD.replace("  in: string\n", "  action: deny\n"),
            7,
            "`action` belongs to command checks",
        ),
        (
            GOOD.replace("keywords: [System]", "keywords: ['']"),
            5,
            "keyword may not be empty",
        ),
        (
            GOOD.replace("  in: string\n", "  entropy: 9\n"),
            1,
            "between 0 and 8",
        ),
        (GOOD.replace("  in: string\n", "  patern: x\n"), 7, "patern"),
    ];
    for (text, line, message) in cases {
        let error = parse_specs("checks/exec/python.yml", &text).unwrap_err();
        let id = error.check.as_deref().map(|id| id.replace(' ', "."));
        assert_eq!(
            (error.line, id.as_deref()),
            (line, Some("exec.python.system")),
            "{error}"
        );
        assert!(error.message.contains(message), "{error}");
    }
}

#[test]
fn a_chain_names_its_parts_and_a_command_check_its_matcher() {
    let chain = "- id: attack.x\n  category: attack\n  severity: error\n  chain:\n    within: file\n    parts:\n      - {role: a, any: [env]}\n  message: m\n  help: h\n";
    assert!(error_of(chain).contains("at least two parts"));
    let command = "- id: command.x\n  category: command\n  severity: error\n  action: ask\n  command: {program: ['']}\n  message: m {secret}\n  help: h\n";
    assert!(error_of(command).contains("`{secret}`"));
    let command = command.replace(" {secret}", "");
    assert!(error_of(&command).contains("`program` entries may not be empty"));
}
