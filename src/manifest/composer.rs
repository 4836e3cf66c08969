//! composer.json: require, require-dev, repositories and install scripts.

use serde_json::Value;

use super::{DeclKind, Declared, Source};

/// Scripts Composer runs on `composer install` / `composer update` (and when dumping the autoloader).
const INSTALL_SCRIPTS: [&str; 6] = [
    "pre-install-cmd",
    "post-install-cmd",
    "pre-update-cmd",
    "post-update-cmd",
    "pre-autoload-dump",
    "post-autoload-dump",
];

/// Reads composer.json: `require` and `require-dev` packages (not the platform: `php`, `ext-*`, `lib-*`,
/// `composer-*`), `repositories` other than packagist.org, and install-time scripts. A syntax error says
/// where it is.
pub fn parse(text: &str) -> Result<Vec<Declared>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "invalid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let lines = super::json_lines::key_lines(text, |_, _, _| true);
    let line = |path: &[&str]| {
        let key: Vec<String> = path.iter().map(|p| p.to_string()).collect();
        lines.get(&key).copied().unwrap_or(1)
    };
    let mut out = Vec::new();
    for section in ["require", "require-dev"] {
        let Some(entries) = value.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, spec) in entries {
            let Some(spec) = spec.as_str() else { continue };
            if is_platform(name) {
                continue;
            }
            out.push(Declared {
                kind: DeclKind::Package,
                name: name.clone(),
                spec: spec.to_string(),
                source: Source::Registry,
                line: line(&[section, name]),
            });
        }
    }
    let index = |url: &str, line: u32, out: &mut Vec<Declared>| {
        if !is_packagist(url) {
            out.push(super::index("repository", url, line));
        }
    };
    let repositories: Vec<(String, &Value)> = match value.get("repositories") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        _ => Vec::new(),
    };
    for (key, repo) in repositories {
        let Some(repo) = repo.as_object() else {
            continue; // `{"packagist.org": false}`
        };
        if let Some(url) = repo.get("url").and_then(Value::as_str) {
            index(url, line(&["repositories", &key, "url"]), &mut out);
        } else if repo.get("type").and_then(Value::as_str) == Some("package") {
            // An inline package definition: the archive or repository it downloads.
            let packages: Vec<(String, &Value)> = match repo.get("package") {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v))
                    .collect(),
                Some(other) => vec![(String::new(), other)],
                None => Vec::new(),
            };
            for (i, package) in packages {
                for kind in ["dist", "source"] {
                    let Some(url) = package
                        .pointer(&format!("/{kind}/url"))
                        .and_then(Value::as_str)
                    else {
                        continue;
                    };
                    let mut path = vec!["repositories", key.as_str(), "package"];
                    if !i.is_empty() {
                        path.push(&i);
                    }
                    path.extend([kind, "url"]);
                    index(url, line(&path), &mut out);
                }
            }
        }
    }
    if let Some(scripts) = value.get("scripts").and_then(Value::as_object) {
        for name in INSTALL_SCRIPTS {
            let command = match scripts.get(name) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => continue,
            };
            out.push(Declared {
                kind: DeclKind::InstallScript,
                name: name.to_string(),
                spec: command,
                source: Source::Registry,
                line: line(&["scripts", name]),
            });
        }
    }
    out.sort_by_key(|d| d.line);
    Ok(out)
}

/// Platform requirements: the PHP version, extensions, system libraries and Composer itself.
fn is_platform(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !lower.contains('/')
        && (matches!(
            lower.as_str(),
            "php" | "php-64bit" | "php-ipv6" | "php-zts" | "php-debug" | "hhvm"
        ) || lower.starts_with("ext-")
            || lower.starts_with("lib-")
            || lower.starts_with("composer-")
            || lower == "composer")
}

fn is_packagist(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let host = super::url_host(&lower);
    matches!(
        host,
        "packagist.org" | "repo.packagist.org" | "www.packagist.org"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requires_repositories_and_scripts() {
        let text = r#"{
    "name": "acme/shop",
    "require": {
        "php": "^8.2",
        "ext-json": "*",
        "composer-plugin-api": "^2.0",
        "laravel/framework": "^11.0",
        "acme/billing": "dev-main"
    },
    "require-dev": {
        "phpunit/phpunit": "^10.5"
    },
    "repositories": [
        { "type": "vcs", "url": "https://github.com/acme/billing" },
        { "type": "composer", "url": "https://repo.packagist.org" },
        { "packagist.org": false },
        {
            "type": "package",
            "package": {
                "name": "legacy/lib",
                "version": "1.0.0",
                "dist": { "url": "https://example.com/lib-1.0.0.zip", "type": "zip" }
            }
        },
        { "type": "path", "url": "../packages/*" }
    ],
    "scripts": {
        "test": "phpunit",
        "post-install-cmd": ["@php artisan key:generate", "bash ./setup.sh"],
        "post-autoload-dump": "@php artisan package:discover"
    }
}"#;
        let decls = parse(text).unwrap();
        let got: Vec<(u32, DeclKind, &str, &str)> = decls
            .iter()
            .map(|d| (d.line, d.kind, d.name.as_str(), d.spec.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (7, DeclKind::Package, "laravel/framework", "^11.0"),
                (8, DeclKind::Package, "acme/billing", "dev-main"),
                (11, DeclKind::Package, "phpunit/phpunit", "^10.5"),
                (
                    14,
                    DeclKind::Index,
                    "repository",
                    "https://github.com/acme/billing"
                ),
                (
                    22,
                    DeclKind::Index,
                    "repository",
                    "https://example.com/lib-1.0.0.zip"
                ),
                (25, DeclKind::Index, "repository", "../packages/*"),
                (
                    29,
                    DeclKind::InstallScript,
                    "post-install-cmd",
                    "@php artisan key:generate; bash ./setup.sh"
                ),
                (
                    30,
                    DeclKind::InstallScript,
                    "post-autoload-dump",
                    "@php artisan package:discover"
                ),
            ]
        );
    }

    #[test]
    fn repositories_as_object_and_lines_of_escaped_keys() {
        let text = "{\"repositories\": {\n \"private\": {\"type\": \"composer\",\n  \"url\": \"https://packages.acme.example\"}},\n\"require\": {\"a\\/b\": \"1.0\",\n \"c/d\": \">=2\"}}";
        let got: Vec<(u32, String)> = parse(text)
            .unwrap()
            .into_iter()
            .map(|d| (d.line, d.name))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "repository".to_string()),
                (4, "a/b".to_string()),
                (5, "c/d".to_string())
            ]
        );
    }

    #[test]
    fn broken_json_says_where() {
        let err = parse("{\n  \"require\": {\n    \"a/b\": \"1\",\n  }\n}").unwrap_err();
        assert!(err.contains("line 4"), "{err}");
    }
}
