//! The Azure packing trace 2020 sample shipped in
//! `data/samples/azure-packing-2020/`, embedded at build time: CoSpot's
//! batched 1% sample 0 of one Azure zone over 14 days (real arrivals,
//! lifetimes, sizes, tenants and priorities) and CoSpot's machine types.
//! Licence CC-BY 4.0: cite Protean (Hadary et al., OSDI'20) and CoSpot
//! (SoCC'22) where the data is used.

use anyhow::{Context, Result};
use hearth_trace::formats::azure_packing_2020::{read_server_types, ServerType};
use hearth_trace::{import, Format, ImportOptions, Source, Workload};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/samples_azure.rs"));
}

/// The embedded file whose name contains `part`.
fn embedded_file(part: &str) -> Result<Source> {
    let (name, bytes) = embedded::AZURE_PACKING
        .iter()
        .find(|(name, _)| name.contains(part))
        .with_context(|| format!("no embedded Azure packing file named like {part:?}"))?;
    Ok(Source::from_bytes(*name, *bytes)?)
}

/// The sample's VMs as a workload: 52,314 VMs over the 14-day window (4,032
/// steps of 300 s with the default options), about 7,000 alive at once,
/// 12.8% spot, with tenants and flavours; usage = request (flat).
pub fn azure_packing_arrivals(opts: &ImportOptions) -> Result<Workload> {
    let source = embedded_file("relevant-vm")?;
    Ok(import(Format::AzurePacking2020, vec![source], opts)
        .context("reading the embedded Azure packing 2020 sample")?
        .workload)
}

/// CoSpot's machine types (ids 1, 2, 4, 10, 12, 16), in cores and GiB.
pub fn azure_server_types() -> Result<Vec<ServerType>> {
    let source = embedded_file("server_vm_cores_ram")?;
    read_server_types(source).context("reading the embedded Azure packing machine types")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_sample_and_machine_types_read() {
        let w = azure_packing_arrivals(&ImportOptions::default()).unwrap();
        assert_eq!(w.vms.len(), 52_314);
        assert_eq!(w.peak_alive().0, 7_551);
        // Type 2's capacity and the error for an unknown type are asserted
        // where the one lookup by id lives (`fleet.rs`).
        assert_eq!(azure_server_types().unwrap().len(), 6);
    }
}
