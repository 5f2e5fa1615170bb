//! Fuzzing the readers of the real traces: arbitrary bytes, and valid
//! excerpts of the samples with bytes flipped, inserted, removed and cut
//! off, plain and gzipped. Every input must give `Ok` or `Err`, never a
//! panic; an accepted workload must satisfy the workload's invariants.

use flate2::write::GzEncoder;
use flate2::Compression;
use hearth_trace::formats::skypilot;
use hearth_trace::{import, Format, ImportOptions, OnBadRow, Source};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::BoxedStrategy;
use proptest::test_runner::{Config, TestRunner};
use std::io::{Read, Write};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples");
const CASES: u32 = 1500;

fn sample_bytes(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{path}")).expect("sample file is present")
}

/// The first `lines` lines of a sample, decompressed.
fn head(path: &str, lines: usize) -> Vec<u8> {
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(&sample_bytes(path)[..])
        .read_to_end(&mut text)
        .ok();
    if text.is_empty() {
        text = sample_bytes(path);
    }
    text.split_inclusive(|&b| b == b'\n')
        .take(lines)
        .flatten()
        .copied()
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

/// `seed` with a few bytes replaced, inserted or removed, then maybe cut short.
fn mutated(seed: Vec<u8>) -> BoxedStrategy<Vec<u8>> {
    let edit = (0u8..3, any::<Index>(), any::<u8>());
    (prop::collection::vec(edit, 1..6), any::<Index>(), any::<bool>())
        .prop_map(move |(edits, cut, truncate)| {
            let mut b = seed.clone();
            for (op, at, byte) in edits {
                let i = at.index(b.len() + 1);
                match op {
                    0 if i < b.len() => b[i] = byte,
                    2 if i < b.len() => {
                        b.remove(i);
                    }
                    _ => b.insert(i, byte),
                }
            }
            if truncate {
                b.truncate(cut.index(b.len() + 1));
            }
            b
        })
        .boxed()
}

fn arbitrary() -> BoxedStrategy<Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..600).boxed()
}

/// Runs `check` on `cases` inputs; returns how many ran and how many were accepted.
fn fuzz(strategy: BoxedStrategy<Vec<u8>>, cases: u32, check: impl Fn(Vec<u8>) -> bool) -> (u32, u32) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let (ran, accepted) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner
        .run(&strategy, |bytes| {
            ran.set(ran.get() + 1);
            accepted.set(accepted.get() + u32::from(check(bytes)));
            Ok(())
        })
        .expect("no input makes the reader panic");
    (ran.get(), accepted.get())
}

fn total(runs: &[(u32, u32)]) -> (u32, u32) {
    runs.iter().fold((0, 0), |(r, a), (ri, ai)| (r + ri, a + ai))
}

/// Reads one source in `format` under both bad-row policies; true when
/// either accepted it.
fn import_both(format: Format, name: &'static str) -> impl Fn(Vec<u8>) -> bool {
    move |bytes: Vec<u8>| {
        let mut accepted = false;
        for on_bad_row in [OnBadRow::Fail, OnBadRow::Skip] {
            let opts = ImportOptions {
                on_bad_row,
                ..ImportOptions::default()
            };
            let Ok(source) = Source::from_bytes(name, bytes.clone()) else {
                continue;
            };
            if let Ok(imported) = import(format, vec![source], &opts) {
                imported.workload.validate().expect("an accepted workload is valid");
                accepted = true;
            }
        }
        accepted
    }
}

/// Fuzzes one reader; returns how many inputs it accepted (each checked
/// valid by `import_both`).
fn run_all(format: Format, name: &'static str, seed: Vec<u8>) -> u32 {
    let check = import_both(format, name);
    let mutants = fuzz(mutated(seed.clone()), CASES, &check);
    let runs = [
        fuzz(arbitrary(), CASES, &check),
        mutants,
        fuzz(mutated(gzip(&seed)), CASES / 3, &check),
    ];
    let (ran, accepted) = total(&runs);
    eprintln!(
        "{}: {ran} inputs read without panic, {accepted} accepted",
        format.name()
    );
    // Most mutants of a valid file stay readable: the fuzzing reaches past the header.
    assert!(mutants.1 > CASES / 10, "only {} of {CASES} mutants accepted", mutants.1);
    accepted
}

#[test]
fn planetlab_never_panics() {
    let seed = head("planetlab/20110303/146-179_surfsnel_dsl_internl_net_colostate_557", 40);
    assert!(run_all(Format::Planetlab, "20110303/vm", seed) > 0);
}

#[test]
fn bitbrains_never_panics() {
    let seed = head("bitbrains-rnd/2013-7/82.csv.gz", 20);
    assert!(run_all(Format::Bitbrains, "2013-7/82.csv", seed) > 0);
}

#[test]
fn openb_never_panics() {
    let seed = head("alibaba-openb-2023/openb_pod_list_default.csv", 30);
    assert!(run_all(Format::AlibabaOpenb, "openb_pod_list_default.csv", seed) > 0);
}

#[test]
fn openb_node_list_never_panics() {
    let seed = head("alibaba-openb-2023/openb_node_list_all_node.csv", 30);
    let check = |bytes: Vec<u8>| {
        let source = Source::from_bytes("openb_node_list_all_node.csv", bytes);
        let Ok(Ok(nodes)) =
            source.map(|s| hearth_trace::formats::alibaba_openb::read_nodes(s, &ImportOptions::default()))
        else {
            return false;
        };
        for n in &nodes {
            assert!(
                n.cpu.0.is_finite() && n.cpu.0 >= 0.0 && n.memory.0.is_finite() && n.memory.0 >= 0.0,
                "{n:?}"
            );
        }
        true
    };
    let mutants = fuzz(mutated(seed), CASES, check);
    let (ran, accepted) = total(&[fuzz(arbitrary(), CASES, check), mutants]);
    eprintln!("openb node list: {ran} inputs read without panic, {accepted} accepted");
    assert!(mutants.1 > CASES / 10, "only {} of {CASES} mutants accepted", mutants.1);
}

#[test]
fn skypilot_never_panics() {
    let full = sample_bytes("skypilot-spot/preemption/4-node/aws-08-03-2023/us-east-2a_v100_1.json");
    // A short but complete trace: the metadata and the first counts.
    let mut seed: Vec<u8> = full.iter().take(200).copied().collect();
    while seed.last().is_some_and(|&b| b != b',') {
        seed.pop();
    }
    seed.pop();
    seed.extend_from_slice(b"]}");
    assert!(skypilot::read(Source::from_bytes("seed.json", seed.clone()).unwrap()).is_ok());
    let check = |bytes: Vec<u8>| {
        let Ok(Ok(trace)) = Source::from_bytes("spot.json", bytes).map(skypilot::read) else {
            return false;
        };
        assert!(trace.gap_seconds > 0);
        assert_eq!(trace.preemptions().len(), trace.counts.len());
        true
    };
    let mutants = fuzz(mutated(seed.clone()), CASES, check);
    let (ran, accepted) = total(&[
        fuzz(arbitrary(), CASES, check),
        mutants,
        fuzz(mutated(gzip(&seed)), CASES / 3, check),
    ]);
    eprintln!("skypilot: {ran} inputs read without panic, {accepted} accepted");
    // JSON is strict: few mutants stay valid, but some must, or only the parser is fuzzed.
    assert!(mutants.1 > 0, "no mutant accepted");
}
