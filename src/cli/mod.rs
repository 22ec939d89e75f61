//! Command-line arguments (clap derive), in layers as ripgrep's are: the flags given
//! ([`args`]), over the configuration file ([`file`]), over the library's defaults; the
//! library's builder validates the result ([`layers`]).

pub mod args;
pub mod file;
pub mod layers;

pub use args::{Cli, Command};
