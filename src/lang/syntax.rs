//! How each language writes comments and strings: the table the lexer works from.

use crate::model::Language;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    No,
    Anywhere,
    WordStart,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Single {
    /// `'...'` is a string like `"..."` (with backslash escapes).
    Str,
    /// `'...'` is a raw string without escapes that may span lines (shells).
    Raw,
    /// `'x'` is a character literal; a lone `'` is code (Rust lifetimes, labels).
    Char,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Backtick {
    /// Backticks are code (command substitution in shells and Ruby, identifiers in Kotlin).
    Code,
    /// A template literal with `${...}` interpolation (JavaScript).
    Template,
    /// A raw multi-line string (Go).
    Raw,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Interp {
    None,
    /// `${...}` (Kotlin, Groovy, Dart, shells).
    DollarBrace,
    /// `#{...}` (Ruby).
    HashBrace,
    /// `$(...)`, `${...}`, `$NAME` and backticks (shells, Perl, PHP).
    Shell,
    /// `\(...)` (Swift).
    BackslashParen,
    /// `${...}` and `$NAME`, but backticks stay literal (PHP, Perl).
    Dollar,
    /// `$(...)`, `${...}` and `$scope:NAME` (PowerShell).
    PowerShell,
}

#[derive(Clone, Copy)]
pub(super) struct Syntax {
    pub(super) slash: bool,
    pub(super) hash: Hash,
    pub(super) dash_dash: bool,
    pub(super) triple: bool,
    pub(super) single: Single,
    pub(super) backtick: Backtick,
    pub(super) multiline: bool,
    pub(super) interp: Interp,
    pub(super) prefixes: bool,
    pub(super) regex_literal: bool,
    pub(super) begin_end: bool,
    pub(super) html: bool,
    pub(super) heredoc: Heredoc,
    /// PowerShell `<# … #>` block comments.
    pub(super) angle_hash_comments: bool,
    /// Perl POD: `=pod`, `=head1`, … at the start of a line, up to `=cut`.
    pub(super) pod: bool,
    /// Perl quote operators `q(…)`, `qq{…}`, `qw[…]`, and `$"`-style special variables.
    pub(super) perl_quotes: bool,
    /// Windows batch `REM …` and `:: …` comment lines.
    pub(super) rem_comments: bool,
}

/// Which here-document syntax a language has.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Heredoc {
    None,
    /// `<<TAG`, `<<-TAG`, `<<'TAG'`; the body is code when fed to an interpreter (`bash <<EOF`).
    Shell,
    /// `<<~TAG`, `<<-TAG`, `<<TAG` (upper case), quoted tags.
    Ruby,
    /// `<<<TAG`, `<<<"TAG"`, `<<<'TAG'`.
    Php,
    /// `<<"TAG"`, `<<'TAG'`, `<<~TAG`, `<<TAG` (upper case).
    Perl,
}

/// A here-document whose body starts on the next line.
pub(super) struct PendingHeredoc {
    pub(super) tag_start: usize,
    pub(super) tag_len: usize,
    pub(super) indented: bool,
    pub(super) code: bool,
}

const PLAIN: Syntax = Syntax {
    slash: false,
    hash: Hash::No,
    dash_dash: false,
    triple: false,
    single: Single::Str,
    backtick: Backtick::Code,
    multiline: false,
    interp: Interp::None,
    prefixes: false,
    regex_literal: false,
    begin_end: false,
    html: false,
    heredoc: Heredoc::None,
    angle_hash_comments: false,
    pod: false,
    perl_quotes: false,
    rem_comments: false,
};

const C_LIKE: Syntax = Syntax {
    slash: true,
    single: Single::Char,
    ..PLAIN
};
pub(super) const SHELL: Syntax = Syntax {
    hash: Hash::WordStart,
    single: Single::Raw,
    multiline: true,
    interp: Interp::Shell,
    heredoc: Heredoc::Shell,
    ..PLAIN
};

pub(super) fn syntax(lang: Language) -> Option<Syntax> {
    use Language::*;
    Some(match lang {
        JavaScript | TypeScript => Syntax {
            slash: true,
            backtick: Backtick::Template,
            regex_literal: true,
            ..PLAIN
        },
        Go => Syntax {
            backtick: Backtick::Raw,
            ..C_LIKE
        },
        Rust | Cpp | CSharp => Syntax {
            prefixes: true,
            multiline: lang == Rust,
            ..C_LIKE
        },
        Swift => Syntax {
            interp: Interp::BackslashParen,
            triple: true,
            ..C_LIKE
        },
        Scala => Syntax {
            interp: Interp::DollarBrace,
            triple: true,
            ..C_LIKE
        },
        C | Java => C_LIKE,
        Kotlin => Syntax {
            interp: Interp::DollarBrace,
            triple: true,
            ..C_LIKE
        },
        Groovy => Syntax {
            interp: Interp::DollarBrace,
            triple: true,
            single: Single::Str,
            ..C_LIKE
        },
        Python => Syntax {
            hash: Hash::Anywhere,
            triple: true,
            prefixes: true,
            ..PLAIN
        },
        Ruby => Syntax {
            hash: Hash::Anywhere,
            multiline: true,
            interp: Interp::HashBrace,
            begin_end: true,
            heredoc: Heredoc::Ruby,
            ..PLAIN
        },
        Php => Syntax {
            slash: true,
            hash: Hash::Anywhere,
            multiline: true,
            interp: Interp::Dollar,
            heredoc: Heredoc::Php,
            ..PLAIN
        },
        Perl => Syntax {
            hash: Hash::Anywhere,
            multiline: true,
            interp: Interp::Dollar,
            heredoc: Heredoc::Perl,
            pod: true,
            perl_quotes: true,
            ..PLAIN
        },
        Shell | Makefile | Dockerfile | GithubActions => SHELL,
        PowerShell => Syntax {
            hash: Hash::WordStart,
            multiline: true,
            angle_hash_comments: true,
            single: Single::Raw,
            interp: Interp::PowerShell,
            ..PLAIN
        },
        Lua => Syntax {
            dash_dash: true,
            ..PLAIN
        },
        Batch => Syntax {
            rem_comments: true,
            single: Single::Char,
            ..PLAIN
        },
        Yaml | Toml => Syntax {
            hash: Hash::WordStart,
            ..PLAIN
        },
        Xml | Html | Markdown => Syntax {
            html: true,
            single: Single::Raw,
            ..PLAIN
        },
        Json | Text => return None,
    })
}

/// Whether review-gate can tell comments and strings from code in this language.
pub fn has_syntax(lang: Language) -> bool {
    syntax(lang).is_some()
}
