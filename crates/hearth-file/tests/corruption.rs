//! Every model file kind must refuse a damaged file: truncated anywhere, a
//! flipped byte anywhere, a flipped checksum, another version or format.

use hearth_file::{json, sealed, FileError, Kind};
use serde::{Deserialize, Serialize};

const KIND: Kind = Kind {
    format: "hearth-test-model",
    version: 3,
    made_by: "hearth test make",
};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Weights {
    names: Vec<String>,
    w: Vec<f64>,
}

fn weights() -> Weights {
    Weights {
        names: vec!["cpu".into(), "mem".into()],
        w: vec![0.1, -2.5e-7, 1.0 / 3.0],
    }
}

#[test]
fn json_round_trip_is_exact() {
    let bytes = json::to_bytes(&KIND, &weights());
    let back: Weights = json::from_bytes(&KIND, &bytes, "m.json").unwrap();
    assert_eq!(back, weights());
}

#[test]
fn json_truncated_anywhere_is_an_error() {
    let bytes = json::to_bytes(&KIND, &weights());
    // The last byte is the trailing newline, which JSON does not need.
    for n in 0..bytes.len() - 1 {
        let err = json::from_bytes::<Weights>(&KIND, &bytes[..n], "m.json");
        assert!(err.is_err(), "truncated to {n} bytes was accepted");
    }
}

#[test]
fn json_flipped_byte_in_the_payload_is_caught() {
    let bytes = json::to_bytes(&KIND, &weights());
    let start = find(&bytes, b"\"payload\":") + 10;
    for i in start..bytes.len() - 2 {
        let mut bad = bytes.clone();
        bad[i] ^= 0x01;
        match json::from_bytes::<Weights>(&KIND, &bad, "m.json") {
            Err(FileError::Checksum { .. } | FileError::Unreadable { .. }) => {}
            other => panic!("byte {i} flipped: {other:?}"),
        }
    }
    let mut digit = bytes.clone();
    let at = start + find(&bytes[start..], b"0.1") + 2;
    digit[at] = b'2';
    let err = json::from_bytes::<Weights>(&KIND, &digit, "m.json").unwrap_err();
    assert!(matches!(err, FileError::Checksum { .. }), "{err}");
    assert!(
        err.to_string().contains("m.json") && err.to_string().contains("corrupt"),
        "{err}"
    );
}

#[test]
fn json_flipped_checksum_is_caught() {
    let bytes = json::to_bytes(&KIND, &weights());
    let at = find(&bytes, b"crc32:") + 6;
    let mut bad = bytes.clone();
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    let err = json::from_bytes::<Weights>(&KIND, &bad, "m.json").unwrap_err();
    assert!(matches!(err, FileError::Checksum { .. }), "{err}");
}

#[test]
fn json_other_version_format_or_payload_is_named() {
    let other = Kind { version: 2, ..KIND };
    let err = json::from_bytes::<Weights>(&KIND, &json::to_bytes(&other, &weights()), "m.json").unwrap_err();
    assert!(
        matches!(
            err,
            FileError::Version {
                found: 2,
                expected: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("hearth test make"), "{err}");

    let foreign = Kind {
        format: "hearth-other",
        ..KIND
    };
    let err = json::from_bytes::<Weights>(&KIND, &json::to_bytes(&foreign, &weights()), "m.json").unwrap_err();
    assert!(err.to_string().contains("hearth-other"), "{err}");

    let err = json::from_bytes::<Weights>(&KIND, br#"{"w":[1]}"#, "m.json").unwrap_err();
    assert!(matches!(err, FileError::Format { .. }), "{err}");

    let err = json::from_bytes::<Weights>(&KIND, &json::to_bytes(&KIND, &vec![1, 2]), "m.json").unwrap_err();
    assert!(matches!(err, FileError::Payload { .. }), "{err}");
}

#[test]
fn sealed_round_trip_and_every_damage_is_caught() {
    let body: Vec<u8> = (0..200u32).map(|i| (i * 7 % 251) as u8).collect();
    let bytes = sealed::seal(&KIND, &body);
    assert_eq!(sealed::unseal(&KIND, &bytes, "m.hnn").unwrap(), body.as_slice());
    for n in 0..bytes.len() {
        assert!(sealed::unseal(&KIND, &bytes[..n], "m.hnn").is_err(), "truncated to {n}");
    }
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x10;
        assert!(sealed::unseal(&KIND, &bad, "m.hnn").is_err(), "byte {i} flipped");
    }
    let mut bad = bytes.clone();
    let body_byte = KIND.format.len() + 2 + 8 + 17;
    bad[body_byte] ^= 0x01;
    let err = sealed::unseal(&KIND, &bad, "m.hnn").unwrap_err();
    assert!(matches!(err, FileError::Checksum { .. }), "{err}");
    let mut bad = bytes.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    let err = sealed::unseal(&KIND, &bad, "m.hnn").unwrap_err();
    assert!(matches!(err, FileError::Checksum { .. }), "{err}");
}

#[test]
fn sealed_other_version_is_named() {
    let old = sealed::seal(&Kind { version: 1, ..KIND }, b"x");
    let err = sealed::unseal(&KIND, &old, "m.hnn").unwrap_err();
    assert!(matches!(err, FileError::Version { found: 1, .. }), "{err}");
    let err = sealed::unseal(&KIND, b"PK\x03\x04zipfile", "m.hnn").unwrap_err();
    assert!(matches!(err, FileError::Format { .. }), "{err}");
}

#[test]
fn writes_are_atomic_and_leave_nothing_on_failure() {
    let dir = std::env::temp_dir().join(format!("hearth-file-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.json");
    json::write(&path, &KIND, &weights()).unwrap();
    assert_eq!(json::read::<Weights>(&path, &KIND).unwrap(), weights());
    let missing = dir.join("no-such-dir").join("m.json");
    assert!(matches!(
        json::write(&missing, &KIND, &weights()),
        Err(FileError::Io { .. })
    ));
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("m.json")]);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).position(|w| w == needle).unwrap()
}
