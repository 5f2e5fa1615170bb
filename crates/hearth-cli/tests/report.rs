//! `hearth report` on the outputs of `compare` and `evict run`, opened in
//! headless Chromium: no console message, every plot drawn (saturated
//! pixels in each plot's box of a screenshot), nothing fetched. The checks
//! are themselves checked on pages that must fail them.

mod browser;
mod common;

use common::{hearth, ok, s, text, tmp};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const WIDTH: u32 = 1100;
/// Fewest series-coloured pixels a drawn plot has (a dot is ~30, a line hundreds).
const DRAWN: usize = 150;

fn profile(name: &str) -> PathBuf {
    tmp(&format!("chromium-{name}"))
}

/// compare (two policies, two seeds, both admissions) and evict run at tiny sizes, then the
/// report; made once for the tests of this file.
fn report_of_compare_and_evict() -> PathBuf {
    static REPORT: OnceLock<PathBuf> = OnceLock::new();
    REPORT.get_or_init(make_report).clone()
}

fn make_report() -> PathBuf {
    let (r, e, html) = (tmp("r.json"), tmp("e.json"), tmp("report.html"));
    ok(&[
        "compare",
        "--policies",
        "power-of-two,best-fit",
        "--seeds",
        "2",
        "--admission",
        "both",
        "--json",
        s(&r),
    ]);
    let size = ["--clusters", "3", "--nodes-per-cluster", "8", "--days", "5"];
    ok(&[
        &["evict", "run"][..],
        &size,
        &["--models", "last-rate,linear,random-forest", "--json", s(&e)],
    ]
    .concat());
    ok(&["report", s(&r), s(&e), "-o", s(&html)]);
    html
}

/// Boxes of the page's plots and a screenshot tall enough to hold them all.
fn render(bin: &Path, page: &Path, png: &Path) -> (browser::Page, Vec<[usize; 4]>, browser::Shot) {
    let name = page.file_stem().unwrap().to_string_lossy().to_string();
    let opened = browser::open(bin, page, WIDTH, &profile(&format!("{name}-dom")));
    let boxes = browser::plot_boxes(&opened.dom);
    let bottom = boxes.iter().map(|b| b[1] + b[3]).max().unwrap_or(0) as u32 + 40;
    let shot = browser::screenshot(bin, page, (WIDTH, bottom), png, &profile(&format!("{name}-shot")));
    (opened, boxes, shot)
}

#[test]
fn report_renders_in_chromium_with_every_plot_drawn() {
    let html = report_of_compare_and_evict();
    let page = std::fs::read_to_string(&html).unwrap();
    for fetch in ["src=", "href=", "url(", "@import"] {
        assert!(!page.contains(fetch), "the report must fetch nothing, found {fetch}");
    }
    let Some(bin) = browser::chromium() else { return };
    let (opened, boxes, shot) = render(&bin, &html, &tmp("report.png"));
    assert!(opened.console.is_empty(), "console messages: {:?}", opened.console);
    // Per admission mode: servers needed, overload vs fleet size, load per step; evict: 3 plots.
    assert_eq!(boxes.len(), 9, "plots: {boxes:?}");
    for (i, b) in boxes.iter().enumerate() {
        assert!(b[2] >= 900 && b[3] >= 400, "plot {i} box {b:?}");
        let drawn = shot.saturated_in(*b);
        assert!(drawn >= DRAWN, "plot {i} at {b:?} is blank: {drawn} series pixels");
    }
}

#[test]
fn the_checks_catch_a_blank_plot_and_a_console_message() {
    let Some(bin) = browser::chromium() else { return };
    let html = report_of_compare_and_evict();
    let page = std::fs::read_to_string(&html).unwrap();
    // The first plot's drawing replaced by an empty canvas of the same size.
    let (start, end) = (page.find("<svg").unwrap(), page.find("</svg>").unwrap() + 6);
    let blank = format!(
        "{}<svg width=\"960\" height=\"420\" xmlns=\"http://www.w3.org/2000/svg\"></svg>{}",
        &page[..start],
        &page[end..]
    )
    .replacen("<body>", "<body><script>console.error('broken')</script>", 1);
    let broken = tmp("broken.html");
    std::fs::write(&broken, blank).unwrap();
    let (opened, boxes, shot) = render(&bin, &broken, &tmp("broken.png"));
    assert_eq!(opened.console.len(), 1, "{:?}", opened.console);
    assert!(opened.console[0].contains("broken"));
    assert!(shot.saturated_in(boxes[0]) < DRAWN, "the blank plot counts as drawn");
    assert!(shot.saturated_in(boxes[1]) >= DRAWN, "the next plot is still drawn");
}

#[test]
fn report_refuses_what_it_cannot_read() {
    let odd = tmp("odd.json");
    std::fs::write(&odd, r#"{"hello": 1}"#).unwrap();
    let out = hearth(&["report", s(&odd), "-o", s(&tmp("x.html"))]);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("odd.json") && err.contains("not a JSON output"),
        "{err}"
    );
    let broken = tmp("broken.json");
    std::fs::write(
        &broken,
        r#"{"results": [{"policy": 3}], "lower_bound": null, "overload_limit": 0.01}"#,
    )
    .unwrap();
    let out = hearth(&["report", s(&broken), "-o", s(&tmp("y.html"))]);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("broken.json") && err.contains("expected a string"),
        "{err}"
    );
    let out = hearth(&["report", s(&odd), "-o", s(&tmp("z.svg"))]);
    assert!(text(&out.stderr).contains("*.html"));
}
