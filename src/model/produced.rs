//! The findings the engine produces itself, by id: their checks are data (`produced_by: dependencies`),
//! and the check loader refuses a set that lacks one.

/// A finding of the dependency analysis; each names the check (`checks/dependency.yml`) that gives it
/// its severity, message and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DependencyFinding {
    /// A manifest that does not parse.
    ManifestUnparseable,
    /// A lifecycle script run at install time.
    InstallScript,
    /// A package index the installer reads from.
    Index,
    /// A name one slip away from a popular package.
    Typosquat,
    /// A container image without a digest.
    UnpinnedImage,
    /// A GitHub Action not pinned to a full commit SHA.
    UnpinnedAction,
    /// A new or changed dependency with nothing else to say.
    New,
    /// A package from git, a URL or a path.
    NonRegistry,
    /// A version constraint that accepts any future release.
    Unbounded,
    /// A procedural-macro crate (runs inside the compiler).
    ProcMacro,
    /// A pre-commit hook repository added, or at a branch rather than a tag or commit.
    PreCommitRepo,
    /// A version constraint loosened: it accepts releases the old one refused.
    Loosened,
}

impl DependencyFinding {
    /// Every dependency finding.
    pub const ALL: [DependencyFinding; 12] = [
        DependencyFinding::ManifestUnparseable,
        DependencyFinding::InstallScript,
        DependencyFinding::Index,
        DependencyFinding::Typosquat,
        DependencyFinding::UnpinnedImage,
        DependencyFinding::UnpinnedAction,
        DependencyFinding::New,
        DependencyFinding::NonRegistry,
        DependencyFinding::Unbounded,
        DependencyFinding::ProcMacro,
        DependencyFinding::PreCommitRepo,
        DependencyFinding::Loosened,
    ];

    /// The id of the check that describes it.
    pub fn id(self) -> &'static str {
        match self {
            DependencyFinding::ManifestUnparseable => "dependency.manifest-unparseable",
            DependencyFinding::InstallScript => "dependency.install-script",
            DependencyFinding::Index => "dependency.index",
            DependencyFinding::Typosquat => "dependency.typosquat",
            DependencyFinding::UnpinnedImage => "dependency.unpinned-image",
            DependencyFinding::UnpinnedAction => "dependency.unpinned-action",
            DependencyFinding::New => "dependency.new",
            DependencyFinding::NonRegistry => "dependency.non-registry",
            DependencyFinding::Unbounded => "dependency.unbounded",
            DependencyFinding::ProcMacro => "dependency.proc-macro",
            DependencyFinding::PreCommitRepo => "dependency.pre-commit-repo",
            DependencyFinding::Loosened => "dependency.loosened",
        }
    }
}
