//! Which habits go with worse (or better) nights? Observational, so every finding is worded as
//! an association. Each factor gets its own regression with AR(1) errors: severity on the
//! exposure that night and the night before, plus a linear trend. Benjamini-Hochberg controls
//! the false discoveries across all factors and lags, and nothing is judged on fewer than ten
//! nights with and ten without.

use serde::Serialize;

use crate::ar1::Ar1Data;
use crate::experiment::is_night_by_night;
use crate::round;
use crate::series::{Night, Series};
use crate::{Options, Posterior};

/// Nights needed on each side (the analysis reference recommends ten; three is too permissive).
pub(crate) const MIN_EACH_SIDE: usize = 10;
/// False-discovery rate. Stricter than the usual 0.10: a null factor in a realistic journal is
/// then flagged well under one time in ten, and we would rather miss a weak link than invent one.
const FDR: f64 = 0.05;
/// Sleep below this many hours counts as a short night.
const SHORT_SLEEP_HOURS: f64 = 6.0;
/// Without a bedtime, exercise ending at or after this hour counts as late.
const LATE_EXERCISE_HOUR: u16 = 19;
/// Caffeine at or after this hour counts as late (the reference's example: after 14:00).
const LATE_CAFFEINE_HOUR: u16 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriggerVerdict {
    LikelyTrigger,
    LikelyProtective,
    NoEvidence,
    InsufficientData,
}

impl TriggerVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LikelyTrigger => "likely-trigger",
            Self::LikelyProtective => "likely-protective",
            Self::NoEvidence => "no-evidence",
            Self::InsufficientData => "insufficient-data",
        }
    }
}

/// One factor at one lag (spec section 6, with extra fields after the spec's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggerResult {
    pub factor: String,
    #[serde(serialize_with = "round::two")]
    pub effect: Option<f64>,
    #[serde(serialize_with = "round::pair")]
    pub ci95: Option<[f64; 2]>,
    #[serde(serialize_with = "round::significant")]
    pub q_value: Option<f64>,
    pub exposed_nights: usize,
    pub unexposed_nights: usize,
    pub verdict: TriggerVerdict,
    /// 0: the same night; 1: the night after.
    pub lag: u8,
    #[serde(serialize_with = "round::significant")]
    pub p_value: Option<f64>,
    pub explanation: String,
}

type Exposure<'a> = Box<dyn Fn(Option<&Night>, &Night) -> Option<bool> + 'a>;

struct Factor<'a> {
    id: String,
    exposure: Exposure<'a>,
    /// Whether a next-night effect is tested too.
    next_night: bool,
}

fn factors<'a>(series: &'a Series, skip: &[&str], options: &Options) -> Vec<Factor<'a>> {
    let late_exercise = options
        .bedtime_minutes
        .map_or(LATE_EXERCISE_HOUR * 60, |bed| {
            (bed + 24 * 60 - 180) % (24 * 60)
        });
    let mut out: Vec<Factor<'a>> = vec![
        Factor {
            id: "alcohol".into(),
            exposure: Box::new(|_, n| n.entry.alcohol_drinks.map(|d| d > 0.0)),
            next_night: true,
        },
        Factor {
            id: "caffeine".into(),
            exposure: Box::new(|_, n| n.entry.caffeine_mg.map(|mg| mg > 0.0)),
            next_night: true,
        },
        Factor {
            id: "caffeine-late".into(),
            exposure: Box::new(|_, n| {
                let e = n.entry;
                match (e.caffeine_mg, e.last_caffeine) {
                    (Some(mg), _) if mg <= 0.0 => Some(false),
                    (_, Some(t)) => Some(is_late(t.minutes(), LATE_CAFFEINE_HOUR * 60)),
                    _ => None,
                }
            }),
            next_night: true,
        },
        Factor {
            id: "late-vigorous-exercise".into(),
            exposure: Box::new(move |_, n| {
                let e = n.entry;
                if e.exercise_minutes.is_some_and(|m| m <= 0.0) {
                    return Some(false);
                }
                let vigorous =
                    e.exercise_intensity? == quietlegs_core::journal::Intensity::Vigorous;
                Some(vigorous && is_late(e.exercise_end?.minutes(), late_exercise))
            }),
            next_night: true,
        },
        Factor {
            id: "exercise".into(),
            exposure: Box::new(|_, n| n.entry.exercise_minutes.map(|m| m >= 30.0)),
            next_night: true,
        },
        Factor {
            id: "sugar".into(),
            exposure: Box::new(|_, n| n.entry.sugar_late),
            next_night: true,
        },
        Factor {
            id: "sedating-antihistamine".into(),
            exposure: Box::new(|_, n| n.entry.antihistamine),
            next_night: true,
        },
        Factor {
            // Tonight's sleep is partly an outcome of tonight's legs, so only last night's
            // short sleep is tested as a cause of worse legs tonight.
            id: "sleep-loss".into(),
            exposure: Box::new(|prev, n| {
                let prev = prev.filter(|p| p.day + 1 == n.day)?;
                prev.entry.sleep_hours.map(|h| h < SHORT_SLEEP_HOURS)
            }),
            next_night: false,
        },
    ];
    for id in series.took_ids() {
        let column = series.took(id);
        if skip.contains(&id) || !is_night_by_night(&column) {
            continue;
        }
        let column = column.into_owned();
        out.push(Factor {
            id: id.to_string(),
            exposure: Box::new(move |_, n| column[n.index]),
            next_night: true,
        });
    }
    out
}

/// Whether a clock time falls in the evening window from `from` until 05:00.
fn is_late(minutes: u16, from: u16) -> bool {
    minutes >= from || minutes < 5 * 60
}

struct Fitted {
    result: TriggerResult,
    p: Option<f64>,
}

pub(crate) fn analyse(series: &Series, skip: &[&str], options: &Options) -> Vec<TriggerResult> {
    let factors = factors(series, skip, options);
    let exposures: Vec<Vec<Option<bool>>> = factors.iter().map(|f| exposure(series, f)).collect();
    let mut fitted: Vec<Fitted> = Vec::new();
    for (k, factor) in factors.iter().enumerate() {
        let with = companions(&factors, &exposures, k);
        fitted.extend(analyse_factor(series, factor, &exposures[k], &with));
    }
    apply_fdr(&mut fitted);
    let mut out: Vec<TriggerResult> = fitted.into_iter().map(|f| f.result).collect();
    // Findings first, strongest first; then the rest in the order factors were defined.
    out.sort_by(|a, b| {
        let flagged = |r: &TriggerResult| {
            matches!(
                r.verdict,
                TriggerVerdict::LikelyTrigger | TriggerVerdict::LikelyProtective
            )
        };
        flagged(b).cmp(&flagged(a)).then_with(|| {
            if flagged(a) {
                a.q_value
                    .unwrap_or(1.0)
                    .total_cmp(&b.q_value.unwrap_or(1.0))
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    for r in &mut out {
        r.explanation = explain(r);
    }
    out
}

/// A factor's exposure, night by night.
fn exposure(series: &Series, factor: &Factor) -> Vec<Option<bool>> {
    let mut z: Vec<Option<bool>> = Vec::with_capacity(series.len());
    let mut prev: Option<&Night> = None;
    for n in &series.nights {
        z.push((factor.exposure)(prev, n));
        prev = Some(n);
    }
    z
}

/// Two habits this closely tied (phi correlation) are adjusted for each other: caffeine that
/// mostly comes with alcohol is then not blamed for the alcohol.
const TIED: f64 = 0.3;
/// At most this many companions per factor: the model's columns are few.
const MAX_COMPANIONS: usize = 2;

/// The other habits that ride with factor `k`, most tied first. A factor is never adjusted for
/// its own kind (caffeine for late caffeine, exercise for late vigorous exercise): one is part
/// of the other.
fn companions<'e>(
    factors: &[Factor],
    exposures: &'e [Vec<Option<bool>>],
    k: usize,
) -> Vec<&'e [Option<bool>]> {
    let family = |id: &str| {
        id.split('-')
            .find(|w| *w != "late" && *w != "vigorous")
            .map(str::to_string)
    };
    let mut tied: Vec<(f64, usize)> = (0..factors.len())
        .filter(|&j| j != k && family(&factors[j].id) != family(&factors[k].id))
        .filter_map(|j| phi(&exposures[k], &exposures[j]).map(|r| (r.abs(), j)))
        .filter(|(r, _)| *r >= TIED)
        .collect();
    tied.sort_by(|a, b| b.0.total_cmp(&a.0));
    tied.into_iter()
        .take(MAX_COMPANIONS)
        .map(|(_, j)| exposures[j].as_slice())
        .collect()
}

/// The correlation of two yes/no columns over the nights where both are known.
fn phi(a: &[Option<bool>], b: &[Option<bool>]) -> Option<f64> {
    let mut n = [[0.0f64; 2]; 2];
    for (x, y) in a.iter().zip(b) {
        if let (Some(x), Some(y)) = (x, y) {
            n[usize::from(*x)][usize::from(*y)] += 1.0;
        }
    }
    let row = |i: usize| n[i][0] + n[i][1];
    let col = |j: usize| n[0][j] + n[1][j];
    let d = (row(0) * row(1) * col(0) * col(1)).sqrt();
    (d > 0.0 && row(0) + row(1) >= 2.0 * MIN_EACH_SIDE as f64)
        .then(|| (n[1][1] * n[0][0] - n[1][0] * n[0][1]) / d)
}

/// Friday and Saturday evenings: weekends are often worse (or better) by themselves, and habits
/// that come with weekends must not take the blame for them.
fn is_weekend(n: &Night) -> bool {
    matches!(
        n.date.weekday(),
        jiff::civil::Weekday::Friday | jiff::civil::Weekday::Saturday
    )
}

fn analyse_factor(
    series: &Series,
    factor: &Factor,
    z: &[Option<bool>],
    companions: &[&[Option<bool>]],
) -> Vec<Fitted> {
    if z.iter().all(Option::is_none) {
        return Vec::new();
    }
    // Rows: nights whose exposure is known and, when the next-night effect is tested, whose
    // previous night is logged with the exposure known too.
    let lagged = |i: usize| -> Option<bool> {
        (i > 0 && series.nights[i - 1].day + 1 == series.nights[i].day)
            .then(|| z[i - 1])
            .flatten()
    };
    let rows0: Vec<usize> = (0..series.len()).filter(|&i| z[i].is_some()).collect();
    let (ex0, un0) = count(rows0.iter().map(|&i| z[i]));
    let mut out = Vec::new();
    if ex0 < MIN_EACH_SIDE || un0 < MIN_EACH_SIDE {
        out.push(insufficient(&factor.id, 0, ex0, un0));
        return out;
    }
    let rows1: Vec<usize> = rows0
        .iter()
        .copied()
        .filter(|&i| lagged(i).is_some())
        .collect();
    let (ex1, un1) = count(rows1.iter().map(|&i| lagged(i)));
    let with_next = factor.next_night && ex1 >= MIN_EACH_SIDE && un1 >= MIN_EACH_SIDE;
    let rows = if with_next { &rows1 } else { &rows0 };
    let (ex0, un0) = count(rows.iter().map(|&i| z[i]));
    let years = |i: usize| series.nights[i].day as f64 / 365.25;
    let mean_t = rows.iter().map(|&i| years(i)).sum::<f64>() / rows.len().max(1) as f64;
    let weekends = rows
        .iter()
        .filter(|&&i| is_weekend(&series.nights[i]))
        .count();
    let with_weekend = weekends >= MIN_EACH_SIDE && rows.len() - weekends >= MIN_EACH_SIDE;
    let p = 3 + usize::from(with_next) + usize::from(with_weekend) + companions.len();
    let mut data = Ar1Data::new(p);
    let flag = |b: Option<bool>| if b == Some(true) { 1.0 } else { 0.0 };
    for &i in rows {
        let mut x = vec![1.0, flag(z[i]), years(i) - mean_t];
        if with_next {
            x.push(flag(lagged(i)));
        }
        if with_weekend {
            x.push(f64::from(u8::from(is_weekend(&series.nights[i]))));
        }
        // A companion not recorded that night counts as absent: dropping the night would cost
        // more than the small blur it adds to the adjustment.
        x.extend(companions.iter().map(|c| flag(c[i])));
        data.push(series.nights[i].day, &x, series.nights[i].severity);
    }
    let mut c0 = vec![0.0; p];
    c0[1] = 1.0;
    out.push(fitted(&factor.id, 0, ex0, un0, data.fit(&c0)));
    if with_next {
        let mut c1 = vec![0.0; p];
        c1[3] = 1.0;
        out.push(fitted(&factor.id, 1, ex1, un1, data.fit(&c1)));
    } else if factor.next_night {
        out.push(insufficient(&factor.id, 1, ex1, un1));
    }
    out
}

fn count(values: impl Iterator<Item = Option<bool>>) -> (usize, usize) {
    values.fold((0, 0), |(e, u), v| match v {
        Some(true) => (e + 1, u),
        Some(false) => (e, u + 1),
        None => (e, u),
    })
}

fn insufficient(factor: &str, lag: u8, exposed: usize, unexposed: usize) -> Fitted {
    Fitted {
        result: TriggerResult {
            factor: factor.to_string(),
            effect: None,
            ci95: None,
            q_value: None,
            exposed_nights: exposed,
            unexposed_nights: unexposed,
            verdict: TriggerVerdict::InsufficientData,
            lag,
            p_value: None,
            explanation: String::new(),
        },
        p: None,
    }
}

fn fitted(
    factor: &str,
    lag: u8,
    exposed: usize,
    unexposed: usize,
    posterior: Option<Posterior>,
) -> Fitted {
    let mut f = insufficient(factor, lag, exposed, unexposed);
    if let Some(post) = posterior {
        let p = post.two_sided_p();
        f.result.effect = Some(post.median());
        f.result.ci95 = Some(post.ci95());
        f.result.p_value = Some(p);
        f.result.verdict = TriggerVerdict::NoEvidence;
        f.p = Some(p);
    }
    f
}

/// Benjamini-Hochberg q-values across every test that was run; verdicts follow them.
fn apply_fdr(fitted: &mut [Fitted]) {
    let mut order: Vec<usize> = (0..fitted.len())
        .filter(|&i| fitted[i].p.is_some())
        .collect();
    order.sort_by(|&a, &b| {
        fitted[a]
            .p
            .unwrap_or(1.0)
            .total_cmp(&fitted[b].p.unwrap_or(1.0))
    });
    let m = order.len() as f64;
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        let p = fitted[i].p.unwrap_or(1.0);
        running = running.min(p * m / (rank + 1) as f64).min(1.0);
        let r = &mut fitted[i].result;
        r.q_value = Some(running);
        if running <= FDR {
            r.verdict = if r.effect.unwrap_or(0.0) > 0.0 {
                TriggerVerdict::LikelyTrigger
            } else {
                TriggerVerdict::LikelyProtective
            };
        }
    }
}

fn explain(r: &TriggerResult) -> String {
    let when = if r.lag == 0 {
        format!("Nights with {}", r.factor)
    } else {
        format!("Nights after a day with {}", r.factor)
    };
    let counts = format!(
        "{} nights with it, {} without",
        r.exposed_nights, r.unexposed_nights
    );
    let interval = r
        .ci95
        .map(|[lo, hi]| format!("95% interval {lo:+.1} to {hi:+.1}"))
        .unwrap_or_default();
    let effect = r.effect.unwrap_or(0.0);
    match r.verdict {
        TriggerVerdict::LikelyTrigger => format!(
            "{when} were about {effect:.1} points worse ({interval}; {counts}). This is an \
             association, not proof of cause; a two-week test without it would tell you more."
        ),
        TriggerVerdict::LikelyProtective => format!(
            "{when} were about {:.1} points better ({interval}; {counts}). This is an \
             association, not proof of cause.",
            -effect
        ),
        TriggerVerdict::NoEvidence => format!(
            "No clear link between {} and your nights ({effect:+.1} points, {interval}; {counts}).",
            r.factor
        ),
        TriggerVerdict::InsufficientData => format!(
            "Too few nights to tell about {} ({counts}); at least {MIN_EACH_SIDE} of each are \
             needed.",
            r.factor
        ),
    }
}
