//! Typosquat detection: a new package whose name is one edit (a swap, an extra, missing or wrong
//! character) or a look-alike away from a popular package of the same ecosystem, without being popular
//! itself. The popular names (`checks/popular/<ecosystem>.txt`, passed in by the caller) come from
//! registry download rankings.

use std::collections::{HashMap, HashSet};

/// Popular names of one ecosystem, normalized, in ranking order, with a set for membership.
struct Popular {
    ranked: Vec<String>,
    set: HashSet<String>,
}

/// The popular package names of every ecosystem: the `checks/popular/<ecosystem>.txt` lists, read from
/// whatever holds them (the caller passes the files).
#[derive(Default)]
pub struct PopularLists {
    lists: HashMap<String, Popular>,
}

impl PopularLists {
    /// Reads the lists among `files` (name, contents): each `checks/popular/<ecosystem>.txt`, one name a
    /// line, `#` comments; other files are skipped.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> PopularLists {
        let mut lists = HashMap::new();
        for (name, text) in files {
            let Some(file) = name.strip_prefix("checks/popular/") else {
                continue;
            };
            let Some(ecosystem) = file.strip_suffix(".txt") else {
                continue;
            };
            let ranked: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(super::normalize)
                .collect();
            let set = ranked.iter().cloned().collect();
            lists.insert(ecosystem.to_string(), Popular { ranked, set });
        }
        PopularLists { lists }
    }

    /// The popular package `name` imitates, if it imitates one.
    pub fn resembles(&self, ecosystem: &str, name: &str) -> Option<String> {
        let list = self.lists.get(ecosystem)?;
        let candidate = super::normalize(name.trim());
        if candidate.len() < 4 || list.set.contains(&candidate) {
            return None;
        }
        let confused = unconfuse(&candidate);
        list.ranked
            .iter()
            .find(|popular| {
                let len = popular.len();
                if len < 4 || len.abs_diff(candidate.len()) > 1 {
                    return false;
                }
                unconfuse(popular) == confused
                    || (osa_distance(popular, &candidate, 1) == 1
                        && plausible_slip(popular, &candidate))
            })
            .cloned()
    }
}

/// Characters that pass for one another at a glance.
fn unconfuse(name: &str) -> String {
    name.replace("rn", "m")
        .replace("vv", "w")
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'i' => 'l',
            '3' => 'e',
            '5' => 's',
            '-' => '\0',
            other => other,
        })
        .filter(|&c| c != '\0')
        .collect()
}

/// Whether a one-edit difference is a likely slip rather than another word: swapped neighbours count from
/// five characters, a missing or extra character from six, a wrong character from seven (short names one
/// letter apart are often unrelated packages: `util` and `utils`, `utila` and `utils`).
fn plausible_slip(popular: &str, candidate: &str) -> bool {
    let len = popular.len();
    if popular.len() != candidate.len() {
        return len >= 6;
    }
    let (a, b) = (popular.as_bytes(), candidate.as_bytes());
    let first = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
    let swapped = first + 1 < a.len()
        && a[first] == b[first + 1]
        && a[first + 1] == b[first]
        && a[first + 2..] == b[first + 2..];
    if swapped {
        len >= 5
    } else {
        len >= 7
    }
}

/// Optimal string alignment distance (edits, with adjacent swaps counting one), stopping early once it
/// exceeds `limit`.
fn osa_distance(a: &str, b: &str, limit: usize) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(prev2[j - 2] + 1);
            }
            cur[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resembles(ecosystem: &str, name: &str) -> Option<String> {
        let lists = PopularLists::from_files([
            (
                "checks/popular/npm.txt",
                include_str!("../../checks/popular/npm.txt"),
            ),
            (
                "checks/popular/pypi.txt",
                include_str!("../../checks/popular/pypi.txt"),
            ),
        ]);
        lists.resembles(ecosystem, name)
    }

    #[test]
    fn distances() {
        assert_eq!(osa_distance("requests", "reqeusts", 2), 1);
        assert_eq!(osa_distance("express", "expresss", 2), 1);
        assert_eq!(osa_distance("lodash", "lodahs", 2), 1);
        assert_eq!(osa_distance("lodash", "underscore", 1), 2);
    }

    #[test]
    fn known_typosquats_resemble_popular_packages() {
        assert_eq!(resembles("pypi", "reqeusts").as_deref(), Some("requests"));
        assert_eq!(
            resembles("pypi", "python-dateutils").as_deref(),
            Some("python-dateutil")
        );
        assert_eq!(resembles("npm", "expresss").as_deref(), Some("express"));
        assert_eq!(resembles("npm", "lodahs").as_deref(), Some("lodash"));
        assert_eq!(resembles("npm", "1odash").as_deref(), Some("lodash"));
    }

    #[test]
    fn popular_and_unrelated_names_do_not() {
        for (ecosystem, name) in [
            ("npm", "utils"),
            ("npm", "chalks"),
            ("pypi", "requests"),
            ("pypi", "Python_Dateutil"),
            ("npm", "express"),
            ("npm", "react"),
            ("npm", "my-internal-tool"),
            ("pypi", "abc"),
        ] {
            assert_eq!(resembles(ecosystem, name), None, "{name}");
        }
    }

    /// The built-in lists of the ecosystems the incident test covers.
    fn all_lists() -> PopularLists {
        PopularLists::from_files([
            (
                "checks/popular/npm.txt",
                include_str!("../../checks/popular/npm.txt"),
            ),
            (
                "checks/popular/pypi.txt",
                include_str!("../../checks/popular/pypi.txt"),
            ),
            (
                "checks/popular/crates.txt",
                include_str!("../../checks/popular/crates.txt"),
            ),
            (
                "checks/popular/rubygems.txt",
                include_str!("../../checks/popular/rubygems.txt"),
            ),
        ])
    }

    /// Issue 13: the names attacked in public typosquat incidents are in the lists, so a one-slip
    /// look-alike of each is caught, while the legitimate popular neighbours of those names are not.
    #[test]
    fn incident_targets_are_caught_and_their_legitimate_neighbours_are_not() {
        let lists = all_lists();
        for (ecosystem, squat, target) in [
            ("npm", "electorn", "electron"),
            ("npm", "discord.jss", "discord.js"),
            ("npm", "etherss", "ethers"),
            ("npm", "vveb3", "web3"),
            ("npm", "cofee-script", "coffee-script"),
            ("npm", "bitcoinjs-llb", "bitcoinjs-lib"),
            ("npm", "nodesass", "node-sass"),
            ("npm", "babelcli", "babel-cli"),
            ("npm", "crossenv", "cross-env"),
            ("npm", "node-fetchh", "node-fetch"),
            ("npm", "colros", "colors"),
            ("npm", "noblox.jss", "noblox.js"),
            ("npm", "tronwed", "tronweb"),
            ("pypi", "colourama", "colorama"),
            ("pypi", "urlib3", "urllib3"),
            ("pypi", "beautifulsup4", "beautifulsoup4"),
            ("pypi", "discord.pyy", "discord.py"),
            ("pypi", "pycryptodomee", "pycryptodome"),
            ("pypi", "nextcrod", "nextcord"),
            ("pypi", "bitcoinlb", "bitcoinlib"),
            ("crates", "rustdecimal", "rust_decimal"),
            ("crates", "tokoi", "tokio"),
            ("crates", "sedre", "serde"),
            ("crates", "fastlog", "fast_log"),
            ("rubygems", "rest_cleint", "rest-client"),
            ("rubygems", "bootstrap-sas", "bootstrap-sass"),
            ("rubygems", "strong_pasword", "strong_password"),
        ] {
            assert_eq!(
                lists
                    .resembles(ecosystem, squat)
                    .map(|p| super::super::normalize(&p)),
                Some(super::super::normalize(target)),
                "{ecosystem} {squat}"
            );
        }
        for (ecosystem, name) in [
            ("npm", "coffeescript"),
            ("npm", "sqlite"),
            ("npm", "sqlite3"),
            ("npm", "mysql2"),
            ("npm", "mysql"),
            ("npm", "electron"),
            ("npm", "ethers"),
            ("npm", "color"),
            ("npm", "colors"),
            ("npm", "web3"),
            ("pypi", "discord.py"),
            ("pypi", "disnake"),
            ("crates", "fast_log"),
            ("crates", "rust_decimal"),
        ] {
            assert_eq!(lists.resembles(ecosystem, name), None, "{ecosystem} {name}");
        }
    }
}
