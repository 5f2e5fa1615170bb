//! What every plot shares: an SVG canvas of one size, the series colours,
//! the grey of reference lines, and plotters' errors as [`ReportError`].
//!
//! Series are drawn in saturated colours and reference lines (bounds,
//! limits) in grey, so a plot whose data area holds no saturated pixel has
//! drawn no data: the browser test relies on this.

use crate::error::ReportError;
use plotters::prelude::*;

pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 420;
pub const REFERENCE: RGBColor = RGBColor(90, 90, 90);
pub const FONT: &str = "sans-serif";

/// Colour of the `i`-th series: a colour-blind-safe qualitative palette
/// (Okabe–Ito, without its black and yellow), then plotters' 99-colour one.
pub fn colour(i: usize) -> RGBColor {
    const OKABE_ITO: [RGBColor; 6] = [
        RGBColor(0, 114, 178),
        RGBColor(213, 94, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(230, 159, 0),
    ];
    match OKABE_ITO.get(i) {
        Some(c) => *c,
        None => {
            let c = Palette99::pick(i - OKABE_ITO.len()).to_rgba();
            RGBColor(c.0, c.1, c.2)
        }
    }
}

pub type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Draws with `draw` onto a fresh white canvas and returns the SVG text.
pub fn svg(
    plot: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> DrawResult,
) -> crate::Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(|e| e.into())
            .and_then(|_| draw(&root))
            .and_then(|_| root.present().map_err(|e| e.into()));
        drawn.map_err(|e| ReportError::Plot {
            plot: plot.to_string(),
            reason: e.to_string(),
        })?;
    }
    Ok(out)
}

/// `lo..hi` widened by 5% each side (and to a unit span when flat), for axis ranges.
pub fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let span = if hi > lo { hi - lo } else { 1.0 };
    (lo - 0.05 * span)..(hi + 0.05 * span)
}

/// Draws the series' legend at `position`, on a translucent white box.
pub fn legend<'a, 'b: 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(REFERENCE)
        .label_font((FONT, 11))
        .draw()?;
    Ok(())
}

/// A legend marker: a short line in the series' colour and width.
pub fn line_marker(c: RGBColor, width: u32) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(width))
}
