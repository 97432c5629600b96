/// Bad input or usage: the command exits 2 and has changed nothing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
