//! Commits of a reviewed range: where a finding that only history holds was introduced.

use serde::Serialize;

/// Which checks review each commit of a range on its own (besides the net change of the range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CommitsMode {
    /// Only the net change.
    None,
    /// The secret checks and error-level attack checks, in every commit.
    #[default]
    Secrets,
    /// Every check, in every commit.
    All,
}

/// One commit of a reviewed range, as reports name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitRef {
    /// The abbreviated commit id (12 hexadecimal digits).
    pub sha: String,
    /// The author date, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The first line of the message, without control characters, at most 80 characters.
    pub subject: String,
}

impl CommitRef {
    /// A commit reference from its id, author time (seconds since the epoch) and message.
    pub fn new(id: &str, author_time: i64, message: &str) -> CommitRef {
        let subject: String = message
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut short: String = subject.chars().take(80).collect();
        if subject.chars().count() > 80 {
            short.push('…');
        }
        CommitRef {
            sha: id.chars().take(12).collect(),
            date: civil_date(author_time),
            subject: short,
        }
    }
}

/// Where a finding of one commit of the range comes from, and whether the range's tip still holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryFinding {
    /// The first commit (oldest first) that adds it.
    pub commit: CommitRef,
    /// Whether the tip of the range still holds the matched text at that path.
    pub still_present: bool,
}

/// `YYYY-MM-DD` of a time in seconds since the epoch (UTC), proleptic Gregorian calendar.
pub fn civil_date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_subjects() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(1_709_251_200), "2024-03-01");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        let c = CommitRef::new("0123456789abcdef0123", 0, "\n  add\tkey\x1b[31m  \nbody");
        assert_eq!(c.sha, "0123456789ab");
        assert_eq!(c.subject, "add key [31m");
        let long = CommitRef::new("ab", 0, &"x".repeat(100));
        assert_eq!(long.subject.chars().count(), 81);
    }
}
