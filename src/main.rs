//! The `citecheck` binary: parse arguments, build a validated configuration, call the
//! library, map the outcome to an exit code.

mod cli;

use clap::Parser;
use cli::layers::Mode;
use std::process::ExitCode;

/// The system's allocator, with the buffer a large input is read into aligned (read faster).
#[global_allocator]
static ALLOCATOR: citecheck::Allocator = citecheck::Allocator;

/// Exit codes (documented in the README).
const EXIT_FAILING_CITATIONS: u8 = 1;
const EXIT_INPUT_OR_CONFIG_ERROR: u8 = 2;
/// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let mut stderr = std::io::stderr();
    let result = match cli.command {
        cli::Command::Extract(args) => match args.into_config() {
            Ok(config) => citecheck::run_extract(&config, &mut stderr).map(|s| {
                if s.failed_inputs.is_empty() {
                    0
                } else {
                    EXIT_INPUT_OR_CONFIG_ERROR
                }
            }),
            Err(e) => {
                eprintln!("citecheck: error: {e:#}");
                Ok(EXIT_INPUT_OR_CONFIG_ERROR)
            }
        },
        cli::Command::Check(args) => check(*args, Mode::Check, &mut stderr),
        cli::Command::Archive(args) => check(*args, Mode::Archive, &mut stderr),
        cli::Command::Repair(args) => repair(*args, &mut stderr),
        cli::Command::History(args) => {
            citecheck::print_history(&args.db, &args.target, args.limit, &mut std::io::stdout())
        }
        cli::Command::ExportWacz(args) => export_wacz(&args),
        cli::Command::Completions { shell } => {
            let mut cmd = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "citecheck", &mut std::io::stdout());
            Ok(0)
        }
        cli::Command::Man { command } => man(command.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(citecheck::Error::WriteOutput { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("citecheck: error: {e:#}");
            ExitCode::from(EXIT_INPUT_OR_CONFIG_ERROR)
        }
    }
}

/// `check` and `archive`: validate the configuration, run, map the summary to an exit code.
fn check(args: cli::args::CheckArgs, mode: Mode, stderr: &mut std::io::Stderr) -> citecheck::Result<u8> {
    let config = match cli::layers::check_config(args, mode) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("citecheck: error: {e:#}");
            return Ok(EXIT_INPUT_OR_CONFIG_ERROR);
        }
    };
    citecheck::run_check(&config, &mut std::io::stdout(), stderr).map(|s| exit_code(&s))
}

/// `repair`: like `check`, then the repaired document.
fn repair(args: cli::args::RepairArgs, stderr: &mut std::io::Stderr) -> citecheck::Result<u8> {
    let style = match args.repair_style {
        cli::args::RepairStyleArg::Append => citecheck::RepairStyle::Append,
        cli::args::RepairStyleArg::Replace => citecheck::RepairStyle::Replace,
    };
    let config = match cli::layers::check_config(args.check, Mode::Repair) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("citecheck: error: {e:#}");
            return Ok(EXIT_INPUT_OR_CONFIG_ERROR);
        }
    };
    citecheck::run_repair(&config, &args.output, style, &mut std::io::stdout(), stderr)
        .map(|s| exit_code(&s.check))
}

/// The exit code of a check.
fn exit_code(s: &citecheck::CheckSummary) -> u8 {
    let archiving_stopped = s.archive.as_ref().is_some_and(|a| a.stopped.is_some());
    if s.interrupted {
        EXIT_INTERRUPTED
    } else if !s.failed_inputs.is_empty() || archiving_stopped {
        EXIT_INPUT_OR_CONFIG_ERROR
    } else if s.failing > 0 {
        EXIT_FAILING_CITATIONS
    } else {
        0
    }
}

/// `export-wacz`: package the folder, say what was packed (and what was left out).
fn export_wacz(args: &cli::args::ExportWaczArgs) -> citecheck::Result<u8> {
    let opts = citecheck::WaczOptions { title: args.title.clone() };
    let s = citecheck::export_wacz(&args.dir, &args.output, &opts)?;
    for skipped in &s.skipped {
        eprintln!("citecheck: warning: left out {skipped}");
    }
    if !args.quiet {
        eprintln!(
            "citecheck: packed {} WARC file{}, {} index lines and {} pages into {} ({} bytes).",
            s.warcs,
            if s.warcs == 1 { "" } else { "s" },
            s.index_lines,
            s.pages,
            args.output.display(),
            s.bytes
        );
    }
    Ok(0)
}

/// `man [COMMAND]`: the manual page of citecheck, or of one of its commands.
fn man(command: Option<&str>) -> citecheck::Result<u8> {
    let top = <cli::Cli as clap::CommandFactory>::command();
    let page = match command {
        None => top,
        Some(name) => match top.find_subcommand(name) {
            Some(sub) => sub.clone().name(format!("citecheck-{name}")),
            None => {
                let names: Vec<&str> = top.get_subcommands().map(clap::Command::get_name).collect();
                eprintln!("citecheck: error: no command '{name}': one of {}", names.join(", "));
                return Ok(EXIT_INPUT_OR_CONFIG_ERROR);
            }
        },
    };
    clap_mangen::Man::new(page)
        .render(&mut std::io::stdout())
        .map(|()| 0)
        .map_err(|source| citecheck::Error::WriteOutput { path: "<stdout>".into(), source })
}
