//! Randomised on/off schedules for reversible changes, and the exact randomisation test that
//! the randomisation makes valid (analysis reference, section 2.2-2.3 C).
//!
//! Each pair of periods is "on then off" or "off then on" by a fair coin. The coins come from a
//! ChaCha8 stream seeded with a recorded number, so the schedule can be rebuilt, audited and
//! analysed later from the seed alone.

use chacha20::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Enumerate every sign pattern up to this many pairs; sample beyond.
const EXACT_PAIRS: usize = 20;
const MONTE_CARLO_DRAWS: u32 = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// The change first, then the period without it.
    OnOff,
    /// Without it first, then the change.
    OffOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbabSchedule {
    pub seed: u64,
    pub pairs: u32,
    pub period_nights: u32,
}

impl From<quietlegs_core::journal::OnOffSchedule> for AbabSchedule {
    fn from(s: quietlegs_core::journal::OnOffSchedule) -> Self {
        Self {
            seed: s.seed,
            pairs: s.pairs,
            period_nights: s.period_nights,
        }
    }
}

impl AbabSchedule {
    /// The order of each pair, rebuilt from the seed.
    pub fn orders(&self) -> Vec<Order> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        (0..self.pairs)
            .map(|_| {
                if rng.next_u32() & 1 == 1 {
                    Order::OnOff
                } else {
                    Order::OffOn
                }
            })
            .collect()
    }

    pub fn total_nights(&self) -> u32 {
        2 * self.pairs * self.period_nights
    }

    /// Whether the change is on, `day` nights after the schedule starts; `None` outside it.
    pub fn on_at(&self, day: i64) -> Option<bool> {
        if day < 0 || day >= i64::from(self.total_nights()) || self.period_nights == 0 {
            return None;
        }
        let period = day / i64::from(self.period_nights);
        let order = *self.orders().get((period / 2) as usize)?;
        let first = period % 2 == 0;
        Some(match order {
            Order::OnOff => first,
            Order::OffOn => !first,
        })
    }

    /// The smallest one-sided p-value this many pairs can ever give: 1 / 2^pairs. Five pairs
    /// are needed to get below 0.05.
    pub fn smallest_p(&self) -> f64 {
        0.5f64.powi(self.pairs.min(1000) as i32)
    }
}

/// One-sided exact randomisation p-value for "the change lowers severity", from the per-pair
/// differences (on minus off). Under no effect each difference could equally have had the
/// opposite sign, so the p-value is the share of sign patterns whose mean is at most the one
/// observed.
pub fn exact_randomisation_p(diffs: &[f64]) -> f64 {
    let j = diffs.len();
    if j == 0 {
        return 1.0;
    }
    let observed: f64 = diffs.iter().sum();
    // Sums are compared with a little slack so that ties from rounding count as ties.
    let slack = 1e-9 * (1.0 + diffs.iter().map(|d| d.abs()).sum::<f64>());
    if j <= EXACT_PAIRS {
        let total = 1u64 << j;
        let at_most = (0..total)
            .filter(|mask| {
                let sum: f64 = diffs
                    .iter()
                    .enumerate()
                    .map(|(i, d)| if mask >> i & 1 == 1 { -d } else { *d })
                    .sum();
                sum <= observed + slack
            })
            .count();
        return at_most as f64 / total as f64;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(j as u64);
    let mut at_most = 1u32; // the observed pattern itself
    for _ in 0..MONTE_CARLO_DRAWS {
        let sum: f64 = diffs
            .iter()
            .map(|d| if rng.next_u32() & 1 == 1 { -d } else { *d })
            .sum();
        if sum <= observed + slack {
            at_most += 1;
        }
    }
    f64::from(at_most) / f64::from(MONTE_CARLO_DRAWS + 1)
}

/// The randomisation test on a person's nights: per period, the mean severity after the first
/// `washout` nights (at most half the period) are dropped.
pub(crate) fn randomisation_p(
    schedule: &AbabSchedule,
    nights: &[(i64, f64)],
    washout: u32,
) -> Option<f64> {
    let period = i64::from(schedule.period_nights.max(1));
    let washout = i64::from(washout).min(period / 2);
    let periods = 2 * schedule.pairs as usize;
    let mut sums = vec![(0.0, 0usize); periods];
    for &(day, severity) in nights {
        let k = day / period;
        if day < 0 || k as usize >= periods || day % period < washout {
            continue;
        }
        sums[k as usize].0 += severity;
        sums[k as usize].1 += 1;
    }
    let diffs: Vec<f64> = schedule
        .orders()
        .iter()
        .enumerate()
        .filter_map(|(j, order)| {
            let (a, b) = (sums[2 * j], sums[2 * j + 1]);
            if a.1 == 0 || b.1 == 0 {
                return None;
            }
            let (first, second) = (a.0 / a.1 as f64, b.0 / b.1 as f64);
            Some(match order {
                Order::OnOff => first - second,
                Order::OffOn => second - first,
            })
        })
        .collect();
    (!diffs.is_empty()).then(|| exact_randomisation_p(&diffs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_rebuilds_the_same_schedule() {
        let s = AbabSchedule {
            seed: 20261123,
            pairs: 6,
            period_nights: 7,
        };
        assert_eq!(s.orders(), s.orders());
        let other = AbabSchedule { seed: 1, ..s };
        // Different seeds give different schedules (for these two seeds, checked once).
        let many = AbabSchedule { pairs: 64, ..s };
        let many_other = AbabSchedule { pairs: 64, ..other };
        assert_ne!(many.orders(), many_other.orders());
        // Each pair has one period on and one off.
        for pair in 0..6 {
            let a = s.on_at(pair * 14).expect("in schedule");
            let b = s.on_at(pair * 14 + 7).expect("in schedule");
            assert_ne!(a, b);
        }
        assert_eq!(s.on_at(84), None);
        assert_eq!(s.on_at(-1), None);
    }

    #[test]
    fn coins_are_fair_over_many_pairs() {
        let s = AbabSchedule {
            seed: 7,
            pairs: 10_000,
            period_nights: 7,
        };
        let on_first = s.orders().iter().filter(|o| **o == Order::OnOff).count();
        assert!((4_800..5_200).contains(&on_first), "{on_first}");
    }

    #[test]
    fn exact_p_values() {
        // All five pairs better on the change: only the observed pattern is as extreme.
        assert_eq!(
            exact_randomisation_p(&[-1.0, -2.0, -1.5, -0.5, -1.0]),
            1.0 / 32.0
        );
        // Four pairs can never reach 0.05.
        assert_eq!(exact_randomisation_p(&[-1.0; 4]), 1.0 / 16.0);
        // No difference at all: every pattern ties.
        assert_eq!(exact_randomisation_p(&[0.0; 3]), 1.0);
        assert_eq!(exact_randomisation_p(&[]), 1.0);
    }

    #[test]
    fn monte_carlo_agrees_with_enumeration_in_spirit() {
        let diffs: Vec<f64> = (0..24)
            .map(|i| if i % 3 == 0 { 0.5 } else { -1.0 })
            .collect();
        let p = exact_randomisation_p(&diffs);
        assert!(p < 0.01, "{p}");
    }
}
