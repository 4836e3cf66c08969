#!/usr/bin/env python3
"""Judged real-world corpus for review-gate (issue 13): prepare, run, score.

Python 3.11, standard library only. Nothing here runs in CI (it needs the
projects' sources and the package registries).

  prepare         build/refresh the work trees and package repositories
  run             run a review-gate binary on every sample (JSON, one file each)
  score           join the results with tests/realworld/labels.jsonl and print
                  precision per severity, category and check, lost TRUE findings
                  and unlabelled findings
  label-template  write the unlabelled findings as JSONL lines to judge
  context         print each finding of a results dir with the lines around it
                  (a judging aid)

See tests/realworld/README.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "realworld" / "corpus.json"
LABELS = ROOT / "tests" / "realworld" / "labels.jsonl"
SEVERITIES = ("error", "warning", "note")
LABEL_VALUES = ("TRUE", "LOW", "NOISE")
SNIPPET_MAX = 160


def load_corpus(path: Path = CORPUS) -> list[dict]:
    """The sample list of corpus.json."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)["samples"]


def safe_name(sample_id: str) -> str:
    """A file-system-safe name for a sample id."""
    return "".join(c if c.isalnum() or c in "-_.@" else "_" for c in sample_id)


def git(*args: str, cwd: Path | None = None, check: bool = True) -> str:
    """Run git and return its standard output."""
    r = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, errors="replace", check=False
    )
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


# ---------------------------------------------------------------- prepare


def repo_dir(work: Path, repo: str) -> Path:
    """Work tree of a git project."""
    return work / "src" / repo.replace("/", "+")


def package_dir(work: Path, s: dict) -> Path:
    """Two-commit repository of a package sample."""
    return work / "pkg" / safe_name(s["id"])


def prepare_git(work: Path, repo: str, mirrors: str, url: str) -> None:
    """Clone (or keep) the work tree of one git project."""
    dest = repo_dir(work, repo)
    if (dest / ".git").exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    mirror = Path(mirrors) / repo.replace("/", "+") / "repo"
    if mirror.is_dir():
        git("clone", "--shared", "-q", "--no-checkout", str(mirror), str(dest))
    else:
        src = url.format(repo=repo)
        print(f"  cloning {src}", file=sys.stderr)
        git("clone", "-q", "--no-checkout", src, str(dest))


def download(url: str, dest: Path) -> None:
    """Fetch one URL to a file."""
    req = urllib.request.Request(url, headers={"User-Agent": "review-gate-corpus"})
    with urllib.request.urlopen(req, timeout=120) as r, open(dest, "wb") as f:
        shutil.copyfileobj(r, f)


def fetch_archive(eco: str, name: str, version: str, cache: Path) -> Path:
    """Download one published version (sdist or wheel, npm tarball, crate)."""
    d = cache / eco / f"{name}-{version}"
    if d.is_dir() and any(d.iterdir()):
        return next(p for p in d.iterdir())
    d.mkdir(parents=True, exist_ok=True)
    if eco == "pypi":
        base = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(d)]
        r = subprocess.run(
            base + ["--no-binary", ":all:", f"{name}=={version}"], capture_output=True
        )
        if r.returncode != 0:  # no sdist: the wheel
            subprocess.run(
                base + ["--only-binary", ":all:", f"{name}=={version}"], check=True
            )
    elif eco == "npm":
        subprocess.run(
            ["npm", "pack", "-q", f"{name}@{version}", "--pack-destination", str(d)],
            check=True,
            capture_output=True,
        )
    elif eco == "crates":
        url = f"https://static.crates.io/crates/{name}/{name}-{version}.crate"
        download(url, d / f"{name}-{version}.crate")
    else:
        raise ValueError(f"unknown ecosystem {eco}")
    return next(p for p in d.iterdir())


def unpack(archive: Path, dest: Path) -> None:
    """Unpack an archive into dest, stripping a single top-level directory."""
    tmp = Path(tempfile.mkdtemp(dir=dest.parent))
    try:
        if archive.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(archive) as z:
                z.extractall(tmp)
        else:
            with tarfile.open(archive) as t:
                t.extractall(tmp, filter="data")
        entries = list(tmp.iterdir())
        top = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp
        for p in top.iterdir():
            shutil.move(str(p), str(dest / p.name))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def prepare_package(work: Path, s: dict) -> None:
    """Build the package sample's repository: `from` as one commit, `to` the next."""
    dest = package_dir(work, s)
    if (dest / ".git").exists() and "to" in git("tag", cwd=dest).split():
        return
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    git("init", "-q", cwd=dest)
    for k in ("user.name", "user.email"):
        git("config", k, "corpus@example.invalid", cwd=dest)
    git("config", "core.autocrlf", "false", cwd=dest)
    for tag in ("from", "to"):
        for p in dest.iterdir():
            if p.name != ".git":
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        archive = fetch_archive(s["ecosystem"], s["name"], s[tag], work / "cache")
        unpack(archive, dest)
        git("add", "-A", "-f", cwd=dest)
        git("commit", "-q", "--allow-empty", "-m", f"{s['name']} {s[tag]}", cwd=dest)
        git("tag", tag, cwd=dest)


def cmd_prepare(a: argparse.Namespace) -> int:
    work = Path(a.work)
    samples = load_corpus(Path(a.corpus))
    done: set[str] = set()
    for s in samples:
        if a.only and a.only not in s["id"]:
            continue
        try:
            if s["kind"] == "git":
                if s["repo"] not in done:
                    prepare_git(work, s["repo"], a.mirrors, a.url)
                    done.add(s["repo"])
            else:
                prepare_package(work, s)
            print(f"ok   {s['id']}", file=sys.stderr)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            print(f"FAIL {s['id']}: {e}", file=sys.stderr)
    return 0


# -------------------------------------------------------------------- run


def sample_target(work: Path, s: dict) -> tuple[Path, str]:
    """The directory to run in and the range to review."""
    if s["kind"] == "git":
        d = repo_dir(work, s["repo"])
        rng = s["range"] if "range" in s else f"{s['commit']}^..{s['commit']}"
        return d, rng
    return package_dir(work, s), "from..to"


def cmd_run(a: argparse.Namespace) -> int:
    work, out = Path(a.work), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    binary = str(Path(a.binary).resolve())
    failed = 0
    for s in load_corpus(Path(a.corpus)):
        if a.only and a.only not in s["id"]:
            continue
        d, rng = sample_target(work, s)
        dest = out / f"{safe_name(s['id'])}.json"
        r = subprocess.run(
            [binary, "-C", str(d), "diff", rng, "--format", "json", "--fail-on", "never"],
            capture_output=True,
            text=True,
        )
        if r.returncode not in (0, 1):
            failed += 1
            print(f"FAIL {s['id']} (exit {r.returncode}): {r.stderr.strip()[:300]}", file=sys.stderr)
            continue
        doc = json.loads(r.stdout)
        doc["sample"] = s["id"]
        dest.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        n = len(doc.get("findings", []))
        print(f"ok   {s['id']}: {n} findings", file=sys.stderr)
    return 2 if failed else 0


# ------------------------------------------------------------------ score


def load_results(results: Path, samples: list[dict]) -> list[dict]:
    """Every finding of every sample, with its sample id."""
    out = []
    for s in samples:
        f = results / f"{safe_name(s['id'])}.json"
        if not f.exists():
            raise FileNotFoundError(f"missing result {f}")
        doc = json.loads(f.read_text(encoding="utf-8"))
        for x in doc.get("findings", []):
            out.append(dict(x, sample=s["id"]))
    return out


def load_labels(path: Path) -> dict[tuple, dict]:
    """Labels keyed by (sample, path, line, check)."""
    labels = {}
    if not path.exists():
        return labels
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            x = json.loads(line)
            if x.get("label") not in LABEL_VALUES:
                raise ValueError(f"{path}:{n}: label must be one of {LABEL_VALUES}")
            labels[(x["sample"], x["path"], x["line"], x["check"])] = x
    return labels


def key(f: dict) -> tuple:
    """The join key of a finding."""
    return (f["sample"], f["path"], f["line"], f["check"])


def category_of(check: str) -> str:
    """A check's category from its id (the part before the first dot)."""
    return check.split(".", 1)[0]


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}%" if d else "    -"


def precision_row(name: str, c: collections.Counter) -> str:
    n = c["TRUE"] + c["LOW"] + c["NOISE"]
    return (
        f"| {name} | {n + c['?']} | {c['TRUE']} | {c['LOW']} | {c['NOISE']} | {c['?']} "
        f"| {pct(c['TRUE'] + c['LOW'], n)} | {pct(c['TRUE'], n)} |"
    )


HEAD = "| {} | findings | TRUE | LOW | NOISE | unlabelled | precision | strict |\n|---|---:|---:|---:|---:|---:|---:|---:|"


def snippet_of(f: dict) -> str:
    s = " ".join(str(f.get("snippet", "")).split())
    return s[:SNIPPET_MAX]


def template_line(f: dict) -> str:
    return json.dumps(
        {
            "sample": f["sample"],
            "path": f["path"],
            "line": f["line"],
            "check": f["check"],
            "severity": f["severity"],
            "label": None,
            "reason": "",
            "snippet": snippet_of(f),
            "message": f.get("message", ""),
        },
        ensure_ascii=False,
    )


def cmd_score(a: argparse.Namespace) -> int:
    samples = load_corpus(Path(a.corpus))
    try:
        findings = load_results(Path(a.results), samples)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    labels = load_labels(Path(a.labels))
    by_sev: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    by_cat: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    by_check: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    by_note: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    unl, seen_warn, seen_any = [], set(), set()
    # Places reported under another check id, or as a related place of another finding (one finding
    # per dependency bump): a TRUE label there is kept, not lost.
    places_warn, places_any = set(), set()
    for f in findings:
        places = [(f["sample"], f["path"], f["line"])] + [
            (f["sample"], p.get("path", f["path"]), p.get("line"))
            for p in f.get("parts") or []
            if isinstance(p, dict) and p.get("line")
        ]
        places_any.update(places)
        if f["severity"] in ("error", "warning"):
            places_warn.update(places)
    for f in findings:
        lab = labels.get(key(f))
        v = lab["label"] if lab else "?"
        sev = f["severity"]
        by_sev[sev][v] += 1
        if sev in ("error", "warning"):
            by_sev["warning+error"][v] += 1
            by_cat[f.get("category") or category_of(f["check"])][v] += 1
            by_check[f["check"]][v] += 1
            seen_warn.add(key(f))
        else:
            by_note[f["check"]][v] += 1
        seen_any.add(key(f))
        if not lab:
            unl.append(f)
    print(f"# review-gate real-world corpus: {len(samples)} samples, {len(findings)} findings\n")
    print(HEAD.format("severity"))
    for s in ("error", "warning", "note", "warning+error"):
        print(precision_row(s, by_sev[s]))
    print("\nprecision = (TRUE+LOW)/judged, strict = TRUE/judged\n")
    print(HEAD.format("category (warning+error)"))
    for c in sorted(by_cat, key=lambda c: -sum(by_cat[c].values())):
        print(precision_row(c, by_cat[c]))
    print()
    print(HEAD.format("check (warning+error, >= 3 findings)"))
    for c in sorted(by_check, key=lambda c: (-by_check[c]["NOISE"], -sum(by_check[c].values()))):
        if sum(by_check[c].values()) >= 3:
            print(precision_row(c, by_check[c]))
    print()
    print(HEAD.format("check (notes, >= 3 findings)"))
    for c in sorted(by_note, key=lambda c: -sum(by_note[c].values())):
        if sum(by_note[c].values()) >= 3:
            print(precision_row(c, by_note[c]))
    def place(x: dict) -> tuple:
        return (x["sample"], x["path"], x["line"])

    lost = [
        x
        for k, x in labels.items()
        if x["label"] == "TRUE" and x.get("severity") in ("error", "warning") and k not in seen_warn
        and place(x) not in places_warn
        and any(s["id"] == k[0] for s in samples)
    ]
    print(
        "\nlost TRUE (labelled TRUE at warning/error, no longer reported at warning/error at that place, "
        f"under any check or as a related place): {len(lost)}"
    )
    for x in lost:
        print(f"  {x['sample']} {x['path']}:{x['line']} {x['check']} — {x['reason']}")
    gone = [
        x
        for k, x in labels.items()
        if x["label"] == "TRUE" and k not in seen_any and place(x) not in places_any
        and any(s["id"] == k[0] for s in samples)
    ]
    print(f"\nTRUE findings no longer reported at any severity: {len(gone)}")
    for x in gone:
        print(f"  {x['sample']} {x['path']}:{x['line']} {x['check']} [{x.get('severity')}] — {x['reason']}")
    print(f"\nunlabelled findings: {len(unl)}")
    if a.unlabelled:
        with open(a.unlabelled, "w", encoding="utf-8") as out:
            for f in unl:
                out.write(template_line(f) + "\n")
        print(f"  written to {a.unlabelled}")
    return 0


def cmd_label_template(a: argparse.Namespace) -> int:
    samples = load_corpus(Path(a.corpus))
    try:
        findings = load_results(Path(a.results), samples)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    labels = load_labels(Path(a.labels))
    out = open(a.out, "w", encoding="utf-8") if a.out else sys.stdout
    n = 0
    for f in findings:
        if key(f) not in labels:
            out.write(template_line(f) + "\n")
            n += 1
    print(f"{n} unlabelled findings", file=sys.stderr)
    return 0


def cmd_context(a: argparse.Namespace) -> int:
    work = Path(a.work)
    samples = {s["id"]: s for s in load_corpus(Path(a.corpus))}
    with open(a.findings, encoding="utf-8") as f:
        items = [json.loads(l) for l in f if l.strip()]
    for x in items:
        s = samples[x["sample"]]
        d, rng = sample_target(work, s)
        rev = rng.split("..")[-1]
        text = git("show", f"{rev}:{x['path']}", cwd=d, check=False).splitlines()
        lo, hi = max(0, x["line"] - 1 - a.around), min(len(text), x["line"] + a.around)
        print(f"=== {x['sample']} {x['path']}:{x['line']} {x['check']} [{x['severity']}] {x.get('message','')}")
        for i in range(lo, hi):
            mark = ">" if i == x["line"] - 1 else " "
            print(f"{mark}{i + 1:5} {text[i][:200]}")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=str(CORPUS))
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare", help="build/refresh work trees and package repos")
    pp.add_argument("--work", default="/work/rw")
    pp.add_argument("--mirrors", default="/work/.mirror", help="dir of OWNER+NAME/repo bare mirrors")
    pp.add_argument("--url", default="https://github.com/{repo}.git", help="clone URL when no mirror")
    pp.add_argument("--only", help="only samples whose id contains this")
    pr = sub.add_parser("run", help="run the binary on every sample")
    pr.add_argument("--binary", required=True)
    pr.add_argument("--out", required=True)
    pr.add_argument("--work", default="/work/rw")
    pr.add_argument("--only")
    ps = sub.add_parser("score", help="score results against the labels")
    ps.add_argument("--results", required=True)
    ps.add_argument("--labels", default=str(LABELS))
    ps.add_argument("--unlabelled", help="write unlabelled findings here as label templates")
    pl = sub.add_parser("label-template", help="write unlabelled findings as JSONL to judge")
    pl.add_argument("--results", required=True)
    pl.add_argument("--labels", default=str(LABELS))
    pl.add_argument("--out")
    pc = sub.add_parser("context", help="print findings (JSONL) with the lines around them")
    pc.add_argument("findings")
    pc.add_argument("--work", default="/work/rw")
    pc.add_argument("--around", type=int, default=4)
    a = p.parse_args()
    return {
        "prepare": cmd_prepare,
        "run": cmd_run,
        "score": cmd_score,
        "label-template": cmd_label_template,
        "context": cmd_context,
    }[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
