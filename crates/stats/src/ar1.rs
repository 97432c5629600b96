//! Regression with AR(1) errors, fitted without a sampler: for each autocorrelation rho on a
//! grid, the Prais-Winsten-transformed model has a conjugate normal-inverse-gamma posterior;
//! the grid points are weighted by their marginal likelihood (analysis reference, section 2.3 E).
//!
//! Nights that were not logged break the chain: the night after a gap starts a new segment, as
//! the first night of a series does, instead of being paired with a night we know nothing about.
#![allow(clippy::needless_range_loop)] // index loops mirror the matrix formulas

use statrs::function::gamma::ln_gamma;

use crate::matrix::{Square, dot, invert_spd, mul_vec};
use crate::posterior::Posterior;

/// Prior variance of each coefficient, in units of the noise variance: vague on a 0-10 scale.
const PRIOR_VARIANCE: f64 = 1e4;
/// Inverse-gamma prior on the noise variance: vague.
const A0: f64 = 1e-3;
const B0: f64 = 1e-3;

/// Cross-products of the model's rows, gathered once so that every rho on the grid costs only
/// a few small matrix operations, whatever the number of nights.
#[derive(Debug, Clone)]
pub(crate) struct Ar1Data {
    /// Columns of the design, plus one for the outcome.
    q: usize,
    starts: Square,
    m0: Square,
    m1: Square,
    m2: Square,
    rows: usize,
    segments: usize,
    last: Option<(i64, [f64; MAX_COLUMNS])>,
}

/// Design columns plus the outcome; the models here use at most five.
const MAX_COLUMNS: usize = 8;

impl Ar1Data {
    /// A model with `p` covariates (include the intercept yourself).
    pub fn new(p: usize) -> Self {
        let q = p + 1;
        assert!(
            q <= MAX_COLUMNS,
            "a model with {p} columns is larger than this code expects"
        );
        Self {
            q,
            starts: Square::zeros(q),
            m0: Square::zeros(q),
            m1: Square::zeros(q),
            m2: Square::zeros(q),
            rows: 0,
            segments: 0,
            last: None,
        }
    }

    /// Adds the night numbered `day` (consecutive nights have consecutive numbers).
    pub fn push(&mut self, day: i64, x: &[f64], y: f64) {
        debug_assert_eq!(x.len() + 1, self.q);
        let mut z = [0.0; MAX_COLUMNS];
        z[..x.len()].copy_from_slice(x);
        z[x.len()] = y;
        match self.last.take() {
            Some((prev_day, prev)) if prev_day + 1 == day => {
                for i in 0..self.q {
                    for j in 0..self.q {
                        *self.m0.at_mut(i, j) += z[i] * z[j];
                        *self.m1.at_mut(i, j) += z[i] * prev[j];
                        *self.m2.at_mut(i, j) += prev[i] * prev[j];
                    }
                }
            }
            _ => {
                for i in 0..self.q {
                    for j in 0..self.q {
                        *self.starts.at_mut(i, j) += z[i] * z[j];
                    }
                }
                self.segments += 1;
            }
        }
        self.rows += 1;
        self.last = Some((day, z));
    }

    #[cfg(test)]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The posterior of `contrast . beta`, or `None` when the design cannot identify it (too
    /// few nights, or a column that never changes).
    pub fn fit(&self, contrast: &[f64]) -> Option<Posterior> {
        Posterior::averaged(vec![(0.0, self.fit_grid(contrast)?)])
    }

    /// The fit at every rho on the grid, each with its log marginal likelihood (up to terms
    /// shared by every model with the same number of nights and columns), so that fits of
    /// competing designs can be averaged.
    pub fn fit_grid(&self, contrast: &[f64]) -> Option<Vec<GridFit>> {
        let p = self.q - 1;
        if self.rows <= p + 1 || contrast.len() != p {
            return None;
        }
        let n = self.rows as f64;
        let fits: Vec<GridFit> = RHO_GRID
            .iter()
            .filter_map(|&rho| self.fit_at(rho, contrast, n))
            .collect();
        (!fits.is_empty()).then_some(fits)
    }

    fn fit_at(&self, rho: f64, contrast: &[f64], n: f64) -> Option<GridFit> {
        let s = self.solve(rho, n)?;
        let vc = mul_vec(&s.inverse.inv, contrast);
        let scale = (s.bn / s.an * dot(contrast, &vc)).sqrt();
        if !scale.is_finite() || scale <= 0.0 {
            return None;
        }
        Some(GridFit {
            rho,
            location: dot(contrast, &s.mean),
            scale,
            df: 2.0 * s.an,
            log_evidence: s.log_evidence,
        })
    }

    /// The predictive distribution of the next night with covariates `x`: given the night
    /// before (`previous`: its covariates and value) when it was logged, else from the noise's
    /// long-run spread. It holds both the noise and the uncertainty in the coefficients.
    pub fn predict(&self, x: &[f64], previous: Option<(&[f64], f64)>) -> Option<Posterior> {
        let p = self.q - 1;
        if self.rows <= p + 1 || x.len() != p || previous.is_some_and(|(xp, _)| xp.len() != p) {
            return None;
        }
        let n = self.rows as f64;
        let fits: Vec<GridFit> = RHO_GRID
            .iter()
            .filter_map(|&rho| {
                let s = self.solve(rho, n)?;
                let (c, shift, noise) = match previous {
                    Some((xp, yp)) => {
                        let c: Vec<f64> = x.iter().zip(xp).map(|(a, b)| a - rho * b).collect();
                        (c, rho * yp, 1.0)
                    }
                    None => (x.to_vec(), 0.0, 1.0 / (1.0 - rho * rho)),
                };
                let vc = mul_vec(&s.inverse.inv, &c);
                let scale = (s.bn / s.an * (noise + dot(&c, &vc))).sqrt();
                (scale.is_finite() && scale > 0.0).then(|| GridFit {
                    rho,
                    location: dot(&c, &s.mean) + shift,
                    scale,
                    df: 2.0 * s.an,
                    log_evidence: s.log_evidence,
                })
            })
            .collect();
        Posterior::averaged(vec![(0.0, fits)])
    }

    /// The conjugate posterior at one rho.
    fn solve(&self, rho: f64, n: f64) -> Option<Solved> {
        let q = self.q;
        let p = q - 1;
        let keep = 1.0 - rho * rho;
        // Z*'Z* for the transformed rows: segment starts scaled by sqrt(1 - rho^2), the others
        // differenced against the night before.
        let mut zz = Square::zeros(q);
        for i in 0..q {
            for j in 0..q {
                *zz.at_mut(i, j) = keep * self.starts.at(i, j) + self.m0.at(i, j)
                    - rho * (self.m1.at(i, j) + self.m1.at(j, i))
                    + rho * rho * self.m2.at(i, j);
            }
        }
        let mut precision = Square::zeros(p);
        let mut xty = vec![0.0; p];
        for i in 0..p {
            for j in 0..p {
                *precision.at_mut(i, j) = zz.at(i, j);
            }
            *precision.at_mut(i, i) += 1.0 / PRIOR_VARIANCE;
            xty[i] = zz.at(i, p);
        }
        let yty = zz.at(p, p);
        let inverse = invert_spd(&precision)?;
        let mean = mul_vec(&inverse.inv, &xty);
        let an = A0 + n / 2.0;
        let bn = B0 + 0.5 * (yty - dot(&mean, &xty)).max(0.0);
        // Terms that do not depend on rho are left out: only relative weights matter.
        let log_evidence = -0.5 * inverse.log_det - an * bn.ln()
            + 0.5 * self.segments as f64 * keep.ln()
            + ln_gamma(an)
            - ln_gamma(A0);
        Some(Solved {
            mean,
            inverse,
            an,
            bn,
            log_evidence,
        })
    }
}

struct Solved {
    mean: Vec<f64>,
    inverse: crate::matrix::Inverse,
    an: f64,
    bn: f64,
    log_evidence: f64,
}

/// The noise correlations tried: -0.9 to 0.9 by 0.05, and 0.95 and 0.98 so that slow flares
/// (nights that drift together for weeks) are read as noise, not as an effect.
const RHO_GRID: [f64; 39] = {
    let mut grid = [0.0; 39];
    let mut k = 0;
    while k < 37 {
        grid[k] = (k as f64 - 18.0) * 0.05;
        k += 1;
    }
    grid[37] = 0.95;
    grid[38] = 0.98;
    grid
};

/// One point of the rho grid.
pub(crate) struct GridFit {
    pub rho: f64,
    pub location: f64,
    pub scale: f64,
    pub df: f64,
    pub log_evidence: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_mean_difference_without_noise_correlation() {
        // Baseline 5, 6, 5, 6...; treatment 3, 4, 3, 4...: difference -2.
        let mut data = Ar1Data::new(2);
        for day in 0..40 {
            let on = day >= 20;
            let y = if on { 3.0 } else { 5.0 } + (day % 2) as f64;
            data.push(day, &[1.0, if on { 1.0 } else { 0.0 }], y);
        }
        let post = data.fit(&[0.0, 1.0]).expect("fit");
        assert!((post.median() + 2.0).abs() < 0.05, "{}", post.median());
        let [lo, hi] = post.ci95();
        assert!(lo < -2.0 && hi > -2.0 && hi < 0.0);
        // Alternating scores are strongly negatively correlated night to night.
        assert!(post.rho < -0.5, "{}", post.rho);
    }

    #[test]
    fn gaps_start_new_segments() {
        let mut data = Ar1Data::new(1);
        data.push(0, &[1.0], 1.0);
        data.push(1, &[1.0], 2.0);
        data.push(5, &[1.0], 3.0);
        assert_eq!(data.segments, 2);
        assert_eq!(data.rows(), 3);
    }

    #[test]
    fn too_few_nights_give_no_answer() {
        let mut data = Ar1Data::new(2);
        data.push(0, &[1.0, 0.0], 4.0);
        data.push(1, &[1.0, 1.0], 3.0);
        assert!(data.fit(&[0.0, 1.0]).is_none());
    }
}
