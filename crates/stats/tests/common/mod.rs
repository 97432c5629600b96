//! What the simulation suites share: AR(1) noise from a fixed seed, 0-10 scores, dates.
#![allow(dead_code)] // each test file uses its own part

use chacha20::ChaCha8Rng;
use jiff::civil::Date;
use rand_core::{Rng, SeedableRng};

/// Runs per scenario: 300 for the full suite (`QUIETLEGS_SIM_RUNS=300`), fewer by default so CI
/// stays quick.
pub fn runs(default: u32) -> u32 {
    std::env::var("QUIETLEGS_SIM_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub struct Noise {
    rng: ChaCha8Rng,
    rho: f64,
    sd: f64,
    last: f64,
}

impl Noise {
    pub fn new(seed: u64, rho: f64, sd: f64) -> Self {
        let mut n = Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            rho,
            sd,
            last: 0.0,
        };
        // Start from the stationary distribution.
        n.last = n.normal() * sd / (1.0 - rho * rho).sqrt();
        n
    }

    pub fn uniform(&mut self) -> f64 {
        (f64::from(self.rng.next_u32()) + 0.5) / 4_294_967_296.0
    }

    pub fn normal(&mut self) -> f64 {
        // Box-Muller.
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    pub fn next(&mut self) -> f64 {
        self.last = self.rho * self.last + self.sd * self.normal();
        self.last
    }
}

pub fn score(mean: f64, noise: f64) -> u8 {
    (mean + noise).round().clamp(0.0, 10.0) as u8
}

pub fn night(start: Date, i: i64) -> Date {
    start
        .checked_add(jiff::Span::new().days(i))
        .expect("date in range")
}
