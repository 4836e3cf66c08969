//! Runs the checks over changed files, in parallel across files: keyword prefilter, regex, lexical scope,
//! conditions, inline suppressions, then a finding with a redacted snippet.

pub mod chains;
mod conditions;
pub mod deps;
pub mod secrets;
pub mod snippet;
pub mod suppress;

use std::cell::OnceCell;

use rayon::prelude::*;

use crate::checks::{Check, CheckSet};
use crate::lang::{self, Region, Regions};
use crate::model::{
    fnv1a64, AddedLine, BinaryText, Category, ChangedFile, Finding, Fnv64, Severity, TextExtent,
};
use conditions::{ceil_char, floor_char, holds};

/// Id of the check about a `review-gate: allow` marker that names no known check or category; the engine
/// keeps its matches only when that is so (it needs the whole check list, which a pattern cannot see).
pub const ALLOW_UNKNOWN_TARGET: &str = "policy.allow-unknown-check";

/// Runs every check over every file and returns the findings (unsorted).
pub fn run(checks: &CheckSet, files: &[ChangedFile]) -> Vec<Finding> {
    run_keeping_suppressed(checks, files).0
}

/// Like [`run`], and also returns the findings that inline markers silenced: attack chains are made of
/// them too, so that `allow all` on a line cannot hide a chain's part.
pub fn run_keeping_suppressed(
    checks: &CheckSet,
    files: &[ChangedFile],
) -> (Vec<Finding>, Vec<Finding>) {
    let per_file: Vec<(Vec<Finding>, Vec<Finding>)> = files
        .par_iter()
        .map(|file| check_file(checks, file))
        .collect();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    for (kept, silenced) in per_file {
        findings.extend(kept);
        suppressed.extend(silenced);
    }
    (findings, suppressed)
}

/// Findings for binary files whose path a check names (`binary: true`): one at line 1 per file and check.
pub fn run_binary(checks: &CheckSet, paths: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for path in paths {
        let language = lang::Language::detect(path, "");
        for check in checks
            .checks
            .iter()
            .filter(|c| c.on_binary && c.applies_to(language, path))
        {
            findings.push(Finding {
                check: check.id.clone(),
                category: check.category,
                severity: check.severity,
                path: path.clone(),
                line: 1,
                column: 1,
                end_column: 1,
                message: format!("{} (binary file)", check.message),
                snippet: String::from("(binary file)"),
                snippet_column: 0,
                snippet_width: 13,
                fingerprint: format!(
                    "{:016x}",
                    fnv1a64(&[check.id.as_bytes(), path.as_bytes(), b"binary"])
                ),
                parts: Vec::new(),
            });
        }
    }
    findings
}

/// Secret findings in the printable runs of binary files (see [`BinaryText`]): git, GitHub and a
/// reviewer do not show their content, so a key in an image's metadata or a compiled file would
/// otherwise pass unseen. Inline markers in binary content silence nothing. Each finding is at line 1
/// and says at which byte offset the run holding it starts.
pub fn secrets_in_binaries(checks: &CheckSet, binaries: &[BinaryText]) -> Vec<Finding> {
    if binaries.iter().all(|b| b.text.is_empty()) {
        return Vec::new();
    }
    let secret: Vec<Check> = checks
        .checks
        .iter()
        .filter(|c| c.category == Category::Secret && !c.produced_by_engine && c.chain.is_none())
        .cloned()
        .collect();
    if secret.is_empty() {
        return Vec::new();
    }
    let set = crate::checks::into_set(secret);
    let files: Vec<ChangedFile> = binaries
        .iter()
        .map(|b| {
            crate::source::whole_file(
                b.path.clone(),
                without_markers(&b.text),
                crate::source::AddedLines::All,
            )
        })
        .collect();
    let (mut findings, silenced) = run_keeping_suppressed(&set, &files);
    findings.extend(silenced);
    for finding in &mut findings {
        let offset = binaries
            .iter()
            .find(|b| b.path == finding.path)
            .and_then(|b| b.offsets.get(finding.line as usize - 1))
            .copied()
            .unwrap_or(0);
        finding.message = format!(
            "{} (in binary content, byte offset {offset})",
            finding.message
        );
        finding.line = 1;
        finding.column = 1;
        finding.end_column = 1;
    }
    findings
}

/// Printable runs with every suppression marker's key word broken (`allow` → `al_ow`, `nosec` →
/// `no_ec`; same length, so offsets hold): nobody reads binary content, so no marker in it counts.
fn without_markers(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for word in [&b"allow"[..], b"nosec"] {
        let mut at = 0;
        while let Some(pos) = bytes[at..]
            .windows(word.len())
            .position(|w| w.eq_ignore_ascii_case(word))
        {
            bytes[at + pos + 2] = b'_';
            at += pos + word.len();
        }
    }
    // Only ASCII bytes were replaced by ASCII.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// A match before it becomes a finding.
struct Hit {
    check: u32,
    start: usize,
    end: usize,
    severity: Severity,
    reason: Option<String>,
    message: String,
}

/// Per-file state that is computed only when a match needs it.
struct FileContext<'a> {
    file: &'a ChangedFile,
    regions: OnceCell<Regions>,
    file_conditions: Vec<Option<bool>>,
    lexable: bool,
    /// Checks that fire at most once per file and already did.
    fired: Vec<bool>,
}

impl<'a> FileContext<'a> {
    fn regions(&self) -> &Regions {
        self.regions.get_or_init(|| match &self.file.extent {
            TextExtent::Whole => lang::lex(self.file.language, &self.file.text),
            TextExtent::Pieces(pieces) => {
                lang::lex_pieces(self.file.language, &self.file.text, pieces)
            }
        })
    }

    /// The byte offset where the text known around `pos` ends (the file, or the patch piece).
    fn known_end(&self, pos: usize) -> usize {
        match &self.file.extent {
            TextExtent::Whole => self.file.text.len(),
            TextExtent::Pieces(pieces) => pieces
                .iter()
                .find(|p| p.contains(&pos))
                .map_or(self.file.text.len(), |p| p.end),
        }
    }

    /// The line before an added line, when the text holds it.
    fn previous_line(&self, line: &AddedLine) -> Option<(usize, &'a str)> {
        if line.start == 0 {
            return None;
        }
        if let TextExtent::Pieces(pieces) = &self.file.extent {
            if pieces.iter().any(|p| p.start == line.start) {
                return None;
            }
        }
        let text = &self.file.text;
        let end = line.start - 1;
        let start = memchr::memrchr(b'\n', &text.as_bytes()[..end]).map_or(0, |p| p + 1);
        Some((start, text[start..end].trim_end_matches('\r')))
    }
}

fn check_file(set: &CheckSet, file: &ChangedFile) -> (Vec<Finding>, Vec<Finding>) {
    let applies: Vec<bool> = set
        .checks
        .iter()
        .map(|c| c.applies_to(file.language, &file.path))
        .collect();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let ctx = FileContext {
        file,
        regions: OnceCell::new(),
        file_conditions: vec![None; set.file_slots],
        lexable: lang::has_syntax(file.language),
        fired: vec![false; set.checks.len()],
    };
    let mut ctx = ctx;
    let any_check = applies.iter().any(|&a| a);
    let mut stamp: Vec<u32> = vec![0; set.checks.len()];
    let mut generation: u32 = 0;
    let mut candidates: Vec<u32> = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    if !any_check {
        return (findings, suppressed);
    }
    for run in line_runs(&file.added) {
        let run_start = run[0].start;
        let run_end = run[run.len() - 1].end;
        let mut keyword_hits = set.keyword_hits(&file.text[run_start..run_end]).peekable();
        for line in run {
            let text = file.line_text(line);
            generation = generation.wrapping_add(1);
            candidates.clear();
            let mut add = |idx: u32| {
                let i = idx as usize;
                if applies[i] && stamp[i] != generation {
                    stamp[i] = generation;
                    candidates.push(idx);
                }
            };
            set.keywordless().iter().for_each(|&idx| add(idx));
            while let Some(&(end, keyword)) = keyword_hits.peek() {
                if run_start + end > line.end {
                    break;
                }
                keyword_hits.next();
                set.checks_for_keyword(keyword)
                    .iter()
                    .for_each(|&idx| add(idx));
            }
            if candidates.is_empty() {
                continue;
            }
            candidates.sort_unstable();
            hits.clear();
            for &idx in &candidates {
                run_check(set, idx, &mut ctx, line, text, &mut hits);
            }
            if !hits.is_empty() {
                emit(set, &ctx, line, text, &hits, &mut findings, &mut suppressed);
            }
        }
    }
    (findings, suppressed)
}

/// Splits added lines into runs of adjacent lines (only a line break between them), so the keyword
/// search can go over each run at once.
fn line_runs(lines: &[AddedLine]) -> impl Iterator<Item = &[AddedLine]> {
    lines.chunk_by(|a, b| b.number == a.number + 1 && b.start <= a.end + 2)
}

fn run_check(
    set: &CheckSet,
    idx: u32,
    ctx: &mut FileContext<'_>,
    line: &AddedLine,
    text: &str,
    hits: &mut Vec<Hit>,
) {
    let check = &set.checks[idx as usize];
    if check.per_file && ctx.fired[idx as usize] {
        return;
    }
    let mut visit = |start: usize,
                     end: usize,
                     caps: Option<&regex::bytes::Captures<'_>>,
                     ctx: &mut FileContext<'_>| {
        // Byte regexes may stop inside a multi-byte character: widen to character boundaries.
        let (start, end) = (floor_char(text, start), ceil_char(text, end));
        if start == end || (check.per_file && ctx.fired[idx as usize]) {
            return;
        }
        if check.scope != crate::checks::Scope::Any
            && !check.scope.admits(ctx.regions().at(line.start + start))
        {
            return;
        }
        if !check
            .requires
            .iter()
            .all(|c| holds(c, ctx, line, text, start, end))
        {
            return;
        }
        if check
            .unless
            .iter()
            .any(|c| holds(c, ctx, line, text, start, end))
        {
            return;
        }
        let (mut severity, mut reason) = check
            .adjust
            .iter()
            .find(|c| holds(c, ctx, line, text, start, end))
            .map_or((check.severity, None), |c| {
                (c.severity.unwrap_or(check.severity), c.reason.clone())
            });
        if check.id == ALLOW_UNKNOWN_TARGET && !names_unknown_target(set, text, start) {
            return;
        }
        let (start, end) = match (caps, check.redact_group.as_deref()) {
            (Some(caps), Some(group)) => caps.name(group).map_or((start, end), |m| {
                (floor_char(text, m.start()), ceil_char(text, m.end()))
            }),
            _ => (start, end),
        };
        if let Some(verdict) = judge_secret(check, &text[start..end], &ctx.file.path) {
            match verdict {
                SecretVerdict::Drop => return,
                SecretVerdict::Keep => {}
                SecretVerdict::Judged(judged, why) => {
                    severity = judged;
                    reason = Some(join_reasons(reason, &why));
                }
                SecretVerdict::ChecksumValid => {
                    reason = Some(join_reasons(reason, "checksum valid"))
                }
                SecretVerdict::ChecksumInvalid => {
                    severity = severity.lowered();
                    reason = Some(join_reasons(
                        reason,
                        "checksum does not match: likely not a real token",
                    ));
                }
            }
        }
        if check.per_file {
            ctx.fired[idx as usize] = true;
        }
        let message = match caps {
            Some(caps) => fill_message(check, caps, text),
            None => check.message.clone(),
        };
        hits.push(Hit {
            check: idx,
            start,
            end,
            severity,
            reason,
            message,
        });
    };
    if check.needs_captures {
        for caps in check.regex.get().captures_iter(text.as_bytes()) {
            let m = caps.get(0).expect("group 0 always matches");
            visit(m.start(), m.end(), Some(&caps), ctx);
        }
    } else {
        for m in check.regex.get().find_iter(text.as_bytes()) {
            visit(m.start(), m.end(), None, ctx);
        }
    }
}

/// What the secret filters say about a value.
enum SecretVerdict {
    Drop,
    Keep,
    Judged(Severity, String),
    ChecksumValid,
    ChecksumInvalid,
}

/// Applies placeholder, entropy and checksum rules; `None` when the check has none of them.
fn judge_secret(check: &Check, value: &str, path: &str) -> Option<SecretVerdict> {
    let is_secret = check.category == Category::Secret;
    if !is_secret && check.min_entropy.is_none() && check.validate.is_none() && !check.judge_generic
    {
        return None;
    }
    if is_secret && secrets::is_placeholder(value) {
        return Some(SecretVerdict::Drop);
    }
    if check
        .min_entropy
        .is_some_and(|min| secrets::shannon_entropy(value) < min)
    {
        return Some(SecretVerdict::Drop);
    }
    if check.judge_generic {
        return Some(match secrets::judge_generic(value, path) {
            Some((severity, why)) => SecretVerdict::Judged(severity, why),
            None => SecretVerdict::Drop,
        });
    }
    Some(
        match check
            .validate
            .and_then(|kind| secrets::checksum_matches(kind, value))
        {
            Some(true) => SecretVerdict::ChecksumValid,
            Some(false) => SecretVerdict::ChecksumInvalid,
            None => SecretVerdict::Keep,
        },
    )
}

fn join_reasons(reason: Option<String>, more: &str) -> String {
    match reason {
        Some(r) => format!("{r}; {more}"),
        None => more.to_string(),
    }
}

/// Fills `{name}` placeholders from capture groups. For secrets, the group holding the secret (every group,
/// when the check names none) is masked.
fn fill_message(check: &Check, caps: &regex::bytes::Captures<'_>, text: &str) -> String {
    let template = &check.message;
    let secret_group = check.redact_group.as_deref();
    let mut out = template.to_string();
    for name in crate::checks::compile::placeholders(template) {
        let value = caps.name(name).map_or("", |m| {
            &text[floor_char(text, m.start())..ceil_char(text, m.end())]
        });
        let masked = check.category == Category::Secret && secret_group.is_none_or(|g| g == name);
        let shown: String = if masked {
            snippet::mask_secret(value)
        } else if value.chars().count() > 60 {
            value.chars().take(60).chain("…".chars()).collect()
        } else {
            value.to_string()
        };
        out = out.replace(&format!("{{{name}}}"), &shown);
    }
    // A placeholder whose group did not take part leaves doubled or trailing spaces.
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
}

/// Turns a line's hits into findings, masking every secret on the line in every snippet.
fn emit(
    set: &CheckSet,
    ctx: &FileContext<'_>,
    line: &AddedLine,
    text: &str,
    hits: &[Hit],
    findings: &mut Vec<Finding>,
    suppressed: &mut Vec<Finding>,
) {
    let masks: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| set.checks[h.check as usize].category == Category::Secret)
        .map(|h| (h.start, h.end))
        .collect();
    for hit in hits {
        let check = &set.checks[hit.check as usize];
        if check.judge_generic && overlaps_specific_secret(set, hits, hit) {
            // A provider rule already names this value more precisely.
            continue;
        }
        let silenced = is_suppressed(ctx, line, text, check);
        if silenced && check.category == Category::Secret {
            // Secrets are no part of any chain: nothing to keep.
            continue;
        }
        let snippet = snippet::render(text, &masks, hit.start, hit.end);
        let column = text[..hit.start].chars().count() as u32 + 1;
        let end_column = column + text[hit.start..hit.end].chars().count() as u32;
        let message = match &hit.reason {
            Some(reason) => format!("{} ({reason})", hit.message),
            None => hit.message.clone(),
        };
        // Secrets are identified by their value, other findings by their (masked) line: never by the line
        // number, so a fingerprint survives edits above it.
        let mut hash = Fnv64::new();
        hash.part(check.id.as_bytes())
            .part(ctx.file.path.as_bytes());
        if check.category == Category::Secret {
            hash.part(&text.as_bytes()[hit.start..hit.end]);
        } else {
            for word in snippet.text.split_whitespace() {
                hash.part(word.as_bytes());
            }
        }
        let fingerprint = format!("{:016x}", hash.finish());
        let out = if silenced {
            &mut *suppressed
        } else {
            &mut *findings
        };
        out.push(Finding {
            check: check.id.clone(),
            category: check.category,
            severity: hit.severity,
            path: ctx.file.path.clone(),
            line: line.number,
            column,
            end_column,
            message,
            snippet: snippet.text,
            snippet_column: snippet.column as u32,
            snippet_width: snippet.width as u32,
            fingerprint,
            parts: Vec::new(),
        });
    }
}

/// Whether a secret check other than a generic one matched an overlapping span of the line.
fn overlaps_specific_secret(set: &CheckSet, hits: &[Hit], generic: &Hit) -> bool {
    hits.iter().any(|other| {
        let check = &set.checks[other.check as usize];
        check.category == Category::Secret
            && !check.judge_generic
            && other.start < generic.end
            && generic.start < other.end
    })
}

/// Whether a marker on the line, or on a comment-only line above it, silences this check.
fn is_suppressed(ctx: &FileContext<'_>, line: &AddedLine, text: &str, check: &Check) -> bool {
    let marker_applies = |line_start: usize, line_text: &str| {
        suppress::markers(line_text).iter().any(|(pos, marker)| {
            marker.covers(&check.id, check.category) && in_comment(ctx, line_start + pos)
        })
    };
    if marker_applies(line.start, text) {
        return true;
    }
    match ctx.previous_line(line) {
        Some((start, prev)) => suppress::is_comment_only(prev) && marker_applies(start, prev),
        None => false,
    }
}

/// Whether a marker at `pos` sits in a comment (any position counts in languages without a lexer).
fn in_comment(ctx: &FileContext<'_>, pos: usize) -> bool {
    !ctx.lexable || matches!(ctx.regions().at(pos), Region::Comment | Region::Inert)
}

/// Whether an allow marker starting at `start` names something no check or category answers to.
fn names_unknown_target(set: &CheckSet, text: &str, start: usize) -> bool {
    let Some((_, suppress::Marker::Allow { targets, .. })) =
        suppress::markers(&text[start..]).into_iter().next()
    else {
        return false;
    };
    targets.is_empty()
        || targets.iter().any(|t| {
            *t != "all"
                && t.parse::<Category>().is_err()
                && !set
                    .checks
                    .iter()
                    .any(|c| suppress::target_covers(t, &c.id, c.category))
        })
}
