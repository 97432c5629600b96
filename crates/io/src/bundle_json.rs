//! The JSON export (a [`Bundle`]): read with the field path and line of the first problem, and
//! written in the stable pretty form that round-trips byte for byte.

use quietlegs_core::journal::Bundle;

use crate::ImportError;

/// Reads and checks a JSON export. `file` names the source in errors.
pub fn read(text: &str, file: &str) -> Result<Bundle, ImportError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let bundle: Bundle = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let line = u64::try_from(e.inner().line()).ok().filter(|l| *l > 0);
        let path = e.path().to_string();
        ImportError::new(file, line, Some(&path), e.inner().to_string())
    })?;
    if bundle.format != Bundle::FORMAT {
        return Err(ImportError::new(
            file,
            None,
            Some("format"),
            format!(
                "expected \"{}\", found \"{}\"",
                Bundle::FORMAT,
                bundle.format
            ),
        ));
    }
    for (i, night) in bundle.nights.iter().enumerate() {
        night.validate().map_err(|e| {
            ImportError::new(
                file,
                None,
                Some(&format!("nights[{i}].{}", e.field)),
                e.message.clone(),
            )
        })?;
    }
    Ok(bundle)
}

/// The JSON export's bytes.
pub fn write(bundle: &Bundle) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(bundle).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
