//! `gradbook download DIR`: fetches the four MNIST files from the usual public mirrors (with
//! curl) and verifies the SHA-256 of their decompressed bytes; files already there and valid
//! are kept, so it doubles as a checksum verifier. Without `--data` or `MNIST_DIR` the other
//! commands do the same into the platform's cache folder ([`cache_dir`]), once.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use gradbook::mnist::data::{FILES, MIRRORS};
use sha2::{Digest, Sha256};

/// The mirrors tried in turn: `GRADBOOK_MNIST_MIRRORS` (base URLs, separated by spaces or
/// commas) when set, e.g. a school's own copy, or the public ones.
fn mirrors() -> Vec<String> {
    match std::env::var("GRADBOOK_MNIST_MIRRORS") {
        Ok(list) if !list.trim().is_empty() => list
            .split([' ', ','])
            .filter(|m| !m.is_empty())
            .map(|m| if m.ends_with('/') { m.to_string() } else { format!("{m}/") })
            .collect(),
        _ => MIRRORS.iter().map(|m| m.to_string()).collect(),
    }
}

/// Where the files go when no folder is given: the platform's cache folder (`$XDG_CACHE_HOME`
/// or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows), then
/// `gradbook/mnist`.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library/Caches"))
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("gradbook").join("mnist"))
}

#[derive(clap::Args)]
pub struct DownloadArgs {
    /// Folder to put the files in (created if missing).
    dir: PathBuf,
}

/// SHA-256 of the file's content after gunzip (the checksums MNIST is known by).
fn decompressed_sha256(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut raw)
        .map_err(|e| format!("{}: not a valid gzip file ({e})", path.display()))?;
    Ok(Sha256::digest(&raw).iter().map(|b| format!("{b:02x}")).collect())
}

fn verify(path: &Path, want: &str) -> Result<(), String> {
    let got = decompressed_sha256(path)?;
    if got == want {
        Ok(())
    } else {
        Err(format!("{}: checksum mismatch (SHA-256 {got}, expected {want}); the file is corrupted or not MNIST", path.display()))
    }
}

/// Fetches one file to `to`, trying each mirror; a mirror that fails or stops mid-file leaves
/// nothing behind.
fn fetch(name: &str, to: &Path, dir: &Path) -> Result<(), String> {
    let mut reasons = Vec::new();
    // A progress bar where someone watches; quiet (but with errors) in a log.
    let progress = if std::io::stderr().is_terminal() { "--progress-bar" } else { "--silent" };
    for mirror in mirrors() {
        let url = format!("{mirror}{name}.gz");
        eprintln!("fetching {url}");
        let status = Command::new("curl")
            .args(["--fail", "--location", "--show-error", progress, "--connect-timeout", "15", "--retry", "2", "-o"])
            .arg(to)
            .arg(&url)
            .status();
        match status {
            Ok(s) if s.success() => return Ok(()),
            Ok(s) => {
                let _ = std::fs::remove_file(to);
                reasons.push(format!("{url}: curl exited with {s}"));
            }
            Err(e) => return Err(format!("cannot run curl ({e}); install curl, or download the files by hand into {}", dir.display())),
        }
    }
    Err(format!(
        "could not download {name}.gz from any mirror (is this machine offline?):\n  {}\n\
         Copy the four MNIST .gz files into {} by hand, or point --data / MNIST_DIR at a folder that has them.",
        reasons.join("\n  "),
        dir.display()
    ))
}

/// Makes `dir` hold the four files, each checked: valid ones are kept, the rest fetched and
/// checked before they take their final name, so a bad or broken download keeps nothing.
/// Says what it did on stderr.
pub fn ensure(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, sha) in FILES {
        let path = dir.join(format!("{name}.gz"));
        if path.exists() && verify(&path, sha).is_ok() {
            eprintln!("{}: present, checksum OK", path.display());
            continue;
        }
        let partial = dir.join(format!("{name}.gz.part"));
        fetch(name, &partial, dir)?;
        if let Err(e) = verify(&partial, sha) {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        std::fs::rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("{}: downloaded, checksum OK", path.display());
    }
    Ok(())
}

pub fn run(args: DownloadArgs) -> Result<(), String> {
    ensure(&args.dir)?;
    println!("{}: the four MNIST files, checksums OK", args.dir.display());
    Ok(())
}
