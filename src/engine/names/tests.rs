//! Unit tests of the folder: what a line resolves to.

use super::eval::{Folder, Resolved};
use super::tokens::{self, Lang};
use super::*;

/// Every lookup event of a line, as `path` (hidden marked `!`), `dyn:base` or `str:text`.
fn resolve(lang: Lang, line: &str) -> Vec<String> {
    let mut toks = Vec::new();
    let mut close = Vec::new();
    tokens::tokenize(lang, line, &mut toks);
    tokens::matching(&toks, &mut close);
    let aliases = vec![("cp".to_string(), "child_process".to_string())];
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !is_root(lang, line, &toks, &close, i) {
            i += 1;
            continue;
        }
        let mut folder = Folder::new(lang, line, &toks, &close, &aliases);
        let (val, next) = folder.expr(i);
        for e in folder.events {
            out.push(match e.resolved {
                Resolved::Name { path, hidden } => {
                    format!("{path}{}", if hidden { "!" } else { "" })
                }
                Resolved::Dynamic { base } => format!("dyn:{base}"),
                Resolved::HiddenString { text } => format!("str:{text}"),
            });
        }
        if let Val::Str(s, true) = &val {
            if super::table::hidden_name_worthy(s) {
                out.push(format!("built:{s}"));
            }
        }
        i = next.max(i + 1);
    }
    out
}

fn has(lang: Lang, line: &str, want: &str) {
    let got = resolve(lang, line);
    assert!(
        got.iter().any(|g| g == want),
        "{line}: want {want}, got {got:?}"
    );
}

#[test]
fn python_lookups_resolve() {
    let py = Lang::Python;
    has(
        py,
        "getattr(__import__('o'+'s'),'sys'+'tem')(cmd)",
        "os.system!",
    );
    has(py, "getattr(os, \"system\")(cmd)", "os.system");
    has(
        py,
        "__import__(\"subprocess\").__dict__[\"Popen\"](c)",
        "subprocess.Popen",
    );
    has(
        py,
        "getattr(__builtins__, \"ev\"+\"al\")(s)",
        "builtins.eval!",
    );
    has(py, "vars()['ex' 'ec'](s)", "builtins.exec!");
    has(py, "globals()['__builtins__']['eval'](s)", "builtins.eval");
    has(
        py,
        "importlib.import_module(b64decode('b3M=').decode()).system(x)",
        "import:os!",
    );
    has(
        py,
        "getattr(os, ''.join(['sy', 'st', 'em']))(x)",
        "os.system!",
    );
    has(py, "getattr(os, 'metsys'[::-1])(x)", "os.system!");
    has(
        py,
        "getattr(os, bytes.fromhex('73797374656d').decode())(x)",
        "os.system!",
    );
    has(
        py,
        "getattr(os, ''.join(map(chr, [115, 121, 115, 116, 101, 109])))(x)",
        "os.system!",
    );
    has(py, "getattr(os, chr(115)+chr(121)+'stem')(x)", "os.system!");
    has(py, "os.__getattribute__('sys'+'tem')(x)", "os.system!");
    has(py, "sys.modules['o'+'s'].system(x)", "os.system!");
    has(py, "getattr(os, name)(x)", "dyn:os");
    has(
        py,
        "getattr(os, ''.join(chr(c) for c in [115, 121, 115, 116, 101, 109]))(x)",
        "os.system!",
    );
    has(
        py,
        "getattr(os, ''.join([chr(c) for c in (115, 121, 115, 116, 101, 109)]))(x)",
        "os.system!",
    );
    has(py, "x = '\\x65\\x76\\x61\\x6c'", "built:eval");
    assert!(resolve(py, "getattr(self, name)(x)").is_empty());
    assert!(resolve(py, "getattr(settings, \"DEBUG\", False)").is_empty());
    assert!(resolve(py, "importlib.import_module(f\"plugins.{name}\")").is_empty());
}

#[test]
fn javascript_lookups_resolve() {
    let js = Lang::Js;
    has(
        js,
        "require('child_'+'process')[['ex','ec'].join('')](cmd)",
        "child_process.exec!",
    );
    has(js, "cp[\"ex\"+\"ec\"](cmd)", "child_process.exec!");
    has(
        js,
        "cp[String.fromCharCode(101,120,101,99)](cmd)",
        "child_process.exec!",
    );
    has(
        js,
        "require(Buffer.from('Y2hpbGRfcHJvY2Vzcw==', 'base64').toString())",
        "import:child_process!",
    );
    has(
        js,
        "require(atob('Y2hpbGRfcHJvY2Vzcw=='))",
        "import:child_process!",
    );
    has(js, "global['ev'+'al'](code)", "global.eval!");
    has(js, "cp[k](cmd)", "dyn:child_process");
    has(js, "x['cexe'.split('').reverse().join('')](c)", "str:exec");
    has(js, "cp['exec'].call(null, cmd)", "child_process.exec");
    assert!(resolve(js, "obj[key](x)").is_empty());
    assert!(resolve(js, "const parts = ['a', 'b'].join('/')").is_empty());
}

#[test]
fn ruby_lookups_resolve() {
    let rb = Lang::Ruby;
    has(rb, "Kernel.send('sys'+'tem', cmd)", "Kernel.system!");
    has(rb, "send(:system, cmd)", "Kernel.system");
    has(
        rb,
        "Kernel.public_send([115,121,115,116,101,109].pack('c*'), cmd)",
        "Kernel.system!",
    );
    has(rb, "Kernel.method(:exec).call(cmd)", "Kernel.exec");
    has(
        rb,
        "Object.const_get('Ke'+'rnel').send(:system, c)",
        "Kernel.system!",
    );
    assert!(resolve(rb, "send(:define_method, name) { }")
        .iter()
        .all(|e| !e.ends_with('!')));
}

#[test]
fn php_names_fold() {
    has(Lang::Php, "$f = 'sys'.'tem'; $f($c);", "built:system");
    has(
        Lang::Php,
        "call_user_func(strrev('metsys'), $c);",
        "php.system!",
    );
    has(
        Lang::Php,
        "call_user_func(base64_decode('c3lzdGVt'), $c);",
        "php.system!",
    );
}

#[test]
fn folding_is_bounded() {
    let deep = "(".repeat(5000) + "'a'" + &")".repeat(5000);
    let _ = resolve(Lang::Python, &deep);
    let wide = format!("x = [{}]", "'ab', ".repeat(20000));
    let _ = resolve(Lang::Js, &wide);
    let long = format!("getattr(os, {})", "'a' + ".repeat(5000) + "'b'");
    let got = resolve(Lang::Python, &long);
    assert!(!got.iter().any(|g| g.starts_with("os.")), "{got:?}");
}

#[test]
fn a_bound_member_keeps_its_resolution() {
    has(
        Lang::Js,
        "const run = cp[\"spa\" + \"wn\"].bind(cp);",
        "child_process.spawn!",
    );
}

/// The keywords are lowercase, and the packed search of a lowercased line finds one exactly when an
/// ASCII-case-insensitive automaton does, on every line of the fixtures and on mixed-case spellings.
#[test]
fn the_keyword_search_is_a_case_insensitive_automaton() {
    assert!(KEYWORDS.iter().all(|k| k.to_ascii_lowercase() == *k));
    assert!(
        matches!(keywords(), LiteralSearcher::Packed(_)),
        "the packed searcher builds here"
    );
    let automaton = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(KEYWORDS)
        .unwrap();
    let mut lines: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/checks")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(files) = std::fs::read_dir(&dir) else {
            continue;
        };
        for file in files {
            if let Ok(text) = std::fs::read_to_string(file.unwrap().path()) {
                lines.extend(text.lines().map(str::to_string));
            }
        }
    }
    lines.extend(
        KEYWORDS
            .iter()
            .map(|k| format!("x = {}(1)", k.to_ascii_uppercase())),
    );
    lines.extend(["String.FromCharCode(0x41)", "a", "", "GetAttr", "x[::-1]"].map(String::from));
    let mut lower = Vec::new();
    let mut found = 0;
    for line in &lines {
        let expected = automaton.is_match(line);
        assert_eq!(has_keyword(line, &mut lower), expected, "{line:?}");
        found += usize::from(expected);
    }
    assert!(
        found > 1000 && found < lines.len(),
        "{found} of {}",
        lines.len()
    );
}

/// Every check the stage can report (the dangerous calls of the table and the obfuscation checks) is of
/// a category [`may_report`] looks for: a set without one skips the stage, so a check outside them
/// would go unreported.
#[test]
fn every_reported_check_is_of_a_category_the_stage_looks_for() {
    let table = include_str!("table.rs");
    let mut ids: Vec<&str> = table
        .match_indices("d(\"")
        .filter_map(|(at, _)| {
            let call = &table[at..];
            // An empty id: reported only as a hidden call.
            call.split('"').nth(3).filter(|id| !id.is_empty())
        })
        .collect();
    assert!(ids.len() >= 15, "the table's checks: {ids:?}");
    ids.extend([HIDDEN_CALL, HIDDEN_NAME, DYNAMIC_MEMBER, LOOKALIKE]);
    let checks = crate::checks::load_checked(&[]).expect("checks");
    for id in ids {
        let check = checks
            .iter()
            .find(|c| c.meta.id == id)
            .unwrap_or_else(|| panic!("{id} is a built-in check"));
        assert!(
            REPORTED_CATEGORIES.contains(&check.meta.category),
            "{id} is {:?}",
            check.meta.category
        );
    }
    let only_env = crate::checks::into_set(
        checks
            .into_iter()
            .filter(|c| c.meta.category == Category::Env)
            .collect(),
    );
    assert!(!may_report(&only_env));
}
