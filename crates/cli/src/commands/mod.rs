pub mod assess;
pub mod kb;
pub mod labs;
pub mod log;
pub mod plan;
pub mod profile;
mod profile_input;
pub mod serve;
pub mod transfer;
