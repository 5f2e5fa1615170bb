//! `hearth serve` as a process: crash recovery under `kill -9` and
//! decisions equal to the simulator's through `hearth serve replay`.

mod common;

use common::{hearth, s, text, tmp};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A config on `servers` servers of `cores` cores and 4 GiB per core with `policy`, journalled in `state`.
fn config(name: &str, servers: usize, cores: u32, policy: &str, state: Option<&Path>) -> std::path::PathBuf {
    let path = tmp(name);
    let state = state.map_or(String::new(), |p| format!("state = {:?}\n", p.display().to_string()));
    let text = format!(
        "listen = \"127.0.0.1:0\"\n{state}\n[fleet]\nservers = {servers}\nserver_cores = {cores}\nserver_memory_gib = {}\n\n[policy]\nname = \"{policy}\"\nseed = 0\n",
        cores * 4
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `hearth serve` and its address, read from its JSON log.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(config: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["serve", "--config", s(config), "--log-format", "json"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("hearth serve starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("hearth serve logs its address").unwrap();
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if let Some(addr) = v["fields"]["listen"].as_str() {
                break format!("http://{addr}");
            }
        };
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_placement() {
    let state = tmp("crash-state");
    let _ = std::fs::remove_dir_all(&state);
    let cfg = config("crash.toml", 50, 24, "power-of-two", Some(&state));
    let mut server = Server::start(&cfg);
    let acked: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut tasks = Vec::new();
        for task in 0..8 {
            let (client, url, acked) = (client.clone(), server.url.clone(), acked.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0.. {
                    let id = format!("vm-{task}-{i}");
                    let body = format!(r#"{{"id":"{id}","cpu_cores":0.1,"memory_gib":0.5}}"#);
                    let sent = client
                        .post(format!("{url}/v1/vms"))
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let Ok(resp) = sent else { break };
                    if resp.status().as_u16() != 201 {
                        break;
                    }
                    let Ok(bytes) = resp.bytes().await else { break };
                    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
                        break;
                    };
                    acked.lock().unwrap().insert(id, v["server"].as_u64().unwrap());
                }
            }));
        }
        // Kill once a few hundred placements are acknowledged, with requests in flight.
        while acked.lock().unwrap().len() < 300 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        for t in tasks {
            t.await.unwrap();
        }
    });
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 300);

    let restarted = Server::start(&cfg);
    let found: HashMap<String, u64> = runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut found = HashMap::new();
        for sid in 0..50u64 {
            let resp = client
                .get(format!("{}/v1/servers/{sid}", restarted.url))
                .send()
                .await
                .unwrap();
            let v: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
            for vm in v["vms"].as_array().unwrap() {
                found.insert(vm.as_str().unwrap().to_string(), sid);
            }
        }
        found
    });
    for (id, server) in &acked {
        assert_eq!(
            found.get(id),
            Some(server),
            "acknowledged {id} on server {server} is lost"
        );
    }
    // Unacknowledged placements may have been committed too, never more than were sent.
    assert!(found.len() >= acked.len());
}

/// A fleet and a policy to run a workload on, in the simulator and the service.
struct Case<'a> {
    policy: &'a str,
    /// FirePlace's model file.
    model: Option<&'a Path>,
    servers: usize,
    cores: u32,
    memory_gib: u32,
}

/// Runs the case through `hearth simulate` and through a service driven by
/// `hearth serve replay`.
fn simulated_and_served(workload: &Path, case: &Case) -> Runs {
    let Case {
        policy,
        model,
        servers,
        cores,
        memory_gib,
    } = *case;
    let tag = format!("{}-{policy}-{servers}", workload.file_stem().unwrap().to_string_lossy());
    let simulated = tmp(&format!("sim-{tag}.csv"));
    let (servers, cores, memory_gib) = (servers.to_string(), cores.to_string(), memory_gib.to_string());
    let mut args = vec![
        "simulate",
        "--policy",
        policy,
        "--servers",
        &servers,
        "--workload",
        s(workload),
        "--server-cores",
        &cores,
        "--server-memory-gib",
        &memory_gib,
        "--placements",
        s(&simulated),
    ];
    let model_line = match model {
        Some(m) => {
            args.extend(["--model", s(m)]);
            format!("model = {:?}\nk = 2\n", m.display().to_string())
        }
        None => String::new(),
    };
    let sim_out = common::ok(&args);
    let cfg = tmp(&format!("replay-{tag}.toml"));
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n[fleet]\nservers = {servers}\nserver_cores = {cores}\nserver_memory_gib = {memory_gib}\n[policy]\nname = \"{policy}\"\n{model_line}seed = 0\n"
    );
    std::fs::write(&cfg, toml).unwrap();
    let server = Server::start(&cfg);
    let served = tmp(&format!("served-{tag}.csv"));
    let out = hearth(&[
        "serve",
        "replay",
        "--workload",
        s(workload),
        "--url",
        &server.url,
        "--placements",
        s(&served),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    Runs {
        simulated: std::fs::read_to_string(&simulated).unwrap(),
        served: std::fs::read_to_string(&served).unwrap(),
        simulated_evictions: evictions(&sim_out),
        served_evictions: evictions(&text(&out.stdout)),
    }
}

/// The placements (`vm,server` CSV) and spot evictions of both runs.
struct Runs {
    simulated: String,
    served: String,
    simulated_evictions: usize,
    served_evictions: usize,
}

/// The count before " evictions" in a summary line of `simulate` or `serve replay`.
fn evictions(summary: &str) -> usize {
    let before = summary.split(" evictions").next().unwrap_or_default();
    let n = before.rsplit(|c: char| !c.is_ascii_digit()).next().unwrap_or_default();
    n.parse().unwrap_or_else(|_| panic!("no eviction count in {summary:?}"))
}

/// Asserts equal placements, and that the case tests something: several
/// servers used and some VMs rejected.
fn assert_same_decisions(case: &str, simulated: &str, served: &str, vms: usize) {
    assert_eq!(simulated.lines().count(), vms + 1, "{case}");
    let used: std::collections::HashSet<&str> = (simulated.lines().skip(1))
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    assert!(used.len() > 2, "{case}: servers used: {used:?}");
    assert!(
        simulated.lines().any(|l| l.ends_with(',')),
        "{case}: expected some rejections"
    );
    for (x, y) in simulated.lines().zip(served.lines()) {
        assert_eq!(x, y, "{case}: simulator and service differ");
    }
    assert_eq!(simulated.lines().count(), served.lines().count(), "{case}");
}

#[test]
fn replay_through_the_service_decides_as_the_simulator() {
    let (imported, workload) = (tmp("pl.parquet"), tmp("pl-replay.parquet"));
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/planetlab/20110303");
    common::ok(&["trace", "import", "planetlab", sample, "-o", s(&imported)]);
    common::ok(&[
        "trace",
        "stagger",
        s(&imported),
        "--vms",
        "400",
        "--seed",
        "5",
        "-o",
        s(&workload),
    ]);
    // Small servers (2 cores, 8 GiB): admission turns on measured usage, and some VMs are rejected.
    for policy in ["power-of-two", "best-fit"] {
        let case = Case {
            policy,
            model: None,
            servers: 4,
            cores: 2,
            memory_gib: 8,
        };
        let runs = simulated_and_served(&workload, &case);
        assert_same_decisions(policy, &runs.simulated, &runs.served, 400);
    }
}

/// The default workload's kind: a real-time window of Azure's zone, whose
/// first step holds VMs already running (`observed_from` = 1). The replay
/// sends their measured usage with them, and the service counts it as the
/// simulator does; before it could, the service rejected thousands of VMs
/// the simulator placed.
#[test]
fn replay_of_a_window_with_vms_already_running_decides_as_the_simulator() {
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples");
    let (zone, bb, workload) = (tmp("zone.parquet"), tmp("zone-bb.parquet"), tmp("zone-window.parquet"));
    let arrivals = format!("{samples}/azure-packing-2020/relevant-vm-1pcnt_0.csv");
    common::ok(&["trace", "import", "azure-packing-2020", &arrivals, "-o", s(&zone)]);
    common::ok(&[
        "trace",
        "import",
        "bitbrains",
        &format!("{samples}/bitbrains-rnd"),
        "-o",
        s(&bb),
    ]);
    common::ok(&[
        "trace",
        "compose",
        "--arrivals",
        s(&zone),
        "--usage",
        s(&bb),
        "--sizes",
        "arrivals",
        "--days",
        "0.1",
        "--usage-by",
        "tenant",
        "--max-vm-cores",
        "8",
        "--max-vm-memory-gib",
        "64",
        "--seed",
        "1",
        "-o",
        s(&workload),
    ]);
    let info = common::ok(&["trace", "info", s(&workload)]);
    assert!(info.contains("observed from           step 1"), "{info}");
    // 50 servers of Azure's type 2: tight enough for rejections and spot
    // evictions. FirePlace reads the history store (tenant and VM-type usage),
    // so its decisions check that the service keeps it as the simulator does.
    let model = tmp("fp-tiny.json");
    common::ok(&[&common::TINY_TRAIN[..], &["--out", s(&model)]].concat());
    for (policy, model) in [("power-of-two", None), ("fireplace", Some(model.as_path()))] {
        let case = Case {
            policy,
            model,
            servers: 50,
            cores: 24,
            memory_gib: 192,
        };
        let runs = simulated_and_served(&workload, &case);
        let vms = runs.simulated.lines().count() - 1;
        assert!(vms > 6000, "{vms} VMs");
        assert_same_decisions(&format!("zone window, {policy}"), &runs.simulated, &runs.served, vms);
        assert!(runs.simulated_evictions > 0, "{policy}: expected spot evictions");
        assert_eq!(runs.simulated_evictions, runs.served_evictions, "{policy}: evictions");
    }
}

#[test]
fn forecasts_from_json_snapshot_rows_with_a_saved_model() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hearth-evict/tests/fixtures/handmade_snapshots.csv"
    );
    let model = tmp("evict-linear.json");
    common::ok(&[
        "evict",
        "train",
        "--snapshots",
        fixture,
        "--model",
        "linear",
        "--out",
        s(&model),
    ]);
    let cfg = tmp("forecast.toml");
    let text = format!(
        "listen = \"127.0.0.1:0\"\n[fleet]\nservers = 2\n[policy]\nname = \"power-of-two\"\n[evict]\nmodel = {:?}\n",
        model.display().to_string()
    );
    std::fs::write(&cfg, text).unwrap();
    let server = Server::start(&cfg);
    // The fixture's CSV rows as JSON objects (numbers where they parse).
    let csv_text: String = std::fs::read_to_string(fixture)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<serde_json::Map<String, Value>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (header.iter().zip(r.iter()))
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| {
                    let v = v.trim();
                    let value = v
                        .parse::<f64>()
                        .map(|n| serde_json::json!(n))
                        .unwrap_or_else(|_| Value::from(v));
                    (k.to_string(), value)
                })
                .collect()
        })
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, answer) = runtime.block_on(async {
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/evictions/forecast", server.url))
            .header("content-type", "application/json")
            .body(serde_json::to_string(&rows).unwrap())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (
            status,
            serde_json::from_slice::<Value>(&resp.bytes().await.unwrap()).unwrap(),
        )
    });
    assert_eq!(status, 200, "{answer}");
    let forecasts = answer["forecasts"].as_array().unwrap();
    assert_eq!(forecasts.len(), 2 * 3, "two clusters, three horizons: {answer}");
    for f in forecasts {
        let (rate, lower, upper) = (
            f["rate"].as_f64().unwrap(),
            f["lower"].as_f64().unwrap(),
            f["upper"].as_f64().unwrap(),
        );
        assert!((0.0..=1.0).contains(&rate) && lower <= rate && rate <= upper, "{f}");
    }
}
