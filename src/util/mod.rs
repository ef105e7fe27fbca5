//! Small helpers shared by several stages, each with one job.

pub mod domain;
pub mod error;
pub mod hash;
pub mod parallel;
pub mod phone;
pub mod text;
pub mod time;
