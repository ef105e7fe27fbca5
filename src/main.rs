//! The `pocdir` executable: parses the command line and runs the command
//! (`src/cli/`, one file per command or command group). The command line
//! is the only code that prints or exits; the library does the work.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
