//! Ruby: Gemfile and gemspec dependencies, with git and path sources, extra gem sources and native
//! extensions. Both are Ruby code; they are read statement by statement (a statement continues on the next
//! line after a trailing `,`, `(`, `[` or `\`), without evaluating anything.

use super::{DeclKind, Declared, Source};

/// Reads a Gemfile (or gems.rb): `gem` calls with their versions and `git:`/`github:`/`path:` options,
/// `git`/`github`/`path` blocks, and `source` declarations other than rubygems.org. Never fails.
pub fn gemfile(text: &str) -> Result<Vec<Declared>, String> {
    let mut out = Vec::new();
    // Open blocks: the git or path location a `git`/`github`/`path … do` block gives its gems.
    let mut blocks: Vec<Option<(String, Source)>> = Vec::new();
    for (line, statement) in statements(text) {
        let (word, rest) = split_word(&statement);
        let opens_block = ends_with_do(&statement);
        match word {
            "end" => {
                blocks.pop();
                continue;
            }
            "if" | "unless" | "case" | "begin" | "def" | "while" | "until" | "class" | "module"
                if !opens_block =>
            {
                blocks.push(None);
                continue;
            }
            _ => {}
        }
        let args = if opens_block {
            call_args(strip_do(rest))
        } else {
            call_args(rest)
        };
        let mut block = None;
        match word {
            "gem" => {
                if let Some(decl) = gem(&args, &blocks, line) {
                    out.push(decl);
                }
                if let Some(url) = option(&args, "source").filter(|u| !is_rubygems(u)) {
                    out.push(super::index("source", &url, line));
                }
            }
            "source" => {
                if let Some(url) = args.first().and_then(|a| unquote(a)) {
                    if !is_rubygems(&url) {
                        out.push(super::index("source", &url, line));
                    }
                }
            }
            "git" | "github" | "gist" | "bitbucket" if opens_block => {
                if let Some(repo) = args.first().and_then(|a| unquote(a)) {
                    let repo = if word == "git" {
                        repo
                    } else {
                        format!("{word}:{repo}")
                    };
                    block = Some((with_ref(repo, &args), Source::Git));
                }
            }
            "path" if opens_block => {
                if let Some(path) = args.first().and_then(|a| unquote(a)) {
                    block = Some((path, Source::Path));
                }
            }
            _ => {}
        }
        if opens_block {
            blocks.push(block);
        }
    }
    Ok(out)
}

/// Reads a gemspec: `add_dependency`, `add_runtime_dependency` and `add_development_dependency` calls, and
/// `extensions` (native extensions built at install time). Never fails.
pub fn gemspec(text: &str) -> Result<Vec<Declared>, String> {
    let mut out = Vec::new();
    for (line, statement) in statements(text) {
        let Some((receiver_call, rest)) = split_method(&statement) else {
            continue;
        };
        match receiver_call {
            "add_dependency" | "add_runtime_dependency" | "add_development_dependency" => {
                let args = call_args(rest);
                let Some(name) = args.first().and_then(|a| unquote(a)) else {
                    continue;
                };
                out.push(Declared {
                    kind: DeclKind::Package,
                    name,
                    spec: versions(&args[1..]),
                    source: Source::Registry,
                    line,
                });
            }
            "extensions" => {
                let value = rest
                    .trim_start()
                    .strip_prefix("+=")
                    .or_else(|| rest.trim_start().strip_prefix("<<"))
                    .or_else(|| rest.trim_start().strip_prefix('='))
                    .unwrap_or("");
                let items = list_items(value);
                if !items.is_empty() {
                    out.push(Declared {
                        kind: DeclKind::InstallScript,
                        name: "extensions".to_string(),
                        spec: items.join(", "),
                        source: Source::Registry,
                        line,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A `gem` call: the name, the version strings joined with `, `, or the git or path location.
fn gem(args: &[String], blocks: &[Option<(String, Source)>], line: u32) -> Option<Declared> {
    let name = unquote(args.first()?)?;
    let mut location = None;
    for key in ["git", "github", "gist", "bitbucket"] {
        if let Some(repo) = option(args, key) {
            let repo = if key == "git" {
                repo
            } else {
                format!("{key}:{repo}")
            };
            location = Some((with_ref(repo, args), Source::Git));
            break;
        }
    }
    if location.is_none() {
        location = option(args, "path").map(|p| (p, Source::Path));
    }
    if location.is_none() {
        location = blocks.iter().rev().flatten().next().cloned();
    }
    let (spec, source) = location.unwrap_or_else(|| (versions(&args[1..]), Source::Registry));
    Some(Declared {
        kind: DeclKind::Package,
        name,
        spec,
        source,
        line,
    })
}

/// The positional arguments after the name (strings, arrays of strings, constants), joined with `, `.
fn versions(args: &[String]) -> String {
    let mut parts = Vec::new();
    for arg in args {
        if option_key(arg).is_some() {
            break;
        }
        parts.extend(list_items(arg));
    }
    parts.join(", ")
}

/// The items of a literal: a string, an array of strings, `%w[...]`/`%i[...]`, or other code as written.
fn list_items(value: &str) -> Vec<String> {
    let value = value.trim();
    if let Some(inner) = value
        .strip_prefix("%w")
        .or_else(|| value.strip_prefix("%W"))
        .or_else(|| value.strip_prefix("%i"))
    {
        let inner = inner.get(1..inner.len().saturating_sub(1)).unwrap_or("");
        return inner.split_whitespace().map(str::to_string).collect();
    }
    if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        return split_top_level(inner)
            .iter()
            .filter(|a| !a.is_empty())
            .map(|a| unquote(a).unwrap_or_else(|| a.clone()))
            .collect();
    }
    if value.is_empty() {
        return Vec::new();
    }
    // A frozen or modified string: `"x".freeze`.
    vec![unquote(value).unwrap_or_else(|| value.to_string())]
}

/// Appends the `branch:`, `tag:` or `ref:` of a git source as `#ref`.
fn with_ref(repo: String, args: &[String]) -> String {
    match ["ref", "tag", "branch"]
        .iter()
        .find_map(|k| option(args, k))
    {
        Some(reference) => format!("{repo}#{reference}"),
        None => repo,
    }
}

/// The string value of a `key: "v"` or `:key => "v"` argument.
fn option(args: &[String], key: &str) -> Option<String> {
    args.iter().find_map(|arg| {
        let (k, value) = option_key(arg)?;
        (k == key).then(|| unquote(value)).flatten()
    })
}

/// Splits `key: value`, `:key => value` or `"key" => value`.
fn option_key(arg: &str) -> Option<(&str, &str)> {
    let arg = arg.trim();
    if let Some((key, value)) = arg.split_once("=>") {
        let key = key.trim();
        let key = key
            .strip_prefix(':')
            .or_else(|| key.strip_prefix('"').and_then(|k| k.strip_suffix('"')))
            .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))?;
        return Some((key, value.trim()));
    }
    let end = arg.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let rest = &arg[end..];
    if end > 0 && rest.starts_with(':') && !rest.starts_with("::") {
        return Some((&arg[..end], rest[1..].trim()));
    }
    None
}

/// The contents of a leading `"…"` or `'…'` literal (what follows it, such as `.freeze` or an `if`
/// modifier, is dropped).
fn unquote(arg: &str) -> Option<String> {
    let arg = arg.trim();
    let quote = arg.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &arg[1..];
    let end = body.find(quote)?;
    Some(body[..end].to_string())
}

fn is_rubygems(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let host = super::url_host(&lower);
    matches!(
        host,
        "rubygems.org" | "www.rubygems.org" | "index.rubygems.org"
    ) || matches!(lower.as_str(), "rubygems" | ":rubygems")
}

/// The statements of the file with their first line: comments dropped, continuation lines joined.
fn statements(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    let mut in_doc = false;
    let count = text.lines().count();
    for (idx, raw) in text.lines().enumerate() {
        let line = idx as u32 + 1;
        if raw.starts_with("=begin") {
            in_doc = true;
            continue;
        }
        if in_doc {
            in_doc = !raw.starts_with("=end");
            continue;
        }
        if raw.starts_with("__END__") {
            break;
        }
        let code = strip_comment(raw).trim();
        let (start, mut joined) = match pending.take() {
            Some((start, so_far)) => (start, so_far),
            None => (line, String::new()),
        };
        if !joined.is_empty() && !code.is_empty() {
            joined.push(' ');
        }
        joined.push_str(code.strip_suffix('\\').unwrap_or(code).trim_end());
        if joined.is_empty() {
            continue;
        }
        let continues = code.ends_with(',')
            || code.ends_with('(')
            || code.ends_with('[')
            || code.ends_with('\\')
            || code.ends_with("=>")
            || depth(&joined) > 0;
        if continues && idx + 1 < count {
            pending = Some((start, joined));
        } else {
            out.push((start, joined));
        }
    }
    if let Some(rest) = pending {
        out.push(rest);
    }
    out
}

/// Unclosed `(` and `[` outside string literals.
fn depth(code: &str) -> i32 {
    let mut depth = 0;
    let mut quote = None;
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// The line without its `#` comment (a `#` inside a string literal is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The first word of a statement and the rest.
fn split_word(statement: &str) -> (&str, &str) {
    let end = statement
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(statement.len());
    (&statement[..end], &statement[end..])
}

/// `receiver.method rest` → (`method`, `rest`), for gemspec statements such as `spec.add_dependency …` or
/// `s.extensions = …`.
fn split_method(statement: &str) -> Option<(&str, &str)> {
    let (receiver, rest) = split_word(statement);
    if receiver.is_empty() {
        return None;
    }
    let rest = rest.strip_prefix('.')?;
    Some(split_word(rest))
}

fn ends_with_do(statement: &str) -> bool {
    let s = statement.trim_end();
    let s = match s.strip_suffix('|') {
        Some(without) => without
            .rfind('|')
            .map_or(s, |open| without[..open].trim_end()),
        None => s,
    };
    s == "do" || s.ends_with(" do") || s.ends_with(")do")
}

fn strip_do(rest: &str) -> &str {
    let s = rest.trim_end();
    let s = match s.strip_suffix('|') {
        Some(without) => without
            .rfind('|')
            .map_or(s, |open| without[..open].trim_end()),
        None => s,
    };
    s.strip_suffix("do").unwrap_or(s)
}

/// The arguments of a call written `name "a", b: 1` or `name("a", b: 1)`, split at top-level commas.
fn call_args(rest: &str) -> Vec<String> {
    let rest = rest.trim();
    let rest = match rest.strip_prefix('(') {
        Some(inner) => inner.rfind(')').map_or(inner, |close| &inner[..close]),
        None => rest,
    };
    split_top_level(rest)
        .into_iter()
        .filter(|a| !a.is_empty())
        .collect()
}

/// Splits at commas outside strings, brackets, parentheses and braces.
fn split_top_level(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    let mut quote = None;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            current.push(c);
            continue;
        }
        match (quote, c) {
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current.trim().to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pkg, summary};

    #[test]
    fn reads_gemfile() {
        let text = r##"# frozen_string_literal: true
source "https://rubygems.org"
source 'https://gems.example.com' # private mirror
git_source(:github) { |repo| "https://github.com/#{repo}.git" }

ruby "3.3.0"

gem "rails", "~> 7.1", ">= 7.1.3"
gem 'pg',   '~> 1.5'
gem "puma" # no version
gem("sidekiq", "< 8")
gem "devise",
    github: "heartcombo/devise",
    branch: "main"
gem "engine", path: "engines/engine"
gem "nokogiri", :git => "https://github.com/sparklemotion/nokogiri.git", :tag => "v1.16.2"
gem "rack-attack", require: false

group :development, :test do
  gem "rspec-rails", "~> 6.1"
  if ENV["DEBUG"]
    gem "debug", platforms: %i[mri windows]
  end
end

git "https://github.com/acme/tools.git", branch: "stable" do
  gem "acme-core"
end
gem "after-block", "1.0"
gemspec
"##;
        let got = summary(&gemfile(text).unwrap());
        assert_eq!(
            got,
            vec![
                (
                    3,
                    DeclKind::Index,
                    "source".into(),
                    "https://gems.example.com".into(),
                    Source::Url
                ),
                pkg(8, "rails", "~> 7.1, >= 7.1.3", Source::Registry),
                pkg(9, "pg", "~> 1.5", Source::Registry),
                pkg(10, "puma", "", Source::Registry),
                pkg(11, "sidekiq", "< 8", Source::Registry),
                pkg(12, "devise", "github:heartcombo/devise#main", Source::Git),
                pkg(15, "engine", "engines/engine", Source::Path),
                pkg(
                    16,
                    "nokogiri",
                    "https://github.com/sparklemotion/nokogiri.git#v1.16.2",
                    Source::Git
                ),
                pkg(17, "rack-attack", "", Source::Registry),
                pkg(20, "rspec-rails", "~> 6.1", Source::Registry),
                pkg(22, "debug", "", Source::Registry),
                pkg(
                    27,
                    "acme-core",
                    "https://github.com/acme/tools.git#stable",
                    Source::Git
                ),
                pkg(29, "after-block", "1.0", Source::Registry),
            ]
        );
    }

    #[test]
    fn reads_gemspec() {
        let text = r##"require_relative "lib/foo/version"

Gem::Specification.new do |spec|
  spec.name = "foo"
  spec.version = Foo::VERSION
  spec.files = Dir["lib/**/*.rb"] # "#" in a comment
  spec.extensions = ["ext/foo/extconf.rb"]

  spec.add_dependency "activesupport", ">= 6.1", "< 8"
  spec.add_runtime_dependency('concurrent-ruby', '~> 1.2')
  spec.add_dependency "foo-core", Foo::VERSION
  spec.add_development_dependency "rake",
                                  "~> 13.0"
  spec.add_dependency "json", [">= 2.0", "< 3"]
  spec.add_dependency "zeitwerk"
end
"##;
        let got = summary(&gemspec(text).unwrap());
        assert_eq!(
            got,
            vec![
                (
                    7,
                    DeclKind::InstallScript,
                    "extensions".into(),
                    "ext/foo/extconf.rb".into(),
                    Source::Registry
                ),
                pkg(9, "activesupport", ">= 6.1, < 8", Source::Registry),
                pkg(10, "concurrent-ruby", "~> 1.2", Source::Registry),
                pkg(11, "foo-core", "Foo::VERSION", Source::Registry),
                pkg(12, "rake", "~> 13.0", Source::Registry),
                pkg(14, "json", ">= 2.0, < 3", Source::Registry),
                pkg(15, "zeitwerk", "", Source::Registry),
            ]
        );
    }

    #[test]
    fn extensions_forms() {
        let text = "s.extensions = %w[ext/a/extconf.rb ext/b/extconf.rb]\ns.extensions << 'ext/c/Rakefile'\n";
        let got: Vec<(u32, String)> = gemspec(text)
            .unwrap()
            .into_iter()
            .map(|d| (d.line, d.spec))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "ext/a/extconf.rb, ext/b/extconf.rb".to_string()),
                (2, "ext/c/Rakefile".to_string())
            ]
        );
    }
}
