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
use conditions::{ceil_char, floor_char, holds, OnDoubt};

/// Most findings one check reports on one line; further matches are counted in the last one's message.
/// A minified megabyte can hold thousands of matches of one check on its single line: listing each adds
/// nothing for a reviewer, and makes every later stage (snippets, chains, reports) grow with them.
pub const MAX_HITS_PER_LINE: usize = 50;

/// How much work a run did, for tests that bound work by input size rather than by time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkStats {
    /// Bytes the checks' regexes ran over (each line once per check that ran on it).
    pub regex_bytes: usize,
    /// Bytes condition regexes ran over on long lines (bounded windows) and whole-line conditions.
    pub condition_bytes: usize,
    /// Bytes of lines copied to render snippets.
    pub snippet_bytes: usize,
    /// Matches examined.
    pub matches: usize,
}

impl WorkStats {
    fn add(&mut self, other: &WorkStats) {
        self.regex_bytes += other.regex_bytes;
        self.condition_bytes += other.condition_bytes;
        self.snippet_bytes += other.snippet_bytes;
        self.matches += other.matches;
    }

    /// Every byte counted, all stages together.
    pub fn total_bytes(&self) -> usize {
        self.regex_bytes + self.condition_bytes + self.snippet_bytes
    }
}

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
    let run = run_reviewed(checks, files, false);
    (run.findings, run.silenced)
}

/// Runs every check and lets no inline marker silence anything: for text that is no file under review
/// (an agent's shell command), where a marker is only its author's say-so — and a secret it silenced would
/// go unmasked.
pub fn run_ignoring_markers(checks: &CheckSet, files: &[ChangedFile]) -> Vec<Finding> {
    // Every line counts as added (not `baseless`), so each silenced finding is recorded once, secrets too.
    let run = run_reviewed(checks, files, false);
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

/// Like [`run_keeping_suppressed`], and also returns how much work the run did.
pub fn run_measured(
    checks: &CheckSet,
    files: &[ChangedFile],
) -> (Vec<Finding>, Vec<Finding>, WorkStats) {
    let run = run_reviewed(checks, files, false);
    (run.findings, run.silenced, run.stats)
}

/// What the engine found in one review.
#[derive(Debug, Default)]
pub struct EngineRun {
    /// Findings to report (unsorted).
    pub findings: Vec<Finding>,
    /// Findings inline markers silenced (attack chains are made of them too).
    pub silenced: Vec<Finding>,
    /// The findings silenced by a marker the change adds (every marker, when `baseless`), for the list of
    /// suppressions a reviewer is shown.
    pub added_markers: Vec<suppress::Silence>,
    /// How much work the run did.
    pub stats: WorkStats,
}

/// Runs every check over every file. A marker on an added line is the change's own: it never silences an
/// error-level attack finding, and what it silences is recorded. With `baseless` (a scan) every line
/// counts as already present: markers work as a base's do, and are still recorded.
pub fn run_reviewed(checks: &CheckSet, files: &[ChangedFile], baseless: bool) -> EngineRun {
    let per_file: Vec<EngineRun> = files
        .par_iter()
        .map(|file| check_file(checks, file, baseless))
        .collect();
    let mut all = EngineRun::default();
    for run in per_file {
        all.findings.extend(run.findings);
        all.silenced.extend(run.silenced);
        all.added_markers.extend(run.added_markers);
        all.stats.add(&run.stats);
    }
    all
}

/// Findings for binary files whose path a check names (`binary: true`): one at line 1 per file and check.
pub fn run_binary(checks: &CheckSet, paths: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for path in paths {
        let language = lang::Language::detect(path, "");
        for check in checks
            .checks
            .iter()
            .filter(|c| c.on_binary() && c.applies_to(language, path))
        {
            findings.push(Finding {
                check: check.meta.id.clone(),
                category: check.meta.category,
                severity: check.meta.severity,
                path: path.clone(),
                line: 1,
                column: 1,
                end_column: 1,
                message: format!("{} (binary file)", check.meta.message),
                snippet: String::from("(binary file)"),
                snippet_column: 0,
                snippet_width: 13,
                fingerprint: format!(
                    "{:016x}",
                    fnv1a64(&[check.meta.id.as_bytes(), path.as_bytes(), b"binary"])
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
        .filter(|c| c.meta.category == Category::Secret && c.pattern().is_some())
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
                suppress::defuse_markers(&b.text),
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
    /// Checks that fire at most once per file and already did.
    fired: Vec<bool>,
    /// No base: markers on added lines count as present before (a scan).
    baseless: bool,
    /// Results of whole-line conditions on the current long line (keyed by the condition's address).
    line_conditions: Vec<(usize, bool)>,
    /// The work done so far.
    stats: WorkStats,
}

impl<'a> FileContext<'a> {
    fn regions(&self) -> &Regions {
        self.regions.get_or_init(|| file_regions(self.file))
    }

    /// The byte offset where the text known around `pos` ends (the file, or the patch piece).
    fn known_end(&self, pos: usize) -> usize {
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

fn check_file(set: &CheckSet, file: &ChangedFile, baseless: bool) -> EngineRun {
    let applies: Vec<bool> = set
        .checks
        .iter()
        .map(|c| c.applies_to(file.language, &file.path))
        .collect();
    let ctx = FileContext {
        file,
        regions: OnceCell::new(),
        file_conditions: vec![None; set.file_slots],
        fired: vec![false; set.checks.len()],
        baseless,
        line_conditions: Vec::new(),
        stats: WorkStats::default(),
    };
    let mut ctx = ctx;
    let mut out = EngineRun::default();
    let any_check = applies.iter().any(|&a| a);
    let mut stamp: Vec<u32> = vec![0; set.checks.len()];
    let mut generation: u32 = 0;
    let mut candidates: Vec<u32> = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
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
            if candidates.is_empty() {
                continue;
            }
            candidates.sort_unstable();
            hits.clear();
            ctx.line_conditions.clear();
            for &idx in &candidates {
                run_check(set, idx, &mut ctx, line, text, &mut hits);
            }
            if !hits.is_empty() {
                emit(set, &mut ctx, line, text, &hits, &mut out);
            }
        }
    }
    out.stats = ctx.stats;
    out
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
                 caps: Option<&regex::bytes::Captures<'_>>,
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
            .requires
            .iter()
            .all(|c| holds(c, ctx, line, text, (start, end), OnDoubt::Holds))
        {
            return;
        }
        if pattern
            .unless
            .iter()
            .any(|c| holds(c, ctx, line, text, (start, end), OnDoubt::Fails))
        {
            return;
        }
        let (mut severity, mut reason) = pattern
            .adjust
            .iter()
            .find(|c| holds(c, ctx, line, text, (start, end), OnDoubt::Fails))
            .map_or((check.meta.severity, None), |c| {
                (c.severity.unwrap_or(check.meta.severity), c.reason.clone())
            });
        if check.meta.id == ALLOW_UNKNOWN_TARGET && !names_unknown_target(set, text, start) {
            return;
        }
        let (start, end) = match (caps, pattern.redact_group.as_deref()) {
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
        if pattern.per_file {
            ctx.fired[idx as usize] = true;
        }
        let message = match caps {
            Some(caps) => fill_message(check, caps, text),
            None => check.meta.message.clone(),
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
        for caps in pattern.regex.get().captures_iter(text.as_bytes()) {
            let m = caps.get(0).expect("group 0 always matches");
            ctx.stats.matches += 1;
            visit(m.start(), m.end(), Some(&caps), ctx, hits);
            keep_within_cap(hits);
        }
    } else {
        for m in pattern.regex.get().find_iter(text.as_bytes()) {
            ctx.stats.matches += 1;
            visit(m.start(), m.end(), None, ctx, hits);
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
    Some(
        match pattern
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
    let template = &check.meta.message;
    let secret_group = check.pattern().and_then(|p| p.redact_group.as_deref());
    let mut out = template.to_string();
    for name in crate::checks::compile::placeholders(template) {
        let value = caps.name(name).map_or("", |m| {
            &text[floor_char(text, m.start())..ceil_char(text, m.end())]
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

/// Turns a line's hits into findings, masking every secret on the line in every snippet.
fn emit(
    set: &CheckSet,
    ctx: &mut FileContext<'_>,
    line: &AddedLine,
    text: &str,
    hits: &[Hit],
    out: &mut EngineRun,
) {
    let masks: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| set.checks[h.check as usize].meta.category == Category::Secret)
        .map(|h| (h.start, h.end))
        .collect();
    let columns = char_columns(text, hits);
    // The markers of this line and of the one above, found once for all hits.
    let here = LineMarkers {
        start: line.start,
        text,
        markers: suppress::markers(text),
    };
    let above = ctx
        .previous_line(line)
        .filter(|(_, prev)| suppress::is_comment_only(prev))
        .map(|(start, prev)| LineMarkers {
            start,
            text: prev,
            markers: suppress::markers(prev),
        });
    for (hit, &(column, end_column)) in hits.iter().zip(&columns) {
        let check = &set.checks[hit.check as usize];
        if check.pattern().is_some_and(|p| p.judge_generic)
            && overlaps_specific_secret(set, hits, hit)
        {
            // A provider rule already names this value more precisely.
            continue;
        }
        let marker = silencing_marker(ctx, line, &here, above.as_ref(), check);
        // A marker the change adds never silences an error-level attack: the finding says it tried.
        let refused = marker.as_ref().is_some_and(|m| {
            m.added && check.meta.category == Category::Attack && hit.severity == Severity::Error
        });
        let refused_at = refused.then(|| marker.as_ref().map(|m| m.line)).flatten();
        let marker = marker.filter(|_| !refused);
        let (snippet, copied) = snippet::render_around(text, &masks, hit.start, hit.end);
        ctx.stats.snippet_bytes += copied;
        let mut message = match &hit.reason {
            Some(reason) => format!("{} ({reason})", hit.message),
            None => hit.message.clone(),
        };
        if refused {
            let at = refused_at.unwrap_or(line.number);
            message = format!("{message} ({})", suppress::refused_note(at, hit.severity));
        }
        // Secrets are identified by their value, other findings by their (masked) line: never by the line
        // number, so a fingerprint survives edits above it.
        let mut hash = Fnv64::new();
        hash.part(check.meta.id.as_bytes())
            .part(ctx.file.path.as_bytes());
        if check.meta.category == Category::Secret {
            hash.part(&text.as_bytes()[hit.start..hit.end]);
        } else {
            for word in snippet.text.split_whitespace() {
                hash.part(word.as_bytes());
            }
        }
        let fingerprint = format!("{:016x}", hash.finish());
        let finding = Finding {
            check: check.meta.id.clone(),
            category: check.meta.category,
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
        };
        let Some(marker) = marker else {
            out.findings.push(finding);
            continue;
        };
        if marker.added || ctx.baseless {
            out.added_markers.push(suppress::Silence {
                marker_line: marker.line,
                kind: marker.kind,
                reason: marker.reason.map(suppress::redact_reason),
                finding: finding.clone(),
            });
        }
        // Secrets are no part of any chain: nothing to keep.
        if check.meta.category != Category::Secret {
            out.silenced.push(finding);
        }
    }
}

/// Whether a secret check other than a generic one matched an overlapping span of the line.
fn overlaps_specific_secret(set: &CheckSet, hits: &[Hit], generic: &Hit) -> bool {
    hits.iter().any(|other| {
        let check = &set.checks[other.check as usize];
        check.meta.category == Category::Secret
            && !check.pattern().is_some_and(|p| p.judge_generic)
            && other.start < generic.end
            && generic.start < other.end
    })
}

/// The markers of one line, found once for all the hits on it.
struct LineMarkers<'t> {
    /// Byte offset of the line in the file's text.
    start: usize,
    /// The line.
    text: &'t str,
    /// The markers on it, at their byte offsets in the line.
    markers: Vec<(usize, suppress::Marker<'t>)>,
}

/// The marker that silences a finding: where it is, what it is, and whether the change adds it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FoundMarker<'t> {
    /// 1-based line of the marker.
    pub(crate) line: u32,
    /// Whether that line is one the change adds.
    pub(crate) added: bool,
    /// The marker's literal.
    pub(crate) kind: &'static str,
    /// The reason given with it.
    pub(crate) reason: Option<&'t str>,
}

/// The marker on the line, or on a comment-only line above it, that silences this check; a marker
/// present in the base wins over one the change adds.
fn silencing_marker<'t>(
    ctx: &FileContext<'t>,
    line: &AddedLine,
    here: &LineMarkers<'t>,
    above: Option<&LineMarkers<'t>>,
    check: &Check,
) -> Option<FoundMarker<'t>> {
    let file = ctx.file;
    let mut best: Option<FoundMarker<'t>> = None;
    for (number, start, line_text, markers) in [(line.number, here)]
        .into_iter()
        .chain(above.map(|a| (line.number - 1, a)))
        .map(|(n, m)| (n, m.start, m.text, &m.markers))
    {
        for (pos, marker) in markers {
            let (pos, marker) = (*pos, marker);
            if !marker.covers(&check.meta.id, check.meta.category)
                || !marker_counts(file, || ctx.regions(), line_text, pos, start + pos)
            {
                continue;
            }
            let found = FoundMarker {
                line: number,
                added: !ctx.baseless && is_added(file, number),
                kind: marker.kind(),
                reason: marker.reason(),
            };
            if !found.added {
                return Some(found);
            }
            best.get_or_insert(found);
        }
    }
    best
}

/// Whether line `number` of the file is one the change adds.
pub(crate) fn is_added(file: &ChangedFile, number: u32) -> bool {
    file.added
        .binary_search_by_key(&number, |l| l.number)
        .is_ok()
}

/// Whether a marker at byte `pos` of `line` (at `absolute` in the file) counts: only in a comment. JSON has
/// no comments, so no marker; text without a lexer (`.env`, plain text) needs a comment opened before the
/// marker on its line; the inert parts of Dockerfiles and workflows need a `#` before it.
pub(crate) fn marker_counts<'r>(
    file: &ChangedFile,
    regions: impl FnOnce() -> &'r Regions,
    line: &str,
    pos: usize,
    absolute: usize,
) -> bool {
    if file.language == lang::Language::Json {
        return false;
    }
    if !lang::has_syntax(file.language) {
        return suppress::comment_opened_before(&line[..pos]);
    }
    match regions().at(absolute) {
        Region::Comment => true,
        Region::Inert => suppress::comment_opened_before(&line[..pos]),
        Region::Code | Region::String => false,
    }
}

/// The 1-based character columns where each hit starts and ends, counted in one pass over the line
/// (hits come in check order, not position order).
fn char_columns(text: &str, hits: &[Hit]) -> Vec<(u32, u32)> {
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(hits.len() * 2);
    for (i, hit) in hits.iter().enumerate() {
        order.push((hit.start, 2 * i));
        order.push((hit.end, 2 * i + 1));
    }
    order.sort_unstable();
    let mut columns = vec![(0u32, 0u32); hits.len()];
    let (mut pos, mut chars) = (0usize, 0usize);
    for (offset, slot) in order {
        chars += text[pos..offset].chars().count();
        pos = offset;
        let column = chars as u32 + 1;
        if slot % 2 == 0 {
            columns[slot / 2].0 = column;
        } else {
            columns[slot / 2].1 = column;
        }
    }
    columns
}

/// The lexed regions of a whole file (or of its patch pieces).
pub(crate) fn file_regions(file: &ChangedFile) -> Regions {
    match &file.extent {
        TextExtent::Whole => lang::lex(file.language, &file.text),
        TextExtent::Pieces(pieces) => lang::lex_pieces(file.language, &file.text, pieces),
    }
}

/// Whether an allow marker starting at `start` names something no check or category answers to.
fn names_unknown_target(set: &CheckSet, text: &str, start: usize) -> bool {
    // The marker's own words: its targets come right after it (bounded, so that a long line of markers
    // is not read once per marker).
    let end = floor_char(text, text.len().min(start + 1024));
    let Some((_, suppress::Marker::Allow { targets, .. })) =
        suppress::markers(&text[start..end]).into_iter().next()
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
                    .any(|c| suppress::target_covers(t, &c.meta.id, c.meta.category))
        })
}
