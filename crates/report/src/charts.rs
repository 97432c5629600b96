//! Charts drawn on the server as SVG (plotters), so they need no script and print well. Text is
//! left to the browser's fonts: the SVG backend only estimates its size.

use jiff::ToSpan;
use jiff::civil::Date;
use plotters::prelude::*;

const WIDTH: u32 = 720;
const SEVERITY: RGBColor = RGBColor(61, 90, 128);
const SMOOTH: RGBColor = RGBColor(200, 90, 40);
const PHASE: RGBColor = RGBColor(120, 180, 120);
const LIMIT: RGBColor = RGBColor(163, 59, 50);
const LABEL: RGBColor = RGBColor(40, 44, 52);

/// A shaded span of nights (an experiment's "with" phase).
pub struct Phase {
    pub from: Date,
    pub to: Date,
    pub label: String,
}

fn day_index(first: Date, d: Date) -> i32 {
    first.until(d).map(|s| s.get_days()).unwrap_or(0)
}

fn date_label(first: Date, x: i32) -> String {
    first
        .checked_add(i64::from(x).days())
        .map(|d| d.strftime("%b %-d").to_string())
        .unwrap_or_default()
}

/// The key in the upper right corner, the same on every chart.
fn legend<'a, DB, CT>(chart: &mut ChartContext<'a, DB, CT>) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", 13).into_font().color(&LABEL))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| e.to_string())
}

fn finish(svg: String, result: Result<(), String>) -> String {
    match result {
        Ok(()) => svg,
        Err(err) => {
            tracing::error!(%err, "drawing a chart failed");
            empty("The chart could not be drawn.")
        }
    }
}

/// A small placeholder when there is nothing to draw.
pub fn empty(message: &str) -> String {
    let mut svg = String::new();
    let result = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 80)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        root.draw(&Text::new(
            message.to_string(),
            (20, 35),
            ("sans-serif", 18).into_font().color(&LABEL),
        ))
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })();
    if result.is_err() {
        return String::new();
    }
    svg
}

/// Nightly severity (points and line), a smoothed weekly line, experiments shaded.
pub fn severity(nights: &[(Date, u8)], weekly: &[(Date, f64)], phases: &[Phase]) -> String {
    let (Some(first), Some(last)) = (nights.first().map(|n| n.0), nights.last().map(|n| n.0))
    else {
        return empty("No nights logged yet.");
    };
    let span = day_index(first, last).max(1);
    let mut svg = String::new();
    let result = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(36)
            .x_label_area_size(28)
            .y_label_area_size(34)
            .build_cartesian_2d(0..span, 0f64..10f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&|x| date_label(first, *x))
            .y_desc("severity (0-10)")
            .label_style(("sans-serif", 13).into_font().color(&LABEL))
            .draw()
            .map_err(|e| e.to_string())?;
        for p in phases {
            let a = day_index(first, p.from).clamp(0, span);
            let b = day_index(first, p.to).clamp(0, span);
            if b < a {
                continue;
            }
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, 0.0), (b, 10.0)],
                    PHASE.mix(0.25).filled(),
                )))
                .map_err(|e| e.to_string())?
                .label(p.label.clone())
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], PHASE.mix(0.4).filled())
                });
        }
        let points: Vec<(i32, f64)> = nights
            .iter()
            .map(|(d, s)| (day_index(first, *d), f64::from(*s)))
            .collect();
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                SEVERITY.mix(0.5).stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 3, SEVERITY.filled())))
            .map_err(|e| e.to_string())?
            .label("night")
            .legend(|(x, y)| Circle::new((x + 7, y), 3, SEVERITY.filled()));
        if weekly.len() > 1 {
            chart
                .draw_series(LineSeries::new(
                    weekly.iter().map(|(d, v)| (day_index(first, *d) + 3, *v)),
                    SMOOTH.stroke_width(3),
                ))
                .map_err(|e| e.to_string())?
                .label("weekly average")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], SMOOTH.stroke_width(3))
                });
        }
        legend(&mut chart)?;
        root.present().map_err(|e| e.to_string())
    })();
    finish(svg, result)
}

/// One row per factor: the estimated change in severity with its 95 % interval.
pub fn effects(rows: &[(String, f64, [f64; 2])]) -> String {
    if rows.is_empty() {
        return empty("Not enough nights to estimate any effect yet.");
    }
    let lo = rows.iter().map(|r| r.2[0]).fold(-1.0_f64, f64::min).floor();
    let hi = rows.iter().map(|r| r.2[1]).fold(1.0_f64, f64::max).ceil();
    let n = rows.len() as i32;
    let height = 60 + 34 * rows.len() as u32;
    let mut svg = String::new();
    let result = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(36)
            .x_label_area_size(30)
            .y_label_area_size(170)
            .build_cartesian_2d(lo..hi, -1..n)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .y_labels(rows.len() + 2)
            .y_label_formatter(&|y| {
                usize::try_from(*y)
                    .ok()
                    .and_then(|i| rows.get(i))
                    .map(|r| r.0.clone())
                    .unwrap_or_default()
            })
            .x_desc("change in nightly severity (negative = better)")
            .label_style(("sans-serif", 13).into_font().color(&LABEL))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -1), (0.0, n)],
                RGBColor(150, 150, 150).stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
        for (i, (_, effect, ci)) in rows.iter().enumerate() {
            let y = i as i32;
            let colour = if ci[1] < 0.0 {
                PHASE
            } else if ci[0] > 0.0 {
                LIMIT
            } else {
                SEVERITY
            };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(ci[0], y), (ci[1], y)],
                    colour.stroke_width(3),
                )))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (*effect, y),
                    5,
                    colour.filled(),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())
    })();
    finish(svg, result)
}

/// A lab value over time against its treatment threshold.
pub fn lab(points: &[(Date, f64)], unit: &str, threshold: Option<(f64, String)>) -> String {
    let (Some(first), Some(last)) = (points.first().map(|p| p.0), points.last().map(|p| p.0))
    else {
        return empty("No results yet.");
    };
    let span = day_index(first, last).max(30);
    let top = points
        .iter()
        .map(|p| p.1)
        .chain(threshold.as_ref().map(|t| t.0))
        .fold(0.0_f64, f64::max)
        * 1.2;
    let mut svg = String::new();
    let result = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(36)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(-5..span + 5, 0f64..top.max(1.0))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(5)
            .x_label_formatter(&|x| date_label(first, *x))
            .y_desc(unit.to_string())
            .label_style(("sans-serif", 13).into_font().color(&LABEL))
            .draw()
            .map_err(|e| e.to_string())?;
        if let Some((value, label)) = &threshold {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(-5, *value), (span + 5, *value)],
                    LIMIT.stroke_width(2),
                )))
                .map_err(|e| e.to_string())?
                .label(label.clone())
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], LIMIT.stroke_width(2))
                });
        }
        let xy: Vec<(i32, f64)> = points
            .iter()
            .map(|(d, v)| (day_index(first, *d), *v))
            .collect();
        chart
            .draw_series(LineSeries::new(
                xy.iter().copied(),
                SEVERITY.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(xy.iter().map(|p| Circle::new(*p, 4, SEVERITY.filled())))
            .map_err(|e| e.to_string())?
            .label("your results")
            .legend(|(x, y)| Circle::new((x + 7, y), 4, SEVERITY.filled()));
        legend(&mut chart)?;
        root.present().map_err(|e| e.to_string())
    })();
    finish(svg, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("date")
    }

    #[test]
    fn severity_chart_is_svg_with_phases_and_labels() {
        let nights: Vec<(Date, u8)> = (0..30)
            .map(|i| {
                (
                    d("2026-10-01").checked_add(i.days()).expect("day"),
                    (i % 10) as u8,
                )
            })
            .collect();
        let svg = severity(
            &nights,
            &[(d("2026-10-01"), 5.0), (d("2026-10-08"), 4.0)],
            &[Phase {
                from: d("2026-10-15"),
                to: d("2026-10-30"),
                label: "magnesium".into(),
            }],
        );
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.contains("magnesium"));
        assert!(svg.contains("<circle"));
        assert!(svg.contains("Oct 1"));
    }

    #[test]
    fn nothing_to_draw_says_so() {
        assert!(severity(&[], &[], &[]).contains("No nights logged yet."));
        assert!(effects(&[]).contains("Not enough nights"));
        assert!(lab(&[], "ng/mL", None).contains("No results yet."));
    }

    #[test]
    fn lab_chart_draws_the_threshold() {
        let svg = lab(
            &[(d("2026-01-01"), 30.0), (d("2026-05-01"), 80.0)],
            "ng/mL",
            Some((75.0, "iron threshold 75".into())),
        );
        assert!(svg.contains("iron threshold 75"));
    }
}
