//! The syntax each language uses for comments and strings: the lexer that splits a file into code,
//! comment and string regions. Which language a file is in is vocabulary ([`crate::model::Language`]).

mod embedded;
mod heredoc;
mod lexer;
mod syntax;

pub use lexer::{lex, lex_pieces, Region, Regions};
pub use syntax::has_syntax;

/// Temporary re-export for code written before the language enum moved to `model`; new code imports
/// `crate::model::Language`.
pub use crate::model::Language;
