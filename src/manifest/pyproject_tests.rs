//! Unit tests of `pyproject.rs`.

use super::*;
use crate::manifest::test_support::{pkg, summary};
use crate::manifest::DeclKind;

fn index(line: u32, name: &str, url: &str) -> (u32, DeclKind, String, String, Source) {
    (line, DeclKind::Index, name.into(), url.into(), Source::Url)
}

#[test]
fn reads_pep621_build_system_and_groups() {
    let text = r#"[build-system]
requires = ["setuptools>=61", "wheel"]

[project]
name = "app"
dependencies = [
    "requests[socks] >=2.31,<3",   # http
    "attrs (>=22.1)",
    "mylib @ git+https://github.com/me/mylib.git@v1.0 ; python_version >= '3.9'",
    "tomli; python_version < '3.11'",
]

[project.optional-dependencies]
docs = ["sphinx==7.2.6"]

[dependency-groups]
test = ["pytest>=8", { include-group = "docs" }]
"#;
    assert_eq!(
        summary(&pyproject(text).unwrap()),
        vec![
            pkg(2, "setuptools", ">=61", Source::Registry),
            pkg(2, "wheel", "", Source::Registry),
            pkg(7, "requests", ">=2.31,<3", Source::Registry),
            pkg(8, "attrs", ">=22.1", Source::Registry),
            pkg(
                9,
                "mylib",
                "git+https://github.com/me/mylib.git@v1.0",
                Source::Git
            ),
            pkg(10, "tomli", "", Source::Registry),
            pkg(14, "sphinx", "==7.2.6", Source::Registry),
            pkg(17, "pytest", ">=8", Source::Registry),
        ]
    );
}

#[test]
fn reads_poetry_tables_and_sources() {
    let text = r#"[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
httpx = { version = "^0.27", extras = ["http2"] }
internal = { git = "https://git.example.com/internal.git", tag = "v2" }
shared = { path = "../shared", develop = true }
wheelpkg = { url = "https://example.com/wheelpkg-1.0-py3-none-any.whl" }
numpy = [
    { version = "<1.25", python = "<3.9" },
    { version = "^1.26", python = ">=3.9" },
]

[tool.poetry.group.dev.dependencies]
pytest = "*"

[tool.poetry.dev-dependencies]
black = "^24.1"

[[tool.poetry.source]]
name = "private"
url = "https://pypi.example.com/simple/"
priority = "supplemental"

[[tool.poetry.source]]
name = "mirror"
url = "https://pypi.org/simple/"
"#;
    assert_eq!(
        summary(&pyproject(text).unwrap()),
        vec![
            pkg(3, "requests", "^2.31", Source::Registry),
            pkg(4, "httpx", "^0.27", Source::Registry),
            pkg(
                5,
                "internal",
                "https://git.example.com/internal.git@v2",
                Source::Git
            ),
            pkg(6, "shared", "../shared", Source::Path),
            pkg(
                7,
                "wheelpkg",
                "https://example.com/wheelpkg-1.0-py3-none-any.whl",
                Source::Url
            ),
            pkg(8, "numpy", "<1.25; ^1.26", Source::Registry),
            pkg(14, "pytest", "*", Source::Registry),
            pkg(17, "black", "^24.1", Source::Registry),
            index(21, "tool.poetry.source", "https://pypi.example.com/simple/"),
        ]
    );
}

#[test]
fn applies_uv_sources_and_reads_pdm_and_uv_indexes() {
    let text = r#"[project]
name = "svc"
dependencies = ["fastapi>=0.110,<1", "corelib", "member", "torch==2.3.0", "tools>=1"]

[tool.uv.sources]
corelib = { git = "https://github.com/acme/corelib", rev = "abc123" }
member = { workspace = true }
torch = { index = "pytorch" }
Tools = { path = "../tools", editable = true }

[[tool.uv.index]]
name = "pytorch"
url = "https://download.pytorch.org/whl/cpu"

[[tool.uv.index]]
name = "internal"
url = "https://pkgs.example.com/simple"

[tool.pdm.dev-dependencies]
lint = ["ruff>=0.4,<1", "-e file:///${PROJECT_ROOT}/plugins/x"]

[[tool.pdm.source]]
name = "corp"
url = "https://pypi.corp.example/simple"
"#;
    assert_eq!(
        summary(&pyproject(text).unwrap()),
        vec![
            pkg(3, "fastapi", ">=0.110,<1", Source::Registry),
            pkg(
                3,
                "corelib",
                "https://github.com/acme/corelib@abc123",
                Source::Git
            ),
            pkg(3, "torch", "==2.3.0", Source::Registry),
            pkg(3, "tools", "../tools", Source::Path),
            index(13, "tool.uv.index", "https://download.pytorch.org/whl/cpu"),
            index(17, "tool.uv.index", "https://pkgs.example.com/simple"),
            pkg(20, "ruff", ">=0.4,<1", Source::Registry),
            pkg(
                20,
                "file:///${PROJECT_ROOT}/plugins/x",
                "file:///${PROJECT_ROOT}/plugins/x",
                Source::Path
            ),
            index(24, "tool.pdm.source", "https://pypi.corp.example/simple"),
        ]
    );
}

#[test]
fn broken_toml_says_where() {
    let err =
        pyproject("[project]\nname = \"x\"\ndependencies = [\"a\",\n  \"b\" \"c\"]\n").unwrap_err();
    assert!(err.starts_with("invalid TOML at line 4, column "), "{err}");
    let err = pipfile("[packages]\nrequests = \n").unwrap_err();
    assert!(err.starts_with("invalid TOML at line 2, column "), "{err}");
}

#[test]
fn reads_pipfile() {
    let text = r#"[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[[source]]
url = "https://pypi.internal.example/simple"
name = "internal"

[packages]
requests = "*"
django = {version = ">=4.2,<5", extras = ["bcrypt"]}
"private-lib" = {git = "https://github.com/acme/private-lib.git", ref = "main", editable = true}
local = {path = "./libs/local", editable = true}
me = {path = ".", editable = true}
wheel-pkg = {file = "https://example.com/wheel_pkg-1.0.tar.gz"}

[dev-packages]
pytest = "==8.1.1"

[requires]
python_version = "3.12"
"#;
    assert_eq!(
        summary(&pipfile(text).unwrap()),
        vec![
            index(7, "source", "https://pypi.internal.example/simple"),
            pkg(11, "requests", "*", Source::Registry),
            pkg(12, "django", ">=4.2,<5", Source::Registry),
            pkg(
                13,
                "private-lib",
                "https://github.com/acme/private-lib.git@main",
                Source::Git
            ),
            pkg(14, "local", "./libs/local", Source::Path),
            pkg(
                16,
                "wheel-pkg",
                "https://example.com/wheel_pkg-1.0.tar.gz",
                Source::Url
            ),
            pkg(19, "pytest", "==8.1.1", Source::Registry),
        ]
    );
}

#[test]
fn reads_setup_cfg() {
    let text = "[metadata]\nname = app\n\n[options]\npackages = find:\ninstall_requires =\n    requests>=2.31,<3\n    # pinned for py3.8\n    click==8.1.7  # cli\n\n    importlib-metadata; python_version<\"3.10\"\nsetup_requires = setuptools_scm>=8; wheel\npython_requires = >=3.8\n\n[options.extras_require]\ndocs =\n    sphinx>=7\ntest = pytest==8.1.1\n\n[flake8]\nmax-line-length = 100\n";
    assert_eq!(
        summary(&setup_cfg(text).unwrap()),
        vec![
            pkg(7, "requests", ">=2.31,<3", Source::Registry),
            pkg(9, "click", "==8.1.7", Source::Registry),
            pkg(11, "importlib-metadata", "", Source::Registry),
            pkg(12, "setuptools_scm", ">=8", Source::Registry),
            pkg(12, "wheel", "", Source::Registry),
            pkg(17, "sphinx", ">=7", Source::Registry),
            pkg(18, "pytest", "==8.1.1", Source::Registry),
        ]
    );
}

#[test]
fn pep508_forms() {
    let r = |s: &str| super::super::python::pep508(s, 1).map(|d| (d.name, d.spec, d.source));
    assert_eq!(
        r("pkg @ file:///tmp/pkg"),
        Some(("pkg".into(), "file:///tmp/pkg".into(), Source::Path))
    );
    assert_eq!(
        r("Pkg[a,b]@https://x.example/pkg.zip"),
        Some((
            "Pkg".into(),
            "https://x.example/pkg.zip".into(),
            Source::Url
        ))
    );
    assert_eq!(r("# not a requirement"), None);
    assert_eq!(r("python_version < \"3.11\""), None);
    assert_eq!(r(""), None);
}
