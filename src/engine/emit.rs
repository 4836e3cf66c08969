//! Turning a line's hits into findings: columns, snippets with every secret on the line masked,
//! fingerprints, and the inline markers that silence them (recorded when the change adds them).

use super::conditions::floor_char;
use super::lines::{FileContext, FileRun, Hit};
use super::{snippet, suppress};
use crate::checks::{Check, CheckSet};
use crate::lang::{self, Region, Regions};
use crate::model::{AddedLine, Category, ChangedFile, Finding, Fnv64, Severity, TextExtent};

/// Turns a line's hits into findings, masking every secret on the line in every snippet.
pub(super) fn emit(
    set: &CheckSet,
    ctx: &mut FileContext<'_>,
    line: &AddedLine,
    text: &str,
    hits: &[Hit],
    out: &mut FileRun,
) {
    // A removal check of the secret category matches what kept secrets safe, not a secret value.
    let masks: Vec<(usize, usize)> = hits
        .iter()
        .filter(|_| ctx.side == crate::model::Side::Added)
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
        // A marker on a removed line is removed too: it silences nothing (fail closed).
        let marker = if ctx.markers {
            silencing_marker(ctx, line, &here, above.as_ref(), check)
        } else {
            None
        };
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
        if ctx.side == crate::model::Side::Removed {
            message = format!("removes: {message}");
        }
        if refused {
            let at = refused_at.unwrap_or(line.number);
            message = format!("{message} ({})", suppress::refused_note(at, hit.severity));
        }
        // Secrets are identified by their value, other findings by their (masked) line: never by the line
        // number, so a fingerprint survives edits above it.
        let mut hash = Fnv64::new();
        hash.part(check.meta.id.as_bytes())
            .part(ctx.file.path.as_bytes());
        if ctx.side == crate::model::Side::Removed {
            // The side is part of the identity (an added-side fingerprint is unchanged).
            hash.part(b"side:removed");
        }
        if check.meta.category == Category::Secret {
            hash.part(&text.as_bytes()[hit.start..hit.end]);
        } else {
            for word in snippet.text.split_whitespace() {
                hash.part(word.as_bytes());
            }
        }
        let fingerprint = format!("{:016x}", hash.finish());
        let finding = Finding {
            path: ctx.file.path.clone(),
            side: ctx.side,
            line: line.number,
            column,
            end_column,
            snippet: snippet.text,
            snippet_column: snippet.column as u32,
            snippet_width: snippet.width as u32,
            fingerprint,
            ..Finding::of(
                check.meta.id.to_string(),
                check.meta.category,
                hit.severity,
                message,
            )
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
pub(super) fn names_unknown_target(set: &CheckSet, text: &str, start: usize) -> bool {
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
                    .any(|c| crate::model::target_covers(t, &c.meta.id, c.meta.category))
        })
}
