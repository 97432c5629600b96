//! Augmentation watch: on levodopa or a dopamine agonist, RLS can be made worse by the medicine
//! itself, and the first signs a journal can hold are symptoms that start earlier in the day
//! and symptoms that spread beyond the legs (clinical.md, "Why the dopamine agonists were
//! downgraded", Allen et al. 2011). This reads both from the person's own recent nights and
//! says whether they are there, with the evidence; whether the person is on such a medicine is
//! the caller's question.

use jiff::ToSpan;
use jiff::civil::Date;
use quietlegs_core::journal::NightEntry;
use quietlegs_core::profile::ClockTime;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, DiscreteCDF, Hypergeometric, StudentsT};

/// The weeks looked at: long enough for a drift to show, short enough to be about now.
pub const WINDOW_DAYS: i64 = 84;
/// Start times needed, spread over at least [`MIN_SPAN_DAYS`], before a trend is estimated.
pub const MIN_ONSET_NIGHTS: usize = 12;
pub const MIN_SPAN_DAYS: i64 = 28;
/// A shift smaller than this is within how much a start time wanders; the clinical criteria
/// for augmentation speak of hours earlier (MPI criteria: 2 to 4 hours with other signs).
pub const MIN_SHIFT_MINUTES: f64 = 60.0;
/// The recent part of the window in which spreading is counted against the part before it.
pub const RECENT_DAYS: i64 = 28;
/// Nights beyond the legs in the recent part before it counts as a sign.
pub const MIN_SPREAD_NIGHTS: usize = 3;
/// How unlikely the recent rise must be under "no change" to count as new spreading.
pub const SPREAD_P: f64 = 0.05;

/// The start time's straight-line trend over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnsetTrend {
    /// Nights with a start time, and the days from the first to the last of them.
    pub nights: usize,
    pub days: i64,
    /// Minutes the fitted start time moved from the first to the last of those nights
    /// (negative = earlier), with its 95 % interval.
    pub shift_minutes: f64,
    pub ci95: [f64; 2],
    /// The fitted start time at the first and at the last of those nights.
    pub from: ClockTime,
    pub to: ClockTime,
}

impl OnsetTrend {
    /// Earlier by at least [`MIN_SHIFT_MINUTES`], with a 95 % interval that stays below half of
    /// that: "no change" and a drift of a few minutes a week are both ruled out, so a start time
    /// that merely wanders does not send someone to their prescriber.
    pub fn is_earlier(&self) -> bool {
        self.shift_minutes <= -MIN_SHIFT_MINUTES && self.ci95[1] < -MIN_SHIFT_MINUTES / 2.0
    }
}

/// Nights with symptoms beyond the legs, recently and before, among nights that say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub recent: usize,
    pub recent_recorded: usize,
    pub earlier: usize,
    pub earlier_recorded: usize,
}

impl Spread {
    /// At least [`MIN_SPREAD_NIGHTS`] recently and, when the weeks before were recorded too, a
    /// share clearly above theirs (one-sided Fisher exact test, p < [`SPREAD_P`]): spreading
    /// that was always there is not new, and a couple of extra nights is not a change.
    pub fn is_new(&self) -> bool {
        if self.recent < MIN_SPREAD_NIGHTS {
            return false;
        }
        if self.earlier_recorded == 0 {
            return true;
        }
        self.increase_p().is_some_and(|p| p < SPREAD_P)
    }

    /// The chance of at least this many recent nights beyond the legs if the recent weeks were
    /// no different from the ones before (hypergeometric tail).
    pub fn increase_p(&self) -> Option<f64> {
        let total = (self.recent_recorded + self.earlier_recorded) as u64;
        let beyond = (self.recent + self.earlier) as u64;
        let draws = self.recent_recorded as u64;
        let tail = Hypergeometric::new(total, beyond, draws).ok()?;
        Some(match self.recent {
            0 => 1.0,
            r => tail.sf(r as u64 - 1),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AugmentationWatch {
    /// `None` until there are enough start times.
    pub onset: Option<OnsetTrend>,
    /// `None` when no night in the window says where the symptoms were.
    pub spread: Option<Spread>,
}

impl AugmentationWatch {
    /// Whether the journal shows a sign worth a doctor's look.
    pub fn has_signs(&self) -> bool {
        self.onset.as_ref().is_some_and(OnsetTrend::is_earlier)
            || self.spread.as_ref().is_some_and(Spread::is_new)
    }
}

/// Reads the last [`WINDOW_DAYS`] before and including `today` (the person's own date).
pub fn watch(nights: &[NightEntry], today: Date) -> AugmentationWatch {
    let start = today.checked_sub((WINDOW_DAYS - 1).days()).unwrap_or(today);
    let recent_start = today.checked_sub((RECENT_DAYS - 1).days()).unwrap_or(today);
    let window: Vec<(Date, &NightEntry)> = nights
        .iter()
        .filter_map(|n| n.night.map(|d| (d, n)))
        .filter(|(d, _)| (start..=today).contains(d))
        .collect();
    let onsets: Vec<(f64, f64)> = window
        .iter()
        .filter_map(|(d, n)| {
            n.onset
                .map(|t| ((*d - start).get_days() as f64, from_noon(t)))
        })
        .collect();
    let mut spread = Spread {
        recent: 0,
        recent_recorded: 0,
        earlier: 0,
        earlier_recorded: 0,
    };
    for (d, n) in &window {
        let Some(beyond) = n.beyond_legs else {
            continue;
        };
        if *d >= recent_start {
            spread.recent_recorded += 1;
            spread.recent += usize::from(beyond);
        } else {
            spread.earlier_recorded += 1;
            spread.earlier += usize::from(beyond);
        }
    }
    AugmentationWatch {
        onset: onset_trend(&onsets),
        spread: (spread.recent_recorded + spread.earlier_recorded > 0).then_some(spread),
    }
}

/// Minutes after noon, so an evening that runs past midnight stays in order (01:00 is later
/// than 23:00) and a start in the afternoon reads as earlier.
fn from_noon(t: ClockTime) -> f64 {
    f64::from((i32::from(t.minutes()) - 720).rem_euclid(1440))
}

fn clock_from_noon(minutes: f64) -> Option<ClockTime> {
    let m = (minutes.round() as i64 + 720).rem_euclid(1440);
    ClockTime::new((m / 60) as u8, (m % 60) as u8)
}

/// Least squares on the day, the slope's standard error widened for the correlation of one
/// night with the next (start times come in runs), and a t interval.
fn onset_trend(points: &[(f64, f64)]) -> Option<OnsetTrend> {
    let n = points.len();
    let first = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let last = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let span = last - first;
    if n < MIN_ONSET_NIGHTS || span < MIN_SPAN_DAYS as f64 {
        return None;
    }
    let nf = n as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    let residuals: Vec<f64> = points
        .iter()
        .map(|p| p.1 - mean_y - slope * (p.0 - mean_x))
        .collect();
    let rss: f64 = residuals.iter().map(|r| r * r).sum();
    let sigma2 = rss / (nf - 2.0);
    let lag: f64 = residuals.windows(2).map(|w| w[0] * w[1]).sum();
    let rho = if rss > 0.0 {
        (lag / rss).clamp(0.0, 0.9)
    } else {
        0.0
    };
    let se = (sigma2 / sxx).sqrt() * ((1.0 + rho) / (1.0 - rho)).sqrt();
    let t = StudentsT::new(0.0, 1.0, nf - 2.0)
        .map(|d| d.inverse_cdf(0.975))
        .unwrap_or(1.96);
    let shift = slope * span;
    let half = t * se * span;
    if !(shift.is_finite() && half.is_finite()) {
        return None;
    }
    let at = |x: f64| mean_y + slope * (x - mean_x);
    Some(OnsetTrend {
        nights: n,
        days: span as i64,
        shift_minutes: shift,
        ci95: [shift - half, shift + half],
        from: clock_from_noon(at(first))?,
        to: clock_from_noon(at(last))?,
    })
}

/// The evidence in a sentence for a doctor-level flag, or `None` when there is no sign.
pub fn describe(watch: &AugmentationWatch) -> Option<String> {
    if !watch.has_signs() {
        return None;
    }
    let mut evidence = Vec::new();
    if let Some(o) = watch.onset.as_ref().filter(|o| o.is_earlier()) {
        evidence.push(format!(
            "your symptoms have been starting earlier: from about {} to about {} over {} days \
             ({} nights with a start time), {} earlier (95 % interval {} to {})",
            o.from,
            o.to,
            o.days,
            o.nights,
            duration(-o.shift_minutes),
            duration(-o.ci95[1]),
            duration(-o.ci95[0]),
        ));
    }
    if let Some(s) = watch.spread.as_ref().filter(|s| s.is_new()) {
        evidence.push(format!(
            "on {} of the last {} nights you noted them beyond your legs ({} of {} in the weeks \
             before)",
            s.recent, s.recent_recorded, s.earlier, s.earlier_recorded
        ));
    }
    Some(format!(
        "In your journal, {}. On a dopamine medicine these are signs of augmentation, where the \
         medicine itself makes RLS worse. Show this to your prescriber soon; do not raise the \
         dose or stop it on your own.",
        evidence.join("; and ")
    ))
}

fn duration(minutes: f64) -> String {
    let m = minutes.max(0.0).round() as i64;
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn night(d: Date, onset: Option<&str>, beyond: Option<bool>) -> NightEntry {
        NightEntry {
            night: Some(d),
            severity: 5,
            onset: onset.and_then(|t| t.parse().ok()),
            beyond_legs: beyond,
            ..NightEntry::default()
        }
    }

    #[test]
    fn past_midnight_is_later_than_the_evening() {
        let t = |s: &str| from_noon(s.parse().expect("time"));
        assert!(t("01:00") > t("23:00"));
        assert!(t("15:00") < t("21:00"));
        assert_eq!(
            clock_from_noon(t("00:30")).map(|c| c.to_string()),
            Some("00:30".into())
        );
    }

    #[test]
    fn a_start_two_hours_earlier_over_ten_weeks_is_a_sign() {
        let today = date(2026, 11, 30);
        let nights: Vec<NightEntry> = (0..70)
            .map(|i| {
                let d = today.checked_sub((69 - i).days()).expect("date");
                // 23:00 drifting to 21:00, wobbling by 20 minutes.
                let m = 23 * 60 - i * 120 / 69 + [0, 20, -15, 10, -20][i as usize % 5];
                night(d, Some(&format!("{:02}:{:02}", m / 60, m % 60)), None)
            })
            .collect();
        let w = watch(&nights, today);
        let o = w.onset.as_ref().expect("trend");
        assert!(o.is_earlier(), "{o:?}");
        assert!((o.shift_minutes + 120.0).abs() < 25.0, "{o:?}");
        let text = describe(&w).expect("flagged");
        assert!(
            text.contains("prescriber") && text.contains("95 % interval"),
            "{text}"
        );
    }

    #[test]
    fn too_few_start_times_say_nothing() {
        let today = date(2026, 11, 30);
        let nights: Vec<NightEntry> = (0..10)
            .map(|i| {
                night(
                    today.checked_sub((i * 5).days()).expect("d"),
                    Some("20:00"),
                    None,
                )
            })
            .collect();
        let w = watch(&nights, today);
        assert!(w.onset.is_none() && w.spread.is_none() && !w.has_signs());
        assert!(describe(&w).is_none());
    }

    #[test]
    fn spreading_counts_when_it_is_new() {
        let today = date(2026, 11, 30);
        let mut nights: Vec<NightEntry> = (0..60)
            .map(|i| {
                let d = today.checked_sub((59 - i).days()).expect("d");
                night(d, None, Some(i >= 54))
            })
            .collect();
        let w = watch(&nights, today);
        assert!(w.spread.as_ref().is_some_and(Spread::is_new), "{w:?}");
        // Spreading all along is not a new sign.
        for n in nights.iter_mut().step_by(3) {
            n.beyond_legs = Some(true);
        }
        let w = watch(&nights, today);
        let s = w.spread.as_ref().expect("recorded");
        assert!(s.recent >= MIN_SPREAD_NIGHTS);
        assert!(!s.is_new(), "{s:?}");
    }

    #[test]
    fn a_couple_of_extra_nights_is_not_a_change() {
        let s = Spread {
            recent: 3,
            recent_recorded: 28,
            earlier: 2,
            earlier_recorded: 56,
        };
        assert!(s.increase_p().expect("p") > SPREAD_P, "{s:?}");
        assert!(!s.is_new());
        let risen = Spread { recent: 9, ..s };
        assert!(risen.is_new(), "{:?}", risen.increase_p());
    }
}
