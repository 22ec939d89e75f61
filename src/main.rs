//! The `citecheck` binary: parse arguments, call the library, map the outcome to an exit code.

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// Exit codes (documented in the README).
const EXIT_INPUT_OR_CONFIG_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Extract(args) => citecheck::run_extract(&args.into_config(), &mut std::io::stderr())
            .map(|s| s.failed_inputs.is_empty()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(EXIT_INPUT_OR_CONFIG_ERROR),
        Err(e) => {
            if let citecheck::Error::WriteOutput { source, .. } = &e {
                if source.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("citecheck: error: {e:#}");
            ExitCode::from(EXIT_INPUT_OR_CONFIG_ERROR)
        }
    }
}
