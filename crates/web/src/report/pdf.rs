//! The report as a PDF, written natively with krilla: A4, embedded DejaVu Sans (vendored, so
//! the file looks the same everywhere and its text can be searched and copied), charts drawn as
//! vector paths. Layout happens first (pages of drawing operations), drawing second.

use std::sync::OnceLock;

use jiff::civil::Date;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

use super::Report;

const REGULAR: &[u8] = include_bytes!("../../static/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../static/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const BODY: f32 = 9.5;
const LINE: f32 = 1.32;

type Colour = (u8, u8, u8);
const INK: Colour = (31, 35, 40);
const MUTED: Colour = (91, 97, 107);
const ACCENT: Colour = (61, 90, 128);
const WARN: Colour = (163, 59, 50);
const GRID: Colour = (225, 225, 225);
const PHASE: Colour = (120, 180, 120);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: Colour,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        colour: Colour,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Colour,
        opacity: f32,
    },
}

/// Glyph advances for measuring text before it is drawn.
struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

fn metrics() -> Result<&'static Metrics, PdfError> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| {
            Some(Metrics {
                regular: ttf_parser::Face::parse(REGULAR, 0).ok()?,
                bold: ttf_parser::Face::parse(BOLD, 0).ok()?,
            })
        })
        .as_ref()
        .ok_or(PdfError::Font)
}

impl Metrics {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold { &self.bold } else { &self.regular };
        let units = f32::from(face.units_per_em());
        text.chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(units * 0.6, f32::from)
            })
            .sum::<f32>()
            * size
            / units
    }
}

/// Lays out blocks top to bottom, starting a new page when one does not fit.
struct Layout<'m> {
    m: &'m Metrics,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'m> Layout<'m> {
    fn new(m: &'m Metrics) -> Self {
        Self {
            m,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Makes room for `height` points, on a new page if needed.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN && self.y > MARGIN + 1.0 {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.m.width(&candidate, size, bold) > width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn text_block(&mut self, text: &str, size: f32, bold: bool, colour: Colour, indent: f32) {
        let lines = self.wrap(text, size, bold, PAGE_W - 2.0 * MARGIN - indent);
        for line in lines {
            self.room(size * LINE);
            self.y += size * LINE;
            let y = self.y - size * 0.3;
            self.ops().push(Op::Text {
                x: MARGIN + indent,
                y,
                size,
                bold,
                colour,
                text: line,
            });
        }
    }

    fn title(&mut self, text: &str) {
        self.text_block(text, 15.0, true, INK, 0.0);
        self.y += 2.0;
    }

    fn heading(&mut self, text: &str) {
        self.room(40.0);
        self.y += 8.0;
        self.text_block(text, 11.5, true, ACCENT, 0.0);
        let y = self.y + 2.0;
        self.ops().push(Op::Line {
            x1: MARGIN,
            y1: y,
            x2: PAGE_W - MARGIN,
            y2: y,
            width: 0.5,
            colour: GRID,
        });
        self.y += 4.0;
    }

    fn para(&mut self, text: &str) {
        self.text_block(text, BODY, false, INK, 0.0);
        self.y += 2.0;
    }

    fn note(&mut self, text: &str) {
        self.text_block(text, 8.0, false, MUTED, 0.0);
    }

    fn bullet(&mut self, text: &str, colour: Colour) {
        // Room for the first line first, so the bullet and its text start on the same page.
        self.room(BODY * LINE);
        let y = self.y + BODY * LINE - BODY * 0.3;
        self.ops().push(Op::Text {
            x: MARGIN + 1.0,
            y,
            size: BODY,
            bold: false,
            colour,
            text: "•".into(),
        });
        self.text_block(text, BODY, false, colour, 10.0);
    }

    /// A table: a bold header row, then rows, columns at the given fractions of the width.
    fn table(&mut self, columns: &[(&str, f32)], rows: &[Vec<String>]) {
        let width = PAGE_W - 2.0 * MARGIN;
        let draw_row = |layout: &mut Self, cells: &[String], bold: bool| {
            let wrapped: Vec<Vec<String>> = columns
                .iter()
                .zip(cells)
                .map(|((_, frac), cell)| layout.wrap(cell, 8.5, bold, width * frac - 6.0))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = lines as f32 * 8.5 * LINE + 4.0;
            layout.room(height);
            let top = layout.y;
            let mut x = MARGIN;
            for ((_, frac), cell_lines) in columns.iter().zip(&wrapped) {
                for (i, line) in cell_lines.iter().enumerate() {
                    let y = top + (i as f32 + 1.0) * 8.5 * LINE - 2.0;
                    layout.ops().push(Op::Text {
                        x,
                        y,
                        size: 8.5,
                        bold,
                        colour: INK,
                        text: line.clone(),
                    });
                }
                x += width * frac;
            }
            layout.y = top + height;
            let y = layout.y - 1.0;
            layout.ops().push(Op::Line {
                x1: MARGIN,
                y1: y,
                x2: PAGE_W - MARGIN,
                y2: y,
                width: 0.4,
                colour: GRID,
            });
        };
        let header: Vec<String> = columns.iter().map(|(h, _)| (*h).to_string()).collect();
        draw_row(self, &header, true);
        for row in rows {
            draw_row(self, row, false);
        }
        self.y += 4.0;
    }

    /// A plot area `height` points tall; `draw` gets the frame (left, top, width, height).
    fn chart(&mut self, height: f32, draw: impl FnOnce(&mut Vec<Op>, f32, f32, f32, f32)) {
        self.room(height + 18.0);
        let (left, top) = (MARGIN + 28.0, self.y + 6.0);
        let (w, h) = (PAGE_W - 2.0 * MARGIN - 36.0, height);
        draw(self.ops(), left, top, w, h);
        self.y = top + h + 16.0;
    }
}

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

fn layout(report: &Report, m: &Metrics) -> Vec<Vec<Op>> {
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

    l.heading(&format!("Severity, last {} days", super::WINDOW_DAYS));
    l.para(&report.severity_summary);
    if let (Some(first), Some(last)) = (report.recent.first(), report.recent.last()) {
        let (first, last) = (first.0, last.0);
        let span = day_span(first, last).max(1.0);
        let recent = report.recent.clone();
        let phases = report.phases.clone();
        l.chart(120.0, |ops, left, top, w, h| {
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
        l.chart(80.0, |ops, left, top, w, h| {
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
    l.pages
}

fn colour(c: Colour) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

/// The report's PDF bytes.
pub fn render(report: &Report) -> Result<Vec<u8>, PdfError> {
    let m = metrics()?;
    let pages = layout(report, m);
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("Restless legs summary, {}", report.today))
            .creator("Quietlegs".into()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Write("page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold: b,
                    colour: c,
                    text,
                } => {
                    surface.set_fill(Some(Fill {
                        paint: colour(c),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    let font = if b { bold.clone() } else { regular.clone() };
                    surface.draw_text(
                        Point::from_xy(x, y),
                        font,
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    colour: c,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: colour(c),
                            width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
                Op::Rect {
                    x,
                    y,
                    w,
                    h,
                    colour: c,
                    opacity,
                } => {
                    let mut pb = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: colour(c),
                            opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
                            rule: Default::default(),
                        }));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}
