//! Progress on stderr: indicatif bars for the library crates' long work
//! ([`hearth_sim::Progress`], which `hearth` and hearth-evict report to),
//! and notes as plain lines.

use hearth::Progress;
use std::sync::Mutex;

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}

/// Draws the library's progress as one bar at a time on stderr.
#[derive(Default)]
pub struct Bars {
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl Bars {
    fn with(&self, f: impl FnOnce(&indicatif::ProgressBar)) {
        if let Some(bar) = self.bar.lock().expect("no panic while drawing").as_ref() {
            f(bar);
        }
    }
}

impl Progress for Bars {
    fn begin(&self, len: u64, what: &str) {
        let bar = progress(len, what);
        if len == 0 {
            // Work of unknown length: a spinner that shows the run is alive.
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
        }
        *self.bar.lock().expect("no panic while drawing") = Some(bar);
    }

    fn message(&self, msg: &str) {
        self.with(|b| b.set_message(msg.to_string()));
    }

    fn inc(&self) {
        self.with(|b| b.inc(1));
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().expect("no panic while drawing").take() {
            bar.finish_and_clear();
        }
    }

    fn note(&self, line: &str) {
        eprintln!("{line}");
    }
}
