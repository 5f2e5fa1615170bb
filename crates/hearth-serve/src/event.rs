//! The journal's events: every change to the fleet, as the service
//! applied it, so that a restart rebuilds the same state.

use crate::api::{UsageRow, VmRequest};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Event {
    /// A VM arrived and went to `server` (`None`: rejected, which still
    /// counts in the history store), evicting the listed spot VMs.
    Arrive {
        vm: VmRequest,
        server: Option<u32>,
        evicted: Vec<String>,
    },
    Depart {
        id: String,
    },
    Usage {
        reports: Vec<UsageRow>,
    },
}
