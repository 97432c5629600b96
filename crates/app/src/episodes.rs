//! "My legs are acting up now": an episode is stored with the instant and the person's own wall
//! clock, under the evening it belongs to. The first episode of a night is also that night's
//! onset, when the night is already in the journal and its onset is blank; a night that is not
//! yet in the journal is never created here (its severity is required and nobody said it).

use jiff::Timestamp;
use jiff::civil::Date;
use quietlegs_core::profile::{ClockTime, Profile};
use quietlegs_store::{Episode, PersonId, Store};

use crate::{AppError, clock};

/// What recording an episode did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub episode: Episode,
    /// Whether the night's onset was filled from this episode.
    pub filled_onset: bool,
}

/// The episode at `at` as the person saw it, in their profile's time zone.
pub fn episode_at(profile: Option<&Profile>, at: Timestamp) -> Result<Episode, AppError> {
    let local = at.to_zoned(clock::zone_of(profile));
    let local_time = ClockTime::new(local.hour() as u8, local.minute() as u8)
        .ok_or_else(|| AppError::field("at", "not a time of day"))?;
    Ok(Episode {
        night: clock::night_of(&local),
        at,
        local_time,
    })
}

/// Records an episode at `at` and, when it is the night's first and the night is in the
/// journal without an onset, writes its time as the onset.
pub async fn record(
    store: &dyn Store,
    person: PersonId,
    at: Timestamp,
) -> Result<Recorded, AppError> {
    let profile = store.profile(person).await?;
    let episode = episode_at(profile.as_ref().map(|p| &p.profile), at)?;
    let first = store.episodes(person, episode.night).await?.is_empty();
    store.add_episode(person, &episode).await?;
    let mut filled_onset = false;
    if first
        && let Some(mut entry) = store.night(person, episode.night).await?
        && entry.onset.is_none()
    {
        entry.onset = Some(episode.local_time);
        store.put_night(person, &entry).await?;
        filled_onset = true;
    }
    Ok(Recorded {
        episode,
        filled_onset,
    })
}

/// The time of a night's first episode, to offer as its onset on the check-in form.
pub async fn first_onset(
    store: &dyn Store,
    person: PersonId,
    night: Date,
) -> Result<Option<ClockTime>, AppError> {
    Ok(store
        .episodes(person, night)
        .await?
        .first()
        .map(|e| e.local_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zoned(text: &str) -> jiff::Zoned {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn after_midnight_an_episode_still_belongs_to_the_evening_before() {
        let late = zoned("2026-03-10T01:30:00+01:00[Europe/Berlin]");
        assert_eq!(clock::night_of(&late).to_string(), "2026-03-09");
        let evening = zoned("2026-03-10T22:10:00+01:00[Europe/Berlin]");
        assert_eq!(clock::night_of(&evening).to_string(), "2026-03-10");
        let morning = zoned("2026-03-10T07:00:00+01:00[Europe/Berlin]");
        assert_eq!(clock::night_of(&morning).to_string(), "2026-03-10");
    }

    #[test]
    fn the_local_time_is_the_persons_own_zone() {
        let profile = Profile {
            timezone: Some("Asia/Tokyo".into()),
            ..Profile::default()
        };
        // 14:30 UTC is 23:30 in Tokyo.
        let at: Timestamp = "2026-03-10T14:30:00Z"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let e = episode_at(Some(&profile), at).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.local_time.to_string(), "23:30");
        assert_eq!(e.night.to_string(), "2026-03-10");
    }
}
