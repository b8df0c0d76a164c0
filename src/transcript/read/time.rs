//! Turn times: seconds from the start, clock times, and timestamps.
//!
//! A turn's time is read as one of:
//! - a number (or a string holding one): seconds from the start of the conversation, unless it
//!   is an epoch time: from 10⁹ (2001) it is Unix seconds, and from 10¹¹ Unix milliseconds
//!   (with [`TimeUnit::Auto`]); [`TimeUnit::Milliseconds`] reads every number as milliseconds;
//! - `[HH:]MM:SS[.fff]`: a clock time or an offset, in seconds;
//! - an RFC 3339 timestamp with its offset, `2024-05-21T10:00:00+08:00`;
//! - a date and time without an offset, `2024-05-21 10:00:00` (or with `T`, or `/` in the
//!   date), in the reader's time zone offset, +08:00 unless set.
//!
//! All turns of a transcript use one kind: offsets from the start, or instants (timestamps
//! and epoch times). Instants become seconds after the first one.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

use crate::transcript::parse_clock;

/// How numbers are read as times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds, except epoch milliseconds, recognised by their size (10¹¹ and above).
    #[default]
    Auto,
    /// Every number is seconds.
    Seconds,
    /// Every number is milliseconds.
    Milliseconds,
}

impl FromStr for TimeUnit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(TimeUnit::Auto),
            "s" | "sec" | "second" | "seconds" => Ok(TimeUnit::Seconds),
            "ms" | "millisecond" | "milliseconds" => Ok(TimeUnit::Milliseconds),
            _ => Err(format!(
                "unknown time unit `{s}`; expected auto, s (seconds) or ms (milliseconds)"
            )),
        }
    }
}

/// The offset that times without one are read in by default: China Standard Time, +08:00.
pub const DEFAULT_TIMEZONE: Offset = Offset::constant(8);

/// Parses a time zone offset as `--timezone` takes it: `+08:00`, `-05:00`, `+0530`, `Z`,
/// `UTC`.
pub fn parse_offset(s: &str) -> Result<Offset, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") {
        return Ok(Offset::UTC);
    }
    let bad =
        || format!("`{s}` is not a time zone offset; write it as +08:00, -05:00, +0530 or UTC");
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|&c| c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits
        .get(2..)
        .map_or(Ok(0), str::parse)
        .map_err(|_| bad())?;
    if hours > 18 || minutes > 59 {
        return Err(bad());
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).map_err(|_| bad())
}

/// One time as written: a number, or text.
pub(crate) enum TimeValue<'a> {
    Number(f64),
    Text(&'a str),
}

/// Reads the turn times of one transcript.
pub(crate) struct TimeReader {
    unit: TimeUnit,
    timezone: Offset,
    pub(crate) started_at: Option<Timestamp>,
    offsets: bool,
    /// The time of the turn before, in seconds from the start.
    last: Option<f64>,
}

impl TimeReader {
    pub(crate) fn new(unit: TimeUnit, timezone: Offset) -> TimeReader {
        TimeReader {
            unit,
            timezone,
            started_at: None,
            offsets: false,
            last: None,
        }
    }

    pub(crate) fn read(&mut self, time: TimeValue<'_>) -> Result<f64, String> {
        let seconds = match time {
            TimeValue::Number(n) => self.number(self.in_seconds(n))?,
            TimeValue::Text(s) => self.text(s)?,
        };
        self.in_order(seconds)
    }

    fn in_seconds(&self, n: f64) -> f64 {
        match self.unit {
            TimeUnit::Milliseconds => n / 1000.0,
            TimeUnit::Auto if n >= 1e11 => n / 1000.0,
            _ => n,
        }
    }

    fn text(&mut self, s: &str) -> Result<f64, String> {
        let t = s.trim();
        if let Ok(n) = t.parse::<f64>() {
            return self.number(self.in_seconds(n));
        }
        if let Some(seconds) = parse_clock(t) {
            return self.offset(seconds);
        }
        if let Ok(ts) = t.parse::<Timestamp>() {
            return self.instant(ts);
        }
        if let Some(dt) = civil(t) {
            let ts = self.timezone.to_timestamp(dt).map_err(|e| e.to_string())?;
            return self.instant(ts);
        }
        Err(format!(
            "`{s}` is not a time: expected seconds from the start, `HH:MM:SS`, an RFC 3339 \
             timestamp such as 2024-05-01T10:00:00+08:00, or `2024-05-01 10:00:00`"
        ))
    }

    /// A number of seconds: from the start, or from the Unix epoch when it is that large.
    fn number(&mut self, seconds: f64) -> Result<f64, String> {
        if seconds >= 1e9 && seconds.is_finite() {
            let ts = Timestamp::from_nanosecond((seconds * 1e9) as i128)
                .map_err(|_| format!("`{seconds}` is out of the range of times"))?;
            self.instant(ts)
        } else {
            self.offset(seconds)
        }
    }

    fn instant(&mut self, ts: Timestamp) -> Result<f64, String> {
        if self.offsets {
            return Err(MIXED_TIMES.to_string());
        }
        let start = *self.started_at.get_or_insert(ts);
        let nanos = ts.as_nanosecond() - start.as_nanosecond();
        Ok(nanos as f64 / 1e9)
    }

    fn offset(&mut self, seconds: f64) -> Result<f64, String> {
        if self.started_at.is_some() {
            return Err(MIXED_TIMES.to_string());
        }
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(format!(
                "`{seconds}` is not a valid number of seconds from the start"
            ));
        }
        self.offsets = true;
        Ok(seconds)
    }

    /// Turns come in the order they were said: a time before the last one would make a
    /// negative wait.
    fn in_order(&mut self, seconds: f64) -> Result<f64, String> {
        if let Some(last) = self.last.filter(|&last| seconds < last) {
            return Err(format!(
                "{} is before the time of the turn before it ({}): times must not go \
                 backwards",
                signed_clock(seconds),
                signed_clock(last)
            ));
        }
        self.last = Some(seconds);
        Ok(seconds)
    }
}

/// A date and time without an offset: `2024-05-21 10:00:00`, `2024-05-21T10:00`,
/// `2024/5/21 10:00:00`.
fn civil(s: &str) -> Option<DateTime> {
    let (date, time) = s.split_once([' ', 'T', 't'])?;
    let mut parts = date.split(['-', '/', '.']);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let (y, m, d): (i16, i8, i8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let time = time.trim();
    let mut parts = time.splitn(3, ':');
    let (h, min) = (parts.next()?, parts.next()?);
    let (h, min): (i8, i8) = (h.parse().ok()?, min.parse().ok()?);
    let (sec, nanos) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let whole: i8 = whole.parse().ok()?;
            if !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 9 {
                return None;
            }
            let nanos: i32 = if frac.is_empty() {
                0
            } else {
                format!("{frac:0<9}").parse().ok()?
            };
            (whole, nanos)
        }
    };
    DateTime::new(y, m, d, h, min, sec, nanos).ok()
}

/// `MM:SS` from the start, with a minus before the start.
fn signed_clock(seconds: f64) -> String {
    if seconds < 0.0 {
        format!("-{}", crate::text::clock(-seconds))
    } else {
        crate::text::clock(seconds)
    }
}

pub(crate) const MIXED_TIMES: &str = "mixes times of day or timestamps with seconds from the \
     start; use one form for all turns";

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(unit: TimeUnit, times: &[TimeValue<'_>]) -> Result<Vec<f64>, String> {
        let mut reader = TimeReader::new(unit, DEFAULT_TIMEZONE);
        times
            .iter()
            .map(|t| {
                reader.read(match t {
                    TimeValue::Number(n) => TimeValue::Number(*n),
                    TimeValue::Text(s) => TimeValue::Text(s),
                })
            })
            .collect()
    }

    #[test]
    fn epoch_milliseconds_are_found_by_their_size() {
        use TimeValue::Number as N;
        let ms = [N(1_716_256_800_000.0), N(1_716_256_805_000.0)];
        assert_eq!(read_all(TimeUnit::Auto, &ms), Ok(vec![0.0, 5.0]));
        let s = [N(1_716_256_800.0), N(1_716_256_805.0)];
        assert_eq!(read_all(TimeUnit::Auto, &s), Ok(vec![0.0, 5.0]));
        let offsets = [N(0.0), N(5000.0)];
        assert_eq!(read_all(TimeUnit::Auto, &offsets), Ok(vec![0.0, 5000.0]));
        assert_eq!(
            read_all(TimeUnit::Milliseconds, &offsets),
            Ok(vec![0.0, 5.0])
        );
    }

    #[test]
    fn dates_without_an_offset_are_in_the_timezone() {
        use TimeValue::Text as T;
        let mut reader = TimeReader::new(TimeUnit::Auto, DEFAULT_TIMEZONE);
        assert_eq!(reader.read(T("2024-05-21 10:00:00")), Ok(0.0));
        assert_eq!(reader.read(T("2024/05/21 10:00:07.5")), Ok(7.5));
        assert_eq!(reader.read(T("2024-05-21T02:01:00Z")), Ok(60.0));
        assert_eq!(
            reader.started_at.map(|t| t.to_string()),
            Some("2024-05-21T02:00:00Z".to_string())
        );
        let utc = [T("2024-05-21 10:00:00"), T("2024-05-21T10:00:30+00:00")];
        let mut reader = TimeReader::new(TimeUnit::Auto, Offset::UTC);
        let read: Vec<_> = utc.into_iter().map(|t| reader.read(t)).collect();
        assert_eq!(read, vec![Ok(0.0), Ok(30.0)]);
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("+08:00"), Ok(Offset::constant(8)));
        assert_eq!(parse_offset("-0530").map(|o| o.seconds()), Ok(-19800));
        assert_eq!(parse_offset("UTC"), Ok(Offset::UTC));
        assert!(parse_offset("8").is_err());
        assert!(parse_offset("+25:00").is_err());
    }

    #[test]
    fn forms_do_not_mix_and_times_do_not_go_back() {
        use TimeValue::{Number as N, Text as T};
        assert_eq!(
            read_all(TimeUnit::Auto, &[N(0.0), T("2024-05-21 10:00:00")]),
            Err(MIXED_TIMES.to_string())
        );
        let back = read_all(TimeUnit::Auto, &[T("00:10"), T("00:05")]).expect_err("backwards");
        assert!(back.contains("must not go backwards"), "{back}");
        let junk = read_all(TimeUnit::Auto, &[T("soon")]).expect_err("not a time");
        assert!(junk.starts_with("`soon` is not a time"), "{junk}");
    }
}
