//! The real trace excerpts shipped in `data/samples/`, embedded at build
//! time, and the default workload composed from them.

use anyhow::{Context, Result};
use hearth_trace::{
    compose, import, split_by_time, split_by_vm, ComposeOptions, Format, ImportOptions, Resources, SizeSource, Source,
    Workload,
};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/samples.rs"));
}

/// The traces a default workload can draw its usage from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleUsage {
    Bitbrains,
    Planetlab,
}

fn sources(files: &'static [(&'static str, &'static [u8])], keep: impl Fn(&str) -> bool) -> Result<Vec<Source>> {
    files
        .iter()
        .filter(|(name, _)| keep(name))
        .map(|(name, bytes)| Source::from_bytes(*name, *bytes).map_err(Into::into))
        .collect()
}

/// The openb pod list: arrivals, lifetimes, priorities and sizes.
pub fn openb_arrivals(opts: &ImportOptions) -> Result<Workload> {
    let pods = sources(embedded::OPENB, |n| n.contains("pod_list"))?;
    Ok(import(Format::AlibabaOpenb, pods, opts)
        .context("reading the embedded openb sample")?
        .workload)
}

/// The openb node list: capacities of a real heterogeneous cluster.
pub fn openb_nodes(opts: &ImportOptions) -> Result<Vec<Resources>> {
    let mut nodes = sources(embedded::OPENB, |n| n.contains("node_list"))?;
    let source = nodes.pop().context("the openb node list is not embedded")?;
    Ok(hearth_trace::formats::alibaba_openb::read_nodes(source, opts)?)
}

pub fn usage_trace(which: SampleUsage, opts: &ImportOptions) -> Result<Workload> {
    let (format, files) = match which {
        SampleUsage::Bitbrains => (Format::Bitbrains, embedded::BITBRAINS),
        SampleUsage::Planetlab => (Format::Planetlab, embedded::PLANETLAB),
    };
    let srcs = sources(files, |_| true)?;
    Ok(import(format, srcs, opts)
        .with_context(|| format!("reading the embedded {} sample", format.name()))?
        .workload)
}

/// Which part of the samples a workload is composed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    All,
    Train,
    Validation,
    Test,
}

impl Part {
    /// (arrival-window fraction, usage-VM fraction) of each part.
    fn fractions(self) -> ((f64, f64), (f64, f64)) {
        match self {
            Part::All => ((0.0, 1.0), (0.0, 1.0)),
            Part::Train => ((0.0, 0.5), (0.0, 0.5)),
            Part::Validation => ((0.5, 0.7), (0.0, 0.5)),
            Part::Test => ((0.7, 1.0), (0.5, 1.0)),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Part::All => "all of the samples",
            Part::Train => "training part: openb arrival window 0-50%, first half of the usage VMs",
            Part::Validation => "validation part: openb arrival window 50-70%, first half of the usage VMs",
            Part::Test => {
                "test part: openb arrival window 70-100%, second half of the usage VMs (never seen in training)"
            }
        }
    }
}

/// What the default workload is made of; `hearth compare` prints it.
pub struct DefaultWorkload {
    pub usage: SampleUsage,
    pub vms: usize,
    pub days: f64,
    pub max_vm_cores: f32,
    pub max_vm_memory_gib: f32,
    pub seed: u64,
}

impl DefaultWorkload {
    pub fn new(usage: SampleUsage, seed: u64) -> Self {
        DefaultWorkload {
            usage,
            vms: 20_000,
            days: 1.0,
            max_vm_cores: 8.0,
            max_vm_memory_gib: 32.0,
            seed,
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "default: openb arrivals and lifetimes, {:?} sizes and usage (shipped samples), {} VMs in {} day, VMs ≤ {} cores and ≤ {} GiB, seed {}",
            self.usage, self.vms, self.days, self.max_vm_cores, self.max_vm_memory_gib, self.seed
        )
    }

    pub fn build(&self) -> Result<Workload> {
        self.build_part(Part::All)
    }

    /// The workload composed from one part of the samples: training,
    /// validation and test use disjoint spans of openb's arrival window
    /// and disjoint usage VMs (test: other days and other VMs).
    pub fn build_part(&self, part: Part) -> Result<Workload> {
        let opts = ImportOptions::default();
        let (time, vms) = part.fractions();
        let arrivals = split_by_time(&openb_arrivals(&opts)?, time.0, time.1)?;
        let usage = split_by_vm(&usage_trace(self.usage, &opts)?, vms.0, vms.1)?;
        let sizes = match self.usage {
            SampleUsage::Bitbrains => SizeSource::Usage,
            SampleUsage::Planetlab => SizeSource::Arrivals,
        };
        let copts = ComposeOptions {
            vms: Some(self.vms),
            days: Some(self.days),
            sizes,
            max_vm_cores: Some(self.max_vm_cores),
            max_vm_memory_gib: Some(self.max_vm_memory_gib),
            seed: self.seed,
            ..Default::default()
        };
        compose(&arrivals, &usage, &copts).context("composing the default workload")
    }
}
