//! The IDX file format MNIST ships in: a big-endian magic number whose last byte is the
//! number of dimensions (third byte 0x08 = unsigned bytes), one big-endian u32 per dimension,
//! then the data. Files may be gzip-compressed; they are recognised by their first bytes.

use std::borrow::Cow;
use std::io::Read;

/// What went wrong reading one file; the message names the file.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxError {
    pub file: String,
    pub problem: String,
}

impl std::fmt::Display for IdxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

impl std::error::Error for IdxError {}

/// One decoded IDX array of unsigned bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Idx {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

impl Idx {
    /// The SHA-256 of the file this was read from, decompressed (its header is rebuilt from
    /// the dimensions): what the MNIST checksums are taken over.
    pub fn sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update([0, 0, 0x08, self.dims.len() as u8]);
        for &d in &self.dims {
            hash.update((d as u32).to_be_bytes());
        }
        hash.update(&self.data);
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The largest MNIST file is 47 MB (decompressed): anything above this, raw or decompressed, is
/// not one, and is refused before it takes the machine's memory (a gzip bomb, `/dev/zero`).
pub const MAX_BYTES: u64 = 64 << 20;

/// The message for a file over [`MAX_BYTES`].
pub fn too_large(what: &str) -> String {
    format!("{what} more than {} MB: not an MNIST file (the largest is 47 MB)", MAX_BYTES >> 20)
}

/// Decodes `bytes` (raw or gzip) and checks it holds `rank` dimensions of u8. Raw bytes handed
/// over owned become the data in place; borrowed ones are copied.
pub fn parse<'a>(file: &str, bytes: impl Into<Cow<'a, [u8]>>, rank: usize) -> Result<Idx, IdxError> {
    let fail = |problem: String| IdxError { file: file.to_string(), problem };
    let bytes = bytes.into();
    let mut raw = if bytes.starts_with(&GZIP_MAGIC) {
        // Sized from gzip's trailer (the decompressed length, mod 4 GiB) so the 47 MB of pixels
        // are not grown by doubling, which in wasm leaves memory that is never given back.
        let mut out = Vec::with_capacity(gzip_size_hint(&bytes).min(MAX_BYTES as usize + 1));
        // One byte past the cap tells a file at the cap from one beyond it.
        flate2::read::GzDecoder::new(&bytes[..])
            .take(MAX_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| fail(format!("not a valid gzip stream ({e}); the download may be truncated or corrupted")))?;
        if out.len() as u64 > MAX_BYTES {
            return Err(fail(too_large("it decompresses to")));
        }
        out
    } else if bytes.len() as u64 > MAX_BYTES {
        return Err(fail(too_large("it holds")));
    } else {
        // Already decompressed: also what the page gets when a server sends the .gz files with
        // `Content-Encoding: gzip` (vite's does) and the browser undoes it, 47 MB of pixels.
        bytes.into_owned()
    };

    if raw.len() < 4 {
        return Err(fail(format!("only {} bytes: too short for an IDX header", raw.len())));
    }
    let magic = [raw[0], raw[1], raw[2], raw[3]];
    if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 {
        return Err(fail(format!(
            "bad magic number {:02x}{:02x}{:02x}{:02x}: not an IDX file of unsigned bytes",
            magic[0], magic[1], magic[2], magic[3]
        )));
    }
    if magic[3] as usize != rank {
        return Err(fail(format!("holds {} dimensions, expected {rank}", magic[3])));
    }
    let header = 4 + 4 * rank;
    if raw.len() < header {
        return Err(fail(format!("truncated header: {} bytes, need {header}", raw.len())));
    }
    let dims: Vec<usize> = dims(&raw[4..header]).collect();
    let expected = dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).ok_or_else(|| fail("dimensions overflow".into()))?;
    let found = raw.len() - header;
    if found != expected {
        return Err(fail(format!(
            "dimensions {dims:?} need {expected} data bytes but the file has {found}{}",
            if found < expected { " (truncated)" } else { "" }
        )));
    }
    // The header dropped in place: no second copy of the data.
    raw.drain(..header);
    Ok(Idx { dims, data: raw })
}

/// How long a raw IDX file says it is, from its first bytes (magic and dimensions): so that a
/// file arriving in pieces is given its whole buffer once, not grown by doubling. None until
/// the header is complete, for gzip, or for what is no IDX file or one over [`MAX_BYTES`]
/// (the full checks come with [`parse`]).
pub fn announced_len(prefix: &[u8]) -> Option<usize> {
    let &[0, 0, 0x08, rank, ..] = prefix else { return None };
    let header = 4 + 4 * rank as usize;
    let data = dims(prefix.get(4..header)?).try_fold(1usize, |n, d| n.checked_mul(d))?;
    let total = header.checked_add(data)?;
    (total as u64 <= MAX_BYTES).then_some(total)
}

/// The dimensions in an IDX header's bytes after the magic number: one big-endian u32 each.
fn dims(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
}

/// What a gzip stream says its decompressed size is (its last four bytes, little-endian); only
/// a hint for the buffer, since a corrupted file may say anything.
fn gzip_size_hint(bytes: &[u8]) -> usize {
    match bytes.len().checked_sub(4).map(|at| &bytes[at..]) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => 0,
    }
}
