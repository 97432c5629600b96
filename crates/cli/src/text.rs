//! Small helpers for terminal output.

/// The width to wrap prose at: the terminal's, within reason.
pub fn width() -> usize {
    textwrap::termwidth().clamp(40, 100)
}

/// Wraps `text` to the terminal width with every line indented by `indent`.
pub fn wrap(text: &str, indent: &str) -> String {
    let options = textwrap::Options::new(width())
        .initial_indent(indent)
        .subsequent_indent(indent);
    textwrap::fill(text.trim(), options)
}

/// Wraps `text` after a label: "Label:  first line" with later lines lined up under the text.
pub fn labelled(label: &str, text: &str, label_width: usize) -> String {
    let head = format!("{:<label_width$}", format!("{label}:"));
    let pad = " ".repeat(label_width);
    let options = textwrap::Options::new(width())
        .initial_indent(&head)
        .subsequent_indent(&pad);
    textwrap::fill(text.trim(), options)
}

/// A "  - item" line whose continuation lines hang under the item's text.
pub fn bullet(text: &str) -> String {
    let options = textwrap::Options::new(width())
        .initial_indent("  - ")
        .subsequent_indent("    ");
    textwrap::fill(text.trim(), options)
}
