//! Write a synthetic directory for tests and benchmarks:
//! `cargo run --release --example synth -- --states 193 --pocs 4 --out DIR`
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Number of States (the UN list first, then synthetic codes XAA, ...).
    #[arg(long, default_value_t = 193)]
    states: usize,
    /// PoCs per State.
    #[arg(long, default_value_t = 4)]
    pocs: usize,
    /// Where to write the directory.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let a = Args::parse();
    if a.states > 195 + 26 * 26 {
        eprintln!("error: at most {} States", 195 + 26 * 26);
        return ExitCode::from(2);
    }
    match pocdir::synth::write(&a.out, a.states, a.pocs) {
        Ok(()) => {
            println!(
                "wrote {} States x {} PoCs to {}",
                a.states,
                a.pocs,
                a.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
