//! A small typesetter for A4 documents: text measured with the embedded DejaVu Sans (vendored,
//! so a file looks the same everywhere and its text can be searched and copied), wrapped into
//! lines, stacked into pages, and drawn with krilla as text and vector paths. It knows nothing
//! of the report; [`crate::pdf`] lays the report out with it. The PDF is tagged: every block is
//! a structure element (title and headings, paragraphs, lists, tables with header cells,
//! figures with their alternative text) in reading order, so screen readers can follow it; rules
//! and grid lines are artifacts.

use std::sync::OnceLock;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use std::num::NonZeroU16;

pub(crate) const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub(crate) const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const MARGIN: f32 = 42.0;
pub(crate) const BODY: f32 = 9.5;
pub(crate) const LINE: f32 = 1.32;

pub(crate) type Colour = (u8, u8, u8);
pub(crate) const INK: Colour = (31, 35, 40);
pub(crate) const MUTED: Colour = (91, 97, 107);
pub(crate) const ACCENT: Colour = (61, 90, 128);
pub(crate) const WARN: Colour = (163, 59, 50);
pub(crate) const GRID: Colour = (225, 225, 225);
pub(crate) const PHASE: Colour = (120, 180, 120);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

pub(crate) enum Op {
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
pub(crate) struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

pub(crate) fn metrics() -> Result<&'static Metrics, PdfError> {
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

/// What a run of drawing operations is, for the structure tree.
pub(crate) enum Block {
    Title(String),
    Heading(String),
    Para,
    Bullet,
    /// Rows of cell blocks; the first row holds the header cells.
    Table(Vec<Vec<usize>>),
    Cell,
    /// A chart, with the alternative text that says what it shows.
    Figure(String),
}

/// An operation and the block it belongs to (`None`: decoration, an artifact).
pub(crate) struct Placed {
    block: Option<usize>,
    op: Op,
}

/// Laid-out pages and the blocks their operations belong to.
pub(crate) struct Laid {
    pages: Vec<Vec<Placed>>,
    blocks: Vec<Block>,
}

/// Lays out blocks top to bottom, starting a new page when one does not fit.
pub(crate) struct Layout<'m> {
    m: &'m Metrics,
    pages: Vec<Vec<Placed>>,
    blocks: Vec<Block>,
    /// The block operations now belong to.
    current: Option<usize>,
    pub(crate) y: f32,
}

impl<'m> Layout<'m> {
    pub(crate) fn new(m: &'m Metrics) -> Self {
        Self {
            m,
            pages: vec![Vec::new()],
            blocks: Vec::new(),
            current: None,
            y: MARGIN,
        }
    }

    pub(crate) fn finish(self) -> Laid {
        Laid {
            pages: self.pages,
            blocks: self.blocks,
        }
    }

    /// Starts a new block; what is drawn next belongs to it.
    fn begin(&mut self, block: Block) -> usize {
        self.blocks.push(block);
        self.current = Some(self.blocks.len() - 1);
        self.blocks.len() - 1
    }

    fn push(&mut self, op: Op) {
        let block = self.current;
        self.push_as(block, op);
    }

    /// A rule or a grid line: decoration, not content.
    fn decorate(&mut self, op: Op) {
        self.push_as(None, op);
    }

    fn push_as(&mut self, block: Option<usize>, op: Op) {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        self.pages[last].push(Placed { block, op });
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
            self.push(Op::Text {
                x: MARGIN + indent,
                y,
                size,
                bold,
                colour,
                text: line,
            });
        }
    }

    pub(crate) fn title(&mut self, text: &str) {
        self.begin(Block::Title(text.to_string()));
        self.text_block(text, 15.0, true, INK, 0.0);
        self.y += 2.0;
    }

    pub(crate) fn heading(&mut self, text: &str) {
        self.room(40.0);
        self.y += 8.0;
        self.begin(Block::Heading(text.to_string()));
        self.text_block(text, 11.5, true, ACCENT, 0.0);
        let y = self.y + 2.0;
        self.decorate(Op::Line {
            x1: MARGIN,
            y1: y,
            x2: PAGE_W - MARGIN,
            y2: y,
            width: 0.5,
            colour: GRID,
        });
        self.y += 4.0;
    }

    pub(crate) fn para(&mut self, text: &str) {
        self.begin(Block::Para);
        self.text_block(text, BODY, false, INK, 0.0);
        self.y += 2.0;
    }

    pub(crate) fn note(&mut self, text: &str) {
        self.begin(Block::Para);
        self.text_block(text, 8.0, false, MUTED, 0.0);
    }

    pub(crate) fn bullet(&mut self, text: &str, colour: Colour) {
        // Room for the first line first, so the bullet and its text start on the same page.
        self.room(BODY * LINE);
        let y = self.y + BODY * LINE - BODY * 0.3;
        self.begin(Block::Bullet);
        // The bullet sign is the list's look, not its words.
        self.decorate(Op::Text {
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
    pub(crate) fn table(&mut self, columns: &[(&str, f32)], rows: &[Vec<String>]) {
        let width = PAGE_W - 2.0 * MARGIN;
        let table = self.begin(Block::Table(Vec::new()));
        let draw_row = |layout: &mut Self, cells: &[String], bold: bool| {
            let mut row = Vec::new();
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
                row.push(layout.begin(Block::Cell));
                for (i, line) in cell_lines.iter().enumerate() {
                    let y = top + (i as f32 + 1.0) * 8.5 * LINE - 2.0;
                    layout.push(Op::Text {
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
            if let Some(Block::Table(rows)) = layout.blocks.get_mut(table) {
                rows.push(row);
            }
            layout.y = top + height;
            let y = layout.y - 1.0;
            layout.decorate(Op::Line {
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

    /// A plot area `height` points tall, a figure described by `alt`; `draw` gets the frame
    /// (left, top, width, height).
    pub(crate) fn chart(
        &mut self,
        height: f32,
        alt: &str,
        draw: impl FnOnce(&mut Vec<Op>, f32, f32, f32, f32),
    ) {
        self.room(height + 18.0);
        let (left, top) = (MARGIN + 28.0, self.y + 6.0);
        let (w, h) = (PAGE_W - 2.0 * MARGIN - 36.0, height);
        self.begin(Block::Figure(alt.to_string()));
        let mut ops = Vec::new();
        draw(&mut ops, left, top, w, h);
        for op in ops {
            self.push(op);
        }
        self.y = top + h + 16.0;
    }
}

fn colour(c: Colour) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

/// Draws laid-out pages into a PDF titled `title`.
pub(crate) fn write(title: String, laid: Laid) -> Result<Vec<u8>, PdfError> {
    let Laid { pages, blocks } = laid;
    let mut leaves: Vec<Vec<Identifier>> = blocks.iter().map(|_| Vec::new()).collect();
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title)
            .language("en".into())
            .creator("Quietlegs".into()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Write("page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for Placed { block, op } in ops {
            let tag = match (block, &op) {
                (Some(_), Op::Text { .. }) => ContentTag::Span(SpanTag::empty()),
                (Some(_), _) => ContentTag::Other,
                (None, _) => ContentTag::Artifact(Artifact::new(ArtifactType::Layout, None)),
            };
            let id = surface.start_tagged(tag);
            if let Some(list) = block.and_then(|b| leaves.get_mut(b)) {
                list.push(id);
            }
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
            surface.end_tagged();
        }
        surface.finish();
        page.finish();
    }
    document.set_tag_tree(tag_tree(&blocks, &mut leaves));
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// The structure tree, in reading order: each block's group with the marked content drawn for
/// it. Every identifier goes in exactly once (krilla refuses the file otherwise).
fn tag_tree(blocks: &[Block], leaves: &mut [Vec<Identifier>]) -> TagTree {
    let mut tree = TagTree::new();
    let mut take = |i: usize| std::mem::take(&mut leaves[i]);
    let mut list: Option<TagGroup> = None;
    for (i, block) in blocks.iter().enumerate() {
        if !matches!(block, Block::Bullet | Block::Cell)
            && let Some(done) = list.take()
        {
            tree.push(done);
        }
        let group = |tag: TagKind, ids: Vec<Identifier>| {
            let mut g = TagGroup::new(tag);
            for id in ids {
                g.push(id);
            }
            g
        };
        match block {
            Block::Title(t) => tree.push(group(
                Tag::Hn(NonZeroU16::MIN, Some(t.clone())).into(),
                take(i),
            )),
            Block::Heading(t) => tree.push(group(
                Tag::Hn(NonZeroU16::MIN.saturating_add(1), Some(t.clone())).into(),
                take(i),
            )),
            Block::Para => tree.push(group(Tag::P.into(), take(i))),
            Block::Figure(alt) => tree.push(group(Tag::Figure(Some(alt.clone())).into(), take(i))),
            Block::Bullet => {
                let mut item = TagGroup::new(Tag::LI);
                item.push(group(Tag::LBody.into(), take(i)));
                list.get_or_insert_with(|| TagGroup::new(Tag::L(ListNumbering::Disc)))
                    .push(item);
            }
            Block::Table(rows) => {
                let mut table = TagGroup::new(Tag::Table);
                for (r, row) in rows.iter().enumerate() {
                    let mut tr = TagGroup::new(Tag::TR);
                    for &cell in row {
                        let kind: TagKind = if r == 0 {
                            Tag::TH(TableHeaderScope::Column).into()
                        } else {
                            Tag::TD.into()
                        };
                        tr.push(group(kind, take(cell)));
                    }
                    table.push(tr);
                }
                tree.push(table);
            }
            // Placed by their table.
            Block::Cell => {}
        }
    }
    if let Some(done) = list {
        tree.push(done);
    }
    tree
}
