//! Attack chains: findings that, found together within a scope, make the shape of a real attack
//! (exfiltration, download and execute, install-time execution, ...). Chains are data
//! (`checks/attack/`, a `chain:` section naming the checks that play each part); signals are checks whose
//! findings only feed chains and are dropped afterwards.

use std::collections::HashMap;

use crate::checks::chain::{Chain, Within};
use crate::checks::plays;
use crate::checks::{Check, CheckSet};
use crate::model::Language;
use crate::model::{ChainPart, ChangedFile, Finding, Fnv64, Severity, TextExtent};

mod units;

pub use units::referenced_paths;
use units::{line_text, step_units};

/// Finds every chain in the findings of one review (those reported and those inline markers silenced,
/// so that a marker on a part cannot hide the chain) and returns the chain findings.
pub fn detect(
    set: &CheckSet,
    files: &[ChangedFile],
    findings: &[Finding],
    silenced: &[Finding],
) -> Vec<Finding> {
    detect_marked(set, files, findings, silenced, false).0
}

/// Like [`detect`], and also returns the chains accepted by a marker the change adds (by any marker, when
/// `baseless`), for the list of suppressions. A chain is accepted inline only by its exact id, in a
/// comment; a marker the change adds never accepts an error-level chain (the chain says it tried).
pub fn detect_marked(
    set: &CheckSet,
    files: &[ChangedFile],
    findings: &[Finding],
    silenced: &[Finding],
    baseless: bool,
) -> (Vec<Finding>, Vec<crate::engine::suppress::Silence>) {
    let chains: Vec<&Check> = set.checks.iter().filter(|c| c.chain().is_some()).collect();
    if chains.is_empty() || findings.len() + silenced.len() == 0 {
        return (Vec::new(), Vec::new());
    }
    let files_by_path: HashMap<&str, &ChangedFile> =
        files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut by_path: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in findings.iter().chain(silenced) {
        by_path.entry(f.path.as_str()).or_default().push(f);
    }
    for list in by_path.values_mut() {
        list.sort_by_key(|f| (f.line, f.column));
    }
    // Only the checks something was found by can play a role: the others are never asked about.
    // Sorted and searched rather than hashed: the findings are few and every check is asked.
    let mut found: Vec<&str> = findings
        .iter()
        .chain(silenced)
        .map(|f| f.check.as_str())
        .collect();
    found.sort_unstable();
    found.dedup();
    let players: Vec<&Check> = set
        .checks
        .iter()
        .filter(|c| c.chain().is_none() && found.binary_search(&&*c.meta.id).is_ok())
        .collect();
    let mut out = Vec::new();
    for check in chains {
        let chain = check.chain().expect("filtered on chains");
        // Which roles each check can play, worked out once per chain rather than per finding.
        let masks = role_masks(chain, &players);
        let role_of = |f: &Finding, bit: u32| {
            masks
                .get(f.check.as_str())
                .is_some_and(|mask| mask & bit != 0)
        };
        match chain.within {
            Within::File | Within::Step => {
                let mut paths: Vec<&&str> = by_path.keys().collect();
                paths.sort();
                for path in paths {
                    let list = &by_path[*path];
                    let units = match (chain.within, files_by_path.get(*path)) {
                        (Within::Step, Some(file)) => step_units(file),
                        _ => Vec::new(),
                    };
                    let unit_of = |line: u32| units.get(line as usize).copied().unwrap_or(0);
                    // Units in order of first appearance, found by a map (a workflow can have
                    // thousands of steps).
                    let mut groups: Vec<Vec<&Finding>> = Vec::new();
                    let mut group_of: HashMap<u32, usize> = HashMap::new();
                    for f in list.iter().filter(|f| masks.contains_key(f.check.as_str())) {
                        let next = groups.len();
                        let index = *group_of.entry(unit_of(f.line)).or_insert(next);
                        if index == next {
                            groups.push(Vec::new());
                        }
                        groups[index].push(f);
                    }
                    for group in groups {
                        out.extend(find_in_unit(check, chain, &group, &role_of));
                    }
                }
            }
            Within::Hook => {
                let mut paths: Vec<&&str> = by_path.keys().collect();
                paths.sort();
                for path in paths {
                    // One install-time chain per file holding hooks (setup.py with both `cmdclass` and
                    // top-level code is one chain, not two).
                    let found = by_path[*path]
                        .iter()
                        .filter(|f| role_of(f, role_bit(0)))
                        .find_map(|anchor| {
                            let unit = hook_unit(anchor, &by_path, &files_by_path);
                            find_hook(check, chain, anchor, &unit, &role_of)
                        });
                    out.extend(found);
                }
            }
        }
    }
    // One chain per place: when two chains end on the same line, the one defined first tells it.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert((f.path.clone(), f.line)));
    let mut accepted = Vec::new();
    let mut kept = Vec::with_capacity(out.len());
    for mut chain in out {
        let Some(file) = files_by_path.get(chain.path.as_str()) else {
            kept.push(chain);
            continue;
        };
        match marker_naming(file, &chain) {
            None => kept.push(chain),
            Some(marker) if marker.added && !baseless && chain.severity == Severity::Error => {
                chain.message = format!(
                    "{} ({})",
                    chain.message,
                    crate::engine::suppress::refused_note(marker.line, chain.severity)
                );
                kept.push(chain);
            }
            Some(marker) => {
                if marker.added || baseless {
                    accepted.push(crate::engine::suppress::Silence {
                        marker_line: marker.line,
                        kind: marker.kind,
                        reason: marker
                            .reason
                            .as_deref()
                            .map(crate::engine::suppress::redact_reason),
                        finding: chain,
                    });
                }
            }
        }
    }
    (kept, accepted)
}

/// A `review-gate: allow` marker in a comment on the chain's line, or on a comment-only line above it,
/// naming the chain by its exact id (`all`, `attack`, prefixes and wildcards do not: a chain is accepted
/// by name only). A marker present in the base wins over one the change adds.
struct ChainMarker {
    line: u32,
    added: bool,
    kind: &'static str,
    reason: Option<String>,
}

fn marker_naming(file: &ChangedFile, chain: &Finding) -> Option<ChainMarker> {
    use crate::engine::suppress::{is_comment_only, markers, Marker};
    let mut regions = None;
    let mut best: Option<ChainMarker> = None;
    let lines = [
        Some(chain.line),
        chain.line.checked_sub(1).filter(|n| *n > 0),
    ];
    for (i, number) in lines.into_iter().flatten().enumerate() {
        let Some((start, text)) = line_at(file, number) else {
            continue;
        };
        if i == 1 && !is_comment_only(text) {
            continue;
        }
        for (pos, marker) in markers(text) {
            let names = matches!(&marker, Marker::Allow { targets, .. } if targets.iter().any(|t| *t == chain.check));
            if !names
                || !crate::engine::marker_counts(
                    file,
                    || &*regions.get_or_insert_with(|| crate::engine::file_regions(file)),
                    text,
                    pos,
                    start + pos,
                )
            {
                continue;
            }
            let found = ChainMarker {
                line: number,
                added: crate::engine::is_added(file, number),
                kind: marker.kind(),
                reason: marker.reason().map(str::to_string),
            };
            if !found.added {
                return Some(found);
            }
            best.get_or_insert(found);
        }
    }
    best
}

/// Where line `number` of the new file starts in its text, and the line (without its terminator), when
/// the source knows it.
fn line_at(file: &ChangedFile, number: u32) -> Option<(usize, &str)> {
    if let Ok(i) = file.added.binary_search_by_key(&number, |l| l.number) {
        let line = &file.added[i];
        return Some((line.start, file.line_text(line)));
    }
    if !matches!(file.extent, TextExtent::Whole) {
        return None;
    }
    let mut start = 0usize;
    for _ in 1..number {
        start += memchr::memchr(b'\n', &file.text.as_bytes()[start..])? + 1;
    }
    let end = memchr::memchr(b'\n', &file.text.as_bytes()[start..])
        .map_or(file.text.len(), |p| start + p);
    Some((start, file.text[start..end].trim_end_matches('\r')))
}

/// The bit of role `index` in a role mask.
fn role_bit(index: usize) -> u32 {
    1 << index
}

/// The bit of the `unless` targets in a role mask.
const UNLESS: u32 = 1 << 31;

/// For every check of `players` (none of them a chain) that plays a part in the chain (or cancels it),
/// the mask of what it plays.
fn role_masks<'a>(chain: &Chain, players: &[&'a Check]) -> HashMap<&'a str, u32> {
    players
        .iter()
        .copied()
        .filter_map(|c| {
            let mut mask = 0;
            for (index, role) in chain.parts.iter().enumerate().take(31) {
                if plays(&role.any, c) {
                    mask |= role_bit(index);
                }
            }
            if plays(&chain.unless, c) {
                mask |= UNLESS;
            }
            (mask != 0).then_some((&*c.meta.id, mask))
        })
        .collect()
}

/// Drops the findings of signal checks (they only feed chains).
pub fn drop_signals(set: &CheckSet, findings: &mut Vec<Finding>) {
    if !set.checks.iter().any(|c| c.is_signal()) {
        return;
    }
    let signals: std::collections::HashSet<&str> = set
        .checks
        .iter()
        .filter(|c| c.is_signal())
        .map(|c| &*c.meta.id)
        .collect();
    findings.retain(|f| !signals.contains(f.check.as_str()));
}

/// Chains among the findings of one scope unit (sorted by line), all of which play some part.
fn find_in_unit(
    check: &Check,
    chain: &Chain,
    unit: &[&Finding],
    role_of: &impl Fn(&Finding, u32) -> bool,
) -> Vec<Finding> {
    let last = chain.parts.len() - 1;
    // A role nobody plays here: no chain, whatever the sinks.
    if (0..=last).any(|r| !unit.iter().any(|f| role_of(f, role_bit(r)))) {
        return Vec::new();
    }
    // With the whole unit as window, what cancels the chain is the same for every sink, and a sink
    // before the first line of some role cannot complete an ordered chain: decided once, not per sink.
    if chain.lines.is_none() && unit.iter().any(|f| role_of(f, UNLESS)) {
        return Vec::new();
    }
    let earliest_complete = (0..last)
        .map(|r| {
            unit.iter()
                .filter(|f| role_of(f, role_bit(r)))
                .map(|f| f.line)
                .min()
                .unwrap_or(u32::MAX)
        })
        .max()
        .unwrap_or(0);
    let mut out: Vec<Finding> = Vec::new();
    let mut last_sink: Option<u32> = None;
    for sink in unit.iter().filter(|f| role_of(f, role_bit(last))) {
        if chain.ordered && sink.line < earliest_complete {
            continue;
        }
        if let (Some(window), Some(previous)) = (chain.lines, last_sink) {
            if sink.line.abs_diff(previous) <= window {
                continue;
            }
        }
        if chain.lines.is_none() && !out.is_empty() {
            break;
        }
        // The findings close enough to the sink (the unit is sorted by line).
        let near: &[&Finding] = match chain.lines {
            Some(window) => {
                let low = sink.line.saturating_sub(window);
                let high = sink.line.saturating_add(window);
                let start = unit.partition_point(|f| f.line < low);
                let end = unit.partition_point(|f| f.line <= high);
                &unit[start..end]
            }
            None => unit,
        };
        if near.iter().any(|f| role_of(f, UNLESS)) {
            continue;
        }
        let mut parts: Vec<&Finding> = Vec::with_capacity(chain.parts.len());
        for role in 0..last {
            let candidate = near
                .iter()
                .filter(|f| role_of(f, role_bit(role)))
                .filter(|f| !chain.ordered || f.line <= sink.line)
                // What decoded text does happens where it is decoded and run: it joins a chain only
                // with the findings of its own line.
                .filter(|f| {
                    (f.decoded().is_none() && sink.decoded().is_none()) || f.line == sink.line
                })
                .filter(|f| !is_same(f, sink) && !parts.iter().any(|p| is_same(p, f)))
                .min_by_key(|f| f.line.abs_diff(sink.line));
            match candidate {
                Some(f) => parts.push(f),
                None => break,
            }
        }
        if parts.len() == last {
            parts.push(sink);
            last_sink = Some(sink.line);
            let mut finding = chain_finding(check, chain, &parts);
            let others: Vec<&Finding> = near
                .iter()
                .copied()
                .filter(|f| !chain.ordered || f.line <= sink.line)
                .filter(|f| {
                    (f.decoded().is_none() && sink.decoded().is_none()) || f.line == sink.line
                })
                .collect();
            add_other_parts(&mut finding, chain, &parts, &others, role_of);
            out.push(finding);
        }
    }
    out
}

/// The chain found from one install-hook anchor, if every other part is in the hook's unit.
fn find_hook(
    check: &Check,
    chain: &Chain,
    anchor: &Finding,
    unit: &[&Finding],
    role_of: &impl Fn(&Finding, u32) -> bool,
) -> Option<Finding> {
    if unit.iter().any(|f| role_of(f, UNLESS)) {
        return None;
    }
    let mut parts: Vec<&Finding> = vec![anchor];
    for role in 1..chain.parts.len() {
        let found = unit
            .iter()
            .find(|f| role_of(f, role_bit(role)) && !parts.iter().any(|p| is_same(p, f)))?;
        parts.push(found);
    }
    let mut finding = chain_finding(check, chain, &parts);
    add_other_parts(&mut finding, chain, &parts, unit, role_of);
    // The hook is where a reviewer acts: the finding sits on it, not on the code it runs.
    finding.path = anchor.path.clone();
    finding.line = anchor.line;
    finding.column = anchor.column;
    finding.end_column = anchor.end_column;
    finding.snippet = anchor.snippet.clone();
    finding.snippet_column = anchor.snippet_column;
    finding.snippet_width = anchor.snippet_width;
    Some(finding)
}

/// The most lines one chain names beyond one per role.
const MAX_OTHER_PARTS: usize = 12;

/// Names, after the one finding per role, every other finding of the unit that plays a role (an install
/// hook's other anchors — the `cmdclass`, the overriding class — and each call its code makes), once per
/// line and role, so a reviewer sees every line of the hook. The fingerprint stays that of the first parts.
fn add_other_parts(
    finding: &mut Finding,
    chain: &Chain,
    named: &[&Finding],
    unit: &[&Finding],
    role_of: &impl Fn(&Finding, u32) -> bool,
) {
    let mut seen: std::collections::HashSet<(usize, &str, u32)> = std::collections::HashSet::new();
    for (role, f) in named.iter().enumerate() {
        seen.insert((role, f.path.as_str(), f.line));
    }
    let mut added = 0;
    for f in unit {
        for (role, spec) in chain.parts.iter().enumerate().take(31) {
            if added == MAX_OTHER_PARTS {
                return;
            }
            if role_of(f, role_bit(role)) && seen.insert((role, f.path.as_str(), f.line)) {
                finding.parts.push(ChainPart {
                    role: spec.role.clone(),
                    check: f.check.clone(),
                    path: f.path.clone(),
                    line: f.line,
                });
                added += 1;
            }
        }
    }
}

fn is_same(a: &Finding, b: &Finding) -> bool {
    std::ptr::eq(a, b)
}

/// The findings an install hook can reach: those on its own line, those of its file when the file is
/// code (setup.py, build.rs), and those of the changed files its command line names.
fn hook_unit<'a>(
    anchor: &Finding,
    by_path: &HashMap<&str, Vec<&'a Finding>>,
    files: &HashMap<&str, &ChangedFile>,
) -> Vec<&'a Finding> {
    let mut unit: Vec<&Finding> = Vec::new();
    let own = by_path.get(anchor.path.as_str()).into_iter().flatten();
    let file = files.get(anchor.path.as_str());
    let manifest = file.is_none_or(|f| {
        matches!(
            f.language,
            Language::Json | Language::Toml | Language::Yaml | Language::Xml | Language::Text
        )
    });
    unit.extend(own.filter(|f| !manifest || f.line == anchor.line));
    if let Some(text) = file.and_then(|f| line_text(f, anchor.line)) {
        for path in referenced_paths(&anchor.path, text) {
            if path != anchor.path {
                unit.extend(by_path.get(path.as_str()).into_iter().flatten());
            }
        }
    }
    unit
}

/// The chain's own finding, on its last part, naming every part.
fn chain_finding(check: &Check, chain: &Chain, parts: &[&Finding]) -> Finding {
    let sink = parts[parts.len() - 1];
    let mut hash = Fnv64::new();
    hash.part(check.meta.id.as_bytes());
    for part in parts {
        hash.part(part.fingerprint.as_bytes());
    }
    Finding {
        path: sink.path.clone(),
        line: sink.line,
        column: sink.column,
        end_column: sink.end_column,
        snippet: sink.snippet.clone(),
        snippet_column: sink.snippet_column,
        snippet_width: sink.snippet_width,
        fingerprint: format!("{:016x}", hash.finish()),
        parts: chain
            .parts
            .iter()
            .zip(parts)
            .map(|(role, f)| ChainPart {
                role: role.role.clone(),
                check: f.check.clone(),
                path: f.path.clone(),
                line: f.line,
            })
            .collect(),
        ..Finding::of(
            check.meta.id.to_string(),
            check.meta.category,
            check.meta.severity,
            check.meta.message.to_string(),
        )
    }
}
