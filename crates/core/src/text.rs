//! Small helpers for the sentences the app writes.

/// `text` with its first letter in upper case ("magnesium helps" -> "Magnesium helps").
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_letter_only() {
        assert_eq!(super::capitalised("ölbad warm"), "Ölbad warm");
        assert_eq!(super::capitalised(""), "");
    }
}
