//! Review time grows with the input, not with its square: a minified single line of a few megabytes is
//! reviewed with work bounded by a constant times its size, measured in bytes the engine reads (regexes,
//! conditions, snippets), not in seconds, so the test means the same on any machine.

use review_gate::checks;
use review_gate::engine::{self, chains, WorkStats};
use review_gate::source::{whole_file, AddedLines};

/// A minified-JavaScript-like line of about `bytes` bytes, dense with what the checks look for.
fn minified(bytes: usize) -> String {
    let parts = [
        "a.b(c);",
        "var u=\"https://cdn.example.com/x/{n}.js\";",
        "process.env.X{n};",
        "eval(s{n});",
        "require(\"child_process\").exec(k{n});",
        "var b=\"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo{n}YWJjZGVmZ2hpamtsbW5vcA==\";",
        "fetch(\"https://api.example.org/v{n}\",{method:\"POST\",body:JSON.stringify(d)});",
        "function f{n}(a,b){return a+b}",
        "if(x{n}){y()}else{z()}",
        "o.k{n}=[1,2,3].map(function(e){return e*2});",
        "s.replace(/[a-z]+/g,\"\");t=q/2;",
    ];
    let mut out = String::with_capacity(bytes + 128);
    let mut n = 0;
    while out.len() < bytes {
        out.push_str(&parts[n % parts.len()].replace("{n}", &n.to_string()));
        n += 1;
    }
    out.push('\n');
    out
}

fn review(text: String) -> (usize, WorkStats) {
    let set = checks::into_set(checks::load(&[]).expect("built-in checks load"));
    let file = whole_file("dist/bundle.min.js".into(), text, AddedLines::All);
    let (output, files) = patterns(&set, vec![file]);
    let (findings, silenced, stats) = (output.findings, output.silenced, output.stats);
    let chained = chains::detect(&set, &files, &findings, &silenced);
    (findings.len() + chained.len(), stats)
}

#[test]
fn a_long_minified_line_costs_work_linear_in_its_size() {
    let small = 1_000_000;
    let (found_small, work_small) = review(minified(small));
    let (found_large, work_large) = review(minified(4 * small));
    // Findings per check and line are capped, not dropped: the line is still reported.
    assert!(found_small > 0 && found_large > 0);
    assert!(
        found_large <= found_small + 10,
        "findings grow with matches on one line: {found_small} -> {found_large}"
    );
    // Four times the input, about four times the work (not sixteen), and a bounded amount per byte.
    let ratio = work_large.total_bytes() as f64 / work_small.total_bytes() as f64;
    assert!(
        ratio < 5.0,
        "work grew {ratio:.1}x for 4x input: {work_small:?} -> {work_large:?}"
    );
    let per_byte = work_large.total_bytes() as f64 / (4 * small) as f64;
    assert!(
        per_byte < 400.0,
        "{per_byte:.0} bytes read per input byte: {work_large:?}"
    );
    assert!(
        work_large.condition_bytes < 64 * 4 * small && work_large.snippet_bytes < 4 * small,
        "{work_large:?}"
    );
}

/// The per-line cap on findings keeps the most severe: fifty harmless matches in front of one that the
/// conditions raise to an error do not push the error out of the review.
#[test]
fn the_cap_on_findings_per_line_never_drops_an_error() {
    let line = format!(
        "const cp=require(\"child_process\");{}cp.exec(userInput);\n",
        "cp.exec(\"ls\");".repeat(60)
    );
    let set = checks::into_set(checks::load(&[]).expect("built-in checks load"));
    let files = vec![whole_file("a.js".into(), line, AddedLines::All)];
    let findings = patterns(&set, files).0.findings;
    let exec: Vec<_> = findings
        .iter()
        .filter(|f| f.check == "exec.javascript.child-process")
        .collect();
    assert_eq!(exec.len(), engine::MAX_HITS_PER_LINE, "{exec:?}");
    assert!(
        exec.iter()
            .any(|f| f.severity == review_gate::model::Severity::Error),
        "{exec:?}"
    );
}

/// The pattern stage alone over `files` (and the files back, for the chains).
fn patterns(
    set: &checks::CheckSet,
    files: Vec<review_gate::model::ChangedFile>,
) -> (engine::EngineOutput, Vec<review_gate::model::ChangedFile>) {
    let changes = review_gate::model::ChangeSet {
        files,
        ..Default::default()
    };
    let options = engine::Options {
        patterns_only: true,
        ..Default::default()
    };
    let output = engine::review(set, &changes, &options);
    (output, changes.files)
}

/// The decode stage over a megabyte of base64 strings that each decode to a process call: work stays
/// linear in the input, and findings stay capped per check and line.
#[test]
fn a_megabyte_of_encoded_payloads_costs_work_linear_in_its_size() {
    // `require('child_process').exec('id')` and a dozen fillers, base64-encoded.
    let encoded = "cmVxdWlyZSgnY2hpbGRfcHJvY2VzcycpLmV4ZWMoJ2lkJyk=";
    let line = |bytes: usize| {
        let mut out = String::with_capacity(bytes + 128);
        let mut n = 0;
        while out.len() < bytes {
            out.push_str(&format!("var p{n}=atob(\"{encoded}\");"));
            n += 1;
        }
        out.push('\n');
        out
    };
    let set = checks::into_set(checks::load(&[]).expect("built-in checks load"));
    let run = |text: String| {
        let files = vec![whole_file("lib/loader.js".into(), text, AddedLines::All)];
        let changes = review_gate::model::ChangeSet {
            files,
            ..Default::default()
        };
        let options = engine::Options {
            patterns_only: true,
            ..Default::default()
        };
        engine::review(&set, &changes, &options)
    };
    let small = run(line(1_000_000));
    let large = run(line(4_000_000));
    let decoded =
        |o: &engine::EngineOutput| o.findings.iter().filter(|f| f.decoded().is_some()).count();
    assert!(decoded(&small) > 0, "the payloads are decoded");
    assert!(
        decoded(&large) <= decoded(&small) + 10,
        "decoded findings grow with the line: {} -> {}",
        decoded(&small),
        decoded(&large)
    );
    let ratio = large.stats.total_bytes() as f64 / small.stats.total_bytes() as f64;
    assert!(
        ratio < 5.0,
        "work grew {ratio:.1}x for 4x input: {:?} -> {:?}",
        small.stats,
        large.stats
    );
}

/// The names stage (`engine::names`) folds each expression within a budget: a long line dense with
/// built names and nested brackets costs work linear in its size, and its findings are capped.
#[test]
fn the_names_stage_is_linear_on_a_long_obfuscated_line() {
    let set = checks::into_set(checks::load(&[]).expect("built-in checks load"));
    let line = |n: usize| {
        let mut text = String::new();
        let mut k = 0;
        while text.len() < n {
            text.push_str(&format!(
                "getattr(__import__('o'+'s'),'sys'+'tem')(x{k});v=[[[['a'+'b',(('c'))]]]].join('');"
            ));
            k += 1;
        }
        text.push_str(&"(".repeat(2000));
        text.push('\n');
        text
    };
    let run = |n: usize| {
        let file = whole_file("pkg/setup.py".into(), line(n), AddedLines::All);
        let output = patterns(&set, vec![file]).0;
        let names = output
            .findings
            .iter()
            .filter(|f| f.check.starts_with("attack.obfuscation."))
            .count();
        (names, output.stats)
    };
    let (small_found, small) = run(200_000);
    let (large_found, large) = run(800_000);
    assert!(small_found > 0 && large_found <= engine::MAX_HITS_PER_LINE);
    assert!(
        large.names_bytes > 0 && large.names_bytes <= 2 * 800_000,
        "{large:?}"
    );
    let ratio = large.total_bytes() as f64 / small.total_bytes() as f64;
    assert!(
        ratio < 5.0,
        "work grew {ratio:.1}x for 4x input: {small:?} -> {large:?}"
    );
}

/// Look-alike identifiers are folded before the checks run again (`engine::fold`): only non-ASCII lines
/// are folded, each once and in one pass, so many look-alike lines cost work linear in their number; a
/// look-alike deep in a long line is still folded (no length lets it through).
#[test]
fn folding_look_alike_identifiers_is_linear() {
    let set = checks::into_set(checks::load(&[]).expect("built-in checks load"));
    let text = |lines: usize| {
        let mut text = String::new();
        for k in 0..lines {
            text.push_str(&format!("𝚎𝚡𝚎𝚌(x{k}); ｅｖａｌ(y{k}); größe = café + {k}\n"));
        }
        text
    };
    let run = |lines: usize| {
        let file = whole_file("pkg/mod.py".into(), text(lines), AddedLines::All);
        let output = patterns(&set, vec![file]).0;
        let evals = output
            .findings
            .iter()
            .filter(|f| f.check == "eval.python.eval")
            .count();
        (evals, output.stats)
    };
    let (small_found, small) = run(2_000);
    let (large_found, large) = run(8_000);
    assert_eq!(small_found, 2_000, "every folded exec is reported");
    assert_eq!(large_found, 8_000);
    let ratio = large.total_bytes() as f64 / small.total_bytes() as f64;
    assert!(
        ratio < 5.0,
        "work grew {ratio:.1}x for 4x input: {small:?} -> {large:?}"
    );
    let long = format!("{}𝚎𝚡𝚎𝚌(x)\n", "ａ = 1; ".repeat(20_000));
    let file = whole_file("pkg/long.py".into(), long, AddedLines::All);
    let output = patterns(&set, vec![file]).0;
    assert!(output
        .findings
        .iter()
        .any(|f| f.check == "eval.python.eval"));
}

/// The removal stage: removed lines are read once with the removal checks, and what the file adds back
/// once more to net them out; the work grows with the lines, not with their square.
#[test]
fn the_removal_stage_is_linear_in_the_removed_lines() {
    let set = checks::into_set(checks::load(&[]).expect("built-in checks load"));
    let work = |lines: usize| {
        let old: String = (0..lines)
            .map(|n| {
                if n % 2 == 0 {
                    ".env\n".to_string()
                } else {
                    format!("build{n}/\n")
                }
            })
            .collect();
        // The `.env` entries go; other lines come in (read once more, to net removals against).
        let new: String = (0..lines / 4).map(|n| format!("out{n}/\n")).collect();
        let mut file = whole_file(".gitignore".into(), new, AddedLines::All);
        file.removed = review_gate::model::all_lines_removed(&old);
        file.old_text = Some(old);
        file.base = review_gate::model::Base::Modified;
        let (output, _) = patterns(&set, vec![file]);
        let removed = output
            .findings
            .iter()
            .filter(|f| f.side == review_gate::model::Side::Removed)
            .count();
        (removed, output.stats)
    };
    let (found_small, small) = work(20_000);
    let (found_large, large) = work(80_000);
    assert!(found_small > 0 && found_large > found_small);
    let ratio = large.total_bytes() as f64 / small.total_bytes().max(1) as f64;
    assert!(
        ratio < 5.0,
        "work grew {ratio:.1}x for 4x input: {small:?} -> {large:?}"
    );
}

/// The decode stage's arrays (`engine::decode::arrays`): a long line dense with XOR-encoded integer lists
/// and reads of a character table costs work linear in its size, with findings capped.
#[test]
fn xor_lists_and_character_tables_cost_work_linear_in_their_size() {
    // `/bin/sh` XOR 0x5a, and a table read spelling `wget `.
    let set = checks::into_set(checks::load(&[]).expect("built-in checks load"));
    let text = |bytes: usize| {
        let mut out = String::from("package p\n\nfunc k(p int) byte { return byte(p ^ 0x5a) }\n\nvar t = []string{\"w\", \"g\", \"e\", \"t\", \" \", \"a\", \"b\", \"c\", \"d\", \"f\", \"h\", \"i\"}\n\nvar x = ");
        while out.len() < bytes {
            out.push_str("d([]int{117, 56, 51, 52, 117, 41, 50}) + t[0] + t[1] + t[2] + t[3] + t[4] + t[0]; ");
        }
        out.push('\n');
        out
    };
    let run = |text: String| {
        let files = vec![whole_file("p/p.go".into(), text, AddedLines::All)];
        let changes = review_gate::model::ChangeSet {
            files,
            ..Default::default()
        };
        let options = engine::Options {
            patterns_only: true,
            ..Default::default()
        };
        engine::review(&set, &changes, &options)
    };
    let small = run(text(250_000));
    let large = run(text(1_000_000));
    let hidden = |o: &engine::EngineOutput| {
        o.findings
            .iter()
            .filter(|f| f.check.starts_with("attack.obfuscation."))
            .count()
    };
    assert!(hidden(&small) > 0, "the lists are decoded");
    assert!(
        hidden(&large) <= hidden(&small) + 10,
        "findings grow with the line: {} -> {}",
        hidden(&small),
        hidden(&large)
    );
    let ratio = large.stats.total_bytes() as f64 / small.stats.total_bytes() as f64;
    assert!(
        ratio < 5.0,
        "work grew {ratio:.1}x for 4x input: {:?} -> {:?}",
        small.stats,
        large.stats
    );
}
