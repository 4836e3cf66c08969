//! Lexer tests: each renders a text as one letter per byte (c code, # comment, s string, i inert).

use super::*;

/// Renders each byte's region as a letter: c(ode), # (comment), s(tring), i(nert).
fn render(lang: Language, text: &str) -> String {
    let regions = lex(lang, text);
    (0..text.len())
        .map(|i| match regions.at(i) {
            Region::Code => 'c',
            Region::Comment => '#',
            Region::String => 's',
            Region::Inert => 'i',
        })
        .collect()
}

#[test]
fn c_like_comments_and_strings() {
    assert_eq!(render(Language::Java, r#"a("x") // y"#), "ccssscc####");
    assert_eq!(render(Language::C, "x /* a\nb */ y"), "cc#########cc");
    assert_eq!(render(Language::Go, "s := `a\n\"b`"), "cccccssssss");
}

#[test]
fn rust_lifetimes_are_code_and_chars_are_strings() {
    assert_eq!(render(Language::Rust, "f<'a>('x')"), "ccccccsssc");
    assert_eq!(render(Language::Rust, r###"r#"a"b"# c"###), "ccsssssscc");
}

#[test]
fn python_triple_quotes_and_fstrings() {
    let text = "x = \"\"\"\n# not a comment\n\"\"\"\ny # c";
    let r = render(Language::Python, text);
    assert_eq!(&r[4..25], "s".repeat(21), "{r}");
    assert!(r.ends_with("cc###"), "{r}");
    assert_eq!(render(Language::Python, "f\"a{b}c\""), "csscccss");
}

#[test]
fn js_template_interpolation_is_code_and_regex_literals_are_strings() {
    assert_eq!(render(Language::JavaScript, "`a${env}b`"), "ssccccccss");
    assert_eq!(render(Language::JavaScript, "x = /'/; y"), "ccccsssccc");
    assert_eq!(render(Language::JavaScript, "a / b / c"), "ccccccccc");
}

#[test]
fn shell_hash_only_at_word_start_and_vars_in_quotes_are_code() {
    assert_eq!(render(Language::Shell, "a#b # c"), "cccc###");
    let r = render(Language::Shell, "echo \"$HOME x\"");
    assert_eq!(&r[5..], "scccccsss");
    assert_eq!(render(Language::Shell, "echo 'it''s'"), "cccccsssssss");
}

#[test]
fn dockerfile_only_run_lines_are_code() {
    let text = "FROM x\nRUN curl a \\\n  | sh\nCOPY . .";
    let r = render(Language::Dockerfile, text);
    assert!(r[..11].chars().all(|c| c == 'i'), "{r}");
    assert!(r[11..26].chars().all(|c| c == 'c'), "{r}");
    assert!(r[27..].chars().all(|c| c == 'i'), "{r}");
}

#[test]
fn workflow_run_blocks_are_code() {
    let text = "steps:\n  - run: |\n      curl x\n  - name: y\n    run: echo z\n";
    let r = render(Language::GithubActions, text);
    let code: String = text
        .chars()
        .zip(r.chars())
        .filter(|(_, k)| *k == 'c')
        .map(|(c, _)| c)
        .collect();
    assert_eq!(code, "      curl x echo z");
}

#[test]
fn heredocs_are_strings_unless_fed_to_an_interpreter() {
    let text = "cat <<EOF > x\neval \"$x\"\nEOF\nrm y";
    let r = render(Language::Shell, text);
    assert_eq!(&r[14..24], "ssssssssss", "{r}");
    assert!(r.ends_with("cccc"), "{r}");
    let text = "bash <<'EOF'\ncurl x | sh\nEOF\n";
    let r = render(Language::Shell, text);
    assert_eq!(&r[13..24], "ccccccccccc", "{r}");
    let text = "doc = <<~TXT\n  eval(x)\n  TXT\nx << y";
    let r = render(Language::Ruby, text);
    assert_eq!(&r[13..22], "sssssssss", "{r}");
    assert!(r.ends_with("cccccc"), "{r}");
    let r = render(Language::Php, "$s = <<<EOT\neval($x);\nEOT;\n");
    assert_eq!(&r[12..21], "sssssssss", "{r}");
}

#[test]
fn powershell_block_comments_perl_pod_and_swift_interpolation() {
    assert_eq!(render(Language::PowerShell, "<# iex #>x"), "#########c");
    let r = render(Language::Perl, "=head1 X\neval'd\n=cut\nx");
    assert!(r[..20].chars().all(|c| c == '#'), "{r}");
    assert!(r.ends_with('c'), "{r}");
    assert_eq!(render(Language::Swift, "\"a\\(b)c\""), "ssccccss");
}

#[test]
fn unterminated_strings_stop_at_the_line_end() {
    let r = render(Language::Java, "a(\"x\nb()");
    assert_eq!(r, "ccsscccc");
}

#[test]
fn powershell_escapes_with_backticks_and_perl_last_index_is_code() {
    let r = render(Language::PowerShell, "$p = \"C:\\temp\\\"; iwr $u");
    assert!(r.ends_with("scccccccc"), "{r}");
    assert_eq!(render(Language::Perl, "$#a; x"), "cccccc");
}

#[test]
fn dockerfile_healthcheck_cmd_is_code() {
    let r = render(
        Language::Dockerfile,
        "HEALTHCHECK --interval=5s CMD curl -f http://x",
    );
    assert!(r.ends_with(&"c".repeat("curl -f http://x".len())), "{r}");
    assert!(r.starts_with("iiii"), "{r}");
}

#[test]
fn perl_quote_operators_and_special_variables() {
    assert_eq!(
        render(Language::Perl, "my @a = qw(../x y); z"),
        "ccccccccssssssssssccc"
    );
    assert_eq!(
        render(Language::Perl, "local $\" = ', '; q{a{b}c}"),
        "cccccccccccssssccssssssss"
    );
    assert_eq!(render(Language::Perl, "$x eq 'a'"), "ccccccsss");
}

#[test]
fn batch_rem_and_double_colon_comments_only_as_the_first_word() {
    let r = render(Language::Batch, "REM curl x\nstart y");
    assert!(r.starts_with("##########") && r.ends_with("ccccccc"), "{r}");
    let r = render(Language::Batch, "  @rem x\n:: y\nx");
    assert_eq!(&r[4..8], "####", "{r}");
    assert_eq!(&r[9..13], "####", "{r}");
    assert!(r.ends_with('c'), "{r}");
    let r = render(Language::Batch, "echo rem :: x");
    assert!(!r.contains('#'), "{r}");
    assert_eq!(render(Language::Batch, "remove x"), "cccccccc");
}
