//! Which files are dependency manifests, which ecosystem each belongs to, and which parser reads it.

use super::{
    actions, cargo, composer, docker, gomod, java, lockfiles, npm, precommit, pylock, pyproject,
    python, ruby, Declared,
};

/// A manifest format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manifest {
    PackageJson,
    PackageLock,
    YarnLock,
    PnpmLock,
    Requirements,
    Pyproject,
    Pipfile,
    SetupCfg,
    CargoToml,
    GoMod,
    Gemfile,
    Gemspec,
    ComposerJson,
    PomXml,
    Gradle,
    Dockerfile,
    Workflow,
    /// `.pre-commit-config.yaml`: hook repositories and their revs.
    PreCommit,
    /// A Python lockfile: uv.lock, poetry.lock, pdm.lock (TOML) or Pipfile.lock (JSON).
    PythonLock,
}

impl Manifest {
    /// The manifest format of a path (relative, with `/`), if it is one.
    pub fn of(path: &str) -> Option<Manifest> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let kind = match lower.as_str() {
            "package.json" => Manifest::PackageJson,
            "package-lock.json" | "npm-shrinkwrap.json" => Manifest::PackageLock,
            "yarn.lock" => Manifest::YarnLock,
            "pnpm-lock.yaml" => Manifest::PnpmLock,
            ".pre-commit-config.yaml" | ".pre-commit-config.yml" => Manifest::PreCommit,
            "uv.lock" | "poetry.lock" | "pdm.lock" | "pipfile.lock" => Manifest::PythonLock,
            "pyproject.toml" => Manifest::Pyproject,
            "pipfile" => Manifest::Pipfile,
            "setup.cfg" => Manifest::SetupCfg,
            "cargo.toml" => Manifest::CargoToml,
            "go.mod" => Manifest::GoMod,
            "gemfile" | "gems.rb" => Manifest::Gemfile,
            "composer.json" => Manifest::ComposerJson,
            "pom.xml" => Manifest::PomXml,
            "build.gradle" | "build.gradle.kts" | "settings.gradle" | "settings.gradle.kts" => {
                Manifest::Gradle
            }
            "dockerfile" | "containerfile" => Manifest::Dockerfile,
            _ if lower.ends_with(".gemspec") => Manifest::Gemspec,
            _ if lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") => {
                Manifest::Dockerfile
            }
            _ if crate::model::Language::detect(path, "")
                == crate::model::Language::GithubActions =>
            {
                Manifest::Workflow
            }
            _ => {
                let requirements = (lower.starts_with("requirements")
                    || lower.starts_with("constraints"))
                    && (lower.ends_with(".txt") || lower.ends_with(".in"));
                let in_requirements_dir =
                    path.starts_with("requirements/") || path.contains("/requirements/");
                if requirements || (in_requirements_dir && lower.ends_with(".txt")) {
                    Manifest::Requirements
                } else {
                    return None;
                }
            }
        };
        Some(kind)
    }

    /// The ecosystem whose names the manifest declares (and whose popular list typosquats are checked against).
    pub fn ecosystem(self) -> &'static str {
        match self {
            Manifest::PackageJson
            | Manifest::PackageLock
            | Manifest::YarnLock
            | Manifest::PnpmLock => "npm",
            Manifest::Requirements
            | Manifest::Pyproject
            | Manifest::Pipfile
            | Manifest::SetupCfg
            | Manifest::PythonLock => "pypi",
            Manifest::CargoToml => "crates",
            Manifest::GoMod => "go",
            Manifest::Gemfile | Manifest::Gemspec => "rubygems",
            Manifest::ComposerJson => "packagist",
            Manifest::PomXml | Manifest::Gradle => "maven",
            Manifest::Dockerfile => "docker",
            Manifest::Workflow => "actions",
            Manifest::PreCommit => "pre-commit",
        }
    }

    /// Whether the file is a lockfile (resolved, transitive packages) rather than a manifest.
    pub fn is_lockfile(self) -> bool {
        matches!(
            self,
            Manifest::PackageLock | Manifest::YarnLock | Manifest::PnpmLock | Manifest::PythonLock
        )
    }

    /// Whether the format can be read line by line, so pieces of it (the hunks of a bare patch) still say
    /// what they declare.
    pub fn is_line_based(self) -> bool {
        matches!(
            self,
            Manifest::Requirements
                | Manifest::GoMod
                | Manifest::Gemfile
                | Manifest::Dockerfile
                | Manifest::Workflow
                | Manifest::PreCommit
        )
    }

    /// Reads the declarations; an error says where the manifest is broken.
    pub fn parse(self, text: &str) -> Result<Vec<Declared>, String> {
        match self {
            Manifest::PackageJson => npm::parse(text),
            Manifest::PackageLock => lockfiles::package_lock(text),
            Manifest::YarnLock => lockfiles::yarn_lock(text),
            Manifest::PnpmLock => lockfiles::pnpm_lock(text),
            Manifest::Requirements => Ok(python::parse_requirements(text)),
            Manifest::Pyproject => pyproject::pyproject(text),
            Manifest::Pipfile => pyproject::pipfile(text),
            Manifest::SetupCfg => pyproject::setup_cfg(text),
            Manifest::CargoToml => cargo::parse(text),
            Manifest::GoMod => gomod::parse(text),
            Manifest::Gemfile => ruby::gemfile(text),
            Manifest::Gemspec => ruby::gemspec(text),
            Manifest::ComposerJson => composer::parse(text),
            Manifest::PomXml => java::pom(text),
            Manifest::Gradle => java::gradle(text),
            Manifest::Dockerfile => docker::parse(text),
            Manifest::Workflow => actions::parse(text),
            Manifest::PreCommit => precommit::parse(text),
            Manifest::PythonLock => pylock::parse(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_recognized() {
        let cases = [
            ("web/package.json", Some(Manifest::PackageJson)),
            ("requirements-dev.txt", Some(Manifest::Requirements)),
            ("requirements/base.txt", Some(Manifest::Requirements)),
            ("docs/requirements.md", None),
            ("package-lock.json", Some(Manifest::PackageLock)),
            ("crates/x/Cargo.toml", Some(Manifest::CargoToml)),
            ("app.gemspec", Some(Manifest::Gemspec)),
            ("build.gradle.kts", Some(Manifest::Gradle)),
            ("deploy/Dockerfile.prod", Some(Manifest::Dockerfile)),
            (".github/workflows/ci.yml", Some(Manifest::Workflow)),
            ("src/main.rs", None),
        ];
        for (path, expected) in cases {
            assert_eq!(Manifest::of(path), expected, "{path}");
        }
    }
}
