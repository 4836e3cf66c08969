//! The folder: a small evaluator over one line's tokens that folds constant names (concatenation, char
//! codes, escapes, hex/base64 literals, reversal, joins) and follows dynamic lookups (`getattr`,
//! `__import__`, `obj[…]`, `require(…)`, `send`, `const_get`) to the path they reach. Bounded: a token
//! budget per expression, a nesting depth and a size for every value; what it cannot fold is unknown,
//! never guessed.

use super::tokens::{literal, Kind, Lang, Token, MAX_LITERAL};
use super::values::chars;

mod lookup;

/// Most tokens one expression may read.
const BUDGET: usize = 256;
/// Deepest nesting followed.
const MAX_DEPTH: usize = 24;
/// Most elements of a folded list.
const MAX_LIST: usize = 256;

/// A folded value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    /// Not foldable.
    Unknown,
    /// An integer.
    Int(i64),
    /// A string (or bytes); `true` when it was built, encoded or escaped rather than written plainly.
    Str(String, bool),
    /// A list or tuple of values; `true` when built.
    List(Vec<Val>, bool),
    /// A module, an object or one of its members, by path (`os`, `os.system`, `fn:getattr`); `true`
    /// when a name on the way was hidden.
    Obj(String, bool),
}

/// How a lookup was written.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved {
    /// The name folded: the path it reaches and whether the name was hidden.
    Name { path: String, hidden: bool },
    /// The name could not be folded: a member of `base` chosen at run time.
    Dynamic { base: String },
    /// A built string spelling a dangerous name, not used by a lookup here.
    HiddenString { text: String },
}

/// One lookup the folder followed.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Event {
    /// What it reached.
    pub(super) resolved: Resolved,
    /// How it was written (`getattr(os, …)`).
    pub(super) form: String,
    /// Byte span in the line.
    pub(super) start: usize,
    /// End of the span.
    pub(super) end: usize,
}

/// The folder over one line.
pub(super) struct Folder<'a> {
    pub(super) lang: Lang,
    pub(super) line: &'a str,
    pub(super) toks: &'a [Token],
    pub(super) close: &'a [usize],
    /// Names bound to modules on earlier added lines of the file (`cp` → `child_process`).
    pub(super) aliases: &'a [(String, String)],
    pub(super) events: Vec<Event>,
    pub(super) budget: usize,
    depth: usize,
}

pub(super) fn hidden_of(v: &Val) -> bool {
    match v {
        Val::Str(_, h) | Val::List(_, h) | Val::Obj(_, h) => *h,
        _ => false,
    }
}

impl<'a> Folder<'a> {
    /// A folder over the tokens of `line`.
    pub(super) fn new(
        lang: Lang,
        line: &'a str,
        toks: &'a [Token],
        close: &'a [usize],
        aliases: &'a [(String, String)],
    ) -> Self {
        Folder {
            lang,
            line,
            toks,
            close,
            aliases,
            events: Vec::new(),
            budget: BUDGET,
            depth: 0,
        }
    }

    fn punct(&self, i: usize) -> Option<u8> {
        match self.toks.get(i)?.kind {
            Kind::Punct(c) => Some(c),
            _ => None,
        }
    }

    fn text(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.line[t.start as usize..t.end as usize]
    }

    fn ident(&self, i: usize) -> Option<&'a str> {
        matches!(self.toks.get(i)?.kind, Kind::Ident).then(|| self.text(i))
    }

    fn span_end(&self, i: usize) -> usize {
        self.toks
            .get(i.saturating_sub(1))
            .map_or(0, |t| t.end as usize)
    }

    /// Folds the expression starting at token `i`; returns its value and the next token.
    pub(super) fn expr(&mut self, i: usize) -> (Val, usize) {
        if self.depth >= MAX_DEPTH || self.budget == 0 {
            return (Val::Unknown, i + 1);
        }
        self.depth += 1;
        let (mut v, mut i) = self.term(i);
        loop {
            let concat = match self.toks.get(i).map(|t| t.kind) {
                Some(Kind::Punct(b'+')) => true,
                Some(Kind::Punct(b'.')) if self.lang == Lang::Php => true,
                Some(Kind::Str { .. }) => {
                    matches!(self.lang, Lang::Python | Lang::Ruby)
                        && matches!(v, Val::Str(..))
                        && i > 0
                        && matches!(self.toks[i - 1].kind, Kind::Str { .. })
                }
                _ => false,
            };
            if !concat {
                break;
            }
            let next = if matches!(self.toks[i].kind, Kind::Str { .. }) {
                i
            } else {
                i + 1
            };
            let (r, after) = self.term(next);
            v = match (v, r) {
                (Val::Str(a, _), Val::Str(b, _)) if a.len() + b.len() <= MAX_LITERAL => {
                    Val::Str(a + &b, true)
                }
                (Val::List(mut a, _), Val::List(b, _)) if a.len() + b.len() <= MAX_LIST => {
                    a.extend(b);
                    Val::List(a, true)
                }
                (Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_add(b)),
                _ => Val::Unknown,
            };
            i = after;
        }
        self.depth -= 1;
        (v, i)
    }

    fn term(&mut self, i: usize) -> (Val, usize) {
        let (mut v, mut i) = self.primary(i);
        // Whether `v` came from a dynamic lookup or import (then a plain member of it is reported too).
        let mut dynamic = false;
        while self.budget > 0 {
            self.budget -= 1;
            match self.punct(i) {
                Some(b'.') => {
                    if let (Val::Obj(p, h), Some(name)) = (&v, self.ident(i + 1)) {
                        let path = format!("{p}.{name}");
                        if (dynamic || *h) && super::table::danger(&path).is_some() {
                            let resolved = Resolved::Name { path, hidden: *h };
                            let (start, end) =
                                (self.toks[i].start as usize, self.toks[i + 1].end as usize);
                            self.event(resolved, format!("{p}….{name}"), start, end);
                        }
                    }
                    dynamic = false;
                    let Some(name) = self.ident(i + 1) else {
                        break;
                    };
                    let call = self.punct(i + 2) == Some(b'(');
                    let (args, next) = if call {
                        self.args(i + 2)
                    } else {
                        (Vec::new(), i + 2)
                    };
                    let start = self.toks[i].start as usize;
                    v = self.method(v, name, args, call, start, self.span_end(next));
                    i = next;
                }
                Some(b'[') => {
                    let close = self.close[i];
                    if close == usize::MAX {
                        return (Val::Unknown, i + 1);
                    }
                    v = self.subscript(v, i, close);
                    dynamic = matches!(v, Val::Obj(..));
                    i = close + 1;
                }
                Some(b'(') => {
                    let (args, next) = self.args(i);
                    v = self.call(v, args, self.toks[i].start as usize, self.span_end(next));
                    dynamic = matches!(v, Val::Obj(..));
                    i = next;
                }
                _ => break,
            }
        }
        (v, i)
    }

    /// Arguments of the call whose `(` is at `i`, and the token after its `)`.
    fn args(&mut self, i: usize) -> (Vec<Val>, usize) {
        let close = self.close[i];
        if close == usize::MAX {
            return (vec![Val::Unknown], self.toks.len());
        }
        (self.items(i + 1, close), close + 1)
    }

    /// Comma-separated values from `i` up to the token `end`; one that does not end at a comma is unknown.
    fn items(&mut self, mut i: usize, end: usize) -> Vec<Val> {
        let mut out = Vec::new();
        while i < end && out.len() < MAX_LIST {
            if let Some(v) = self.chr_comprehension(i, end) {
                out.push(v);
                return out;
            }
            let (v, mut next) = self.expr(i);
            let v = if next == end || self.punct(next) == Some(b',') {
                v
            } else {
                Val::Unknown
            };
            // Skip what was not understood to the next comma at this level (within the budget).
            while next < end && self.punct(next) != Some(b',') {
                if self.budget == 0 {
                    out.push(Val::Unknown);
                    return out;
                }
                self.budget -= 1;
                next = match self.close.get(next) {
                    Some(&c) if c != usize::MAX && c < end => c + 1,
                    _ => next + 1,
                };
            }
            out.push(v);
            i = next + 1;
        }
        out
    }

    /// Python's `chr(x) for x in <list>` (in a list, a generator or a call's parentheses) filling the
    /// whole of `i..end`: the characters of the list's codes.
    fn chr_comprehension(&mut self, i: usize, end: usize) -> Option<Val> {
        if self.lang != Lang::Python || end < i + 8 {
            return None;
        }
        let var = self.ident(i + 2)?;
        let shape = self.ident(i)? == "chr"
            && self.punct(i + 1) == Some(b'(')
            && self.punct(i + 3) == Some(b')')
            && self.ident(i + 4)? == "for"
            && self.ident(i + 5)? == var
            && self.ident(i + 6)? == "in";
        if !shape {
            return None;
        }
        let (list, next) = self.expr(i + 7);
        if next != end {
            return None;
        }
        match list {
            Val::List(items, _) => match chars(&items) {
                Val::Str(s, _) => Some(Val::List(
                    s.chars().map(|c| Val::Str(c.to_string(), true)).collect(),
                    true,
                )),
                _ => None,
            },
            _ => None,
        }
    }

    fn primary(&mut self, i: usize) -> (Val, usize) {
        self.budget = self.budget.saturating_sub(1);
        let Some(t) = self.toks.get(i).copied() else {
            return (Val::Unknown, i + 1);
        };
        match t.kind {
            Kind::Str { .. } => match literal(self.lang, self.line, t.kind) {
                Some((s, hidden)) => (Val::Str(s, hidden), i + 1),
                None => (Val::Unknown, i + 1),
            },
            Kind::Int(n) => (Val::Int(n), i + 1),
            Kind::Symbol => (Val::Str(self.text(i)[1..].to_string(), false), i + 1),
            Kind::Punct(b'[') => {
                let close = self.close[i];
                if close == usize::MAX {
                    return (Val::Unknown, i + 1);
                }
                if let Some(list) = self.chr_comprehension(i + 1, close) {
                    return (list, close + 1);
                }
                let items = self.items(i + 1, close);
                (Val::List(items, false), close + 1)
            }
            Kind::Punct(b'(') => {
                let close = self.close[i];
                if close == usize::MAX {
                    return (Val::Unknown, i + 1);
                }
                let mut items = self.items(i + 1, close);
                let v = if items.len() > 1 {
                    Val::List(items, false)
                } else {
                    items.pop().unwrap_or(Val::Unknown)
                };
                (v, close + 1)
            }
            Kind::Punct(b'-') => match self.toks.get(i + 1).map(|t| t.kind) {
                Some(Kind::Int(n)) => (Val::Int(-n), i + 2),
                _ => (Val::Unknown, i + 1),
            },
            Kind::Ident => (self.name(self.text(i)), i + 1),
            // Ruby's `&:chr` block argument.
            Kind::Punct(b'&')
                if matches!(self.toks.get(i + 1).map(|t| t.kind), Some(Kind::Symbol)) =>
            {
                (Val::Str(self.text(i + 1)[1..].to_string(), false), i + 2)
            }
            _ => (Val::Unknown, i + 1),
        }
    }
}
