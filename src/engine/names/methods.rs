//! Methods the folder understands on folded values: joins, splits, reversal, decoding, Ruby's `send`,
//! `pack` and `map(&:chr)`, and member access on modules.

use super::eval::{hidden_of, Folder, Val};
use super::tokens::{Lang, MAX_LITERAL};
use super::values::{b64, chars, decode_str, hex, join, reverse, rot13};

impl Folder<'_> {
    /// A method `name` called on `v` (with `args` when `call`).
    pub(super) fn method(
        &mut self,
        v: Val,
        name: &str,
        args: Vec<Val>,
        call: bool,
        start: usize,
        end: usize,
    ) -> Val {
        let arg = |k: usize| args.get(k).cloned().unwrap_or(Val::Unknown);
        match (&v, name) {
            (Val::Obj(..), "call" | "apply" | "bind" | "__dict__") => return v,
            (Val::Obj(p, _), "__getattribute__" | "get") if call && p != "Reflect" => {
                return self.lookup(&v, &arg(0), "@.__getattribute__(…)", start, end);
            }
            (_, "send" | "public_send" | "__send__" | "method") if self.lang == Lang::Ruby => {
                // Kernel's private methods answer `send` on any object (`self` here); a name chosen at run
                // time is reported only on Kernel itself.
                let base = match &v {
                    Val::Obj(p, h) if p == "Kernel" || p == "Object" => {
                        Val::Obj("Kernel".into(), *h)
                    }
                    _ => Val::Obj("self".into(), false),
                };
                let form = format!("{name}(…)");
                return self.lookup(&base, &arg(0), &form, start, end);
            }
            (Val::Obj(..), "const_get") if self.lang == Lang::Ruby => {
                return self.constant(&arg(0), start, end);
            }
            (Val::Obj(p, h), _) => {
                let path = format!("{p}.{name}");
                let obj = Val::Obj(path, *h);
                return if call {
                    self.call(obj, args, start, end)
                } else {
                    obj
                };
            }
            _ => {}
        }
        let hidden = hidden_of(&v);
        match (v, name) {
            (list @ Val::List(..), "join") => {
                let sep = match arg(0) {
                    Val::Str(s, _) => s,
                    Val::Unknown if args.is_empty() => {
                        if self.lang == Lang::Js {
                            ",".into()
                        } else {
                            String::new()
                        }
                    }
                    _ => return Val::Unknown,
                };
                join(list, &sep)
            }
            (Val::Str(sep, _), "join") => join(arg(0), &sep),
            (Val::Str(s, _), "split") => match arg(0) {
                Val::Str(sep, _) if sep.is_empty() => Val::List(
                    s.chars().map(|c| Val::Str(c.to_string(), true)).collect(),
                    true,
                ),
                Val::Str(sep, _) => Val::List(
                    s.split(sep.as_str())
                        .map(|p| Val::Str(p.to_string(), true))
                        .collect(),
                    true,
                ),
                _ => Val::Unknown,
            },
            (v, "reverse") => reverse(v),
            (
                s @ Val::Str(..),
                "decode" | "encode" | "toString" | "to_s" | "to_sym" | "intern" | "strip" | "trim"
                | "to_str" | "valueOf",
            ) => match (name, arg(0)) {
                ("toString", Val::Str(enc, _)) if enc == "hex" || enc == "base64" => Val::Unknown,
                ("decode", Val::Str(enc, _)) if enc == "hex" => decode_str(&s, hex),
                ("decode", Val::Str(enc, _)) if enc == "base64" => decode_str(&s, b64),
                ("decode", Val::Str(enc, _)) if enc.starts_with("rot") => match s {
                    Val::Str(t, _) => Val::Str(rot13(&t), true),
                    _ => Val::Unknown,
                },
                _ => s,
            },
            (Val::Str(s, _), "lower" | "toLowerCase" | "downcase") => {
                Val::Str(s.to_lowercase(), true)
            }
            (Val::Str(s, _), "upper" | "toUpperCase" | "upcase") => {
                Val::Str(s.to_uppercase(), true)
            }
            (Val::Str(s, _), "replace" | "gsub" | "replaceAll") => match (arg(0), arg(1)) {
                (Val::Str(a, _), Val::Str(b, _)) if !a.is_empty() => {
                    Val::Str(s.replace(&a, &b), true)
                }
                _ => Val::Unknown,
            },
            (Val::Str(s, _), "concat") => match arg(0) {
                Val::Str(b, _) if s.len() + b.len() <= MAX_LITERAL => Val::Str(s + &b, true),
                _ => Val::Unknown,
            },
            (Val::Str(s, _), "unpack1") if matches!(arg(0), Val::Str(ref m, _) if m.starts_with('m')) => {
                decode_str(&Val::Str(s, hidden), b64)
            }
            (Val::Int(n), "chr") => chars(&[Val::Int(n)]),
            (Val::List(items, _), "pack") => match arg(0) {
                Val::Str(f, _) if f.starts_with(['c', 'C', 'U']) => chars(&items),
                Val::Str(f, _) if f.starts_with('H') => match items.first() {
                    Some(s @ Val::Str(..)) => decode_str(s, hex),
                    _ => Val::Unknown,
                },
                Val::Str(f, _) if f.starts_with('m') => match items.first() {
                    Some(s @ Val::Str(..)) => decode_str(s, b64),
                    _ => Val::Unknown,
                },
                _ => Val::Unknown,
            },
            (Val::List(items, _), "map" | "collect") => match arg(0) {
                // Ruby's `map(&:chr)` reads as `&` then the symbol: the symbol alone is left.
                Val::Str(f, false) if f == "chr" => Val::List(
                    items
                        .iter()
                        .map(|x| chars(std::slice::from_ref(x)))
                        .collect(),
                    true,
                ),
                _ => Val::Unknown,
            },
            _ => Val::Unknown,
        }
    }
}
