//! MNIST in memory: pixels stay u8 (47 MB for the training set instead of 188 MB of f32);
//! they become normalised floats on the device, one batch at a time.
//!
//! - [`idx`]: the four IDX files, validated.
//! - [`augment`]: the seed's augmentation as one batched affine resample per batch.
//! - [`tensors`]: batches of images as tensors, and values read back.
//! - [`rng`]: the seeded generator behind the shuffles and the augmentation's draws.

pub mod augment;
pub mod idx;
pub mod rng;
pub mod tensors;

use std::borrow::Cow;

use idx::IdxError;

pub const SIDE: usize = 28;
pub const PIXELS: usize = SIDE * SIDE;
pub const CLASSES: usize = 10;
/// Mean and standard deviation of the training pixels after /255: the usual normalisation.
pub const MEAN: f32 = 0.1307;
pub const STD: f32 = 0.3081;

/// The four canonical files, with the SHA-256 of their decompressed bytes.
pub const FILES: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    ("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    ("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    ("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
];

/// The public mirrors the files are fetched from, in turn (`gradbook download`, and `npm start`
/// through www/generated/engine.ts); `GRADBOOK_MNIST_MIRRORS` replaces them.
pub const MIRRORS: [&str; 3] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
];

/// Images and their labels: `images` holds `len() * 784` bytes, row-major.
#[derive(Debug, Clone)]
pub struct Split {
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
}

/// The training and test splits.
#[derive(Debug, Clone)]
pub struct Mnist {
    pub train: Split,
    pub test: Split,
}

impl Split {
    /// `n` synthetic MNIST-shaped images whose class lights a band of rows (class c: rows
    /// 2c+2 and 2c+3): learnable in a few steps, for tests where the real files are not at hand
    /// (in the browser test, for one).
    pub fn banded(n: usize) -> Self {
        let labels: Vec<u8> = (0..n).map(|i| (i % CLASSES) as u8).collect();
        let mut images = vec![0u8; n * PIXELS];
        for (i, &c) in labels.iter().enumerate() {
            let rows = 2 + 2 * c as usize..4 + 2 * c as usize;
            images[i * PIXELS + rows.start * SIDE..i * PIXELS + rows.end * SIDE].fill(255);
        }
        Split { images, labels }
    }

    /// Parses an images file and its labels file (raw or gzip), checking that they agree.
    pub fn from_idx(images_file: &str, images: &[u8], labels_file: &str, labels: &[u8]) -> Result<Self, IdxError> {
        Self::from_parsed(images_file, idx::parse(images_file, images, 3)?, labels_file, idx::parse(labels_file, labels, 1)?)
    }

    fn from_parsed(images_file: &str, img: idx::Idx, labels_file: &str, lab: idx::Idx) -> Result<Self, IdxError> {
        let fail = |file: &str, problem: String| IdxError { file: file.to_string(), problem };
        if img.dims[1..] != [SIDE, SIDE] {
            return Err(fail(images_file, format!("images are {}×{}, expected 28×28", img.dims[1], img.dims[2])));
        }
        if let Some(pos) = lab.data.iter().position(|&l| l as usize >= CLASSES) {
            return Err(fail(labels_file, format!("label {} at index {pos} is not a digit 0–9", lab.data[pos])));
        }
        if img.dims[0] != lab.dims[0] {
            return Err(fail(
                labels_file,
                format!("{} labels for {} images in {images_file}", lab.dims[0], img.dims[0]),
            ));
        }
        Ok(Split { images: img.data, labels: lab.data })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The first `limit` examples only (quick runs and tests): borrowed when that is all of
    /// them, so a full run does not copy the 47 MB training set.
    pub fn first(&self, limit: Option<usize>) -> Cow<'_, Split> {
        match limit {
            Some(n) if n < self.len() => Cow::Owned(Split {
                images: self.images[..n * PIXELS].to_vec(),
                labels: self.labels[..n].to_vec(),
            }),
            _ => Cow::Borrowed(self),
        }
    }

    /// The pixels and labels of the examples at `indices`, gathered contiguously.
    pub fn gather(&self, indices: &[usize]) -> (Vec<u8>, Vec<u8>) {
        let mut pixels = Vec::with_capacity(indices.len() * PIXELS);
        for &i in indices {
            pixels.extend_from_slice(&self.images[i * PIXELS..(i + 1) * PIXELS]);
        }
        (pixels, indices.iter().map(|&i| self.labels[i]).collect())
    }
}

impl Mnist {
    /// From the four files' bytes, in [`FILES`] order.
    pub fn from_bytes<'a>(files: [impl Into<Cow<'a, [u8]>>; 4]) -> Result<Self, IdxError> {
        Self::parse(files, false)
    }

    /// [`Mnist::from_bytes`], also checking each file against the canonical SHA-256: what the
    /// browser does with what it fetched before it keeps the files in its cache. Files handed
    /// over owned are not copied (see [`idx::parse`]).
    pub fn from_canonical_bytes<'a>(files: [impl Into<Cow<'a, [u8]>>; 4]) -> Result<Self, IdxError> {
        Self::parse(files, true)
    }

    fn parse<'a>(files: [impl Into<Cow<'a, [u8]>>; 4], check: bool) -> Result<Self, IdxError> {
        let mut parsed = Vec::with_capacity(4);
        for (i, ((name, sha256), bytes)) in FILES.iter().zip(files).enumerate() {
            let file = idx::parse(name, bytes, if i % 2 == 0 { 3 } else { 1 })?;
            if check && file.sha256() != *sha256 {
                return Err(IdxError {
                    file: name.to_string(),
                    problem: "its contents differ from the canonical MNIST file (SHA-256 mismatch): the download is corrupted or the file is another one".into(),
                });
            }
            parsed.push(file);
        }
        let [train_images, train_labels, test_images, test_labels]: [idx::Idx; 4] =
            parsed.try_into().map_err(|_| IdxError { file: "MNIST".into(), problem: "expected four files".into() })?;
        Ok(Mnist {
            train: Split::from_parsed(FILES[0].0, train_images, FILES[1].0, train_labels)?,
            test: Split::from_parsed(FILES[2].0, test_images, FILES[3].0, test_labels)?,
        })
    }

    /// From a directory holding the four files, each either `NAME.gz` or `NAME`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_dir(dir: &std::path::Path) -> Result<Self, IdxError> {
        use std::io::Read;
        let read = |name: &str| -> Result<Vec<u8>, IdxError> {
            let gz = dir.join(format!("{name}.gz"));
            let fail = |path: &std::path::Path, problem: String| IdxError { file: path.display().to_string(), problem };
            let cannot = |path: &std::path::Path, e: std::io::Error| {
                fail(path, format!("cannot read it ({e}); point --data or MNIST_DIR at the folder with the four MNIST files"))
            };
            // Only a missing `.gz` means "try the raw name": a symlink loop or a permission
            // problem is reported as what it is.
            let path = match std::fs::metadata(&gz) {
                Ok(_) => gz,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => dir.join(name),
                Err(e) => return Err(cannot(&gz, e)),
            };
            // Read at most one byte past the cap: a link to /dev/zero must not fill the memory.
            let mut bytes = Vec::new();
            std::fs::File::open(&path)
                .and_then(|f| f.take(idx::MAX_BYTES + 1).read_to_end(&mut bytes))
                .map_err(|e| cannot(&path, e))?;
            if bytes.len() as u64 > idx::MAX_BYTES {
                return Err(fail(&path, idx::too_large("it holds")));
            }
            Ok(bytes)
        };
        Self::from_bytes([read(FILES[0].0)?, read(FILES[1].0)?, read(FILES[2].0)?, read(FILES[3].0)?])
    }
}
