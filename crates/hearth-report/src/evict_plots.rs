//! Spot eviction plots: RMSE by horizon and by utilisation bucket, a
//! forecast against the actual rate with its 80% interval, and the
//! forecasts of a saved model with their intervals.

use crate::chart::{colour, legend, line_marker, padded, svg, FONT};
use crate::inputs::{Forecast, ForecastSeries, Score};
use plotters::prelude::*;
use std::collections::BTreeMap;

/// Each model's scores, keyed `model (level)`, in the order first seen.
fn by_model(scores: &[Score]) -> Vec<(String, Vec<&Score>)> {
    let mut order: Vec<(String, Vec<&Score>)> = Vec::new();
    for s in scores {
        let key = format!("{} ({})", s.model, s.level);
        match order.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(s),
            None => order.push((key, vec![s])),
        }
    }
    order
}

/// RMSE of each model against the horizon (hours ahead), over all test clusters.
pub fn rmse_by_horizon(title: &str, scores: &[Score]) -> crate::Result<String> {
    let models = by_model(scores);
    let rmse = scores.iter().filter_map(|s| s.rmse).filter(|r| r.is_finite());
    let y_hi = rmse.fold(0.0f64, f64::max).max(1e-6);
    let h_hi = scores.iter().map(|s| s.horizon_h).max().unwrap_or(1).max(2) as f64;
    svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(padded(1.0, h_hi), 0.0..y_hi * 1.1)?;
        chart
            .configure_mesh()
            .x_labels(h_hi as usize)
            .x_label_formatter(&|h| format!("+{h:.0} h"))
            .x_desc("horizon")
            .y_desc("RMSE of the eviction rate")
            .draw()?;
        for (i, (name, rows)) in models.iter().enumerate() {
            let c = colour(i);
            let pts: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|s| Some((s.horizon_h as f64, s.rmse?)))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?
                .label(name.clone())
                .legend(line_marker(c, 2));
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// RMSE of each model at +1 h in each utilisation bucket (in the order the file gives them).
pub fn rmse_by_bucket(title: &str, scores: &[Score]) -> crate::Result<String> {
    let first: Vec<&Score> = scores.iter().filter(|s| s.horizon_h == 1).collect();
    let mut buckets: Vec<String> = Vec::new();
    for s in &first {
        if !buckets.contains(&s.bucket) {
            buckets.push(s.bucket.clone());
        }
    }
    let models = by_model(scores);
    let y_hi = first
        .iter()
        .filter_map(|s| s.rmse)
        .filter(|r| r.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-6);
    svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((0..buckets.len()).into_segmented(), 0.0..y_hi * 1.1)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(buckets.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => buckets.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc("cluster utilisation bucket (mean allocated cores over the training hours)")
            .y_desc("RMSE at +1 h")
            .draw()?;
        for (i, (name, rows)) in models.iter().enumerate() {
            let c = colour(i);
            let at = |b: &String| {
                rows.iter()
                    .find(|s| s.horizon_h == 1 && &s.bucket == b)
                    .and_then(|s| s.rmse)
            };
            let pts: Vec<(SegmentValue<usize>, f64)> = (buckets.iter().enumerate())
                .filter_map(|(k, b)| Some((SegmentValue::CenterOf(k), at(b)?)))
                .filter(|p| p.1.is_finite())
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?
                .label(name.clone())
                .legend(line_marker(c, 2));
            chart.draw_series(pts.iter().map(|p| Circle::new(p.clone(), 3, c.filled())))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// The actual rate per hour against one model's forecast and its 80% interval (a band).
pub fn forecast_vs_actual(title: &str, s: &ForecastSeries) -> crate::Result<String> {
    let hours: Vec<f64> = s.as_of_hour.iter().map(|&h| (h + s.horizon_h) as f64).collect();
    let at = |v: &[f32]| -> Vec<(f64, f64)> { hours.iter().copied().zip(v.iter().map(|&y| y as f64)).collect() };
    let all = s.actual.iter().chain(&s.forecast).chain(&s.upper).map(|&y| y as f64);
    let y_hi = all.filter(|v| v.is_finite()).fold(0.0f64, f64::max).max(1e-3);
    let (x_lo, x_hi) = (
        hours.first().copied().unwrap_or(0.0),
        hours.last().copied().unwrap_or(1.0),
    );
    svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(padded(x_lo, x_hi), 0.0..y_hi * 1.1)?;
        chart
            .configure_mesh()
            .x_desc("hour (from the first snapshot)")
            .y_desc("spot eviction rate")
            .draw()?;
        let (band_c, fc, ac) = (colour(1), colour(1), colour(0));
        if s.lower.len() == hours.len() && s.upper.len() == hours.len() {
            let mut band = at(&s.upper);
            band.extend(at(&s.lower).into_iter().rev());
            chart
                .draw_series(std::iter::once(Polygon::new(band, band_c.mix(0.25).filled())))?
                .label("80% interval")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], band_c.mix(0.25).filled()));
        }
        chart
            .draw_series(LineSeries::new(at(&s.actual), ac.stroke_width(2)))?
            .label("actual")
            .legend(line_marker(ac, 2));
        chart
            .draw_series(LineSeries::new(at(&s.forecast), fc.stroke_width(2)))?
            .label(format!("{} ({}) forecast +{} h", s.model, s.level, s.horizon_h))
            .legend(line_marker(fc, 2));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// A saved model's forecasts per cluster against the horizon, with 80% intervals as error bars.
pub fn predictions(title: &str, rows: &[Forecast]) -> crate::Result<String> {
    let mut clusters: BTreeMap<&str, Vec<&Forecast>> = BTreeMap::new();
    for r in rows {
        clusters.entry(&r.cluster).or_default().push(r);
    }
    let y_hi = rows
        .iter()
        .map(|r| r.upper.max(r.rate))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-3);
    let h_hi = rows.iter().map(|r| r.horizon_h).max().unwrap_or(1).max(2) as f64;
    svg(title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(padded(1.0, h_hi), 0.0..y_hi * 1.1)?;
        chart
            .configure_mesh()
            .x_labels(h_hi as usize)
            .x_label_formatter(&|h| format!("+{h:.0} h"))
            .x_desc("horizon")
            .y_desc("forecast spot eviction rate")
            .draw()?;
        let n = clusters.len().max(1) as f64;
        for (i, (name, rs)) in clusters.iter().enumerate() {
            let c = colour(i);
            // Clusters side by side within each horizon, so their bars do not hide each other.
            let dx = (i as f64 - (n - 1.0) / 2.0) * 0.3 / n;
            let pts: Vec<(f64, f64)> = rs.iter().map(|r| (r.horizon_h as f64 + dx, r.rate)).collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?
                .label(format!("{name} (as of {})", rs[0].as_of))
                .legend(line_marker(c, 2));
            chart.draw_series(rs.iter().map(|r| {
                ErrorBar::new_vertical(r.horizon_h as f64 + dx, r.lower, r.rate, r.upper, c.stroke_width(2), 8)
            }))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}
