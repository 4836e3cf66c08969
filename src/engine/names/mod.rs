//! The names stage: API names built or looked up at run time, and look-alike identifiers (issue 14).
//!
//! On each added line of Python, JavaScript/TypeScript, Ruby or PHP that carries one of its keywords
//! (`getattr`, `__import__`, `require`, `fromCharCode`, `send`, a string joined with `+`, an escape…),
//! a one-line tokenizer ([`tokens`]) and a bounded folder ([`eval`]) fold constant names and follow
//! dynamic lookups to the path they reach; [`table`] says what a path does. A dangerous call reached
//! through a hidden name is an error of its own (`attack.obfuscation.hidden-call`); through a plain
//! literal, it is reported by the check of the call itself at its own severity. Non-ASCII identifiers
//! that fold to a builtin or dangerous API are reported by [`lookalike`].

mod eval;
mod lookalike;
mod methods;
mod table;
mod tokens;
mod values;

use std::sync::OnceLock;

use super::lines::{FileContext, Hit};
use crate::checks::CheckSet;
use crate::lang::Region;
use crate::model::{AddedLine, Category, Language, LiteralSearcher, Severity};
use eval::{Event, Folder, Resolved, Val};
use tokens::{Kind, Lang, Token};

/// A dangerous call reached through a built, encoded or reversed name.
pub const HIDDEN_CALL: &str = "attack.obfuscation.hidden-call";
/// A built string spelling a dangerous API name.
pub const HIDDEN_NAME: &str = "attack.obfuscation.hidden-name";
/// A member of a dangerous module chosen at run time.
pub const DYNAMIC_MEMBER: &str = "attack.obfuscation.dynamic-member";
/// A non-ASCII identifier that folds to a builtin or dangerous API.
pub const LOOKALIKE: &str = "attack.obfuscation.lookalike-identifier";

/// What every message of a lookup the stage resolved says: such a finding under a pattern check's id
/// (`getattr(os, "system")` as `exec.python.os-system`) was found by the stage, not by the pattern.
pub(crate) const RESOLVED_MARK: &str = " resolves to ";

/// Most module aliases remembered per file.
const MAX_ALIASES: usize = 64;
/// Most findings the stage adds to one line.
const MAX_HITS: usize = super::MAX_HITS_PER_LINE;

/// The stage's state over one file: its language, the aliases its added lines bound, reused buffers.
#[derive(Default)]
pub(super) struct FileNames {
    lang: Option<Lang>,
    aliases: Vec<(String, String)>,
    toks: Vec<Token>,
    close: Vec<usize>,
    /// Check ids looked up in the set: index and base severity, `None` when absent or not for this file.
    checks: Vec<(&'static str, Option<(u32, Severity)>)>,
    /// The line in lowercase, for the keyword search.
    lower: Vec<u8>,
}

impl FileNames {
    /// The stage's state for a file in `language` reviewed with `set`: a language the stage does not
    /// read, or a set without a check it can report (the old version of a file read for its network
    /// calls alone), leaves it off.
    pub(super) fn new(set: &CheckSet, language: Language) -> Self {
        if !may_report(set) {
            return FileNames::default();
        }
        let lang = match language {
            Language::Python => Some(Lang::Python),
            Language::JavaScript | Language::TypeScript => Some(Lang::Js),
            Language::Ruby => Some(Lang::Ruby),
            Language::Php => Some(Lang::Php),
            _ => None,
        };
        FileNames {
            lang,
            ..FileNames::default()
        }
    }
}

/// The categories of the checks the stage reports: the dangerous calls of [`table::danger`] (process
/// starts and evaluation) and the obfuscation checks.
const REPORTED_CATEGORIES: [Category; 3] = [Category::Exec, Category::Eval, Category::Attack];

/// Whether `set` holds (or withheld) a check of a category the stage reports.
fn may_report(set: &CheckSet) -> bool {
    REPORTED_CATEGORIES.iter().any(|&c| set.may_hold(c))
}

const KEYWORDS: &[&str] = &[
    "getattr",
    "__import__",
    "import",
    "builtins",
    "globals",
    "locals",
    "vars",
    "__dict__",
    "__getattribute__",
    "sys.modules",
    "fromcharcode",
    "require",
    "child_process",
    "process[",
    "global",
    "window",
    "self[",
    "reflect",
    "send",
    "method",
    "const_get",
    "chr",
    "atob",
    "buffer",
    "fromhex",
    "unhexlify",
    "b64decode",
    "decode64",
    "base64_decode",
    "hex2bin",
    "strrev",
    "str_rot13",
    "call_user_func",
    "reverse",
    "join",
    "pack",
    "[::-1]",
    "\\x",
    "\\u",
    "\\1",
    "'+",
    "\"+",
    "' +",
    "\" +",
    "'.",
    "\".",
    "' .",
    "\" .",
    "' '",
    "\" \"",
    "''",
    "\"\"",
    "codecs",
    "bytes(",
    "bytearray(",
    "unpack1",
    "]+[",
    "] + [",
];

/// The searcher of [`KEYWORDS`] in a line made lowercase (every process that reads code builds it).
fn keywords() -> &'static LiteralSearcher {
    static KEYWORD_SEARCHER: OnceLock<LiteralSearcher> = OnceLock::new();
    KEYWORD_SEARCHER.get_or_init(|| LiteralSearcher::new(KEYWORDS, false))
}

/// Whether `text` holds one of [`KEYWORDS`], ASCII case aside; `lower` is a buffer for its lowercase.
fn has_keyword(text: &str, lower: &mut Vec<u8>) -> bool {
    lower.clear();
    lower.extend_from_slice(text.as_bytes());
    lower.make_ascii_lowercase();
    keywords().is_match(&lower[..])
}

/// Runs the stage over one added line, adding its hits to `hits`.
pub(super) fn scan_line(
    set: &CheckSet,
    state: &mut FileNames,
    ctx: &mut FileContext<'_>,
    line: &AddedLine,
    text: &str,
    hits: &mut Vec<Hit>,
) {
    let Some(lang) = state.lang else { return };
    let first_hit = hits.len();
    let lookalikes = !text.is_ascii();
    if !lookalikes && !has_keyword(text, &mut state.lower) {
        return;
    }
    // A line that starts inside a string or comment (a docstring, a heredoc) is not code here.
    if ctx.regions().at(line.start) != Region::Code {
        return;
    }
    ctx.stats.names_bytes += text.len();
    tokens::tokenize(lang, text, &mut state.toks);
    if lookalikes {
        let line = (lang, text, state.toks.as_slice());
        look_alikes(set, ctx, &mut state.checks, line, hits);
    }
    let ctx = &*ctx;
    tokens::matching(&state.toks, &mut state.close);
    let toks = &state.toks;
    let mut bound: Vec<(String, String)> = Vec::new();
    let mut unbound: Vec<&str> = Vec::new();
    let mut i = 0;
    let mut found: Vec<(Event, Option<Severity>)> = Vec::new();
    let checks = &mut state.checks;
    while i < toks.len() && found.len() < MAX_HITS {
        if !is_root(lang, text, toks, &state.close, i) {
            i += 1;
            continue;
        }
        let mut folder = Folder::new(lang, text, toks, &state.close, &state.aliases);
        let (val, next) = folder.expr(i);
        let mut events = std::mem::take(&mut folder.events);
        if let Val::Str(s, true) = &val {
            if events.is_empty() && table::hidden_name_worthy(s) {
                events.push(Event {
                    resolved: Resolved::HiddenString { text: s.clone() },
                    form: String::new(),
                    start: toks[i].start as usize,
                    end: toks[next.min(toks.len()) - 1].end as usize,
                });
            }
        }
        if let Some(name) = assigned_name(lang, text, toks, i) {
            match &val {
                Val::Obj(path, _) if table::hidden_import_worthy(path) => {
                    bound.push((name.to_string(), path.clone()));
                }
                // Rebinding the name to anything else ends the alias.
                _ => unbound.push(name),
            }
        }
        // The outermost of the most severe: `getattr(__import__(…), …)` is reported as what it reaches.
        let best = events
            .into_iter()
            .map(|e| {
                let sev = judge(set, ctx, checks, &e).map(|(_, s, _)| s);
                (e, sev)
            })
            .filter(|(_, s)| s.is_some())
            .max_by_key(|(e, s)| (*s, e.end - e.start));
        let reported = best.is_some();
        found.extend(best);
        i = if val == Val::Unknown && !reported {
            i + 1
        } else {
            next.max(i + 1)
        };
    }
    import_aliases(lang, text, toks, &mut bound);
    for (event, _) in found {
        if let Some((check, severity, message)) = judge(set, ctx, checks, &event) {
            // The call's own check already reports it on this line.
            if hits.len() - first_hit >= MAX_HITS || hits.iter().any(|h| h.check == check) {
                continue;
            }
            hits.push(Hit {
                check,
                start: event.start,
                end: event.end.max(event.start + 1).min(text.len()),
                severity,
                reason: None,
                message,
            });
        }
    }
    state
        .aliases
        .retain(|(a, _)| !unbound.contains(&a.as_str()));
    for alias in bound {
        if state.aliases.len() < MAX_ALIASES {
            state.aliases.push(alias);
        }
    }
}

/// Whether an expression worth folding starts at token `i`.
fn is_root(lang: Lang, text: &str, toks: &[Token], close: &[usize], i: usize) -> bool {
    let after_dot = i > 0 && toks[i - 1].kind == Kind::Punct(b'.');
    let next = toks.get(i + 1).map(|t| t.kind);
    match toks[i].kind {
        Kind::Ident if after_dot => false,
        Kind::Ident => {
            let name = &text[toks[i].start as usize..toks[i].end as usize];
            lang == Lang::Ruby || next == Some(Kind::Punct(b'[')) || known_root(lang, name)
        }
        Kind::Str { body, body_end, .. } => {
            text[body as usize..body_end as usize].contains('\\')
                || matches!(
                    next,
                    Some(Kind::Punct(b'+' | b'.' | b'[')) | Some(Kind::Str { .. })
                )
        }
        Kind::Punct(b'[') => {
            let c = close[i];
            c != usize::MAX
                && matches!(
                    toks.get(c + 1).map(|t| t.kind),
                    Some(Kind::Punct(b'.' | b'[' | b'+'))
                )
        }
        Kind::Punct(b'(') => matches!(next, Some(Kind::Str { .. })),
        _ => false,
    }
}

fn known_root(lang: Lang, name: &str) -> bool {
    match lang {
        Lang::Python => matches!(
            name,
            "getattr"
                | "__import__"
                | "importlib"
                | "import_module"
                | "__builtins__"
                | "builtins"
                | "globals"
                | "locals"
                | "vars"
                | "sys"
                | "os"
                | "subprocess"
                | "chr"
                | "bytes"
                | "bytearray"
                | "base64"
                | "b64decode"
                | "codecs"
                | "binascii"
                | "reversed"
                | "map"
                | "str"
        ),
        Lang::Js => matches!(
            name,
            "require"
                | "import"
                | "process"
                | "global"
                | "globalThis"
                | "window"
                | "self"
                | "String"
                | "Buffer"
                | "atob"
                | "Reflect"
                | "module"
                | "child_process"
                | "childProcess"
        ),
        Lang::Ruby => true,
        Lang::Php => !name.starts_with('$'),
    }
}

/// The name an expression at token `i` is assigned to (`cp = …`, `const cp = …`).
fn assigned_name<'t>(lang: Lang, text: &'t str, toks: &[Token], i: usize) -> Option<&'t str> {
    if i < 2 || toks[i - 1].kind != Kind::Punct(b'=') || toks[i - 2].kind != Kind::Ident {
        return None;
    }
    let first = i == 2 || (lang == Lang::Js && i == 3);
    first.then(|| &text[toks[i - 2].start as usize..toks[i - 2].end as usize])
}

/// Aliases a Python or JavaScript import line binds: `import subprocess as sp`,
/// `import * as cp from 'child_process'`, `import cp from "node:child_process"`.
fn import_aliases(lang: Lang, text: &str, toks: &[Token], bound: &mut Vec<(String, String)>) {
    let word = |k: usize| -> &str {
        toks.get(k)
            .filter(|t| t.kind == Kind::Ident)
            .map_or("", |t| &text[t.start as usize..t.end as usize])
    };
    if word(0) != "import" {
        return;
    }
    match lang {
        Lang::Python if word(2) == "as" && table::dangerous_module(word(1)) => {
            bound.push((word(3).to_string(), word(1).to_string()));
        }
        Lang::Js => {
            let from = (1..toks.len().min(8)).find(|&k| word(k) == "from");
            let Some(from) = from else { return };
            let alias = if toks.get(1).map(|t| t.kind) == Some(Kind::Punct(b'*')) {
                word(3)
            } else {
                word(1)
            };
            if let Some(t) = toks.get(from + 1) {
                if let Some((module, _)) = tokens::literal(lang, text, t.kind) {
                    let module = module.strip_prefix("node:").unwrap_or(&module).to_string();
                    if table::hidden_import_worthy(&module) && !alias.is_empty() {
                        bound.push((alias.to_string(), module));
                    }
                }
            }
        }
        _ => {}
    }
}

/// The check, severity and message of an event, if it is reported.
fn judge(
    set: &CheckSet,
    ctx: &FileContext<'_>,
    cache: &mut Vec<(&'static str, Option<(u32, Severity)>)>,
    event: &Event,
) -> Option<(u32, Severity, String)> {
    let mut own = |id: &'static str| own_check(set, ctx, cache, id);
    match &event.resolved {
        Resolved::Name { path, hidden } => {
            if let Some(module) = path.strip_prefix("import:") {
                if !*hidden || !table::hidden_import_worthy(module) {
                    return None;
                }
                let (idx, sev) = own(HIDDEN_CALL)?;
                let message = format!(
                    "{} resolves to an import of {module}; the name is built or encoded to hide it",
                    event.form
                );
                return Some((idx, sev, message));
            }
            let danger = table::danger(path)?;
            let shown = path.strip_prefix("builtins.").unwrap_or(path);
            let shown = shown.strip_prefix("php.").unwrap_or(shown);
            if *hidden {
                let (idx, sev) = own(HIDDEN_CALL)?;
                let message = format!(
                    "{} resolves to {shown}: {}; the name is built or encoded to hide it",
                    event.form, danger.what
                );
                return Some((idx, sev, message));
            }
            let (idx, sev) = own(danger.check)?;
            let message = format!("{}{RESOLVED_MARK}{shown}: {}", event.form, danger.what);
            Some((idx, sev, message))
        }
        Resolved::Dynamic { base } => {
            let (idx, sev) = own(DYNAMIC_MEMBER)?;
            Some((
                idx,
                sev,
                format!(
                    "{}: calls a member of {base} chosen at run time",
                    event.form
                ),
            ))
        }
        Resolved::HiddenString { text } => {
            let (idx, sev) = own(HIDDEN_NAME)?;
            Some((
                idx,
                sev,
                format!(
                    "a string built from pieces, character codes or an encoding spells `{text}`"
                ),
            ))
        }
    }
}

/// The listed builtin or dangerous name a non-ASCII identifier folds to (NFKC or confusable letters).
pub(super) fn lookalike_name(ident: &str) -> Option<String> {
    match lookalike::fold(ident)? {
        lookalike::Fold::Nfkc(name) | lookalike::Fold::Confusable(name) => Some(name),
    }
}

/// Reports the non-ASCII identifiers of a line that fold to a builtin or dangerous API.
fn look_alikes(
    set: &CheckSet,
    ctx: &FileContext<'_>,
    cache: &mut Vec<(&'static str, Option<(u32, Severity)>)>,
    (lang, text, toks): (Lang, &str, &[Token]),
    hits: &mut Vec<Hit>,
) {
    let mut added = 0;
    for t in toks.iter().filter(|t| t.kind == Kind::Ident) {
        let ident = &text[t.start as usize..t.end as usize];
        let message = match lookalike::fold(ident) {
            Some(lookalike::Fold::Nfkc(name)) if lang == Lang::Python => format!(
                "`{ident}` is `{name}`: Python normalizes identifiers (NFKC), so it reads as another \
                 name but runs {name}"
            ),
            Some(lookalike::Fold::Nfkc(name) | lookalike::Fold::Confusable(name)) => {
                format!("`{ident}` is drawn like `{name}` but is spelled with other characters")
            }
            None => continue,
        };
        let Some((idx, severity)) = own_check(set, ctx, cache, LOOKALIKE) else {
            return;
        };
        hits.push(Hit {
            check: idx,
            start: t.start as usize,
            end: t.end as usize,
            severity,
            reason: None,
            message,
        });
        added += 1;
        if added >= MAX_HITS {
            return;
        }
    }
}

/// The index and base severity of the check `id`, when the set has it and it applies to the file.
fn own_check(
    set: &CheckSet,
    ctx: &FileContext<'_>,
    cache: &mut Vec<(&'static str, Option<(u32, Severity)>)>,
    id: &'static str,
) -> Option<(u32, Severity)> {
    if let Some((_, known)) = cache.iter().find(|(k, _)| *k == id) {
        return *known;
    }
    let found = set.position(id).and_then(|idx| {
        let check = &set.checks[idx];
        check
            .applies_to(ctx.file.language, &ctx.file.path)
            .then_some((idx as u32, check.meta.severity))
    });
    cache.push((id, found));
    found
}

#[cfg(test)]
mod tests;
