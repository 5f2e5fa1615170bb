//! `hearth bench fuzz`: every trace reader over generated inputs, outside
//! the test suite (whose fuzz cases are few, for CI time). Inputs are the
//! test fixtures and shipped samples (first lines), mutated: bytes replaced,
//! inserted and removed, cut short, or replaced by random bytes, some behind
//! a gzip magic. Reports the panics found, the accepted inputs that break
//! the workload's invariants, and the time taken.

use anyhow::{bail, Result};
use clap::Args;
use hearth_trace::formats::{alibaba_openb, skypilot};
use hearth_trace::{import, Format, ImportOptions, OnBadRow, Source};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct FuzzArgs {
    /// Generated inputs in all, shared evenly among the readers.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: u64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

macro_rules! fixture {
    ($dir:literal, $name:literal) => {
        (
            $name,
            include_bytes!(concat!("../../hearth-trace/tests/fixtures/", $dir, "/", $name)).as_slice(),
        )
    };
}

macro_rules! sample {
    ($name:literal, $path:literal) => {
        (
            $name,
            include_bytes!(concat!("../../../data/samples/", $path)).as_slice(),
        )
    };
}

/// What a reader reads: a trace format over its files, or one of the
/// single-file readers.
#[derive(Clone, Copy)]
enum Reader {
    Trace(Format),
    OpenbNodes,
    Skypilot,
}

/// Files by name and content.
type Files = Vec<(&'static str, Vec<u8>)>;

/// Each reader with the files it reads (one input mutated per case, the
/// others as shipped).
fn readers() -> Vec<(Reader, Files)> {
    let head = |(n, b): (&'static str, &'static [u8]), lines: usize| {
        let kept: Vec<u8> = b
            .split_inclusive(|&c| c == b'\n')
            .take(lines)
            .flatten()
            .copied()
            .collect();
        (n, kept)
    };
    let whole = |(n, b): (&'static str, &'static [u8])| (n, b.to_vec());
    use Format::*;
    vec![
        (
            Reader::Trace(Planetlab),
            vec![head(
                sample!(
                    "20110303/vm",
                    "planetlab/20110303/146-179_surfsnel_dsl_internl_net_colostate_557"
                ),
                40,
            )],
        ),
        (
            Reader::Trace(Bitbrains),
            vec![whole(sample!("2013-7/82.csv.gz", "bitbrains-rnd/2013-7/82.csv.gz"))],
        ),
        (
            Reader::Trace(AlibabaOpenb),
            vec![head(
                sample!(
                    "openb_pod_list_default.csv",
                    "alibaba-openb-2023/openb_pod_list_default.csv"
                ),
                30,
            )],
        ),
        (
            Reader::Trace(AzureVm),
            vec![
                whole(fixture!("azure-vm", "vmtable.csv")),
                whole(fixture!("azure-vm", "vm_cpu_readings-file-1-of-2.csv")),
            ],
        ),
        (
            Reader::Trace(AzureFunctions2019),
            vec![
                head(
                    fixture!("azure-functions-2019", "invocations_per_function_md.anon.d01.csv"),
                    12,
                ),
                whole(fixture!(
                    "azure-functions-2019",
                    "function_durations_percentiles.anon.d01.csv"
                )),
                whole(fixture!("azure-functions-2019", "app_memory_percentiles.anon.d01.csv")),
            ],
        ),
        (
            Reader::Trace(AzureFunctions2021),
            vec![whole(fixture!(
                "azure-functions-2021",
                "AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt"
            ))],
        ),
        (
            Reader::Trace(Google2019),
            vec![
                whole(fixture!("google-2019", "instance_events-000000000000.csv")),
                whole(fixture!("google-2019", "instance_usage-000000000000.csv")),
            ],
        ),
        (
            Reader::Trace(Alibaba2018),
            vec![
                whole(fixture!("alibaba-2018", "container_meta.csv")),
                whole(fixture!("alibaba-2018", "container_usage.csv")),
                whole(fixture!("alibaba-2018", "machine_meta.csv")),
            ],
        ),
        (
            Reader::Trace(Huawei),
            vec![whole(fixture!("huawei", "Huawei-East-1.csv"))],
        ),
        (
            Reader::OpenbNodes,
            vec![head(
                sample!(
                    "openb_node_list_all_node.csv",
                    "alibaba-openb-2023/openb_node_list_all_node.csv"
                ),
                30,
            )],
        ),
        (
            Reader::Skypilot,
            vec![head(
                sample!(
                    "spot.json",
                    "skypilot-spot/preemption/4-node/aws-08-03-2023/us-east-2a_v100_1.json"
                ),
                usize::MAX,
            )],
        ),
    ]
}

fn reader_name(r: Reader) -> &'static str {
    match r {
        Reader::Trace(f) => f.name(),
        Reader::OpenbNodes => "openb node list",
        Reader::Skypilot => "skypilot",
    }
}

/// One generated input from `seed`: random bytes (one case in eight), or
/// the seed with 1–5 edits, cut short in one case of four.
fn mutate(seed: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    if rng.random_ratio(1, 8) {
        let len = rng.random_range(0..400);
        let mut b: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        if rng.random_bool(0.5) {
            b.splice(0..0, [0x1f, 0x8b]);
        }
        return b;
    }
    let mut b = seed.to_vec();
    for _ in 0..rng.random_range(1..=5) {
        let i = rng.random_range(0..=b.len());
        match rng.random_range(0..3) {
            0 if i < b.len() => b[i] = rng.random(),
            1 if i < b.len() => {
                b.remove(i);
            }
            _ => b.insert(i, rng.random()),
        }
    }
    if rng.random_ratio(1, 4) {
        let cut = rng.random_range(0..=b.len());
        b.truncate(cut);
    }
    b
}

#[derive(Default)]
struct Tally {
    inputs: u64,
    accepted: u64,
    panics: u64,
    invalid: u64,
    first_problem: Option<String>,
}

/// Reads the files; `Ok(true)` when accepted and valid, `Ok(false)` when
/// refused, `Err` with the broken invariant when accepted but invalid.
fn read(reader: Reader, files: &[(&str, Vec<u8>)], on_bad_row: OnBadRow) -> std::result::Result<bool, String> {
    let sources: Option<Vec<Source>> = files
        .iter()
        .map(|(n, b)| Source::from_bytes(*n, b.clone()).ok())
        .collect();
    let Some(mut sources) = sources else { return Ok(false) };
    let opts = ImportOptions {
        on_bad_row,
        ..ImportOptions::default()
    };
    match reader {
        Reader::Trace(format) => match import(format, sources, &opts) {
            Ok(imported) => imported.workload.validate().map(|_| true).map_err(|e| e.to_string()),
            Err(_) => Ok(false),
        },
        Reader::OpenbNodes => match alibaba_openb::read_nodes(sources.remove(0), &opts) {
            Ok(nodes) if nodes.iter().all(|n| n.cpu.0 >= 0.0 && n.memory.0 >= 0.0) => Ok(true),
            Ok(_) => Err("a node with negative capacity".into()),
            Err(_) => Ok(false),
        },
        Reader::Skypilot => match skypilot::read(sources.remove(0)) {
            Ok(t) if t.gap_seconds > 0 && t.preemptions().len() == t.counts.len() => Ok(true),
            Ok(_) => Err("a trace with no gap or mismatched preemptions".into()),
            Err(_) => Ok(false),
        },
    }
}

fn fuzz_one(reader: Reader, seeds: &[(&'static str, Vec<u8>)], cases: u64, rng: &mut ChaCha8Rng) -> Tally {
    let mut t = Tally::default();
    for case in 0..cases {
        let which = (case % seeds.len() as u64) as usize;
        let mut files = seeds.to_vec();
        files[which].1 = mutate(&seeds[which].1, rng);
        let on_bad_row = if case % 2 == 0 { OnBadRow::Fail } else { OnBadRow::Skip };
        t.inputs += 1;
        match catch_unwind(AssertUnwindSafe(|| read(reader, &files, on_bad_row))) {
            Ok(Ok(accepted)) => t.accepted += u64::from(accepted),
            Ok(Err(why)) => {
                t.invalid += 1;
                t.first_problem
                    .get_or_insert(format!("case {case}: accepted but invalid: {why}"));
            }
            Err(_) => {
                t.panics += 1;
                t.first_problem.get_or_insert(format!("case {case}: panic"));
            }
        }
    }
    t
}

pub fn run(a: FuzzArgs) -> Result<()> {
    let readers = readers();
    let per = a.cases.div_ceil(readers.len() as u64);
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let (mut inputs, mut panics, mut invalid) = (0, 0, 0);
    println!("reader                    inputs  accepted  panics  invalid  seconds");
    for (reader, seeds) in &readers {
        let t0 = Instant::now();
        let t = fuzz_one(*reader, seeds, per, &mut rng);
        println!(
            "{:<22} {:>9} {:>9} {:>7} {:>8} {:>8.1}",
            reader_name(*reader),
            t.inputs,
            t.accepted,
            t.panics,
            t.invalid,
            t0.elapsed().as_secs_f64()
        );
        if let Some(p) = &t.first_problem {
            println!("  first problem: {p}");
        }
        (inputs, panics, invalid) = (inputs + t.inputs, panics + t.panics, invalid + t.invalid);
    }
    std::panic::set_hook(quiet);
    println!(
        "{inputs} inputs over {} readers in {:.1} s: {panics} panics, {invalid} accepted inputs that break the workload's invariants",
        readers.len(),
        started.elapsed().as_secs_f64()
    );
    if panics + invalid > 0 {
        bail!("fuzzing found {panics} panics and {invalid} invalid accepted inputs");
    }
    Ok(())
}
