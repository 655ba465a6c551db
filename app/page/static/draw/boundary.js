// The decision boundary: the net's P(class 1) over a grid as a heatmap, the data on top.
// Orange ↔ blue (not red ↔ green) so colour-blind viewers see both classes.

import { plot } from "./plot.js";

const CLASS_COLOURS = ["#e66101", "#0571b0"]; // class 0, class 1
const SCALE = [
  [0, "#fdb863"],
  [0.5, "#f7f7f7"],
  [1, "#92c5de"],
];
const drawn = new WeakMap(); // div → {key, kind} it shows, so a frame with nothing new draws nothing

/** Grid values are uint8 = round(255 p); rows run from y_min upwards, as Plotly's z does. */
function heatmap(boundary, showScale) {
  const { size, x_min, x_max, y_min, y_max, values } = boundary;
  const axis = (lo, hi) => Array.from({ length: size }, (_, i) => lo + (i * (hi - lo)) / (size - 1));
  const z = Array.from({ length: size }, (_, i) => Array.from(values.subarray(i * size, (i + 1) * size), (v) => v / 255));
  return {
    type: "heatmap",
    x: axis(x_min, x_max),
    y: axis(y_min, y_max),
    z,
    zmin: 0,
    zmax: 1,
    colorscale: SCALE,
    zsmooth: "best",
    showscale: showScale,
    colorbar: { title: { text: "P(1)" }, thickness: 12, len: 0.6 },
    hovertemplate: "x₁ %{x:.2f}, x₂ %{y:.2f}<br>P(class 1) %{z:.3f}<extra></extra>",
  };
}

function scatter(X, y, label, testSet) {
  return [0, 1].map((cls) => {
    const rows = X.filter((_, i) => y[i] === cls);
    return {
      type: "scatter",
      mode: "markers",
      name: `${label} · class ${cls}`,
      x: rows.map((p) => p[0]),
      y: rows.map((p) => p[1]),
      marker: {
        color: CLASS_COLOURS[cls],
        size: testSet ? 9 : 7,
        symbol: testSet ? "diamond" : "circle",
        line: { color: testSet ? "#000" : "#fff", width: testSet ? 1.5 : 1 },
      },
      hovertemplate: `${label}, class ${cls}<br>x₁ %{x:.3f}, x₂ %{y:.3f}<extra></extra>`,
    };
  });
}

/**
 * Draw one boundary panel. `data` is the run's dataset (or a preview of it), `boundary` its latest
 * frame; either may be null, and with no data the panel says `empty`. `key` says what changed:
 * nothing new, no Plotly call.
 */
export function drawBoundary(div, { data, boundary, showTest, title = "", compact = false, empty, key }) {
  const kind = boundary ? "boundary" : data ? "points" : "empty";
  const last = drawn.get(div);
  if (last?.key === key) return;
  // Plotly.react keeps the equal-aspect axes' old domain when the ranges switch from auto to fixed,
  // and squashes the plot: start afresh whenever what the panel shows changes kind
  if (last && last.kind !== kind) Plotly.purge(div);
  drawn.set(div, { key, kind });
  const traces = [];
  if (boundary) traces.push(heatmap(boundary, !compact));
  if (data) traces.push(...scatter(data.X_train, data.y_train, "train", false));
  if (data && showTest && data.X_test) traces.push(...scatter(data.X_test, data.y_test, "test", true));
  const range = (lo, hi) => (boundary ? [boundary[lo], boundary[hi]] : undefined);
  const layout = {
    title: { text: title, font: { size: 18 } },
    margin: { l: 40, r: compact ? 10 : 20, t: title ? 40 : 10, b: 30 },
    xaxis: { range: range("x_min", "x_max"), constrain: "domain", zeroline: false, visible: Boolean(data) },
    yaxis: { range: range("y_min", "y_max"), scaleanchor: "x", constrain: "domain", zeroline: false, visible: Boolean(data) },
    showlegend: false,
    font: { size: 14 },
    uirevision: title,
    annotations: data
      ? []
      : [{ text: empty, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { size: 18, color: "#666" } }],
  };
  plot(div, traces, layout);
}
