//! Why a live fleet refuses an event.

use crate::SimError;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("policy {0} needs the future (a hindsight teacher) and cannot run live")]
    NeedsFuture(String),
    #[error("VM {0} is not running")]
    NotRunning(u32),
    #[error("server {0} is not in the fleet of {1} servers")]
    NoServer(u32, usize),
    #[error("step {t} is before the current step {now}")]
    PastStep { t: u32, now: u32 },
    #[error("VM {vm} arrived at step {arrival}, after the report's step {t}")]
    BeforeArrival { vm: u32, arrival: u32, t: u32 },
    #[error("VM {vm} already has a usage report for step {t}")]
    DuplicateReport { vm: u32, t: u32 },
    #[error("reports of a batch must have non-decreasing steps ({t} after {prev})")]
    Unordered { t: u32, prev: u32 },
    #[error(transparent)]
    Sim(#[from] SimError),
}
