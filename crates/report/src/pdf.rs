//! The report as a PDF: A4, fonts embedded, charts drawn as vector paths. Layout happens first
//! (pages of drawing operations, with [`crate::typeset`]), drawing second.

use jiff::civil::Date;

use crate::Report;
use crate::typeset::{ACCENT, Colour, GRID, INK, Laid, Layout, MUTED, Metrics, Op, PHASE, WARN};

pub use crate::typeset::PdfError;

fn day_span(first: Date, d: Date) -> f32 {
    first.until(d).map(|s| s.get_days() as f32).unwrap_or(0.0)
}

/// Axes, horizontal grid lines with labels, and date labels under the first and last day.
fn frame(
    ops: &mut Vec<Op>,
    (l, t, w, h): (f32, f32, f32, f32),
    y_max: f32,
    steps: u32,
    first: Date,
    last: Date,
) {
    for i in 0..=steps {
        let v = y_max * i as f32 / steps as f32;
        let y = t + h - h * i as f32 / steps as f32;
        ops.push(Op::Line {
            x1: l,
            y1: y,
            x2: l + w,
            y2: y,
            width: 0.4,
            colour: GRID,
        });
        ops.push(Op::Text {
            x: l - 24.0,
            y: y + 3.0,
            size: 7.0,
            bold: false,
            colour: MUTED,
            text: format!("{v:.0}"),
        });
    }
    ops.push(Op::Line {
        x1: l,
        y1: t,
        x2: l,
        y2: t + h,
        width: 0.7,
        colour: MUTED,
    });
    ops.push(Op::Line {
        x1: l,
        y1: t + h,
        x2: l + w,
        y2: t + h,
        width: 0.7,
        colour: MUTED,
    });
    ops.push(Op::Text {
        x: l,
        y: t + h + 10.0,
        size: 7.0,
        bold: false,
        colour: MUTED,
        text: first.to_string(),
    });
    ops.push(Op::Text {
        x: l + w - 42.0,
        y: t + h + 10.0,
        size: 7.0,
        bold: false,
        colour: MUTED,
        text: last.to_string(),
    });
}

fn points(ops: &mut Vec<Op>, xy: &[(f32, f32)], colour: Colour, join: bool) {
    if join {
        for pair in xy.windows(2) {
            ops.push(Op::Line {
                x1: pair[0].0,
                y1: pair[0].1,
                x2: pair[1].0,
                y2: pair[1].1,
                width: 0.6,
                colour,
            });
        }
    }
    for (x, y) in xy {
        ops.push(Op::Rect {
            x: x - 1.6,
            y: y - 1.6,
            w: 3.2,
            h: 3.2,
            colour,
            opacity: 1.0,
        });
    }
}

fn layout(report: &Report, m: &Metrics) -> Laid {
    let mut l = Layout::new(m);
    l.title("Restless legs: summary for the clinician");
    l.note(&format!(
        "Prepared by the patient with Quietlegs on {}. {}",
        report.today, report.about
    ));

    l.heading("Screening");
    for s in &report.screening {
        l.bullet(s, INK);
    }
    for f in &report.red_flags {
        l.bullet(f, WARN);
    }

    l.heading(&format!("Severity, last {} days", crate::WINDOW_DAYS));
    l.para(&report.severity_summary);
    if let (Some(first), Some(last)) = (report.recent.first(), report.recent.last()) {
        let (first, last) = (first.0, last.0);
        let span = day_span(first, last).max(1.0);
        let recent = report.recent.clone();
        let phases = report.phases.clone();
        let alt = format!(
            "Chart of nightly severity, 0 to 10, for {} logged nights from {first} to {last}{}.",
            report.recent.len(),
            if report.phases.is_empty() {
                ""
            } else {
                "; shaded spans mark changes being tried"
            }
        );
        l.chart(120.0, &alt, |ops, left, top, w, h| {
            for (from, to, _) in &phases {
                let a = left + w * day_span(first, (*from).max(first)) / span;
                let b = left + w * day_span(first, (*to).min(last)) / span;
                if b > a {
                    ops.push(Op::Rect {
                        x: a,
                        y: top,
                        w: b - a,
                        h,
                        colour: PHASE,
                        opacity: 0.25,
                    });
                }
            }
            frame(ops, (left, top, w, h), 10.0, 5, first, last);
            let xy: Vec<(f32, f32)> = recent
                .iter()
                .map(|(d, s)| {
                    (
                        left + w * day_span(first, *d) / span,
                        top + h - h * f32::from(*s) / 10.0,
                    )
                })
                .collect();
            points(ops, &xy, ACCENT, true);
        });
        if !report.phases.is_empty() {
            let names: Vec<&str> = report.phases.iter().map(|p| p.2.as_str()).collect();
            l.note(&format!("Shaded: trying {}.", names.join(", ")));
        }
    }

    l.heading("Iron studies");
    l.para(&report.iron_summary);
    if report.ferritin.len() > 1 {
        let pts = report.ferritin.clone();
        let (first, last) = (pts[0].0, pts[pts.len() - 1].0);
        let span = day_span(first, last).max(1.0);
        let threshold = report.ferritin_threshold;
        let top_value = pts
            .iter()
            .map(|p| p.1 as f32)
            .fold(threshold as f32, f32::max)
            * 1.2;
        let alt = format!(
            "Chart of {} ferritin results from {first} to {last}, with a line at the {} ng/mL \
             threshold.",
            pts.len(),
            quietlegs_core::knowledge::entry_number(threshold)
        );
        l.chart(80.0, &alt, |ops, left, top, w, h| {
            frame(ops, (left, top, w, h), top_value, 4, first, last);
            let ty = top + h - h * threshold as f32 / top_value;
            ops.push(Op::Line {
                x1: left,
                y1: ty,
                x2: left + w,
                y2: ty,
                width: 1.0,
                colour: WARN,
            });
            let xy: Vec<(f32, f32)> = pts
                .iter()
                .map(|(d, v)| {
                    (
                        left + w * day_span(first, *d) / span,
                        top + h - h * (*v as f32) / top_value,
                    )
                })
                .collect();
            points(ops, &xy, ACCENT, true);
        });
        l.note(&format!(
            "Ferritin (ng/mL) over time; red line: {threshold} ng/mL."
        ));
    }
    if !report.labs.is_empty() {
        let rows: Vec<Vec<String>> = report
            .labs
            .iter()
            .take(8)
            .map(|r| vec![r.date.clone(), r.name.clone(), r.value.clone()])
            .collect();
        l.table(&[("Date", 0.22), ("Test", 0.48), ("Result", 0.30)], &rows);
    }

    l.heading("What was tried");
    if report.tried.is_empty() {
        l.para("No changes tested yet.");
    } else {
        let rows: Vec<Vec<String>> = report
            .tried
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    t.dose.clone(),
                    t.dates.clone(),
                    t.verdict.to_string(),
                    t.effect.clone(),
                ]
            })
            .collect();
        l.table(
            &[
                ("Change", 0.2),
                ("Usual dose", 0.22),
                ("Dates", 0.2),
                ("Verdict", 0.14),
                ("Change in severity", 0.24),
            ],
            &rows,
        );
    }
    for t in &report.trials {
        l.para(&format!("{}: the experiment in CENT 2015 form", t.name));
        for (item, text) in &t.items {
            l.bullet(&format!("{item}: {text}"), INK);
        }
    }
    if !report.tracked.is_empty() {
        l.para(&format!(
            "Measured by a sleep tracker. {}",
            quietlegs_stats::PROXY_NOTE
        ));
        for t in &report.tracked {
            l.para(t);
        }
    }

    l.heading("Likely triggers");
    if report.triggers.is_empty() {
        l.para("None stands out in the journal so far.");
    }
    for t in &report.triggers {
        l.bullet(t, INK);
    }

    l.heading("Medicines and supplements");
    let list = |v: &[String]| {
        if v.is_empty() {
            "none recorded".to_string()
        } else {
            v.join(", ")
        }
    };
    l.para(&format!(
        "Medicines: {}. Supplements: {}.",
        list(&report.medicines),
        list(&report.supplements)
    ));
    for x in &report.interactions {
        l.bullet(x, INK);
    }

    l.heading("Questions worth asking");
    for q in &report.questions {
        l.bullet(q, INK);
    }
    l.y += 4.0;
    l.note(report.disclaimer);
    l.finish()
}

/// The report's PDF bytes.
pub fn render(report: &Report) -> Result<Vec<u8>, PdfError> {
    let pages = layout(report, crate::typeset::metrics()?);
    crate::typeset::write(format!("Restless legs summary, {}", report.today), pages)
}
