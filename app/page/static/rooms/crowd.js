// The crowd sweep, on the presenter's screen: every student's run as a point — the setting the presenter named
// against the run's current cost (log scales where natural), coloured by status — and the best and the worst
// runs' decision boundaries side by side, watched on their own sockets. Its hook: [data-view=crowd].

import { drawBoundary } from "../draw/boundary.js";
import { plot } from "../draw/plot.js";
import * as net from "../net.js";
import { applyMessage, newRun } from "../state.js";
import { LOG_SETTINGS, bestAndWorst } from "./model.js";

const COLOURS = { running: "#0072b2", queued: "#56b4e9", paused: "#e69f00", done: "#009e73", diverged: "#d55e00",
  cancelled: "#999999", failed: "#000000", interrupted: "#999999" };

const watched = { best: null, worst: null }; // {id, run, socket}

/** Watch the run now best (or worst), letting go of the one before. */
function follow(state, which, entry) {
  const now = watched[which];
  if (now?.id === entry?.id) return;
  now?.socket.close();
  watched[which] = null;
  if (!entry) return;
  const run = Object.assign(newRun(which, which), { id: entry.id });
  const socket = net.watch(entry.id, (message) => applyMessage(state, run, message), () => {});
  watched[which] = { id: entry.id, run, socket };
}

let drawnAt = null;

export function renderCrowd(state) {
  const root = document.querySelector("[data-view=crowd]");
  const room = state.room;
  const crowd = room.role === "presenter" && room.setting ? room.crowd : null;
  root.hidden = !crowd;
  if (!crowd) {
    follow(state, "best", null);
    follow(state, "worst", null);
    return;
  }
  const runs = crowd.runs;
  root.dataset.runs = runs.length;
  const { best, worst } = bestAndWorst(runs);
  follow(state, "best", best);
  follow(state, "worst", worst);
  for (const which of ["best", "worst"]) {
    const div = root.querySelector(`[data-testid=crowd-${which}]`);
    const shown = watched[which]?.run;
    const entry = which === "best" ? best : worst;
    root.querySelector(`[data-testid=crowd-${which}-caption]`).textContent = entry
      ? `${which === "best" ? "Best" : "Worst"}: ${crowd.setting} = ${JSON.stringify(entry.value)} (${entry.status})`
      : "";
    const key = `${shown?.id}|${shown?.boundary?.epoch}|${div.clientWidth}x${div.clientHeight}`;
    if (div.dataset.drawn === key) continue; // the canvas is redrawn only when its run's frame (or size) changed
    div.dataset.drawn = key;
    div.dataset.epoch = shown?.boundary ? String(shown.boundary.epoch) : "";
    const canvas = div.querySelector("canvas") ?? div.appendChild(document.createElement("canvas"));
    drawBoundary(canvas, { data: shown?.dataset, boundary: shown?.boundary, showTest: false,
      title: which === "best" ? "Best" : "Worst", empty: "no run yet" });
  }
  if (drawnAt === crowd.t) return;
  drawnAt = crowd.t;
  const numeric = runs.every((run) => typeof run.value === "number");
  const byStatus = {};
  for (const run of runs) (byStatus[run.status] ??= []).push(run);
  const traces = Object.entries(byStatus).map(([status, group]) => ({
    type: "scatter",
    mode: "markers",
    name: status,
    x: group.map((run) => (numeric ? run.value : JSON.stringify(run.value))),
    y: group.map((run) => (typeof run.cost === "number" && Number.isFinite(run.cost) ? run.cost : null)),
    text: group.map((run) => `member ${run.member}, epoch ${run.epoch}`),
    marker: { color: COLOURS[status] ?? "#666", size: 11 },
  }));
  plot(root.querySelector("[data-testid=crowd-plot]"), traces, {
    margin: { l: 60, r: 10, t: 30, b: 50 },
    title: { text: `${runs.length} students' runs`, font: { size: 16 } },
    xaxis: { title: { text: crowd.setting }, type: numeric ? (LOG_SETTINGS.has(crowd.setting) ? "log" : "linear") : "category" },
    yaxis: { title: { text: "cost" }, type: "log" },
    legend: { orientation: "h" },
    uirevision: crowd.setting,
  });
}
