//! The real trace excerpts shipped in `data/samples/`, embedded at build
//! time, and the default workload composed from them.

use anyhow::{Context, Result};
use hearth_trace::{compose, import, ComposeOptions, Format, ImportOptions, Resources, SizeSource, Source, Workload};

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
        let opts = ImportOptions::default();
        let arrivals = openb_arrivals(&opts)?;
        let usage = usage_trace(self.usage, &opts)?;
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
        };
        compose(&arrivals, &usage, &copts).context("composing the default workload")
    }
}
