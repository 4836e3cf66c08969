//! The pattern stage: every check over the added lines of every file, in parallel across files (keyword
//! prefilter, regex, lexical scope, conditions, secret filters), each line's hits then turned into
//! findings by [`super::emit`].

use std::cell::OnceCell;

use rayon::prelude::*;

use super::conditions::{ceil_char, floor_char, holds, OnDoubt};
use super::emit::{emit, names_unknown_target};
use super::{
    file_regions, fold, names, secrets, snippet, suppress, WorkStats, ALLOW_UNKNOWN_TARGET,
    MAX_HITS_PER_LINE,
};
use crate::checks::compile::On;
use crate::checks::regex::Groups;
use crate::checks::{Check, CheckSet};
use crate::lang::Regions;
use crate::model::{AddedLine, Category, ChangedFile, Finding, Severity, Side, TextExtent};

/// What the pattern stage found in some files.
#[derive(Debug, Default)]
pub(super) struct FileRun {
    /// Findings to report (unsorted).
    pub(super) findings: Vec<Finding>,
    /// Findings inline markers silenced (attack chains are made of them too).
    pub(super) silenced: Vec<Finding>,
    /// The findings silenced by a marker the change adds (every marker, when `baseless`), for the list of
    /// suppressions a reviewer is shown.
    pub(super) added_markers: Vec<suppress::Silence>,
    /// How much work the run did.
    pub(super) stats: WorkStats,
}

/// Runs every check over every file. A marker on an added line is the change's own: it never silences an
/// error-level attack finding, and what it silences is recorded. With `baseless` (a scan) every line
/// counts as already present: markers work as a base's do, and are still recorded.
pub(super) fn run_files(checks: &CheckSet, files: &[ChangedFile], baseless: bool) -> FileRun {
    // One file (the agent hook's action) is checked on this thread: starting the thread pool would cost
    // more than it saves.
    let per_file: Vec<FileRun> = if files.len() <= 1 {
        files
            .iter()
            .map(|file| check_file(checks, file, baseless))
            .collect()
    } else {
        files
            .par_iter()
            .map(|file| check_file(checks, file, baseless))
            .collect()
    };
    let mut all = FileRun::default();
    all.findings
        .reserve_exact(per_file.iter().map(|r| r.findings.len()).sum());
    for run in per_file {
        all.findings.extend(run.findings);
        all.silenced.extend(run.silenced);
        all.added_markers.extend(run.added_markers);
        all.stats.add(&run.stats);
    }
    all
}

/// A match before it becomes a finding.
pub(super) struct Hit {
    pub(super) check: u32,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) severity: Severity,
    pub(super) reason: Option<String>,
    pub(super) message: String,
}

/// Per-file state that is computed only when a match needs it.
pub(super) struct FileContext<'a> {
    pub(super) file: &'a ChangedFile,
    pub(super) regions: OnceCell<Regions>,
    pub(super) file_conditions: Vec<Option<bool>>,
    /// Checks that fire at most once per file and already did.
    pub(super) fired: Vec<bool>,
    /// No base: markers on added lines count as present before (a scan).
    pub(super) baseless: bool,
    /// Results of whole-line conditions on the current long line (keyed by the condition's address).
    pub(super) line_conditions: Vec<(usize, bool)>,
    /// The work done so far.
    pub(super) stats: WorkStats,
    /// The file after the change, for `new_file` conditions (None: `file` is the new file).
    pub(super) new_text: Option<&'a str>,
    /// Which side the findings are on (`file` is the old version for [`Side::Removed`]).
    pub(super) side: Side,
    /// Whether inline markers silence findings (never on removed lines: the marker goes too).
    pub(super) markers: bool,
}

/// Which lines a run of the pattern stage reads, with which checks.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pass<'a> {
    /// The added lines, with the checks of added lines.
    Added,
    /// The removed lines (`file` is then the old version, its `added` the removed lines), with the
    /// `on: removed` checks; `new_text` is the file after the change.
    Removed {
        /// The file after the change.
        new_text: &'a str,
    },
    /// The added lines with the `on: removed` checks: what the file adds back, to net removals against.
    AddedBack,
}

impl<'a> FileContext<'a> {
    pub(super) fn regions(&self) -> &Regions {
        self.regions.get_or_init(|| file_regions(self.file))
    }

    /// The byte offset where the text known around `pos` ends (the file, or the patch piece).
    pub(super) fn known_end(&self, pos: usize) -> usize {
        match &self.file.extent {
            TextExtent::Whole => self.file.text.len(),
            TextExtent::Pieces(pieces) => {
                // Pieces are sorted and disjoint: the last one starting at or before `pos`.
                let idx = pieces.partition_point(|p| p.start <= pos);
                idx.checked_sub(1)
                    .map(|i| &pieces[i])
                    .filter(|p| p.contains(&pos))
                    .map_or(self.file.text.len(), |p| p.end)
            }
        }
    }

    /// The line before an added line, when the text holds it.
    pub(super) fn previous_line(&self, line: &AddedLine) -> Option<(usize, &'a str)> {
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

fn check_file(set: &CheckSet, file: &ChangedFile, baseless: bool) -> FileRun {
    check_file_pass(set, file, baseless, Pass::Added)
}

/// Runs the checks of one pass over the lines of `file` it reads (see [`Pass`]).
pub(super) fn check_file_pass(
    set: &CheckSet,
    file: &ChangedFile,
    baseless: bool,
    pass: Pass<'_>,
) -> FileRun {
    let (on, side, new_text) = match pass {
        Pass::Added => (On::Added, Side::Added, None),
        Pass::Removed { new_text } => (On::Removed, Side::Removed, Some(new_text)),
        Pass::AddedBack => (On::Removed, Side::Added, None),
    };
    // Which checks look at this file (remembered per path by a per-commit set), then at this pass.
    let looks = set.applies(file.language, &file.path);
    let applies: Vec<bool> = set
        .checks
        .iter()
        .zip(looks.iter())
        .map(|(c, &looks)| looks && c.on() == on && !super::removals::still_applies(c, file))
        .collect();
    let ctx = FileContext {
        file,
        regions: OnceCell::new(),
        file_conditions: vec![None; set.file_slots],
        fired: vec![false; set.checks.len()],
        baseless,
        line_conditions: Vec::new(),
        stats: WorkStats::default(),
        new_text,
        side,
        markers: matches!(pass, Pass::Added),
    };
    let mut ctx = ctx;
    let mut out = FileRun::default();
    let any_check = applies.iter().any(|&a| a);
    let mut stamp: Vec<u32> = vec![0; set.checks.len()];
    let mut generation: u32 = 0;
    let mut candidates: Vec<u32> = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    let mut names_state = names::FileNames::new(set, file.language);
    if !any_check {
        out.stats = ctx.stats;
        return out;
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
            hits.clear();
            if !candidates.is_empty() {
                candidates.sort_unstable();
                ctx.line_conditions.clear();
                for &idx in &candidates {
                    run_check(set, idx, &mut ctx, line, text, &mut hits);
                }
            }
            if ctx.markers {
                // The names and folding stages read added lines only.
                names::scan_line(set, &mut names_state, &mut ctx, line, text, &mut hits);
                if !text.is_ascii() {
                    run_folded(set, &applies, &mut ctx, line, text, &mut hits);
                }
            }
            if !hits.is_empty() {
                emit(set, &mut ctx, line, text, &hits, &mut out);
            }
        }
    }
    out.stats = ctx.stats;
    out
}

/// Runs the checks again over the line with its look-alike identifiers folded ([`super::fold`]: Python
/// reads `𝚎𝚡𝚎𝚌` as `exec`), keeping what the original line does not already show, at the original line.
fn run_folded(
    set: &CheckSet,
    applies: &[bool],
    ctx: &mut FileContext<'_>,
    line: &AddedLine,
    text: &str,
    hits: &mut Vec<Hit>,
) {
    let python = ctx.file.language == crate::model::Language::Python;
    let folded = {
        let regions = ctx.regions();
        fold::fold_line(text, python, |i| {
            regions.at(line.start + i) == crate::lang::Region::Code
        })
    };
    let Some(folded) = folded else { return };
    let mut candidates: Vec<u32> = set.keywordless().to_vec();
    for (_, keyword) in set.keyword_hits(&folded.text) {
        candidates.extend_from_slice(set.checks_for_keyword(keyword));
    }
    candidates.retain(|&idx| applies[idx as usize]);
    candidates.sort_unstable();
    candidates.dedup();
    let mut found = Vec::new();
    // Whole-line condition results are cached per line: the folded line is another line.
    ctx.line_conditions.clear();
    for idx in candidates {
        run_check(set, idx, ctx, line, &folded.text, &mut found);
    }
    ctx.line_conditions.clear();
    let why = if python {
        "Python reads the look-alike identifiers as these ASCII names (NFKC)"
    } else {
        "with the look-alike identifiers read as the names they imitate"
    };
    for mut hit in found {
        if hits.len() >= MAX_HITS_PER_LINE || hits.iter().any(|h| h.check == hit.check) {
            continue;
        }
        let (start, end) = folded.widen(hit.start, hit.end);
        hit.start = floor_char(text, start);
        hit.end = ceil_char(text, end);
        hit.reason = Some(join_reasons(hit.reason.take(), why));
        hits.push(hit);
    }
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
    let Some(pattern) = check.pattern() else {
        return;
    };
    if pattern.per_file && ctx.fired[idx as usize] {
        return;
    }
    let visit = |start: usize,
                 end: usize,
                 caps: Option<&Groups>,
                 ctx: &mut FileContext<'_>,
                 hits: &mut Vec<Hit>| {
        // Byte regexes may stop inside a multi-byte character: widen to character boundaries.
        let (start, end) = (floor_char(text, start), ceil_char(text, end));
        if start == end || (pattern.per_file && ctx.fired[idx as usize]) {
            return;
        }
        if pattern.scope != crate::checks::Scope::Any
            && !pattern.scope.admits(ctx.regions().at(line.start + start))
        {
            return;
        }
        if !pattern
            .requires()
            .iter()
            .all(|c| holds(c, ctx, line, text, (start, end), OnDoubt::Holds))
        {
            return;
        }
        if pattern
            .unless()
            .iter()
            .any(|c| holds(c, ctx, line, text, (start, end), OnDoubt::Fails))
        {
            return;
        }
        let (mut severity, mut reason) = pattern
            .adjust()
            .iter()
            .find(|c| holds(c, ctx, line, text, (start, end), OnDoubt::Fails))
            .map_or((check.meta.severity, None), |c| {
                (c.severity.unwrap_or(check.meta.severity), c.reason.clone())
            });
        if check.meta.id == ALLOW_UNKNOWN_TARGET && !names_unknown_target(set, text, start) {
            return;
        }
        let (start, end) = match (caps, pattern.redact_group.as_deref()) {
            (Some(caps), Some(group)) => pattern
                .regex
                .group_index(group)
                .and_then(|g| caps.get(g))
                .map_or((start, end), |(s, e)| {
                    (floor_char(text, s), ceil_char(text, e))
                }),
            _ => (start, end),
        };
        let judged = (ctx.side == Side::Added)
            .then(|| judge_secret(check, &text[start..end], &ctx.file.path))
            .flatten();
        if let Some(verdict) = judged {
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
        if pattern.per_file {
            ctx.fired[idx as usize] = true;
        }
        let message = match caps {
            Some(caps) => fill_message(check, caps, text),
            None => check.meta.message.to_string(),
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
    ctx.stats.regex_bytes += text.len();
    let first_hit = hits.len();
    let mut more = 0usize;
    // Past the cap every match is still judged (a line of harmless matches must not hide one the
    // conditions raise to an error), but only the most severe are kept: a new hit replaces the weakest.
    let mut keep_within_cap = |hits: &mut Vec<Hit>| {
        if hits.len() - first_hit <= MAX_HITS_PER_LINE {
            return;
        }
        let Some(new) = hits.pop() else { return };
        more += 1;
        let weakest = (first_hit..hits.len()).min_by_key(|&i| hits[i].severity);
        if let Some(i) = weakest.filter(|&i| hits[i].severity < new.severity) {
            hits[i] = new;
        }
    };
    if pattern.needs_captures {
        for caps in pattern.regex.captures_iter(text.as_bytes()) {
            let (start, end) = caps.get(0).expect("group 0 always matches");
            ctx.stats.matches += 1;
            visit(start, end, Some(&caps), ctx, hits);
            keep_within_cap(hits);
        }
    } else {
        for (start, end) in pattern.regex.find_iter(text.as_bytes()) {
            ctx.stats.matches += 1;
            visit(start, end, None, ctx, hits);
            keep_within_cap(hits);
        }
    }
    if more > 0 {
        if let Some(last) = hits.last_mut() {
            last.message.push_str(&format!(
                " (and {more} more matches on this line, not listed)"
            ));
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
    let pattern = check.pattern()?;
    let is_secret = check.meta.category == Category::Secret;
    if !is_secret
        && pattern.min_entropy.is_none()
        && pattern.validate.is_none()
        && !pattern.judge_generic
    {
        return None;
    }
    // A valid checksum is a real token whatever it looks like; only then are placeholders dropped.
    let checksum = pattern
        .validate
        .and_then(|kind| secrets::checksum_matches(kind, value));
    if checksum == Some(true) {
        return Some(SecretVerdict::ChecksumValid);
    }
    if is_secret && secrets::is_placeholder(value) {
        return Some(SecretVerdict::Drop);
    }
    if pattern
        .min_entropy
        .is_some_and(|min| secrets::shannon_entropy(value) < min)
    {
        return Some(SecretVerdict::Drop);
    }
    if pattern.judge_generic {
        return Some(match secrets::judge_generic(value, path) {
            Some((severity, why)) => SecretVerdict::Judged(severity, why),
            None => SecretVerdict::Drop,
        });
    }
    Some(match checksum {
        Some(true) => SecretVerdict::ChecksumValid,
        Some(false) => SecretVerdict::ChecksumInvalid,
        None => SecretVerdict::Keep,
    })
}

fn join_reasons(reason: Option<String>, more: &str) -> String {
    match reason {
        Some(r) => format!("{r}; {more}"),
        None => more.to_string(),
    }
}

/// Fills `{name}` placeholders from capture groups. For secrets, the group holding the secret (every group,
/// when the check names none) is masked.
fn fill_message(check: &Check, caps: &Groups, text: &str) -> String {
    let template = &check.meta.message;
    let secret_group = check.pattern().and_then(|p| p.redact_group.as_deref());
    let mut out = template.to_string();
    for name in crate::checks::compile::placeholders(template) {
        let group = check
            .pattern()
            .and_then(|p| p.regex.group_index(name))
            .and_then(|g| caps.get(g));
        let value = group.map_or("", |(start, end)| {
            &text[floor_char(text, start)..ceil_char(text, end)]
        });
        let masked =
            check.meta.category == Category::Secret && secret_group.is_none_or(|g| g == name);
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

/// Runs every check and lets no inline marker silence anything: for text that is no file under review
/// (an agent's shell command), where a marker is only its author's say-so — and a secret it silenced would
/// go unmasked.
pub(super) fn run_ignoring_markers(checks: &CheckSet, files: &[ChangedFile]) -> Vec<Finding> {
    // Every line counts as added (not `baseless`), so each silenced finding is recorded once, secrets too.
    let run = run_files(checks, files, false);
    let mut all = run.findings;
    all.extend(run.added_markers.into_iter().map(|s| s.finding));
    let recorded: std::collections::HashSet<(String, u32, u32, String)> = all
        .iter()
        .map(|f| (f.path.clone(), f.line, f.column, f.check.clone()))
        .collect();
    all.extend(
        run.silenced
            .into_iter()
            .filter(|f| !recorded.contains(&(f.path.clone(), f.line, f.column, f.check.clone()))),
    );
    all
}
