//! The `hessian-boundary` command line: the same core as the page, natively, for exports and figures.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "hessian-boundary", version, about = "Loss-Hessian eigenvectors and the decision boundary")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train one configuration and write DIR/run.json.
    Run {
        /// The configuration as a query string, e.g. 'dataset=moons&layers=50,50&epochs=500'
        /// (the same form as the page's share links; every key is listed in the README).
        #[arg(long, default_value = "")]
        config: String,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// CSV file for dataset=csv: numeric feature columns, integer label last, header optional.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Reproduce the paper's figures: train every setting, write DIR/*.png and DIR/report.md with the
    /// measured numbers (a few minutes in release).
    Reproduce {
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run { config, out, data } => match run(&config, &out, data.as_deref()) {
            Ok(path) => {
                println!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
        Command::Reproduce { out } => {
            match hessian_boundary::render::reproduce::reproduce(&out, &|line| println!("{line}")) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Runs the pipeline and writes run.json atomically (temp file + rename), so a failure leaves no file.
fn run(query: &str, out: &Path, data: Option<&Path>) -> Result<PathBuf, String> {
    let csv = data
        .map(|p| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display())))
        .transpose()?;
    let json = hessian_boundary::run_query(query, csv.as_deref()).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join("run.json");
    let tmp = out.join(".run.json.tmp");
    std::fs::write(&tmp, json).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
