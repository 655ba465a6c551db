// The loss landscape with the optimizers' paths (data-view="landscape"): the comparison's latest landscape message
// (the server sends the same one to each of its runs: core/landscape.py), drawn as contours with each run's path.

import { PALETTE } from "../draw/curves.js";
import { plot } from "../draw/plot.js";
import * as net from "../net.js";

const $ = (id) => document.getElementById(id);
const finite = (v) => {
  const value = net.number(v);
  return Number.isFinite(value) ? value : null;
};

/** The newest landscape among the runs (each carries the comparison's). */
export function latestLandscape(runs) {
  let newest = null;
  for (const run of runs) {
    if (run.landscape && (!newest || run.landscape.epoch > newest.epoch)) newest = run.landscape;
  }
  return newest;
}

function note(landscape) {
  if (!landscape) return "The landscape appears when a comparison of one network shape trains stacked (the course's groups do).";
  if (landscape.refused) return `No landscape: ${landscape.refused}.`;
  const how =
    landscape.directions === "pca"
      ? `the paths' first two principal directions (they explain ${(100 * landscape.explained[0]).toFixed(1)}% and ${(100 * landscape.explained[1]).toFixed(1)}% of the paths' spread)`
      : "two filter-normalized random directions (the runs have not moved apart yet)";
  return `Epoch ${landscape.epoch}: the cost J around the first run's current weights, along ${how}; ${landscape.a.length} × ${landscape.b.length} costs. The paths are each run's weights projected onto this slice, ● where it started.`;
}

/** Draw the landscape when it is on screen and changed (runs: the comparison's). */
export function renderLandscape(runs) {
  const div = $("landscape");
  if ($("lesson-landscape").offsetParent === null) return;
  const landscape = latestLandscape(runs);
  $("landscape-note").textContent = note(landscape);
  const key = landscape ? `${landscape.epoch}|${landscape.centre}|${runs.map((r) => r.id).join()}` : "none";
  if (div.dataset.key === key) return;
  div.dataset.key = key;
  if (!landscape || landscape.refused) return;
  const names = Object.fromEntries(runs.map((run) => [run.id, run.name]));
  const paths = landscape.paths.map((path, i) => {
    const colour = PALETTE[(i + 2) % PALETTE.length]; // not the contours' own colours
    return {
      type: "scatter",
      mode: "lines+markers",
      name: names[path.id] ?? path.id,
      x: path.points.map((p) => p[1]),
      y: path.points.map((p) => p[2]),
      text: path.points.map((p) => `epoch ${p[0]}`),
      line: { color: colour, width: 3 },
      marker: { color: colour, size: path.points.map((_, j) => (j === 0 ? 12 : 4)) },
      hovertemplate: `${names[path.id] ?? path.id}, %{text}<extra></extra>`,
    };
  });
  div.dataset.paths = String(paths.length);
  div.setAttribute("aria-label", `Loss landscape at epoch ${landscape.epoch} with ${paths.length} paths: ${paths.map((p) => p.name).join(", ")}`);
  plot(
    div,
    [
      {
        type: "contour", x: landscape.a, y: landscape.b, z: landscape.costs.map((row) => row.map(finite)),
        colorscale: "Viridis", reversescale: true, ncontours: 25, colorbar: { title: { text: "cost" } },
        hovertemplate: "cost %{z:.4g}<extra></extra>", name: "cost",
      },
      ...paths,
    ],
    {
      margin: { l: 50, r: 10, t: 10, b: 45 }, font: { size: 14 },
      xaxis: { title: { text: "direction 1" } }, yaxis: { title: { text: "direction 2" } },
      legend: { orientation: "h", y: 1.08 },
    },
  ); // fmt: skip
}
