// The insight plots of one run: per-layer norms over time, activation histograms, the units' weights.
// Each plot div also gets an aria-label saying in words what it shows, for screen readers.

import { PALETTE } from "./curves.js";
import { plot } from "./plot.js";

// a norm of 0 (zeros init) or a non-finite one (a diverged net) has no place on a log axis: a gap
const positive = (v) => (Number.isFinite(v) && v > 0 ? v : null);
const percent = (share) => `${Math.round(100 * share)}%`;
const short = (v) => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v));

/** A subplot's title, as an annotation above the panel on axes x<axis>, y<axis>. */
function panelTitle(text, axis) {
  return { text, xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0.5, y: 1.12, showarrow: false, font: { size: 14 } };
}

/** history: [[epoch, [||W_l||...], [||dW_l||...]], ...]; ||W_l|| solid, ||dW_l|| dashed, one colour per layer. */
export function drawNorms(div, history) {
  const layers = history.length ? history[0][1].length : 0;
  const epochs = history.map((point) => point[0]);
  const traces = [];
  for (let l = 0; l < layers; l++) {
    const colour = PALETTE[l % PALETTE.length];
    for (const [column, name, dash] of [[1, `‖W${l + 1}‖`, "solid"], [2, `‖dW${l + 1}‖`, "dash"]]) {
      traces.push({
        type: "scatter",
        mode: "lines",
        name,
        x: epochs,
        y: history.map((point) => positive(point[column][l])),
        line: { color: colour, width: 2.5, dash },
        hovertemplate: `${name}: %{y:.3g}<extra></extra>`,
      });
    }
  }
  const nothing = traces.every((trace) => trace.y.every((v) => v === null));
  plot(div, traces, {
    margin: { l: 60, r: 10, t: 50, b: 45 }, // the legend sits above the lines, never on them
    font: { size: 14 },
    xaxis: { title: { text: "epoch" } },
    yaxis: { title: { text: "norm (log)" }, type: "log", dtick: 1, exponentformat: "power" },
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    hovermode: "x unified",
    // zeros init: every norm is 0, which a log axis cannot show: say so rather than draw an empty chart
    annotations: nothing
      ? [{ text: "every norm is 0: nothing to show on a log scale", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false }]
      : [],
  });
  const last = history.at(-1);
  div.setAttribute(
    "aria-label",
    last
      ? `Weight and gradient norms per layer up to epoch ${last[0]}: ` +
          last[1].map((w, l) => `layer ${l + 1} weights ${short(w)}, gradients ${short(last[2][l])}`).join("; ")
      : "Weight and gradient norms per layer: none yet",
  );
}

/** What one histogram's title says: a hidden layer's dead share, the output layer's saturated share. */
export function activationNote(entry) {
  return "dead" in entry ? `dead ${percent(entry.dead)}` : `saturated ${percent(entry.saturated)}`;
}

/** activations: [{layer, counts, edges, nonfinite, dead | saturated}], one bar chart per layer, side by side. */
export function drawHistograms(div, activations) {
  const n = activations.length;
  const layout = {
    margin: { l: 45, r: 10, t: 40, b: 35 },
    font: { size: 13 },
    showlegend: false,
    grid: { rows: 1, columns: n, pattern: "independent" },
    annotations: [],
  };
  const traces = activations.map((entry, i) => {
    const axis = i ? String(i + 1) : "";
    const widths = entry.counts.map((_, k) => entry.edges[k + 1] - entry.edges[k]);
    layout[`xaxis${axis}`] = { title: { text: i === n - 1 ? "output a" : `a${entry.layer}` } };
    layout[`yaxis${axis}`] = { rangemode: "tozero" };
    const output = i === n - 1;
    layout.annotations.push(panelTitle(`${output ? "output" : `layer ${entry.layer}`}: ${activationNote(entry)}`, axis));
    return {
      type: "bar",
      x: entry.counts.map((_, k) => entry.edges[k] + widths[k] / 2),
      y: entry.counts,
      width: widths,
      marker: { color: PALETTE[i % PALETTE.length] },
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      hovertemplate: "%{y} values near %{x:.3g}<extra></extra>",
    };
  });
  plot(div, traces, layout);
  div.setAttribute(
    "aria-label",
    "Activation histograms: " +
      activations
        .map((entry) => `layer ${entry.layer} ${activationNote(entry)}${entry.nonfinite ? `, ${entry.nonfinite} not finite` : ""}`)
        .join("; "),
  );
}

// PuOr: a diverging scale without red / green, white at 0
const DIVERGING = [
  [0, "#b35806"],
  [0.25, "#f1a340"],
  [0.5, "#f7f7f7"],
  [0.75, "#998ec3"],
  [1, "#542788"],
];

/** units: [{layer, rows, units, inputs}] (rows: each unit's [w..., b]), symmetry: per hidden layer. */
export function drawUnits(div, units, symmetry) {
  const n = units.length;
  // one symmetric colour range for every layer; all-zero weights (zeros init) get ±1, so they read as 0
  const extent = Math.max(0, ...units.flatMap((u) => u.rows.flat().filter(Number.isFinite).map(Math.abs))) || 1;
  const layout = {
    margin: { l: 55, r: 10, t: 40, b: 40 },
    font: { size: 13 },
    grid: { rows: 1, columns: n, pattern: "independent" },
    annotations: [],
  };
  const traces = units.map((u, i) => {
    const axis = i ? String(i + 1) : "";
    const columns = u.rows[0]?.length ?? 0;
    layout[`xaxis${axis}`] = {
      tickvals: [...Array(columns).keys()],
      ticktext: [...Array(columns).keys()].map((k) => (k === columns - 1 ? "b" : `w${k + 1}`)),
      showgrid: false,
    };
    layout[`yaxis${axis}`] = { title: { text: i ? "" : "unit" }, autorange: "reversed", showgrid: false, dtick: 1 };
    layout.annotations.push(panelTitle(`layer ${u.layer}: spread ${short(symmetry[i])}`, axis));
    return {
      type: "heatmap",
      z: u.rows.map((row) => row.map((v) => (Number.isFinite(v) ? v : null))),
      y: u.rows.map((_, k) => k + 1),
      zmin: -extent,
      zmax: extent,
      colorscale: DIVERGING,
      showscale: i === n - 1,
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      hovertemplate: "unit %{y}: %{z:.3g}<extra></extra>",
    };
  });
  plot(div, traces, layout);
  div.setAttribute(
    "aria-label",
    "Each hidden unit's incoming weights and bias, one row per unit: " +
      units.map((u, i) => `layer ${u.layer}, ${u.units} units, spread ${short(symmetry[i])}`).join("; "),
  );
}
