// Cost curves: one run with its accuracies (right axis), or every compared run's cost on one chart.

import { plot } from "./plot.js";

// From Okabe–Ito, leaving out its green and its vermillion: no red / green pair anywhere, and each
// run has its own dash as well, so the lines part even in greyscale
export const PALETTE = ["#0072b2", "#e69f00", "#000000", "#56b4e9", "#cc79a7", "#8c510a"];
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
const drawn = new WeakMap();

// inf / nan cannot be plotted: leave a gap there (the readouts say ∞ / NaN)
const finite = (v) => (Number.isFinite(v) ? v : null);

function line(run, column, name, colour, extra = {}) {
  return {
    type: "scatter",
    mode: "lines",
    name,
    x: run.costs.map((p) => p[0]),
    y: run.costs.map((p) => finite(p[column])),
    line: { color: colour, width: 3, ...extra.line },
    hovertemplate: `${name}: %{y:.6g}<extra></extra>`, // the unified hover titles it with the epoch
    ...extra.trace,
  };
}

/** runs: [{key, name, rev, costs}]; `accuracies` adds the first run's train and test accuracy. */
export function drawCurves(div, runs, { logScale, accuracies, epochs }) {
  const key = `${runs.map((r) => `${r.key}:${r.rev}`).join()}|${logScale}|${accuracies}|${epochs}`;
  if (drawn.get(div) === key) return;
  drawn.set(div, key);
  const traces = runs.map((run, i) =>
    line(run, 1, accuracies ? "cost" : run.name, PALETTE[i % PALETTE.length], { line: { dash: DASHES[i % DASHES.length] } }),
  );
  if (accuracies && runs.length) {
    const onRight = (dash) => ({ trace: { yaxis: "y2" }, line: { width: 2, dash } });
    traces.push(line(runs[0], 2, "train accuracy", "#e69f00", onRight("dot")));
    if (runs[0].costs.some((p) => p[3] !== null)) traces.push(line(runs[0], 3, "test accuracy", "#000000", onRight("dash")));
  }
  const rates = accuracies && runs[0]?.learningRates; // learning-rate decay: the schedule the server sent
  if (rates) {
    traces.push({
      type: "scatter", mode: "lines", name: "learning rate", yaxis: "y3",
      x: rates.map((p) => p[0]), y: rates.map((p) => p[1]),
      line: { color: "#cc79a7", width: 2, dash: "longdash" },
      hovertemplate: "learning rate: %{y:.4g}<extra></extra>",
    });
  }
  const layout = {
    margin: { l: 60, r: accuracies ? 60 : 20, t: 10, b: 50 },
    font: { size: 15 },
    xaxis: { title: { text: "epoch" }, range: [0, epochs] },
    // on a log axis, label 1, 2 and 5 of each decade: all nine crowd each other
    yaxis: { title: { text: "cost" }, type: logScale ? "log" : "linear", autorange: true, dtick: logScale ? "D2" : undefined },
    legend: { orientation: "h", y: 1.12 },
    hovermode: "x unified",
  };
  if (accuracies) {
    layout.yaxis2 = { title: { text: "accuracy" }, overlaying: "y", side: "right", range: [0, 1.02], dtick: 0.2, showgrid: false };
  }
  if (rates) {
    layout.xaxis.domain = [0, 0.86];
    layout.margin.r = 20;
    layout.yaxis3 = { title: { text: "learning rate" }, overlaying: "y", side: "right", anchor: "free", position: 1,
      rangemode: "tozero", showgrid: false };
  }
  plot(div, traces, layout);
}
