//! A person's own time: "today" and the night a check-in means are theirs, never the server's.
//! A person in Kiritimati is a day or two ahead of a server in Pago Pago.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use quietlegs_core::profile::Profile;
use quietlegs_store::{PersonId, Store};

use crate::AppError;

/// The person's time zone (the server's when they have not given one).
pub fn zone_of(profile: Option<&Profile>) -> TimeZone {
    profile
        .and_then(|p| p.timezone.as_deref())
        .and_then(|tz| TimeZone::get(tz).ok())
        .unwrap_or_else(TimeZone::system)
}

/// Today in the person's time zone.
pub fn today_for(profile: Option<&Profile>) -> Date {
    jiff::Timestamp::now().to_zoned(zone_of(profile)).date()
}

/// Today where a stored person lives.
pub async fn today_of(store: &dyn Store, person: PersonId) -> Result<Date, AppError> {
    let stored = store.profile(person).await?;
    Ok(today_for(stored.as_ref().map(|p| &p.profile)))
}

/// The night a check-in made now most likely means, by the person's own clock (see
/// [`quietlegs_core::journal::default_night`]).
pub fn default_night(profile: Option<&Profile>) -> Date {
    let now = jiff::Timestamp::now().to_zoned(zone_of(profile));
    quietlegs_core::journal::default_night(&now.datetime())
}

/// A time zone name the system's zone database knows, or an error naming the field.
/// Before this hour, "tonight" is still the night that began yesterday evening.
const NIGHT_ENDS_HOUR: i8 = 5;

/// The evening a local moment belongs to: after midnight and before the night ends, still the
/// evening before (what "tonight" means on the Tonight page and for an episode).
pub fn night_of(at: &jiff::Zoned) -> Date {
    if at.hour() < NIGHT_ENDS_HOUR {
        at.date().yesterday().unwrap_or(at.date())
    } else {
        at.date()
    }
}

pub fn check_zone(timezone: &str) -> Result<(), AppError> {
    TimeZone::get(timezone).map(|_| ()).map_err(|_| {
        AppError::field(
            "timezone",
            format!(
                "'{timezone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York)"
            ),
        )
    })
}
