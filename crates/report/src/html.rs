//! The report as one self-contained, printable HTML page (charts inline as SVG, no scripts).

use askama::Template;

use super::Report;

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    r: &'a Report,
    proxy_note: &'static str,
}

/// The report's HTML; `None` only if the template fails, which is a bug.
pub fn render(report: &Report) -> Option<String> {
    ReportPage {
        r: report,
        proxy_note: quietlegs_stats::PROXY_NOTE,
    }
    .render()
    .ok()
}
