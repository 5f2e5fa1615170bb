//! Headless Chromium (Debian's `chromium` package) for the report's tests:
//! opens a page, returns its console messages, its DOM after scripts ran,
//! and a screenshot's pixels.
//!
//! Chromium's log (`--enable-logging=stderr`) gives console messages
//! without their level, so the tests treat every console message as a
//! failure: a report page has no reason to log anything.
//!
//! A missing Chromium fails the tests with how to install it; only
//! `HEARTH_SKIP_BROWSER_TESTS=1` skips them (for machines that cannot
//! install it; `.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Page {
    pub console: Vec<String>,
    pub dom: String,
}

pub struct Shot {
    pub width: usize,
    pub height: usize,
    /// RGB, row-major.
    pub rgb: Vec<u8>,
}

/// `None` when the tests are told to skip the browser; panics when Chromium is missing.
pub fn chromium() -> Option<PathBuf> {
    if std::env::var("HEARTH_SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("HEARTH_SKIP_BROWSER_TESTS=1: browser test skipped");
        return None;
    }
    let named = std::env::var_os("HEARTH_CHROMIUM").map(PathBuf::from);
    let found = named.into_iter().chain(
        [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        .map(PathBuf::from),
    );
    let found = found.into_iter().find(|p| p.is_file());
    Some(found.unwrap_or_else(|| {
        panic!(
            "Chromium not found: install Debian's package (`apt-get install -y chromium`, as .ci/run does) or set \
             HEARTH_CHROMIUM=/path/to/chromium; HEARTH_SKIP_BROWSER_TESTS=1 skips the browser tests"
        )
    }))
}

/// The flags that work offline as root: no sandbox, no GPU, no background fetches, a fresh profile.
fn base(bin: &Path, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.env("XDG_CONFIG_HOME", profile.join("config"))
        .env("XDG_CACHE_HOME", profile.join("cache"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.join("data").display()));
    c
}

fn url(page: &Path) -> String {
    format!("file://{}", page.canonicalize().expect("page exists").display())
}

/// Loads the page: its console messages and the DOM after its scripts ran.
pub fn open(bin: &Path, page: &Path, width: u32, profile: &Path) -> Page {
    let out = base(bin, profile)
        .args([
            "--enable-logging=stderr",
            "--v=0",
            &format!("--window-size={width},800"),
            "--dump-dom",
        ])
        .arg(url(page))
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium --dump-dom failed: {log}");
    Page {
        console: log
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// A screenshot of the page's top `height` pixels at the given width.
pub fn screenshot(bin: &Path, page: &Path, (width, height): (u32, u32), png: &Path, profile: &Path) -> Shot {
    let out = base(bin, profile)
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url(page))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success() && png.is_file(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sized PNG")];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    let channels = info.color_type.samples();
    let rgb = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    Shot {
        width: info.width as usize,
        height: info.height as usize,
        rgb,
    }
}

impl Shot {
    /// Pixels in the box `[x, y, w, h]` drawn in a saturated colour (the
    /// report's series colours; axes, text and reference lines are grey).
    pub fn saturated_in(&self, [x, y, w, h]: [usize; 4]) -> usize {
        let mut n = 0;
        for row in y..(y + h).min(self.height) {
            for col in x..(x + w).min(self.width) {
                let i = (row * self.width + col) * 3;
                let px = &self.rgb[i..i + 3];
                let (hi, lo) = (px.iter().max().unwrap(), px.iter().min().unwrap());
                n += usize::from(hi - lo >= 80);
            }
        }
        n
    }
}

/// The plot boxes the page's script wrote into `<body data-plot-boxes>`.
pub fn plot_boxes(dom: &str) -> Vec<[usize; 4]> {
    let start = dom
        .find("data-plot-boxes=\"")
        .expect("the page's script ran and wrote data-plot-boxes")
        + 17;
    let raw = &dom[start..start + dom[start..].find('"').unwrap()];
    let json = raw.replace("&quot;", "\"");
    let boxes: Vec<[f64; 4]> = serde_json::from_str(&json).expect("plot boxes as JSON");
    boxes.iter().map(|b| b.map(|v| v.max(0.0) as usize)).collect()
}
