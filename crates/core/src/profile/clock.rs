use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A wall-clock time of day, "HH:MM" in 24-hour form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    minutes: u16,
}

impl ClockTime {
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(Self {
            minutes: u16::from(hour) * 60 + u16::from(minute),
        })
    }

    pub fn hour(self) -> u8 {
        (self.minutes / 60) as u8
    }

    pub fn minute(self) -> u8 {
        (self.minutes % 60) as u8
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.minutes
    }

    /// This time `minutes` earlier, wrapping past midnight.
    pub fn minus_minutes(self, minutes: u32) -> Self {
        let day = 24 * 60;
        let m = (u32::from(self.minutes) + day - (minutes % day)) % day;
        Self { minutes: m as u16 }
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl FromStr for ClockTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a time of day (expected HH:MM, 24-hour, e.g. 22:30)");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        let hour: u8 = h.parse().map_err(|_| bad())?;
        let minute: u8 = m.parse().map_err(|_| bad())?;
        ClockTime::new(hour, minute).ok_or_else(bad)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ClockTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$"))
            .description(Some("a time of day, HH:MM (24-hour)"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ClockTime {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_24_hour_times() {
        let t: ClockTime = "22:30".parse().expect("valid");
        assert_eq!((t.hour(), t.minute()), (22, 30));
        assert_eq!(t.to_string(), "22:30");
        assert_eq!(
            "7:05".parse::<ClockTime>().map(|t| t.to_string()),
            Ok("07:05".into())
        );
    }

    #[test]
    fn refuses_impossible_times() {
        for bad in ["24:00", "12:60", "noon", "12", "12:5", "-1:00", ""] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn subtracting_wraps_past_midnight() {
        let t: ClockTime = "00:30".parse().expect("valid");
        assert_eq!(t.minus_minutes(60).to_string(), "23:30");
        assert_eq!(t.minus_minutes(24 * 60).to_string(), "00:30");
    }
}
