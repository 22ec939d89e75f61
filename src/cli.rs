//! Command-line arguments (clap derive) and their translation into library configuration.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Extract, check and archive the citations of official documents.
#[derive(Debug, Parser)]
#[command(name = "citecheck", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every citation (footnote URLs, document symbols, body links and resolution
    /// references) of the inputs, one row per occurrence, in document order.
    Extract(ExtractArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Documents to read: paths, or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Write the table to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Table format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Read every input as this format instead of detecting it from the name and content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InputFormatArg {
    Md,
    Html,
    Text,
}

impl ExtractArgs {
    pub fn into_config(self) -> citecheck::ExtractConfig {
        citecheck::ExtractConfig {
            inputs: self.inputs,
            input_format: self.input_format.map(|f| match f {
                InputFormatArg::Md => citecheck::InputFormat::Markdown,
                InputFormatArg::Html => citecheck::InputFormat::Html,
                InputFormatArg::Text => citecheck::InputFormat::Text,
            }),
            format: match self.format {
                Format::Csv => citecheck::OutputFormat::Csv,
                Format::Json => citecheck::OutputFormat::Json,
            },
            output: self.output,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
