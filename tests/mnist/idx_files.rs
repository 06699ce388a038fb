//! IDX files: raw and gzip, bad files named, size caps, and (with MNIST_DIR) the real ones.

use super::*;

fn idx_bytes(magic_rank: u8, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0x08, magic_rank];
    for d in dims {
        v.extend_from_slice(&d.to_be_bytes());
    }
    v.extend_from_slice(data);
    v
}

fn images(n: u32) -> Vec<u8> {
    idx_bytes(3, &[n, 28, 28], &vec![7u8; n as usize * 784])
}

fn labels(values: &[u8]) -> Vec<u8> {
    idx_bytes(1, &[values.len() as u32], values)
}

#[test]
fn idx_reads_raw_and_gzip() {
    let raw = images(3);
    let a = idx::parse("x", &raw, 3).unwrap();
    let b = idx::parse("x", &gzip(&raw), 3).unwrap();
    assert_eq!(a.dims, vec![3, 28, 28]);
    assert_eq!(a, b);
    let split = Split::from_idx("img", &gzip(&raw), "lab", &labels(&[1, 2, 3])).unwrap();
    assert_eq!(split.len(), 3);
    assert_eq!(split.images.len(), 3 * 784);
}

#[test]
fn a_raw_file_announces_its_length_once_its_header_is_in() {
    let file = images(3);
    assert_eq!(idx::announced_len(&file), Some(file.len()));
    // Only the header is needed; until it is complete, nothing is announced.
    assert_eq!(idx::announced_len(&file[..16]), Some(file.len()));
    assert_eq!(idx::announced_len(&file[..15]), None);
    assert_eq!(idx::announced_len(&labels(&[1, 2, 3])[..8]), Some(8 + 3));
    // gzip, another format, or more than any MNIST file: no length to trust.
    assert_eq!(idx::announced_len(&gzip(&file)), None);
    assert_eq!(idx::announced_len(b"<!doctype html>"), None);
    assert_eq!(idx::announced_len(&idx_bytes(3, &[100_000, 28, 28], &[])), None);
    assert_eq!(idx::announced_len(&idx_bytes(3, &[u32::MAX, u32::MAX, u32::MAX], &[])), None);
}

#[test]
fn idx_rejects_bad_files_naming_them() {
    let err = |r: Result<Split, idx::IdxError>| r.unwrap_err().to_string();
    let good = images(2);
    // Truncated data.
    let e = err(Split::from_idx("t-images", &good[..good.len() - 10], "l", &labels(&[1, 2])));
    assert!(e.starts_with("t-images:") && e.contains("truncated"), "{e}");
    // Truncated gzip stream.
    let gz = gzip(&good);
    let e = err(Split::from_idx("gz-images", &gz[..gz.len() / 2], "l", &labels(&[1, 2])));
    assert!(e.starts_with("gz-images:") && e.contains("gzip"), "{e}");
    // Bad magic number.
    let mut bad = good.clone();
    bad[2] = 0x0d;
    assert!(err(Split::from_idx("m", &bad, "l", &labels(&[1, 2]))).contains("magic"));
    // Labels file where images are expected.
    assert!(err(Split::from_idx("swapped", &labels(&[1, 2]), "l", &good)).contains("dimensions"));
    // Counts disagree.
    let e = err(Split::from_idx("i", &good, "lab", &labels(&[1, 2, 3])));
    assert!(e.starts_with("lab:") && e.contains("3 labels for 2 images"), "{e}");
    // Label out of range.
    assert!(err(Split::from_idx("i", &good, "lab", &labels(&[1, 12]))).contains("label 12"));
    // Wrong image size.
    let small = idx_bytes(3, &[2, 14, 14], &[0; 2 * 196]);
    assert!(err(Split::from_idx("i", &small, "l", &labels(&[1, 2]))).contains("28×28"));
    // Empty file.
    assert!(err(Split::from_idx("empty", &[], "l", &labels(&[1]))).contains("too short"));
    // A gzip bomb: 65 MB of zeros in 64 kB says what it is, not "truncated".
    let bomb = gzip(&vec![0u8; (idx::MAX_BYTES + (1 << 20)) as usize]);
    assert!(bomb.len() < 1 << 20);
    let e = err(Split::from_idx("bomb", &bomb, "l", &labels(&[1])));
    assert!(e.starts_with("bomb:") && e.contains("decompresses to more than 64 MB: not an MNIST file"), "{e}");
}

#[cfg(unix)]
#[test]
fn files_are_read_with_a_size_cap_and_links_reported_as_links() {
    let dir = std::env::temp_dir().join(format!("gradbook-capped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A training-images "file" that never ends: refused at the cap, at once.
    let images = dir.join("train-images-idx3-ubyte");
    let _ = std::fs::remove_file(&images);
    std::os::unix::fs::symlink("/dev/zero", &images).unwrap();
    let started = std::time::Instant::now();
    let e = Mnist::from_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("train-images-idx3-ubyte: it holds more than 64 MB: not an MNIST file"), "{e}");
    assert!(started.elapsed().as_secs() < 10);
    // A symlink loop is a loop, not a missing file.
    std::fs::remove_file(&images).unwrap();
    let gz = dir.join("train-images-idx3-ubyte.gz");
    let _ = std::fs::remove_file(&gz);
    std::os::unix::fs::symlink(&gz, &gz).unwrap();
    let e = Mnist::from_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("train-images-idx3-ubyte.gz") && e.to_lowercase().contains("symbolic links"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs MNIST_DIR"]
fn real_mnist_loads() {
    let m = mnist();
    assert_eq!((m.train.len(), m.test.len()), (60_000, 10_000));
    // The first training label of MNIST is a 5, the first test label a 7.
    assert_eq!((m.train.labels[0], m.test.labels[0]), (5, 7));
    let mean = m.train.images.iter().map(|&p| p as f64).sum::<f64>() / m.train.images.len() as f64 / 255.0;
    assert!((mean - 0.1307).abs() < 1e-3, "mean {mean}");

    // What the page does with fetched files: the canonical checksums pass, and a well-formed
    // file with one label changed does not.
    let dir = std::path::PathBuf::from(std::env::var("MNIST_DIR").unwrap());
    let mut files: Vec<Vec<u8>> = gradbook::mnist::data::FILES.iter().map(|(name, _)| std::fs::read(dir.join(format!("{name}.gz"))).unwrap()).collect();
    let canonical = |f: &[Vec<u8>]| Mnist::from_canonical_bytes([&f[0], &f[1], &f[2], &f[3]]);
    assert_eq!(canonical(&files).unwrap().test.labels[0], 7);
    let mut labels = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&files[3][..]), &mut labels).unwrap();
    labels[8] = 1; // the first test label, 7, after the 8-byte header
    files[3] = gzip(&labels);
    assert_eq!(Mnist::from_bytes([&files[0], &files[1], &files[2], &files[3]]).unwrap().test.labels[0], 1);
    let e = canonical(&files).unwrap_err().to_string();
    assert!(e.starts_with("t10k-labels-idx1-ubyte: ") && e.contains("SHA-256 mismatch"), "{e}");
}
