//! The posterior of one effect: a weighted mixture of Student-t distributions, one per value of
//! the autocorrelation that the data find plausible.

use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Component {
    pub weight: f64,
    pub location: f64,
    pub scale: f64,
    pub df: f64,
}

/// Components whose weight is below this share of the best one change nothing we report.
const NEGLIGIBLE: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    pub(crate) components: Vec<Component>,
    /// Posterior mean of the night-to-night autocorrelation.
    pub rho: f64,
    /// Nights that entered the model.
    pub nights: usize,
}

impl Posterior {
    /// P(effect <= x).
    pub fn cdf(&self, x: f64) -> f64 {
        self.components
            .iter()
            .map(|c| c.weight * t_cdf((x - c.location) / c.scale, c.df))
            .sum::<f64>()
            .clamp(0.0, 1.0)
    }

    /// The density at `x`.
    fn pdf(&self, x: f64) -> f64 {
        self.components
            .iter()
            .map(|c| c.weight * t_pdf((x - c.location) / c.scale, c.df) / c.scale)
            .sum()
    }

    /// The effect below which a share `p` of the posterior lies: Newton's method on the CDF,
    /// kept inside a bracket that bisection shrinks whenever a step would leave it. The CDF
    /// costs an incomplete beta function per component, so few steps matter.
    pub fn quantile(&self, p: f64) -> f64 {
        let (mut lo, mut hi) =
            self.components
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
                    (
                        lo.min(c.location - 60.0 * c.scale),
                        hi.max(c.location + 60.0 * c.scale),
                    )
                });
        let tolerance = 1e-9
            * self
                .components
                .iter()
                .map(|c| c.scale)
                .fold(f64::INFINITY, f64::min)
                .max(1e-12);
        let mut x = self
            .components
            .iter()
            .map(|c| c.weight * c.location)
            .sum::<f64>();
        for _ in 0..100 {
            let f = self.cdf(x) - p;
            if f < 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let density = self.pdf(x);
            let newton = x - f / density;
            let next = if density > 0.0 && newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if (next - x).abs() < tolerance || hi - lo < tolerance {
                return next;
            }
            x = next;
        }
        x
    }

    /// Averages competing models' grid fits: each `(log prior, fits)` weighted by its prior
    /// and each fit's marginal likelihood. `None` when nothing fitted.
    pub(crate) fn averaged(models: Vec<(f64, Vec<crate::ar1::GridFit>)>) -> Option<Posterior> {
        let best = models
            .iter()
            .flat_map(|(prior, fits)| fits.iter().map(move |f| prior + f.log_evidence))
            .fold(f64::NEG_INFINITY, f64::max);
        if !best.is_finite() {
            return None;
        }
        let mut components = Vec::new();
        let (mut rho, mut total) = (0.0, 0.0);
        for (prior, fits) in &models {
            for f in fits {
                let w = (prior + f.log_evidence - best).exp();
                if w < NEGLIGIBLE {
                    continue;
                }
                total += w;
                rho += w * f.rho;
                components.push(Component {
                    weight: w,
                    location: f.location,
                    scale: f.scale,
                    df: f.df,
                });
            }
        }
        for c in &mut components {
            c.weight /= total;
        }
        // Each fit's degrees of freedom are its nights (plus a vague prior's tiny share).
        let nights = models
            .first()
            .and_then(|(_, fits)| fits.first())
            .map_or(0, |f| f.df.floor() as usize);
        Some(Posterior {
            components,
            rho: rho / total,
            nights,
        })
    }

    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The central 95 % interval.
    pub fn ci95(&self) -> [f64; 2] {
        [self.quantile(0.025), self.quantile(0.975)]
    }

    /// A two-sided tail probability: twice the smaller of P(effect < 0) and P(effect > 0).
    /// Under the flat prior used here it matches the classical GLS t-test at a fixed rho.
    pub fn two_sided_p(&self) -> f64 {
        let below = self.cdf(0.0);
        (2.0 * below.min(1.0 - below)).min(1.0)
    }
}

fn t_pdf(z: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.pdf(z),
        Err(_) => 0.0,
    }
}

fn t_cdf(z: f64, df: f64) -> f64 {
    if !z.is_finite() {
        return if z > 0.0 { 1.0 } else { 0.0 };
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.cdf(z),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(location: f64, scale: f64, df: f64) -> Posterior {
        Posterior {
            components: vec![Component {
                weight: 1.0,
                location,
                scale,
                df,
            }],
            rho: 0.0,
            nights: 10,
        }
    }

    #[test]
    fn quantiles_of_a_t_distribution() {
        let p = single(-2.0, 0.5, 30.0);
        assert!((p.median() + 2.0).abs() < 1e-6, "{}", p.median());
        let [lo, hi] = p.ci95();
        // t(30) 97.5 % quantile is 2.0423
        assert!((hi - (-2.0 + 0.5 * 2.0423)).abs() < 1e-3, "{hi}");
        assert!((lo - (-2.0 - 0.5 * 2.0423)).abs() < 1e-3, "{lo}");
        assert!(p.two_sided_p() < 0.001);
    }

    #[test]
    fn a_mixture_sits_between_its_parts() {
        let mut p = single(0.0, 1.0, 50.0);
        p.components[0].weight = 0.5;
        p.components.push(Component {
            weight: 0.5,
            location: 4.0,
            scale: 1.0,
            df: 50.0,
        });
        assert!((p.median() - 2.0).abs() < 1e-6);
        assert!((p.cdf(2.0) - 0.5).abs() < 1e-9);
    }
}
