//! Node-risk rules for spot VMs inside a cluster: place a spot VM where the
//! eviction rule of `hearth_sim::spot` is least likely to reach it.
//!
//! That rule runs only when an on-demand VM is admitted nowhere: it evicts
//! from the one server needing the *fewest* evictions (ties: lowest server
//! id), victims largest first, and skips a server where evicting every spot
//! VM would still not make room. Two readings of it, as rules:
//!
//! - [`SpotRule::LeastReclaimable`]: the admitting server whose *reclaimable
//!   room* (its limit minus its on-demand requests, i.e. free room plus spot
//!   VMs, after placing this VM; CPU + memory fractions) is smallest. A spot
//!   VM hidden in the gap left on a server full of on-demand VMs can only be
//!   evicted for an on-demand VM that fits in that gap, and such a small VM
//!   usually finds room elsewhere without evicting. Ties: best-fit, then
//!   the highest server id (the eviction rule breaks its ties to the lowest).
//! - [`SpotRule::Shield`]: most spot cores already on the server (every spot
//!   VM at least as large is evicted first, and a server with more spot VMs
//!   needs more evictions to clear), then fewest on-demand cores, best-fit,
//!   highest id. It stacks spot VMs on their own servers; the evaluation
//!   (EVALUATION.md, issue 9 part 5) measures it evicting *more*: a server of
//!   spot VMs alone is all reclaimable room.
//!
//! On-demand VMs are placed by the wrapped policy (best-fit in the scenario).
//! [`NodeRule`] names the choices the region study offers, best-fit included.

use crate::error::{EvictError, Result};
use hearth_sim::{AdmissionLoad, Decider, FleetView, Policy, ServerId, SimRng, VmView};
use hearth_trace::{Priority, Resources};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpotRule {
    LeastReclaimable,
    Shield,
}

/// Spot VMs by `rule`; on-demand VMs by `on_demand`.
pub struct NodeRisk {
    pub rule: SpotRule,
    pub on_demand: Box<dyn Policy>,
}

/// (Spot, on-demand) requests on server `s` now.
pub fn requests_by_priority(fleet: &FleetView, s: ServerId) -> (Resources, Resources) {
    let (mut spot, mut on_demand) = (Resources::default(), Resources::default());
    for v in fleet.residents(s).iter().filter_map(|&id| fleet.vm(id)) {
        match v.priority {
            Priority::Spot => spot += v.request,
            Priority::OnDemand => on_demand += v.request,
        }
    }
    (spot, on_demand)
}

/// CPU plus memory room left on server `s` under its admission limit once
/// `used` and `vm` are on it, as fractions of the limit. The scenario admits
/// by requests, so requests are the load.
fn room_after(fleet: &FleetView, s: ServerId, used: Resources, vm: &VmView) -> f64 {
    let load = AdmissionLoad {
        counted: used,
        limit: fleet.admission_load(s).limit,
    };
    let (cpu, memory) = load.headroom_after(vm.request);
    cpu + memory
}

impl NodeRisk {
    /// The server for a spot VM by `rule`, `None` when none admits it.
    /// Scans every server (not [`FleetView::candidates`]): ties go to the highest id.
    pub fn place_spot(rule: SpotRule, vm: &VmView, fleet: &FleetView) -> Option<ServerId> {
        // Larger is better on every component; `>=` sends ties to the higher id.
        let mut best: Option<(ServerId, (f64, f64, f64))> = None;
        for s in fleet.ids() {
            if !fleet.admits(s, vm) {
                continue;
            }
            let (spot, on_demand) = requests_by_priority(fleet, s);
            let fit = -room_after(fleet, s, fleet.committed(s), vm);
            let key = match rule {
                SpotRule::LeastReclaimable => (-room_after(fleet, s, on_demand, vm), fit, 0.0),
                SpotRule::Shield => (spot.cpu.0 as f64, -(on_demand.cpu.0 as f64), fit),
            };
            let better = best.is_none_or(|(_, b)| key.partial_cmp(&b).is_some_and(|o| o.is_ge()));
            if better {
                best = Some((s, key));
            }
        }
        best.map(|(s, _)| s)
    }
}

impl Policy for NodeRisk {
    fn name(&self) -> String {
        let rule = match self.rule {
            SpotRule::LeastReclaimable => "least-reclaimable",
            SpotRule::Shield => "spot-shield",
        };
        format!("{rule}+{}", self.on_demand.name())
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        match vm.priority {
            Priority::Spot => NodeRisk::place_spot(self.rule, vm, fleet),
            Priority::OnDemand => self.on_demand.place(vm, fleet, rng),
        }
    }

    fn uses_history(&self) -> bool {
        self.on_demand.uses_history()
    }
}

/// How spot VMs are placed inside a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRule {
    /// The cluster's policy, as for on-demand VMs (best-fit in the scenario).
    BestFit,
    /// [`SpotRule::LeastReclaimable`].
    LeastReclaimable,
    /// [`SpotRule::Shield`].
    SpotShield,
}

impl NodeRule {
    pub const ALL: [NodeRule; 3] = [NodeRule::BestFit, NodeRule::LeastReclaimable, NodeRule::SpotShield];

    pub fn name(self) -> &'static str {
        match self {
            NodeRule::BestFit => "best-fit",
            NodeRule::LeastReclaimable => "least-reclaimable",
            NodeRule::SpotShield => "spot-shield",
        }
    }

    pub fn parse(name: &str) -> Result<NodeRule> {
        NodeRule::ALL.into_iter().find(|r| r.name() == name).ok_or_else(|| {
            EvictError::Config(format!(
                "unknown node rule {name:?}; known: best-fit, least-reclaimable, spot-shield"
            ))
        })
    }

    /// The cluster's decider: `policy` for on-demand VMs, and for spot VMs too under best-fit.
    pub(crate) fn decider(self, policy: Box<dyn Policy>) -> Decider {
        let rule = match self {
            NodeRule::BestFit => return Decider::Online(policy),
            NodeRule::LeastReclaimable => SpotRule::LeastReclaimable,
            NodeRule::SpotShield => SpotRule::Shield,
        };
        Decider::Online(Box::new(NodeRisk {
            rule,
            on_demand: policy,
        }))
    }
}
