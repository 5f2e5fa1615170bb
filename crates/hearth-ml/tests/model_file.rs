//! Saved models of every family refuse a damaged file: truncated, a flipped
//! byte among the weights, a flipped checksum.

mod common;

use common::{families, plane};
use hearth_file::FileError;
use hearth_ml::{MlError, Model, Task};

fn saved(name: &str, family: usize) -> (std::path::PathBuf, Model, Vec<u8>) {
    let model = families()[family].fit(Task::Regression, &plane(120, 8), 1).unwrap();
    let dir = std::env::temp_dir().join(format!("hearth-ml-file-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.json");
    model.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, model, bytes)
}

fn load_bytes(path: &std::path::Path, bytes: &[u8]) -> Result<Model, MlError> {
    std::fs::write(path, bytes).unwrap();
    Model::load(path)
}

#[test]
fn every_family_round_trips_through_its_file() {
    for family in 0..families().len() {
        let (path, model, _) = saved(&format!("rt{family}"), family);
        assert_eq!(Model::load(&path).unwrap(), model, "{}", families()[family].name());
    }
}

#[test]
fn truncation_is_an_error_naming_the_file() {
    let (path, _, bytes) = saved("truncated", 4);
    for n in [0, 1, bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
        let err = load_bytes(&path, &bytes[..n]).unwrap_err();
        assert!(matches!(err, MlError::File(FileError::Unreadable { .. })), "{n}: {err}");
        assert!(err.to_string().contains("m.json"), "{err}");
    }
}

#[test]
fn a_flipped_digit_in_the_weights_is_a_checksum_error() {
    for family in 0..families().len() {
        let (path, _, bytes) = saved(&format!("flip{family}"), family);
        let payload = find(&bytes, b"\"payload\":");
        // The last digit of the file is deep in the fitted weights or trees.
        let at = bytes.iter().rposition(|b| (b'1'..=b'8').contains(b)).unwrap();
        assert!(at > payload);
        let mut bad = bytes.clone();
        bad[at] += 1;
        let err = load_bytes(&path, &bad).unwrap_err();
        assert!(matches!(err, MlError::File(FileError::Checksum { .. })), "{err}");
        assert!(err.to_string().contains("corrupt"), "{err}");
    }
}

#[test]
fn a_flipped_checksum_is_a_checksum_error() {
    let (path, _, bytes) = saved("checksum", 0);
    let at = find(&bytes, b"crc32:") + 6;
    let mut bad = bytes.clone();
    bad[at] = if bad[at] == b'a' { b'b' } else { b'a' };
    let err = load_bytes(&path, &bad).unwrap_err();
    assert!(matches!(err, MlError::File(FileError::Checksum { .. })), "{err}");
}

#[test]
fn a_bare_model_json_without_envelope_is_named_foreign() {
    let (path, model, _) = saved("bare", 0);
    let err = load_bytes(&path, model.to_json().unwrap().as_bytes()).unwrap_err();
    assert!(matches!(err, MlError::File(FileError::Format { .. })), "{err}");
    assert!(err.to_string().contains("hearth-ml-model"), "{err}");
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).position(|w| w == needle).unwrap()
}
