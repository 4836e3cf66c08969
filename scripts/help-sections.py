#!/usr/bin/env python3
"""Rewrites each check's `help: |` prose block into the four-section mapping, textually.

Usage: scripts/help-sections.py --fixes FIXES.tsv [--fixes ...] CHECK_FILE...

The old form was one literal block with "What it finds:", "Why it matters:" and "Example:" paragraphs;
the new form is

    help:
      finds: <what it finds>
      why: <why it matters>
      example: <a line that fires>
      fix: <what to do instead>

Check files have comments, anchors and aliases, so they are never loaded and dumped: only the lines of
each `help: |` block are replaced, everything else is kept byte for byte. The `fix` texts are not in
the old prose: they are written by hand and given as TSV lines `<check id>\t<fix>`. A file is converted
only when every check in it has a fix (else it is left alone and the missing ids are listed, exit 1).
Where the old example reads `bad  ->  good` (or `bad → good`), the example keeps the bad half and the
fix must quote the good half (checked; `{good}` in the fix stands for it); advice written under the
example moves into the fix the same way (`{advice}`). Each value is a plain scalar where that reads
back the same, otherwise a folded (`>-`, prose) or literal (`|-`, code) block; every converted file is
parsed again to verify that each section reads back as intended.
"""

import argparse
import re
import sys
import textwrap

import yaml

HEADINGS = [
    ("finds", re.compile(r"^What it finds(?: \(([^)]*)\))?:\s?")),
    ("why", re.compile(r"^Why it matters:\s?")),
    ("example", re.compile(r"^Example:\s?")),
]
ARROWS = ["  ->  ", "  → ", " → "]


def plain_ok(value):
    """Whether `key: value` reads back as exactly `value` (one line, no quoting needed)."""
    if "\n" in value or value != value.strip() or not value:
        return False
    try:
        return yaml.safe_load("k: " + value) == {"k": value}
    except yaml.YAMLError:
        return False


def emit(key, lines, indent, literal, width=110):
    """YAML lines for one section. `lines` are (relative indent, text) pairs."""
    pad = " " * indent
    inner = " " * (indent + 2)
    if len(lines) == 1 and lines[0][0] == 0:
        value = lines[0][1]
        if plain_ok(value) and len(pad) + len(key) + 2 + len(value) <= width:
            return [f"{pad}{key}: {value}"]
        if not literal:
            # A run of spaces (as in `sha256sum` lines) must not become a line break: folding would
            # give back one space.
            wrapped = textwrap.wrap(
                value.replace("  ", "\x01\x01"),
                width=width - len(inner),
                break_long_words=False,
                break_on_hyphens=False,
            )
            return [f"{pad}{key}: >-"] + [inner + w.replace("\x01", " ") for w in wrapped]
    style = "|-" if literal else ">-"
    return [f"{pad}{key}: {style}"] + [inner + " " * rel + text for rel, text in lines]


def expected(lines, literal):
    """What a block of (relative indent, text) lines reads back as."""
    if literal or len(lines) == 1:
        return "\n".join(" " * rel + text for rel, text in lines)
    out = ""
    prev_more = None
    for rel, text in lines:
        more = rel > 0
        line = " " * rel + text
        if prev_more is None:
            out = line
        elif more or prev_more:
            out += "\n" + line
        else:
            out += " " + line
        prev_more = more
    return out


def sentence(lines):
    """Prose-only lines joined into one line, its first word capitalised when it is a plain word."""
    if any(rel for rel, _ in lines):
        return lines
    text = " ".join(t for _, t in lines)
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        text = text[0].upper() + text[1:]
    return [(0, text)]


def split_sections(body, base):
    """The old prose block (lines without the newline) as {section: [(relative indent, text)]}."""
    sections = {}
    current = None
    for raw in body:
        if not raw.strip():
            continue
        rel = len(raw) - len(raw.lstrip()) - base
        text = raw.strip()
        matched = False
        if rel == 0:
            for name, pattern in HEADINGS:
                m = pattern.match(text)
                if m:
                    current = name
                    rest = text[m.end():]
                    if name == "finds" and m.group(1):
                        rest = f"({m.group(1)}) {rest}"
                    sections[current] = [(0, rest)] if rest else []
                    matched = True
                    break
        if matched:
            continue
        if current is None:
            current = "finds"
            sections[current] = []
        sections[current].append((max(rel, 0), text))
    return sections


def example_lines(lines):
    """(example lines, literal, advice). Continuation lines of an example that are indented past the
    heading are code: they keep their shape relative to the first line (whose text starts after
    `Example: `). Unindented continuation lines that start with a capitalised word ("Use ...") are
    advice on the fix, not part of the example."""
    if len(lines) > 1 and all(rel == 0 for rel, _ in lines[1:]):
        if re.match(r"[A-Z][a-z]+ ", lines[1][1]):
            return lines[:1], False, " ".join(text for _, text in lines[1:])
        return lines, False, ""
    if len(lines) <= 1:
        return lines, False, ""
    cont = [rel for rel, _ in lines[1:]]
    shift = min(min(cont), len("Example: "))
    return [lines[0]] + [(max(rel - shift, 0), text) for rel, text in lines[1:]], True, ""


def convert(path, fixes):
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    out = []
    missing = []
    checks = {}
    current_id = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^-\s+id:\s*(\S+)", line)
        if m:
            current_id = m.group(1).strip("'\"")
        m = re.match(r"^(\s*)help: \|\s*$", line)
        if not m:
            out.append(line)
            i += 1
            continue
        indent = len(m.group(1))
        j = i + 1
        body = []
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
        ):
            body.append(lines[j])
            j += 1
        trailing = []
        while body and not body[-1].strip():
            trailing.append(body.pop())
        base = min(len(b) - len(b.lstrip()) for b in body if b.strip())
        sections = split_sections(body, base)
        for name in ("finds", "why", "example"):
            if not sections.get(name):
                sys.exit(f"{path}: {current_id}: no `{name}` paragraph in its help")
        sections["finds"] = sentence(sections["finds"])
        sections["why"] = sentence(sections["why"])
        example, literal, advice = example_lines(sections["example"])
        fix = fixes.get(current_id)
        if fix is None:
            missing.append(current_id)
            fix = ""
        if advice:
            fix = fix.replace("{advice}", advice)
            if fix and advice not in fix:
                sys.exit(f"{path}: {current_id}: the fix must keep the example's advice: {advice}")
        arrow = next((a for a in ARROWS if len(example) == 1 and example[0][1].count(a) == 1), None)
        if arrow:
            bad, good = example[0][1].split(arrow)
            fix = fix.replace("{good}", good.strip())
            if fix and good.strip() not in fix:
                sys.exit(f"{path}: {current_id}: the fix must quote the example's good half: {good.strip()}")
            example = [(0, bad.strip())]
        key_indent = indent + 2
        out.append(" " * indent + "help:")
        out += emit("finds", sections["finds"], key_indent, False)
        out += emit("why", sections["why"], key_indent, False)
        out += emit("example", example, key_indent, literal)
        out += emit("fix", [(0, fix)], key_indent, False)
        checks[current_id] = {
            "finds": expected(sections["finds"], False),
            "why": expected(sections["why"], False),
            "example": expected(example, literal),
            "fix": fix,
        }
        out += reversed(trailing)
        i = j
    if missing:
        print(f"{path}: no fix for {', '.join(missing)}", file=sys.stderr)
        return False
    new = "\n".join(out)
    parsed = yaml.safe_load(new) or []
    for check in parsed:
        want = checks.get(check["id"])
        if want is not None and check["help"] != want:
            sys.exit(f"{path}: {check['id']}: help reads back as {check['help']!r}, not {want!r}")
    open(path, "w", encoding="utf-8").write(new)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", action="append", default=[], help="TSV of `id<TAB>fix` lines")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    fixes = {}
    for name in args.fixes:
        for n, row in enumerate(open(name, encoding="utf-8"), 1):
            row = row.rstrip("\n")
            if not row.strip() or row.startswith("#"):
                continue
            if "\t" not in row:
                sys.exit(f"{name}:{n}: expected `id<TAB>fix`")
            check_id, fix = row.split("\t", 1)
            if not fix.strip():
                sys.exit(f"{name}:{n}: empty fix for {check_id}")
            fixes[check_id.strip()] = fix.strip()
    ok = all([convert(path, fixes) for path in args.files])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
