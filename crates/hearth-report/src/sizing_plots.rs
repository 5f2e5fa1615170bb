//! Fleet sizing plots: servers needed per policy (spread over seeds, fluid
//! lower bound), overload rate against fleet size from the sizing search,
//! and the chosen fleet's load per step.

use crate::chart::{colour, legend, line_marker, padded, svg, FONT, REFERENCE};
use crate::inputs::{PolicyRow, StepLoad};
use plotters::prelude::*;

/// One row per policy: each seed's answer (small dots), the median (large
/// dot), the spread between them, and the fluid lower bound as a grey line.
/// A policy meeting the limit at no size gets a cross at the right edge.
pub fn servers_needed(title: &str, rows: &[&PolicyRow], bound: Option<usize>) -> crate::Result<String> {
    let known: Vec<usize> = rows
        .iter()
        .flat_map(|r| r.servers_needed_by_seed.iter().flatten().copied())
        .collect();
    let hi = known.iter().chain(bound.as_ref()).copied().max().unwrap_or(1) as f64;
    let lo = known.iter().chain(bound.as_ref()).copied().min().unwrap_or(0) as f64;
    let names: Vec<String> = rows.iter().map(|r| r.policy.clone()).collect();
    svg(title, |root| {
        let x = padded(lo, hi);
        let x_max = x.end;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(190)
            .build_cartesian_2d(x, (0..rows.len()).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc("servers needed")
            .draw()?;
        if let Some(b) = bound {
            let b = b as f64;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(b, SegmentValue::Exact(0)), (b, SegmentValue::Last)],
                    REFERENCE.stroke_width(2),
                )))?
                .label(format!("fluid lower bound ({b})"))
                .legend(line_marker(REFERENCE, 2));
        }
        for (i, r) in rows.iter().enumerate() {
            let c = colour(i);
            let y = || SegmentValue::CenterOf(i);
            let seeds: Vec<f64> = r.servers_needed_by_seed.iter().flatten().map(|&n| n as f64).collect();
            if let (Some(a), Some(b)) = (
                seeds.iter().copied().reduce(f64::min),
                seeds.iter().copied().reduce(f64::max),
            ) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(a, y()), (b, y())],
                    c.stroke_width(3),
                )))?;
            }
            chart.draw_series(seeds.iter().map(|&n| Circle::new((n, y()), 3, c.filled())))?;
            match r.servers_needed {
                Some(n) => chart.draw_series(std::iter::once(Circle::new((n as f64, y()), 7, c.filled())))?,
                None => chart.draw_series(std::iter::once(Cross::new((x_max, y()), 7, c.stroke_width(3))))?,
            };
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

/// Overload rate (%) against fleet size for each policy's sizing search: the
/// complete runs as dots joined by a line, runs stopped early (certain to
/// fail, so no measured rate) as crosses on the limit line, the limit in grey.
///
/// Both axes are logarithmic: a search spans small fleets overloaded most of
/// the time up to the cap run of a policy that never meets the limit (tens of
/// thousands of servers), and on linear axes every other probe is squashed
/// into a corner. Rates below the floor, a decade under the limit, are drawn
/// on it (0 included), and so is a limit of 0.
pub fn overload_vs_fleet(title: &str, rows: &[&PolicyRow], limit: f64) -> crate::Result<String> {
    let floor = if limit > 0.0 { limit * 10.0 } else { 1e-3 };
    let l = (limit * 100.0).max(floor);
    let probes = rows.iter().flat_map(|r| r.search.iter());
    let (mut x_lo, mut x_hi, mut y_hi) = (f64::MAX, 1.0f64, l.max(floor) * 2.0);
    for p in probes {
        x_lo = x_lo.min(p.servers as f64);
        x_hi = x_hi.max(p.servers as f64);
        if !p.stopped_early {
            y_hi = y_hi.max(p.overload_rate * 100.0);
        }
    }
    let x_lo = x_lo.min(x_hi).max(1.0);
    let rate = |r: f64| (r * 100.0).max(floor);
    svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((x_lo / 1.1..x_hi * 1.1).log_scale(), (floor..y_hi * 1.3).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("servers (log)")
            .y_desc("overload rate (%, log)")
            .draw()?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x_lo, l), (x_hi, l)],
                6,
                4,
                REFERENCE.stroke_width(2),
            ))?
            .label(format!("limit {}%", limit * 100.0))
            .legend(line_marker(REFERENCE, 2));
        for (i, r) in rows.iter().enumerate() {
            let c = colour(i);
            let done: Vec<(f64, f64)> = (r.search.iter().filter(|p| !p.stopped_early))
                .map(|p| (p.servers as f64, rate(p.overload_rate)))
                .collect();
            chart
                .draw_series(LineSeries::new(done.clone(), c.stroke_width(2)))?
                .label(r.policy.clone())
                .legend(line_marker(c, 2));
            chart.draw_series(done.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
            let early = r.search.iter().filter(|p| p.stopped_early);
            chart.draw_series(early.map(|p| Cross::new((p.servers as f64, l), 4, c.stroke_width(2))))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}

/// Peak (busiest server) against mean CPU utilisation (%) per step, in hours.
pub fn step_load(title: &str, s: &StepLoad) -> crate::Result<String> {
    let hours = |t: usize| t as f64 * s.step_seconds as f64 / 3600.0;
    let line = |v: &[f64]| -> Vec<(f64, f64)> { v.iter().enumerate().map(|(t, &u)| (hours(t), u * 100.0)).collect() };
    let (peak, mean) = (line(&s.peak_cpu_utilisation), line(&s.mean_cpu_utilisation));
    let y_hi = peak.iter().chain(&mean).map(|p| p.1).fold(100.0, f64::max);
    let x_hi = hours(peak.len().max(1));
    svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..x_hi, 0.0..y_hi * 1.05)?;
        chart
            .configure_mesh()
            .x_desc("hours")
            .y_desc("CPU utilisation (%)")
            .draw()?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, 100.0), (x_hi, 100.0)],
                6,
                4,
                REFERENCE.stroke_width(2),
            ))?
            .label("capacity")
            .legend(line_marker(REFERENCE, 2));
        for (name, points, c) in [
            ("busiest server", peak, colour(1)),
            ("mean of active servers", mean, colour(0)),
        ] {
            chart
                .draw_series(LineSeries::new(points, c.stroke_width(2)))?
                .label(name)
                .legend(line_marker(c, 2));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}
