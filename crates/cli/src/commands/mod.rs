pub mod assess;
pub mod kb;
pub mod plan;
mod profile_input;
pub mod serve;
