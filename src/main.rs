//! The `pocdir` executable: parses the command line and runs the command
//! (`src/cli/`, one file per command or command group). The command line
//! is the only code that prints or exits; the library does the work.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

// A build allocates and frees millions of small strings (pages, views,
// template values): mimalloc does it in a fraction of the system's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::run()
}
