//! The little dense linear algebra the models need: symmetric positive-definite systems of a
//! handful of unknowns. Written here because a matrix crate would cost more build time than
//! these forty lines. Index loops read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Square {
    pub n: usize,
    pub a: Vec<f64>,
}

impl Square {
    pub fn zeros(n: usize) -> Self {
        Self {
            n,
            a: vec![0.0; n * n],
        }
    }

    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }

    pub fn at_mut(&mut self, i: usize, j: usize) -> &mut f64 {
        &mut self.a[i * self.n + j]
    }

    /// Lower-triangular Cholesky factor, or `None` when the matrix is not positive definite
    /// (a design with a column that never varies, say).
    pub fn cholesky(&self) -> Option<Square> {
        let n = self.n;
        let mut l = Square::zeros(n);
        for i in 0..n {
            for j in 0..=i {
                let mut sum = self.at(i, j);
                for k in 0..j {
                    sum -= l.at(i, k) * l.at(j, k);
                }
                if i == j {
                    let floor = 1e-12 * self.at(i, i).abs().max(1e-300);
                    if sum.is_nan() || sum <= floor || !sum.is_finite() {
                        return None;
                    }
                    *l.at_mut(i, i) = sum.sqrt();
                } else {
                    *l.at_mut(i, j) = sum / l.at(j, j);
                }
            }
        }
        Some(l)
    }
}

/// The inverse and log-determinant of a symmetric positive-definite matrix.
pub(crate) struct Inverse {
    pub inv: Square,
    pub log_det: f64,
}

pub(crate) fn invert_spd(m: &Square) -> Option<Inverse> {
    let l = m.cholesky()?;
    let n = m.n;
    let log_det = 2.0 * (0..n).map(|i| l.at(i, i).ln()).sum::<f64>();
    // Solve L L' x = e_k for every unit vector.
    let mut inv = Square::zeros(n);
    for k in 0..n {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let mut s = if i == k { 1.0 } else { 0.0 };
            for j in 0..i {
                s -= l.at(i, j) * y[j];
            }
            y[i] = s / l.at(i, i);
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let mut s = y[i];
            for j in i + 1..n {
                s -= l.at(j, i) * x[j];
            }
            x[i] = s / l.at(i, i);
        }
        for (i, v) in x.into_iter().enumerate() {
            *inv.at_mut(i, k) = v;
        }
    }
    Some(Inverse { inv, log_det })
}

pub(crate) fn mul_vec(m: &Square, v: &[f64]) -> Vec<f64> {
    (0..m.n)
        .map(|i| (0..m.n).map(|j| m.at(i, j) * v[j]).sum())
        .collect()
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_a_known_matrix() {
        let m = Square {
            n: 2,
            a: vec![4.0, 2.0, 2.0, 3.0],
        };
        let inv = invert_spd(&m).expect("positive definite");
        // det = 8; inverse = [3 -2; -2 4] / 8
        assert!((inv.log_det - 8f64.ln()).abs() < 1e-12);
        let want = [3.0 / 8.0, -0.25, -0.25, 0.5];
        for (got, want) in inv.inv.a.iter().zip(want) {
            assert!((got - want).abs() < 1e-12);
        }
    }

    #[test]
    fn refuses_a_singular_matrix() {
        let m = Square {
            n: 2,
            a: vec![1.0, 1.0, 1.0, 1.0],
        };
        assert!(invert_spd(&m).is_none());
    }
}
