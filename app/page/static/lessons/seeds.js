// Trust over seeds (data-view="seeds", in compare mode): the comparison's setups each over N seeds, trained on the
// server, its bands (GET /api/bands: mean cost curve, min–max band, mean ± std of the final numbers) drawn as they
// come. Random search (data-view="search", under the one run): a sweep of the current setup with one field drawn
// from a distribution, its table and the setting against the final cost (GET /api/sweeps/{id}).

import { comparisonRuns } from "../compare.js";
import { PALETTE } from "../draw/curves.js";
import { plot } from "../draw/plot.js";
import * as net from "../net.js";
import { runConfig, touch } from "../state.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
const format = (v, digits = 4) => {
  const value = net.number(v);
  return value === null || value === undefined ? "–" : Number.isFinite(value) ? value.toPrecision(digits) : String(value);
};
const spreadText = (s) => (s ? `${format(s.mean)} ± ${format(s.std, 2)} (${format(s.min)}–${format(s.max)})` : "–");
const errorText = (error) => (Array.isArray(error.detail) ? error.detail.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("; ") : error.message);

/** Start what create() makes, then read(created) into the lesson with take(answer) each second until it is finished
 * (or a newer request of the lesson's replaces this one). */
async function startAndFollow(state, lesson, create, read, take) {
  const mine = lesson.seq;
  touch(state);
  let created;
  try {
    created = await create();
  } catch (error) {
    lesson.error = errorText(error);
  }
  while (created !== undefined && lesson.seq === mine) {
    try {
      take(await read(created));
    } catch (error) {
      lesson.error = errorText(error);
    }
    if (lesson.finished || lesson.error) break;
    lesson.rev += 1;
    touch(state);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  lesson.rev += 1;
  touch(state);
}

async function runOverSeeds(state) {
  const lesson = state.lessons.seeds;
  await stopSeeds(state);
  const specs = comparisonRuns(state);
  const seeds = Number($("seeds-n").value);
  Object.assign(lesson, { seq: lesson.seq + 1, names: specs.map((s) => s.name), bands: null, error: "", finished: false });
  const create = async () => {
    lesson.setups = (await net.createComparison({ runs: specs.map((s) => s.body), seeds, keep: true })).setups;
    return lesson.setups;
  };
  await startAndFollow(state, lesson, create, net.getBands, (bands) => {
    lesson.bands = bands;
    lesson.finished = bands.setups.every((b) => b.final_cost?.n === b.runs.length);
  });
}

async function stopSeeds(state) {
  const lesson = state.lessons.seeds;
  lesson.seq += 1;
  const ids = (lesson.setups ?? []).flat();
  lesson.setups = null;
  if (!lesson.finished) await Promise.all(ids.map((id) => net.control(id, "stop").catch(() => {})));
}

async function search(state) {
  const lesson = state.lessons.search;
  const field = $("search-field").value;
  const body = {
    base: runConfig(state.settings, state.defaults),
    search: "random",
    space: { [field]: { distribution: $("search-distribution").value, low: Number($("search-low").value), high: Number($("search-high").value) } },
    trials: Number($("search-trials").value),
    seed: Number($("search-seed").value),
  }; // fmt: skip
  Object.assign(lesson, { seq: lesson.seq + 1, sweep: null, error: "", finished: false });
  await startAndFollow(state, lesson, () => net.createSweep(body), (created) => net.getSweep(created.id), (sweep) => {
    lesson.sweep = sweep;
    lesson.finished = sweep.finished === sweep.total;
  });
}

export function bindSeeds(state) {
  // seq: which request is current (a newer one ends the older one's polling); rev: the lesson changed
  state.lessons.seeds = { seq: 0, rev: 0, setups: null, names: [], bands: null, error: "", finished: false };
  state.lessons.search = { seq: 0, rev: 0, sweep: null, error: "", finished: false };
  $("seeds-run").addEventListener("click", () => runOverSeeds(state));
  $("seeds-stop").addEventListener("click", async () => {
    await stopSeeds(state);
    touch(state);
  });
  $("search-run").addEventListener("click", () => search(state));
}

function rows(tbody, lines) {
  tbody.replaceChildren(
    ...lines.map((cells) => {
      const tr = document.createElement("tr");
      tr.append(...cells.map((text, i) => Object.assign(document.createElement(i ? "td" : "th"), { textContent: text })));
      return tr;
    }),
  );
}

function renderBands(lesson) {
  const bands = lesson.bands;
  $("seeds-status").textContent =
    lesson.error ||
    (bands ? `${bands.setups.reduce((n, b) => n + (b.final_cost?.n ?? 0), 0)} of ${bands.setups.reduce((n, b) => n + b.runs.length, 0)} runs finished${lesson.finished ? "" : "…"}` : "");
  rows($("seeds-rows"), (bands?.setups ?? []).map((b, i) => [lesson.names[i] ?? `Setup ${i + 1}`, String(b.runs.length),
    spreadText(b.final_cost), spreadText(b.train_accuracy), spreadText(b.test_accuracy)])); // fmt: skip
  const div = $("seeds-curves");
  const key = bands ? JSON.stringify(bands.setups.map((b) => [b.epochs.length, b.final_cost?.n])) : "none";
  if (!bands || div.dataset.key === key) return;
  div.dataset.key = key;
  const traces = bands.setups.flatMap((b, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const name = lesson.names[i] ?? `Setup ${i + 1}`;
    const y = (values) => values.map((v) => (Number.isFinite(net.number(v)) ? net.number(v) : null));
    return [
      { x: b.epochs, y: y(b.low), mode: "lines", line: { width: 0, color: colour }, showlegend: false, hoverinfo: "skip" },
      { x: b.epochs, y: y(b.high), mode: "lines", fill: "tonexty", line: { width: 0, color: colour }, opacity: 0.25,
        name: `${name}: min–max`, hoverinfo: "skip" },
      { x: b.epochs, y: y(b.mean), mode: "lines", line: { width: 3, color: colour }, name: `${name}: mean of ${b.runs.length}` },
    ]; // fmt: skip
  });
  div.dataset.setups = String(bands.setups.length);
  plot(div, traces, {
    margin: { l: 60, r: 10, t: 10, b: 45 }, font: { size: 14 }, hovermode: "x unified",
    xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "cost (band: min–max over the seeds)" } },
    legend: { orientation: "h", y: 1.12 },
  }); // fmt: skip
}

function renderSearch(lesson) {
  const sweep = lesson.sweep;
  $("search-status").textContent = lesson.error || (sweep ? `${sweep.finished} of ${sweep.total} trials finished${lesson.finished ? "" : "…"}` : "");
  const fields = sweep ? Object.keys(sweep.space ?? sweep.grid ?? {}) : [];
  $("search-head").replaceChildren(
    ...[...fields, "status", "final cost", "train acc.", "test acc."].map((t) => Object.assign(document.createElement("th"), { textContent: t })),
  );
  const sorted = sweep ? [...sweep.rows].sort((a, b) => (net.number(a.final_cost) ?? Infinity) - (net.number(b.final_cost) ?? Infinity)) : [];
  rows($("search-rows"), sorted.map((row) => [...fields.map((f) => format(row.values[f])), row.status,
    format(row.final_cost), format(row.train_accuracy), format(row.test_accuracy)])); // fmt: skip
  const container = $("search-plots");
  const key = sweep ? `${sweep.id}|${sweep.finished}` : "none";
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  const done = sweep ? sweep.rows.filter((row) => row.final_cost !== null) : [];
  container.replaceChildren(...fields.map(() => Object.assign(document.createElement("div"), { className: "plot lesson-plot" })));
  fields.forEach((field, i) => {
    const div = container.children[i];
    div.dataset.testid = `search-plot-${field}`;
    div.setAttribute("role", "img");
    div.setAttribute("aria-label", `${field} against the final cost, ${done.length} trials`);
    const log = sweep.space?.[field]?.distribution === "log-uniform";
    plot(div, [{ x: done.map((r) => r.values[field]), y: done.map((r) => net.number(r.final_cost)), mode: "markers",
      marker: { size: 10, color: PALETTE[0] }, hovertemplate: `${field} %{x:.4g}: cost %{y:.4g}<extra></extra>` }], {
      margin: { l: 60, r: 10, t: 10, b: 45 }, font: { size: 14 },
      xaxis: { title: { text: field }, type: log ? "log" : "linear" }, yaxis: { title: { text: "final cost" } },
    }); // fmt: skip
  });
}

/** Draw the seeds view (compare mode) or the search view (one run), whichever is on screen. */
const shown = { seeds: "", search: "" };

export function renderSeeds(state) {
  const { seeds, search } = state.lessons;
  if ($("lesson-seeds").offsetParent !== null && shown.seeds !== `${seeds.seq}|${seeds.rev}`) {
    shown.seeds = `${seeds.seq}|${seeds.rev}`;
    renderBands(seeds);
  }
  if ($("lesson-search").offsetParent !== null && shown.search !== `${search.seq}|${search.rev}`) {
    shown.search = `${search.seq}|${search.rev}`;
    renderSearch(search);
  }
}
