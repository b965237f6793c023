//! Charts drawn on the server as inline SVG (no JavaScript): a line chart for series over time and
//! a horizontal bar chart for ranked or bucketed counts. Colours come from presentation attributes
//! and CSS classes, so the page's content security policy needs no inline styles.

use maud::{Markup, html};

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
const COLOURS: &[&str] = &["#2563eb", "#16a34a", "#dc2626", "#9333ea"];

/// A rounded-up axis maximum (1, 2 or 5 times a power of ten) so gridlines read well.
pub fn nice_max(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let exp = max.log10().floor();
    let base = 10f64.powf(exp);
    for m in [1.0, 2.0, 5.0, 10.0] {
        if max <= m * base {
            return m * base;
        }
    }
    10.0 * base
}

/// Chart text size (user units; the charts are drawn at about their natural width).
const FONT: &str = "12";

fn label(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn no_data(title: &str) -> Markup {
    html! {
        figure.chart {
            figcaption { (title) }
            p.no-data { (t!("reports-no-data")) }
        }
    }
}

/// About how wide `text` is drawn at 12 px (wide for Hangul and CJK, narrow for the rest).
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 12.0 } else { 7.0 })
        .sum()
}

/// The chart's numbers as a table, for people who do not see the drawing (and anyone who wants
/// the exact values); the links of a bar chart live here, outside the image.
fn data_table(columns: &[String], rows: Vec<(Markup, Vec<String>)>) -> Markup {
    html! {
        details.chart-data {
            summary { (t!("reports-chart-data")) }
            div.table-wrap {
                table.report {
                    thead { tr { @for c in columns { th scope="col" { (c) } } } }
                    tbody {
                        @for (head, cells) in rows {
                            tr {
                                th scope="row" dir="auto" { (head) }
                                @for c in cells { td { (c) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Lines over shared x labels; each series is `(name, values)` with one value per label; `None`
/// values (nothing to measure in that bucket) break the line instead of drawing a zero.
pub fn line_chart(title: &str, labels: &[String], series: &[(&str, Vec<Option<f64>>)]) -> Markup {
    let values = series.iter().flat_map(|(_, v)| v.iter().flatten().copied());
    let max = values.clone().fold(f64::NAN, f64::max);
    if labels.is_empty() || values.count() == 0 {
        return no_data(title);
    }
    let top = nice_max(max);
    // The legend has a row of its own above the plot.
    let legend_h = 20.0;
    let plot_top = TOP + legend_h;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - plot_top - BOTTOM;
    let n = labels.len();
    let x = |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| plot_top + plot_h - plot_h * (v / top);
    let label_every = n.div_ceil(7).max(1);
    // Legend entries: a colour swatch, then the series' name.
    let mut legend = Vec::new();
    let mut lx = LEFT;
    for (s, (name, _)) in series.iter().enumerate() {
        legend.push((lx, COLOURS[s % COLOURS.len()], *name));
        lx += 14.0 + 4.0 + text_width(name) + 16.0;
    }
    let columns: Vec<String> = std::iter::once(String::new())
        .chain(series.iter().map(|(name, _)| name.to_string()))
        .collect();
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                html! { (l) },
                series
                    .iter()
                    .map(|(_, vals)| {
                        vals.get(i)
                            .copied()
                            .flatten()
                            .map(label)
                            .unwrap_or_else(|| "–".into())
                    })
                    .collect(),
            )
        })
        .collect();
    html! {
        figure.chart {
            figcaption { (title) }
            svg viewBox={"0 0 " (W) " " (H)} role="img" aria-label=(title) {
                @for (lx, colour, name) in &legend {
                    rect x=(lx) y=(TOP + 1.0) width="12" height="12" fill=(colour) {}
                    text x=(lx + 16.0) y=(TOP + 11.0) font-size=(FONT) { (name) }
                }
                @for g in 0..=4 {
                    @let v = top * f64::from(g) / 4.0;
                    line x1=(LEFT) x2=(W - RIGHT) y1=(y(v)) y2=(y(v)) stroke="#e5e7eb" {}
                    text x=(LEFT - 4.0) y=(y(v) + 4.0) text-anchor="end" font-size=(FONT) { (label(v)) }
                }
                @for (i, l) in labels.iter().enumerate() {
                    @if i % label_every == 0 {
                        text x=(x(i)) y=(H - 8.0) text-anchor="middle" font-size=(FONT) { (l) }
                    }
                }
                @for (s, (_, vals)) in series.iter().enumerate() {
                    @let colour = COLOURS[s % COLOURS.len()];
                    @for segment in segments(vals) {
                        @if segment.len() == 1 {
                            circle cx=(x(segment[0].0)) cy=(y(segment[0].1)) r="2.5" fill=(colour) {}
                        } @else {
                            polyline fill="none" stroke=(colour) stroke-width="2"
                                points=(segment.iter().map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v))).collect::<Vec<_>>().join(" ")) {}
                        }
                    }
                }
            }
            (data_table(&columns, rows))
        }
    }
}

/// Runs of consecutive present values, as (index, value).
fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Horizontal bars, one per `(label, value, link)`; the link (e.g. the tickets behind a tag) is optional.
/// `value_column` names the values in the chart's data table ("Tickets").
pub fn bar_chart(
    title: &str,
    value_column: &str,
    bars: &[(String, f64, Option<String>)],
) -> Markup {
    if bars.is_empty() || bars.iter().all(|(_, v, _)| *v == 0.0) {
        return no_data(title);
    }
    let max = nice_max(bars.iter().map(|(_, v, _)| *v).fold(0.0, f64::max));
    let row = 22.0;
    let label_w = 150.0;
    let h = TOP + row * bars.len() as f64 + 8.0;
    let plot_w = W - label_w - 60.0;
    // Links (the tickets behind a tag) are in the data table: a link inside an image is not
    // reachable as one.
    let rows = bars
        .iter()
        .map(|(name, v, link)| {
            let head = match link {
                Some(href) => html! { a href=(href) { (name) } },
                None => html! { (name) },
            };
            (head, vec![label(*v)])
        })
        .collect();
    html! {
        figure.chart {
            figcaption { (title) }
            svg viewBox={"0 0 " (W) " " (h)} role="img" aria-label=(title) {
                @for (i, (name, v, _)) in bars.iter().enumerate() {
                    @let y = TOP + row * i as f64;
                    @let w = (plot_w * v / max).max(if *v > 0.0 { 1.0 } else { 0.0 });
                    @let short: String = if name.chars().count() > 20 { name.chars().take(19).chain(['…']).collect() } else { name.clone() };
                    text x=(label_w - 6.0) y=(y + 15.0) text-anchor="end" font-size=(FONT) { (short) }
                    rect x=(label_w) y=(y + 3.0) width=(format!("{w:.1}")) height=(row - 6.0) fill=(COLOURS[0]) {}
                    text x=(label_w + w + 4.0) y=(y + 15.0) font-size=(FONT) { (label(*v)) }
                }
            }
            (data_table(&[String::new(), value_column.to_string()], rows))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maximum_is_round() {
        for (max, want) in [
            (0.0, 1.0),
            (f64::NAN, 1.0),
            (3.0, 5.0),
            (7.0, 10.0),
            (10.0, 10.0),
            (120.0, 200.0),
            (0.3, 0.5),
        ] {
            assert_eq!(nice_max(max), want, "{max}");
        }
    }

    #[test]
    fn empty_charts_say_no_data() {
        let line = line_chart("Created", &[], &[]).into_string();
        assert!(line.contains("no data"));
        let gaps = line_chart(
            "Median",
            &["a".into(), "b".into()],
            &[("m", vec![None, None])],
        )
        .into_string();
        assert!(gaps.contains("no data"));
        let bars = bar_chart("Tags", "tickets", &[("billing".into(), 0.0, None)]).into_string();
        assert!(bars.contains("no data"));
        assert!(!line.contains("NaN") && !bars.contains("NaN"));
    }

    #[test]
    fn charts_draw_values_and_escape_labels() {
        let svg = line_chart(
            "Created vs solved",
            &["1 May".into(), "2 May".into(), "3 May".into()],
            &[
                ("created", vec![Some(2.0), Some(4.0), None]),
                ("solved", vec![Some(1.0), None, Some(3.0)]),
            ],
        )
        .into_string();
        assert!(svg.starts_with("<figure"));
        assert!(svg.contains("<polyline"), "{svg}");
        assert!(svg.contains("<circle"), "a lone point is a dot: {svg}");
        assert!(!svg.contains("NaN"));
        let bars = bar_chart(
            "Top",
            "tickets",
            &[(
                "<b>x</b>".into(),
                3.0,
                Some("/reports/tickets?tag=x".into()),
            )],
        )
        .into_string();
        assert!(bars.contains("&lt;b&gt;x"));
        assert!(bars.contains("href=\"/reports/tickets?tag=x\""));
        assert!(bars.contains("<rect"));
        assert!(
            !bars.contains("font-size=\"10\"") && !bars.contains("font-size=\"11\""),
            "chart text is at least 12 px"
        );
        let svg_part = &bars[..bars.find("</svg>").unwrap()];
        assert!(!svg_part.contains("<a "), "no link inside the image");
    }
}
