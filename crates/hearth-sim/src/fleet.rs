//! Fleets: the servers a simulation places VMs on.

use hearth_trace::Resources;
use serde::Serialize;

/// Index of a server in its fleet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ServerId(pub u32);

impl ServerId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The capacities of every server of a fleet.
#[derive(Clone, Debug, PartialEq)]
pub struct Fleet {
    pub capacities: Vec<Resources>,
}

/// How to build a fleet of a given size: the search for the fleet size a
/// policy needs grows and shrinks fleets of one spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum FleetSpec {
    /// Identical servers.
    Homogeneous { capacity: Resources },
    /// Servers taken in order from a node list (such as Alibaba openb's),
    /// cycling through it when the fleet is larger than the list.
    Nodes { nodes: Vec<Resources> },
}

impl FleetSpec {
    pub fn build(&self, servers: usize) -> Fleet {
        let capacities = match self {
            FleetSpec::Homogeneous { capacity } => vec![*capacity; servers],
            FleetSpec::Nodes { nodes } => nodes.iter().copied().cycle().take(servers).collect(),
        };
        Fleet { capacities }
    }

    /// The largest CPU and memory capacity of any server of this spec.
    pub fn largest(&self) -> Resources {
        match self {
            FleetSpec::Homogeneous { capacity } => *capacity,
            FleetSpec::Nodes { nodes } => nodes.iter().fold(Resources::default(), |m, n| {
                Resources::new(m.cpu.0.max(n.cpu.0), m.memory.0.max(n.memory.0))
            }),
        }
    }
}
