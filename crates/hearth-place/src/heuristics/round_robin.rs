use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// The next admissible server after the one chosen last, cycling.
#[derive(Debug, Default)]
pub struct RoundRobin {
    last: Option<usize>,
}

impl Policy for RoundRobin {
    fn name(&self) -> String {
        "round-robin".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        let n = fleet.len();
        let start = self.last.map_or(0, |l| l + 1);
        let found = (0..n)
            .map(|i| (start + i) % n)
            .find(|&i| fleet.admits(ServerId(i as u32), vm))?;
        self.last = Some(found);
        Some(ServerId(found as u32))
    }

    fn reset(&mut self) {
        self.last = None;
    }
}
