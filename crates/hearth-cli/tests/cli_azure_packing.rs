//! The Azure packing trace 2020 through the `hearth` binary: importing the
//! shipped CoSpot sample and simulating on CoSpot's machine types.

use std::process::{Command, Output};

fn hearth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .output()
        .expect("the hearth binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn import_the_shipped_sample() {
    let sample = format!(
        "{}/../../data/samples/azure-packing-2020/relevant-vm-1pcnt_0.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let dir = std::env::temp_dir().join(format!("hearth-cli-packing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_path = dir.join("packing.parquet");
    let out = hearth(&[
        "trace",
        "import",
        "azure-packing-2020",
        &sample,
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wrote 52314 VMs"), "{}", text(&out.stderr));
    let info = hearth(&["trace", "info", "--json", out_path.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).expect("info prints JSON");
    assert_eq!(json["peak_vms_alive"], 7551);
    assert_eq!(json["spot_vms"], 6722);
}

#[test]
fn simulate_on_azure_machine_types() {
    let out = hearth(&["compare", "--policies", "best-fit", "--nodes", "azure-packing:2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("azure-packing:2"), "{}", text(&out.stderr));
    let out = hearth(&["compare", "--policies", "best-fit", "--nodes", "azure-packing:3"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no machine type 3"), "{}", text(&out.stderr));
}
