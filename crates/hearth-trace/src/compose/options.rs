//! What a caller chooses when composing or staggering: time mode, size
//! source, usage key, size bounds, span and seed.

/// Where the composed VMs' requested sizes come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SizeSource {
    /// The usage trace's VM: the usage series is then that VM's own, exactly.
    #[default]
    Usage,
    /// The arrival trace's VM: usage is the usage VM's fraction of its own
    /// request times this request.
    Arrivals,
}

impl SizeSource {
    pub fn name(self) -> &'static str {
        match self {
            SizeSource::Usage => "usage",
            SizeSource::Arrivals => "arrivals",
        }
    }
}

/// How arrivals are replayed in time (see the docs of [`crate::compose`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum TimeMode {
    /// As they happened, from `start_day` (days after the trace's
    /// observation start) for `ComposeOptions::days` (default: to the end).
    Real { start_day: f64 },
    /// Stretched or squeezed onto `ComposeOptions::days`, with
    /// `ComposeOptions::vms` VMs.
    #[default]
    Scaled,
}

/// How a time-scaled replay overlays copies of the arrival trace when more
/// VMs are asked for than it holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overlay {
    /// Copy `c` of `C` shifted by `c/C` of the span; a life that passes the
    /// span's end goes on from its start. Offered demand stays as flat as the
    /// trace's own (issue 22).
    #[default]
    Circular,
    /// Copies shifted by seeded random offsets, lives clipped at the span's
    /// end: demand rises over the run. Kept so that earlier figures (the
    /// sizing study, `hearth bench sizing`) can be reproduced.
    Clipped,
}

impl Overlay {
    pub fn name(self) -> &'static str {
        match self {
            Overlay::Circular => "circular",
            Overlay::Clipped => "clipped",
        }
    }
}

/// Which VMs share a usage source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UsageKey {
    /// Every VM draws its own source VM.
    Vm,
    /// VMs of one tenant share a source VM (VMs without a tenant draw their own).
    #[default]
    Tenant,
    /// VMs of one tenant and one VM type share a source VM.
    TenantType,
}

impl UsageKey {
    pub fn name(self) -> &'static str {
        match self {
            UsageKey::Vm => "vm",
            UsageKey::Tenant => "tenant",
            UsageKey::TenantType => "tenant-type",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ComposeOptions {
    pub time: TimeMode,
    /// Arrivals to replay (time-scaled only); default: as many as the
    /// arrival trace holds (within bounds). A life that passes the span's end
    /// goes on from its start as a second VM, so the workload can hold a few
    /// more VMs (provenance: `lifetimes_wrapped_to_start`).
    pub vms: Option<usize>,
    /// Time-scaled only: how copies of the arrival trace are overlaid.
    pub overlay: Overlay,
    /// Span in days: of the window replayed (real time; default to the
    /// trace's end) or over which VMs arrive (time-scaled; default the trace's own).
    pub days: Option<f64>,
    pub usage_by: UsageKey,
    pub sizes: SizeSource,
    /// VMs whose request exceeds these bounds are left out of the pool they come from.
    pub max_vm_cores: Option<f32>,
    pub max_vm_memory_gib: Option<f32>,
    pub seed: u64,
}

/// Options for giving a usage-only trace (PlanetLab, Bitbrains) arrivals and
/// lifetimes of its own: a Poisson arrival process at a constant rate over
/// the span, exponentially distributed lifetimes, all on-demand.
#[derive(Clone, Debug)]
pub struct StaggerOptions {
    pub vms: usize,
    pub days: f64,
    pub mean_lifetime_hours: f64,
    pub spot_fraction: f64,
    pub max_vm_cores: Option<f32>,
    pub max_vm_memory_gib: Option<f32>,
    pub seed: u64,
}
