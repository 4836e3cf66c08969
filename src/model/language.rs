//! The languages (and file formats) review-gate knows, detected from file names, extensions and
//! shebangs. Vocabulary shared by every layer; the lexer knows each one's syntax.

use serde::Serialize;

/// A language (or file format) review-gate knows. Checks name languages by [`Language::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Language {
    /// JavaScript, including JSX and module variants.
    JavaScript,
    /// TypeScript, including TSX.
    TypeScript,
    /// Python.
    Python,
    /// Go.
    Go,
    /// Rust.
    Rust,
    /// Java.
    Java,
    /// Kotlin, including build.gradle.kts.
    Kotlin,
    /// Scala.
    Scala,
    /// Groovy, including build.gradle and Jenkinsfile.
    Groovy,
    /// Ruby, including Rakefile, Gemfile and gemspecs.
    Ruby,
    /// PHP.
    Php,
    /// C#.
    CSharp,
    /// C.
    C,
    /// C++.
    Cpp,
    /// Swift.
    Swift,
    /// POSIX shells, bash and zsh.
    Shell,
    /// PowerShell.
    PowerShell,
    /// Windows batch files (`.bat`, `.cmd`).
    Batch,
    /// Perl.
    Perl,
    /// Lua.
    Lua,
    /// Dockerfile / Containerfile (only `RUN`, `CMD` and `ENTRYPOINT` count as code).
    Dockerfile,
    /// Makefile (recipes are shell).
    Makefile,
    /// A GitHub Actions workflow (only `run:` steps count as code).
    GithubActions,
    /// Other YAML.
    Yaml,
    /// JSON (package.json, composer.json, ...).
    Json,
    /// TOML (Cargo.toml, pyproject.toml, ...).
    Toml,
    /// XML (pom.xml, .csproj, ...).
    Xml,
    /// HTML and templates.
    Html,
    /// Markdown.
    Markdown,
    /// Anything else: plain text.
    Text,
}

impl Language {
    /// Every language, for listings and validation.
    pub const ALL: [Language; 30] = [
        Language::JavaScript,
        Language::TypeScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
        Language::Kotlin,
        Language::Scala,
        Language::Groovy,
        Language::Ruby,
        Language::Php,
        Language::CSharp,
        Language::C,
        Language::Cpp,
        Language::Swift,
        Language::Shell,
        Language::PowerShell,
        Language::Batch,
        Language::Perl,
        Language::Lua,
        Language::Dockerfile,
        Language::Makefile,
        Language::GithubActions,
        Language::Yaml,
        Language::Json,
        Language::Toml,
        Language::Xml,
        Language::Html,
        Language::Markdown,
        Language::Text,
    ];

    /// The name checks use in `languages:`.
    pub fn name(self) -> &'static str {
        match self {
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Python => "python",
            Language::Go => "go",
            Language::Rust => "rust",
            Language::Java => "java",
            Language::Kotlin => "kotlin",
            Language::Scala => "scala",
            Language::Groovy => "groovy",
            Language::Ruby => "ruby",
            Language::Php => "php",
            Language::CSharp => "csharp",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Swift => "swift",
            Language::Shell => "shell",
            Language::PowerShell => "powershell",
            Language::Batch => "batch",
            Language::Perl => "perl",
            Language::Lua => "lua",
            Language::Dockerfile => "dockerfile",
            Language::Makefile => "makefile",
            Language::GithubActions => "github-actions",
            Language::Yaml => "yaml",
            Language::Json => "json",
            Language::Toml => "toml",
            Language::Xml => "xml",
            Language::Html => "html",
            Language::Markdown => "markdown",
            Language::Text => "text",
        }
    }

    /// Looks a language up by the name checks use; also accepts a few common aliases.
    pub fn from_name(name: &str) -> Option<Language> {
        let alias = match name {
            "js" | "jsx" | "node" => "javascript",
            "ts" | "tsx" => "typescript",
            "py" => "python",
            "golang" => "go",
            "rs" => "rust",
            "kt" => "kotlin",
            "rb" => "ruby",
            "cs" | "c#" => "csharp",
            "c++" | "cxx" => "cpp",
            "sh" | "bash" | "zsh" => "shell",
            "ps1" | "pwsh" => "powershell",
            "bat" | "cmd" => "batch",
            "docker" | "containerfile" => "dockerfile",
            "make" => "makefile",
            "workflow" | "gha" => "github-actions",
            other => other,
        };
        Language::ALL.into_iter().find(|l| l.name() == alias)
    }

    /// Detects the language of a file from its path and, failing that, its first line (shebang).
    pub fn detect(path: &str, first_line: &str) -> Language {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let lower = file_name.to_ascii_lowercase();
        if let Some(lang) = by_name(path, &lower) {
            return lang;
        }
        if let Some(ext) = lower.rsplit_once('.').map(|(_, e)| e) {
            if let Some(lang) = by_extension(ext) {
                return lang;
            }
        }
        by_shebang(first_line).unwrap_or(Language::Text)
    }
}

fn by_name(path: &str, lower: &str) -> Option<Language> {
    let lang = match lower {
        "dockerfile" | "containerfile" => Language::Dockerfile,
        "makefile" | "gnumakefile" | "justfile" => Language::Makefile,
        "gemfile" | "rakefile" | "podfile" | "vagrantfile" | "guardfile" | "fastfile"
        | "brewfile" => Language::Ruby,
        "jenkinsfile" => Language::Groovy,
        "cmakelists.txt" => Language::Text,
        "pipfile" => Language::Toml,
        // Agent rule files: Markdown by convention (their HTML comments are hidden when rendered).
        ".cursorrules" | ".windsurfrules" | ".clinerules" => Language::Markdown,
        ".bashrc" | ".bash_profile" | ".zshrc" | ".profile" | ".envrc" | "pkgbuild" => {
            Language::Shell
        }
        _ if lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") => {
            Language::Dockerfile
        }
        _ if lower.starts_with("makefile.") => Language::Makefile,
        _ => {
            let is_workflow_dir = path.starts_with(".github/workflows/")
                || path.contains("/.github/workflows/")
                || path.starts_with(".gitea/workflows/")
                || path.starts_with(".forgejo/workflows/");
            let is_action = lower == "action.yml" || lower == "action.yaml";
            if (is_workflow_dir && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
                || is_action
            {
                Language::GithubActions
            } else {
                return None;
            }
        }
    };
    Some(lang)
}

fn by_extension(ext: &str) -> Option<Language> {
    Some(match ext {
        "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
        "ts" | "mts" | "cts" | "tsx" => Language::TypeScript,
        "vue" | "svelte" => Language::JavaScript,
        "py" | "pyw" | "pyi" => Language::Python,
        "go" => Language::Go,
        "rs" => Language::Rust,
        "java" => Language::Java,
        "kt" | "kts" => Language::Kotlin,
        "scala" | "sc" => Language::Scala,
        "groovy" | "gradle" => Language::Groovy,
        "rb" | "rake" | "gemspec" | "ru" | "erb" => Language::Ruby,
        "php" | "phtml" | "php3" | "php4" | "php5" | "php7" | "phps" | "inc" => Language::Php,
        "cs" | "csx" => Language::CSharp,
        "c" | "h" => Language::C,
        "cc" | "cpp" | "cxx" | "c++" | "hpp" | "hh" | "hxx" | "ino" | "cu" | "m" | "mm" => {
            Language::Cpp
        }
        "swift" => Language::Swift,
        "sh" | "bash" | "zsh" | "ksh" | "ash" | "dash" | "bats" | "command" => Language::Shell,
        "ps1" | "psm1" | "psd1" => Language::PowerShell,
        "bat" | "cmd" => Language::Batch,
        "pl" | "pm" | "t" => Language::Perl,
        "lua" => Language::Lua,
        "mk" | "mak" => Language::Makefile,
        "yml" | "yaml" => Language::Yaml,
        "json" | "jsonc" | "json5" | "ipynb" => Language::Json,
        "toml" | "lock" => Language::Toml,
        "xml" | "csproj" | "vbproj" | "fsproj" | "props" | "targets" | "config" | "plist" => {
            Language::Xml
        }
        "html" | "htm" | "xhtml" => Language::Html,
        "md" | "markdown" | "rst" | "mdc" => Language::Markdown,
        _ => return None,
    })
}

fn by_shebang(first_line: &str) -> Option<Language> {
    let rest = first_line.strip_prefix("#!")?;
    let mut words = rest.split_whitespace();
    let mut program = words.next()?.rsplit('/').next()?;
    if program == "env" {
        program = words.find(|w| !w.starts_with('-') && !w.contains('='))?;
    }
    let program = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match program {
        "sh" | "bash" | "zsh" | "ksh" | "dash" | "ash" | "fish" => Language::Shell,
        "python" | "pypy" | "uv" => Language::Python,
        "node" | "nodejs" | "deno" | "bun" => Language::JavaScript,
        "ts-node" | "tsx" => Language::TypeScript,
        "ruby" => Language::Ruby,
        "perl" => Language::Perl,
        "php" => Language::Php,
        "pwsh" => Language::PowerShell,
        "lua" => Language::Lua,
        "make" => Language::Makefile,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_name_extension_and_shebang() {
        assert_eq!(Language::detect("Dockerfile", ""), Language::Dockerfile);
        assert_eq!(
            Language::detect("build/Dockerfile.prod", ""),
            Language::Dockerfile
        );
        assert_eq!(Language::detect("Makefile", ""), Language::Makefile);
        assert_eq!(
            Language::detect(".github/workflows/ci.yml", ""),
            Language::GithubActions
        );
        assert_eq!(Language::detect("config/app.yml", ""), Language::Yaml);
        assert_eq!(Language::detect("package.json", ""), Language::Json);
        assert_eq!(Language::detect("src/a.tsx", ""), Language::TypeScript);
        assert_eq!(
            Language::detect("bin/tool", "#!/usr/bin/env python3"),
            Language::Python
        );
        assert_eq!(
            Language::detect("bin/tool", "#!/bin/bash -e"),
            Language::Shell
        );
        assert_eq!(
            Language::detect("bin/tool", "#!/usr/bin/env -S node --no-warnings"),
            Language::JavaScript
        );
        assert_eq!(Language::detect("README", "hello"), Language::Text);
        assert_eq!(Language::detect("x.gemspec", ""), Language::Ruby);
        assert_eq!(Language::detect("preinstall.BAT", ""), Language::Batch);
        assert_eq!(Language::detect("tools/setup.cmd", ""), Language::Batch);
    }

    #[test]
    fn names_round_trip() {
        for lang in Language::ALL {
            assert_eq!(Language::from_name(lang.name()), Some(lang));
        }
        assert_eq!(Language::from_name("bash"), Some(Language::Shell));
    }
}
