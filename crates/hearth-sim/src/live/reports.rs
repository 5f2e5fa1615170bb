//! Usage reports: a batch checked as a whole, then applied step by step.

use super::clock::pad_usage;
use super::error::LiveError;
use super::events::Reporter;
use super::LiveFleet;
use hearth_trace::{Resources, Step, VmId};

impl LiveFleet {
    /// Checks a batch of usage reports without applying any: every reporter
    /// exists (VMs running), steps are not before the current step and do
    /// not decrease, and no VM reports a step twice. The error comes with
    /// the index of the report at fault.
    pub fn check_reports(&self, reports: &[(Reporter, Step, Resources)]) -> Result<(), (usize, LiveError)> {
        let mut prev = self.pending.unwrap_or(self.now);
        let mut seen = std::collections::HashSet::new();
        for (i, &(who, t, _)) in reports.iter().enumerate() {
            self.check_report(who, t, prev, &mut seen).map_err(|e| (i, e))?;
            prev = t;
        }
        Ok(())
    }

    fn check_report(
        &self,
        who: Reporter,
        t: Step,
        prev: Step,
        seen: &mut std::collections::HashSet<(VmId, Step)>,
    ) -> Result<(), LiveError> {
        {
            if t < prev {
                return Err(if t < self.pending.unwrap_or(self.now) {
                    LiveError::PastStep {
                        t: t.0,
                        now: self.pending.unwrap_or(self.now).0,
                    }
                } else {
                    LiveError::Unordered { t: t.0, prev: prev.0 }
                });
            }
            match who {
                Reporter::Server(s) if s.index() >= self.servers.len() => {
                    return Err(LiveError::NoServer(s.0, self.servers.len()))
                }
                Reporter::Server(_) => {}
                Reporter::Vm(id) => {
                    let vm = self.host(id).map(|_| &self.vms[id.0 as usize]);
                    let vm = vm.ok_or(LiveError::NotRunning(id.0))?;
                    if vm.arrival > t {
                        return Err(LiveError::BeforeArrival {
                            vm: id.0,
                            arrival: vm.arrival.0,
                            t: t.0,
                        });
                    }
                    let reported = vm.arrival.0 as usize + vm.usage.cpu.len();
                    if !seen.insert((id, t)) || reported > t.index() {
                        return Err(LiveError::DuplicateReport { vm: id.0, t: t.0 });
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies a batch [`LiveFleet::check_reports`] accepted. A report for a
    /// later step than the pending one closes the steps before it; a VM
    /// without a report for a step counts as using nothing in it.
    pub fn report(&mut self, reports: &[(Reporter, Step, Resources)]) -> Result<(), (usize, LiveError)> {
        self.check_reports(reports)?;
        for &(who, t, usage) in reports {
            self.advance_to(t);
            let s = match who {
                Reporter::Server(s) => s,
                Reporter::Vm(id) => {
                    let vm = &mut self.vms[id.0 as usize];
                    if t > vm.arrival {
                        pad_usage(vm, Step(t.0 - 1));
                    }
                    vm.usage.cpu.push(usage.cpu.0);
                    vm.usage.memory.push(usage.memory.0);
                    self.host[id.0 as usize].expect("checked running")
                }
            };
            self.servers.add_load(s.index(), t, usage);
        }
        Ok(())
    }
}
