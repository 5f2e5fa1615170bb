//! Workload summaries: exact numbers on a small hand-made workload.

use hearth_trace::info::Quantiles;
use hearth_trace::{summarize, Priority, Provenance, ProvenanceStep, Resources, Step, Usage, Vm, VmId, Workload};

fn vm(arrival: u32, cpu_req: f32, mem_req: f32, priority: Priority, cpu: Vec<f32>) -> Vm {
    let memory = vec![1.0; cpu.len()];
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(arrival),
        departure: Step(arrival + cpu.len() as u32),
        request: Resources::new(cpu_req, mem_req),
        priority,
        usage: Usage { cpu, memory },
    }
}

/// Alive per step: t0 A; t1-2 A B; t3 A C D (B left at 3); t4-5 C; t6-7 none; t8-9 E.
/// CPU per step: 1, 3, 5, 1.5, 0.5, 0.5, 0, 0, 4, 2 (sum 17.5).
fn small() -> Workload {
    let vms = vec![
        vm(0, 2.0, 4.0, Priority::OnDemand, vec![1.0, 1.0, 1.0, 1.0]), // A: utilisation 0.5
        vm(1, 4.0, 8.0, Priority::Spot, vec![2.0, 4.0]),               // B: 0.75
        vm(3, 1.0, 2.0, Priority::Spot, vec![0.5, 0.5, 0.5]),          // C: 0.5
        vm(3, 0.0, 1.0, Priority::OnDemand, vec![0.0]),                // D: no CPU request
        vm(8, 8.0, 16.0, Priority::OnDemand, vec![4.0, 2.0]),          // E: 0.375
    ];
    let provenance = Provenance {
        steps: vec![
            ProvenanceStep::new("import")
                .with("format", "bitbrains")
                .with("rows", 12),
            ProvenanceStep::new("compose").with("seed", 7),
        ],
    };
    Workload::new(360, vms, provenance).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn assert_quantiles(q: Option<Quantiles>, expected: [f64; 5]) {
    let q = q.expect("quantiles");
    let got = [q.min, q.p10, q.p50, q.p90, q.max];
    assert!(
        got.iter().zip(&expected).all(|(a, b)| close(*a, *b)),
        "got {got:?}, expected {expected:?}"
    );
}

#[test]
fn counts_span_and_concurrency() {
    let s = summarize(&small());
    assert_eq!((s.vms, s.spot_vms, s.on_demand_vms), (5, 2, 3));
    assert_eq!(s.step_seconds, 360);
    assert_eq!((s.first_step, s.end_step, s.span_steps), (Step(0), Step(10), 10));
    assert!(close(s.span_hours, 1.0));
    assert_eq!(s.observed_from, Step(0));
    assert_eq!(s.vm_steps, 12);
    assert_eq!((s.peak_vms_alive, s.peak_vms_alive_step), (3, Step(3)));
}

#[test]
fn quantiles_interpolate_between_ranks() {
    let s = summarize(&small());
    // Sorted [0, 1, 2, 4, 8]: p10 at position 0.4, p90 at 3.6.
    assert_quantiles(s.cpu_request_cores, [0.0, 0.4, 2.0, 6.4, 8.0]);
    assert_quantiles(s.memory_request_gib, [1.0, 1.4, 4.0, 12.8, 16.0]);
    assert_quantiles(s.lifetime_steps, [1.0, 1.4, 2.0, 3.6, 4.0]);
    // D asks for no CPU and is left out: [0.375, 0.5, 0.5, 0.75].
    assert_quantiles(s.mean_cpu_utilisation, [0.375, 0.4125, 0.5, 0.675, 0.75]);
    assert_eq!(s.vms_without_cpu_request, 1);
}

#[test]
fn cpu_usage_over_time() {
    let s = summarize(&small());
    assert!(close(s.cpu_usage_peak_cores, 5.0));
    assert_eq!(s.cpu_usage_peak_step, Step(2));
    assert!(close(s.cpu_usage_mean_cores, 1.75));
}

#[test]
fn sparse_span_gives_the_same_answers() {
    // A span far longer than the VM-steps takes the sparse path.
    let vms = vec![
        vm(0, 1.0, 1.0, Priority::OnDemand, vec![1.0, 2.0]),
        vm(5_000_000, 1.0, 1.0, Priority::Spot, vec![3.0]),
        vm(5_000_000, 2.0, 1.0, Priority::OnDemand, vec![0.5, 0.5]),
    ];
    let s = summarize(&Workload::new(300, vms, Provenance::default()).unwrap());
    assert_eq!(s.span_steps, 5_000_002);
    assert_eq!((s.peak_vms_alive, s.peak_vms_alive_step), (2, Step(5_000_000)));
    assert!(close(s.cpu_usage_peak_cores, 3.5));
    assert_eq!(s.cpu_usage_peak_step, Step(5_000_000));
    assert!(close(s.cpu_usage_mean_cores, 7.0 / 5_000_002.0));
}

#[test]
fn observed_from_and_a_late_start() {
    let mut w = Workload::new(
        300,
        vec![vm(100, 1.0, 1.0, Priority::Spot, vec![1.0; 12])],
        Provenance::default(),
    )
    .unwrap();
    w.observed_from = Step(90);
    let s = summarize(&w);
    assert_eq!((s.first_step, s.end_step, s.span_steps), (Step(100), Step(112), 12));
    assert!(close(s.span_hours, 1.0));
    assert_eq!(s.observed_from, Step(90));
    assert_eq!((s.peak_vms_alive, s.peak_vms_alive_step), (1, Step(100)));
    assert_eq!(s.cpu_usage_peak_step, Step(100));
}

#[test]
fn empty_workload() {
    let s = summarize(&Workload::new(300, vec![], Provenance::default()).unwrap());
    assert_eq!((s.vms, s.span_steps, s.vm_steps, s.peak_vms_alive), (0, 0, 0, 0));
    assert_eq!(s.cpu_request_cores, None);
    assert_eq!(s.mean_cpu_utilisation, None);
    assert_eq!(s.cpu_usage_mean_cores, 0.0);
    let text = s.to_string();
    assert!(text.contains("VMs") && text.contains("provenance (0 steps)"), "{text}");
}

#[test]
fn display_is_an_aligned_report() {
    let text = summarize(&small()).to_string();
    println!("{text}");
    let line = |label: &str| {
        text.lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no line {label:?} in\n{text}"))
            .to_string()
    };
    assert_eq!(line("VMs"), format!("{:<24}5 (spot 2, on-demand 3)", "VMs"));
    assert_eq!(line("span"), format!("{:<24}steps 0..10: 10 steps, 1 h", "span"));
    assert_eq!(line("peak VMs alive"), format!("{:<24}3 at step 3", "peak VMs alive"));
    assert_eq!(
        line("CPU usage"),
        format!("{:<24}peak 5 at step 2, mean 1.75", "CPU usage, all VMs")
    );
    assert_eq!(
        line("CPU request"),
        format!(
            "{:<24}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "CPU request (cores)", "0", "0.4", "2", "6.4", "8"
        )
    );
    assert_eq!(
        line("mean CPU utilisation"),
        format!(
            "{:<24}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "mean CPU utilisation", "0.375", "0.412", "0.5", "0.675", "0.75"
        )
    );
    assert!(
        text.contains("(1 VM without a CPU request is left out of the utilisation)"),
        "{text}"
    );
    // Quantile columns line up with the header.
    let header = text.lines().find(|l| l.trim_start().starts_with("min")).unwrap();
    assert_eq!(header.len(), line("lifetime").len());
    // Provenance, one JSON object per line.
    assert!(text.contains("provenance (2 steps)\n  {\"action\":\"import\",\"format\":\"bitbrains\",\"rows\":12}\n  {\"action\":\"compose\",\"seed\":7}\n"), "{text}");
}

#[test]
fn serialises_to_json() {
    let v = serde_json::to_value(summarize(&small())).unwrap();
    assert_eq!(v["vms"], 5);
    assert_eq!(v["peak_vms_alive"], 3);
    assert_eq!(v["peak_vms_alive_step"], 3);
    assert_eq!(v["span_steps"], 10);
    assert_eq!(v["cpu_request_cores"]["p50"], 2.0);
    assert_eq!(v["provenance"][1]["seed"], 7);
}
