//! `capital-npm EMBED OUT`: writes the npm package's folder (scripts/pack then runs `npm pack`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Makes the npm package of <capital-offer-tile> from the release embed folder.
#[derive(Parser)]
struct Args {
    /// The release embed folder (`trunk build --release` leaves it in dist/embed).
    embed: PathBuf,
    /// The package folder to write; emptied first.
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match capital_npm::write_package(&args.embed, &args.out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("capital-npm: {error}");
            ExitCode::FAILURE
        }
    }
}
