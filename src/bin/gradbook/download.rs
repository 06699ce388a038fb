//! `gradbook download DIR`: fetches the four MNIST files from the usual public mirrors (with
//! curl) and verifies the SHA-256 of their decompressed bytes; files already there and valid
//! are kept, so it doubles as a checksum verifier.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use gradbook::mnist::data::FILES;
use sha2::{Digest, Sha256};

const MIRRORS: [&str; 3] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
];

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

fn fetch(name: &str, to: &Path) -> Result<(), String> {
    let mut reasons = Vec::new();
    for mirror in MIRRORS {
        let url = format!("{mirror}{name}.gz");
        eprintln!("fetching {url}");
        let status = Command::new("curl").args(["-fsSL", "--retry", "2", "-o"]).arg(to).arg(&url).status();
        match status {
            Ok(s) if s.success() => return Ok(()),
            Ok(s) => reasons.push(format!("{url}: curl exited with {s}")),
            Err(e) => return Err(format!("cannot run curl ({e}); install curl or download the files by hand")),
        }
    }
    Err(format!("could not download {name}.gz from any mirror:\n  {}", reasons.join("\n  ")))
}

pub fn run(args: DownloadArgs) -> Result<(), String> {
    std::fs::create_dir_all(&args.dir).map_err(|e| format!("{}: {e}", args.dir.display()))?;
    for (name, sha) in FILES {
        let path = args.dir.join(format!("{name}.gz"));
        if path.exists() && verify(&path, sha).is_ok() {
            println!("{}: present, checksum OK", path.display());
            continue;
        }
        let partial = args.dir.join(format!("{name}.gz.part"));
        fetch(name, &partial)?;
        if let Err(e) = verify(&partial, sha) {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        std::fs::rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("{}: downloaded, checksum OK", path.display());
    }
    Ok(())
}
