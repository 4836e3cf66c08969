//! Agent instruction files: the text an AI coding agent loads and obeys (`CLAUDE.md`, `AGENTS.md`,
//! `GEMINI.md`, `.cursorrules`, `.cursor/rules/**`, `.github/copilot-instructions.md`, skills,
//! commands and sub-agents under `.claude/`, Windsurf and Cline rules). Told from the path alone;
//! file names are compared without case (a case-insensitive file system serves `claude.md` as
//! `CLAUDE.md`).

/// File names an agent reads as instructions wherever they are in the tree (lowercase).
const NAMES: [&str; 9] = [
    "claude.md",
    "claude.local.md",
    "agents.md",
    "agent.md",
    "agents.override.md",
    "gemini.md",
    ".cursorrules",
    ".windsurfrules",
    ".clinerules",
];

/// Directories whose text files are instructions, skills or rules (lowercase, `/`-terminated, matched
/// at a path component).
const DIRS: [&str; 9] = [
    ".cursor/rules/",
    ".github/instructions/",
    ".github/prompts/",
    ".claude/skills/",
    ".claude/commands/",
    ".claude/agents/",
    ".windsurf/rules/",
    ".clinerules/",
    ".gemini/commands/",
];

/// Whether `path` (relative, `/`-separated) lies in an agent directory of [`DIRS`].
pub fn in_agent_dir(path: &str) -> bool {
    let lower = path.trim_start_matches("./").to_ascii_lowercase();
    DIRS.iter().any(|d| {
        lower
            .match_indices(d)
            .any(|(i, _)| i == 0 || lower.as_bytes()[i - 1] == b'/')
    })
}

/// Whether `path` is an instruction, rule or skill text an agent obeys: one of the well-known names
/// anywhere, `.github/copilot-instructions.md`, or a Markdown file (`.md`, `.mdc`, `.markdown`, or no
/// extension) under an agent directory (a skill's `requirements.txt` is a manifest). Scripts under `.claude/skills/` are code, not instructions.
pub fn is_instruction_file(path: &str) -> bool {
    let path = path.trim_start_matches("./");
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if NAMES.contains(&name.as_str()) {
        return true;
    }
    if name == "copilot-instructions.md" {
        return path
            .to_ascii_lowercase()
            .ends_with(".github/copilot-instructions.md");
    }
    let text_ext = match name.rfind('.') {
        Some(0) | None => true,
        Some(i) => matches!(&name[i + 1..], "md" | "mdc" | "markdown"),
    };
    text_ext && in_agent_dir(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_instruction_files_from_code_and_docs() {
        for path in [
            "CLAUDE.md",
            "pkg/api/AGENTS.md",
            "claude.md",
            "GEMINI.md",
            ".cursorrules",
            ".cursor/rules/python.mdc",
            ".github/copilot-instructions.md",
            ".github/instructions/ts.instructions.md",
            ".claude/skills/pdf/SKILL.md",
            ".claude/commands/review.md",
            ".claude/agents/tester.md",
            ".windsurf/rules/style.md",
            ".clinerules/01-coding.md",
            "web/.cursor/rules/react.mdc",
        ] {
            assert!(is_instruction_file(path), "{path}");
        }
        for path in [
            "README.md",
            "docs/claude-setup.md",
            ".claude/skills/pdf/scripts/fill.py",
            ".claude/skills/pdf/run.sh",
            ".claude/settings.json",
            ".claude/skills/pdf/requirements.txt",
            "copilot-instructions.md",
            "my.cursor/rules/x.md",
            "src/agents.rs",
        ] {
            assert!(!is_instruction_file(path), "{path}");
        }
        assert!(in_agent_dir(".claude/skills/pdf/scripts/fill.py"));
        assert!(!in_agent_dir("src/skills/x.py"));
    }
}
