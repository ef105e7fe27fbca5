//! A Point of Contact's availability at build time, for pages read without
//! JavaScript (and the bundles' offline page, which has none): the UTC
//! offset of its zone on the build's as-of day, the other offset when the
//! zone observes daylight saving time, and whether it is within its hours
//! at an instant (the rule `now.js` applies in the reader's browser with
//! `Intl`). Pure functions of the tz database bundled with jiff: never the
//! wall clock, so the same `--as-of` gives the same page.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::{Offset, TimeZone};

/// Day names as the directory's files write them, Monday first.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(d: &str) -> Option<usize> {
    DAYS.iter().position(|x| *x == d)
}

/// The days of `spec` (`mon-fri`, `sun-thu`, `fri-mon`, `mon,wed,fri`) as
/// a set: bit 0 is Monday. A range wraps past Sunday.
pub fn days(spec: &str) -> Option<u8> {
    match spec.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (day_index(a)?, day_index(b)?);
            let mut set = 0u8;
            let mut d = a;
            loop {
                set |= 1 << d;
                if d == b {
                    break;
                }
                d = (d + 1) % 7;
            }
            Some(set)
        }
        None => spec
            .split(',')
            .map(|d| day_index(d).map(|i| 1u8 << i))
            .try_fold(0u8, |set, bit| Some(set | bit?)),
    }
}

/// A set of days written out as a list, Monday first (`mon,tue,wed`): what
/// `now.js` reads from `data-days`.
pub fn days_list(set: u8) -> String {
    DAYS.iter()
        .enumerate()
        .filter(|(i, _)| set & (1 << i) != 0)
        .map(|(_, d)| *d)
        .collect::<Vec<_>>()
        .join(",")
}

/// `HH:MM-HH:MM` as minutes after midnight, the end excluded.
pub fn hours(spec: &str) -> Option<(u16, u16)> {
    let minutes = |t: &str| -> Option<u16> {
        let (h, m) = t.split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (minutes(a)?, minutes(b)?);
    (a < b).then_some((a, b))
}

/// An offset as shown beside a time: `UTC+01:00`, `UTC-03:00`,
/// `UTC+05:45`, `UTC+00:00` (`now.js` writes the same).
pub fn offset_label(o: Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// A zone's offsets as seen from one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offsets {
    /// In force at noon, local time, on the day.
    pub on_day: Offset,
    /// The other offset, when the zone changes between standard and
    /// daylight saving time in the year that follows the day.
    pub other: Option<Offset>,
}

impl Offsets {
    /// The other offset is summer time (ahead of the day's): the day is
    /// in winter. Decided by the offsets themselves, not the tz database's
    /// DST flag, which is negative in Ireland's winter.
    pub fn other_is_summer(&self) -> bool {
        self.other.is_some_and(|o| o > self.on_day)
    }
}

/// `zone`'s offsets as seen from `day` (`None` for an unknown zone).
pub fn offsets(zone: &str, day: Date) -> Option<Offsets> {
    let tz = jiff::tz::db().get(zone).ok()?;
    let noon = day
        .to_datetime(Time::midnight())
        .saturating_add(jiff::SignedDuration::from_hours(12));
    let at = tz.to_timestamp(noon).ok()?;
    Some(offsets_at(&tz, at))
}

fn offsets_at(tz: &TimeZone, at: Timestamp) -> Offsets {
    let info = tz.to_offset_info(at);
    let on_day = info.offset();
    let until = at
        .saturating_add(jiff::SignedDuration::from_hours(24 * 366))
        .unwrap_or(at);
    let other = tz
        .following(at)
        .take_while(|t| t.timestamp() < until)
        .find(|t| t.offset() != on_day && (t.dst().is_dst() || info.dst().is_dst()))
        .map(|t| t.offset());
    Offsets { on_day, other }
}

/// Whether the hours `hours` on `days` in `zone` include the instant `at`
/// (`None` when a value cannot be read).
pub fn open_at(zone: &str, hours_spec: &str, days_spec: &str, at: Timestamp) -> Option<bool> {
    let tz = jiff::tz::db().get(zone).ok()?;
    let (start, end) = hours(hours_spec)?;
    let set = days(days_spec)?;
    let local = at.to_zoned(tz);
    let day = usize::from(local.weekday().to_monday_zero_offset().unsigned_abs());
    let minute = u16::try_from(local.hour()).ok()? * 60 + u16::try_from(local.minute()).ok()?;
    Some(set & (1 << day) != 0 && (start..end).contains(&minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn labels(zone: &str, d: &str) -> (String, Option<String>, bool) {
        let o = offsets(zone, day(d)).unwrap();
        (
            offset_label(o.on_day),
            o.other.map(offset_label),
            o.other_is_summer(),
        )
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn days_and_hours() {
        assert_eq!(days("mon-fri"), Some(0b001_1111));
        assert_eq!(days_list(days("sun-thu").unwrap()), "mon,tue,wed,thu,sun");
        assert_eq!(days_list(days("fri-mon").unwrap()), "mon,fri,sat,sun");
        assert_eq!(days_list(days("mon,wed,fri").unwrap()), "mon,wed,fri");
        assert_eq!(days("weekdays"), None);
        assert_eq!(days("mon,xyz"), None);
        assert_eq!(hours("09:00-17:30"), Some((540, 1050)));
        assert_eq!(hours("17:00-09:00"), None);
        assert_eq!(hours("9-5"), None);
    }

    #[test]
    fn paris_and_new_york_across_daylight_saving_time() {
        // Winter: the summer offset noted; summer: the winter one.
        assert_eq!(
            labels("Europe/Paris", "2026-01-15"),
            ("UTC+01:00".into(), some("UTC+02:00"), true)
        );
        assert_eq!(
            labels("Europe/Paris", "2026-07-01"),
            ("UTC+02:00".into(), some("UTC+01:00"), false)
        );
        // The day clocks go forward (02:00 on 29 March 2026): noon is in
        // summer time; the day before is not.
        assert_eq!(labels("Europe/Paris", "2026-03-28").0, "UTC+01:00");
        assert_eq!(labels("Europe/Paris", "2026-03-29").0, "UTC+02:00");
        assert_eq!(labels("Europe/Paris", "2026-10-25").0, "UTC+01:00");
        assert_eq!(
            labels("America/New_York", "2026-03-07"),
            ("UTC-05:00".into(), some("UTC-04:00"), true)
        );
        assert_eq!(
            labels("America/New_York", "2026-03-08"),
            ("UTC-04:00".into(), some("UTC-05:00"), false)
        );
        assert_eq!(labels("America/New_York", "2026-11-01").0, "UTC-05:00");

        // 09:00-18:00 Monday to Friday in Paris: 07:30 UTC is 08:30 on
        // Friday 27 March (closed) but 09:30 on Monday 30 March (open);
        // 16:30 UTC the other way round.
        let paris = |t| open_at("Europe/Paris", "09:00-18:00", "mon-fri", at(t));
        assert_eq!(paris("2026-03-27T07:30:00Z"), Some(false));
        assert_eq!(paris("2026-03-30T07:30:00Z"), Some(true));
        assert_eq!(paris("2026-03-27T16:30:00Z"), Some(true));
        assert_eq!(paris("2026-03-30T16:30:00Z"), Some(false));
        // Autumn: 16:30 UTC is 18:30 on Friday 23 October, 17:30 after.
        assert_eq!(paris("2026-10-23T16:30:00Z"), Some(false));
        assert_eq!(paris("2026-10-26T16:30:00Z"), Some(true));
        // Saturday is closed whatever the hour.
        assert_eq!(paris("2026-03-28T10:00:00Z"), Some(false));
        // 09:00-17:00 in New York: 13:30 UTC is 08:30 EST on Friday 6 March,
        // 09:30 EDT on Monday 9 March.
        let ny = |t| open_at("America/New_York", "09:00-17:00", "mon-fri", at(t));
        assert_eq!(ny("2026-03-06T13:30:00Z"), Some(false));
        assert_eq!(ny("2026-03-09T13:30:00Z"), Some(true));
        // Autumn: 21:30 UTC is 17:30 EDT on Friday 30 October (closed),
        // 16:30 EST on Monday 2 November (open).
        assert_eq!(ny("2026-10-30T21:30:00Z"), Some(false));
        assert_eq!(ny("2026-11-02T21:30:00Z"), Some(true));
    }

    #[test]
    fn half_and_three_quarter_hour_zones() {
        assert_eq!(
            labels("Asia/Kolkata", "2026-01-15"),
            ("UTC+05:30".into(), None, false)
        );
        assert_eq!(
            labels("Asia/Kolkata", "2026-07-01"),
            ("UTC+05:30".into(), None, false)
        );
        assert_eq!(
            labels("Asia/Kathmandu", "2026-07-01"),
            ("UTC+05:45".into(), None, false)
        );
        assert_eq!(
            labels("Australia/Eucla", "2026-01-15"),
            ("UTC+08:45".into(), None, false)
        );
        assert_eq!(
            labels("Australia/Eucla", "2026-07-01"),
            ("UTC+08:45".into(), None, false)
        );
        // Adelaide: half-hour offset and daylight saving time in the
        // southern summer (from 4 October 2026 to 4 April 2027).
        assert_eq!(
            labels("Australia/Adelaide", "2026-07-01"),
            ("UTC+09:30".into(), some("UTC+10:30"), true)
        );
        assert_eq!(
            labels("Australia/Adelaide", "2026-10-04"),
            ("UTC+10:30".into(), some("UTC+09:30"), false)
        );
        assert_eq!(labels("Australia/Adelaide", "2026-10-03").0, "UTC+09:30");

        // Opening at 09:00 local, to the minute.
        let open = |zone, t| open_at(zone, "09:00-17:00", "mon-fri", at(t));
        assert_eq!(open("Asia/Kolkata", "2026-07-01T03:29:00Z"), Some(false));
        assert_eq!(open("Asia/Kolkata", "2026-07-01T03:30:00Z"), Some(true));
        assert_eq!(open("Asia/Kathmandu", "2026-07-01T03:14:00Z"), Some(false));
        assert_eq!(open("Asia/Kathmandu", "2026-07-01T03:15:00Z"), Some(true));
        assert_eq!(open("Australia/Eucla", "2026-07-01T00:14:00Z"), Some(false));
        assert_eq!(open("Australia/Eucla", "2026-07-01T00:15:00Z"), Some(true));
        // Adelaide's 09:00 is 23:30 UTC the day before in winter, 22:30 in
        // summer: 23:00 UTC is closed on Thursday 1 October, open on Monday
        // 5 October (after the change on Sunday 4 October).
        assert_eq!(
            open("Australia/Adelaide", "2026-09-30T23:00:00Z"),
            Some(false)
        );
        assert_eq!(
            open("Australia/Adelaide", "2026-10-04T23:00:00Z"),
            Some(true)
        );
    }

    #[test]
    fn labels_and_bad_values() {
        assert_eq!(offset_label(Offset::UTC), "UTC+00:00");
        assert_eq!(
            offset_label(Offset::from_seconds(-9000).unwrap()),
            "UTC-02:30"
        );
        assert_eq!(offsets("Mars/Olympus", day("2026-01-01")), None);
        assert_eq!(
            open_at("Europe/Paris", "9-5", "mon-fri", at("2026-01-05T10:00:00Z")),
            None
        );
        assert_eq!(
            open_at(
                "Europe/Paris",
                "09:00-17:00",
                "weekdays",
                at("2026-01-05T10:00:00Z")
            ),
            None
        );
        // Sunday to Thursday wraps past the week's end (Cairo, no DST in
        // January): Sunday 4 January 2026 is a working day, Friday is not.
        let cairo = |t| open_at("Africa/Cairo", "09:00-16:00", "sun-thu", at(t));
        assert_eq!(cairo("2026-01-04T08:00:00Z"), Some(true));
        assert_eq!(cairo("2026-01-02T08:00:00Z"), Some(false));
    }
}
