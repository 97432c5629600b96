pub mod kb;
pub mod serve;
