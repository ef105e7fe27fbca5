//! Keeping the directory trustworthy and fresh: `changes` (what a pull
//! request changes, and its signals), `git` (a revision's directory and
//! acknowledgements), `stale` (what needs attention), `remind` (reminders
//! to the Permanent Missions).

pub mod changes;
pub mod git;
pub mod remind;
pub mod stale;
