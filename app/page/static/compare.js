// Compare mode: a course group (three presets) or up to six of the user's own setups, run side by
// side — one boundary panel each, every cost curve on one chart, and a table of final numbers.

import { drawBoundary } from "./draw/boundary.js";
import { drawCurves } from "./draw/curves.js";
import { unplot } from "./draw/plot.js";
import { drawWeights } from "./draw/weights.js";
import { MAX_SETUPS, beyondPlane, fromQuery, latestText, runConfig, setupQuery, touch } from "./state.js";

const title = (name) => name[0].toUpperCase() + name.slice(1).replaceAll("-", " ");

function describe(query) {
  return [...new URLSearchParams(query)].map(([field, value]) => `${field}=${value}`).join(", ") || "the defaults";
}

/** The runs the current comparison starts: [{key, name, description, body}]. */
export function comparisonRuns(state) {
  const { settings, groups, presets, defaults } = state;
  if (settings.compare === "custom") {
    return settings.setups.map((query, i) => ({
      key: `setup-${i + 1}`,
      name: `Setup ${i + 1}`,
      description: describe(query),
      body: runConfig(fromQuery(query, defaults), defaults),
    }));
  }
  const chosen = runConfig(settings, defaults).dataset ?? settings.dataset;
  return groups[settings.compare].map((name) => ({
    key: name,
    name,
    description: presets[name]?.description ?? "",
    body: onChosenImages(state, presets[name], chosen) ? { preset: name, overrides: { dataset: chosen } } : { preset: name },
  }));
}

// ---- n-D data (issue 13): a group of presets on images runs on whichever image dataset is chosen
const datasetName = (dataset) => (typeof dataset === "object" ? dataset?.name : dataset);
function isImages(info) {
  return Boolean(info?.image_shape) || (info?.available === true && info?.features === null); // a folder: images
}
function onChosenImages(state, preset, chosen) {
  const own = datasetName(preset?.config.dataset);
  return isImages(state.datasets[own]) && isImages(state.datasets[datasetName(chosen)]) && own !== datasetName(chosen);
}

/** A run on data that is not 2-D: its first layer's pictures in its panel, instead of a boundary. */
function weightsPanel(panel, run) {
  if (panel.dataset.view !== "weights") {
    if (panel.classList.contains("js-plotly-plot")) unplot(panel);
    const caption = document.createElement("figcaption");
    caption.textContent = run.name;
    const note = document.createElement("p");
    note.className = "muted";
    note.dataset.role = "scale";
    panel.replaceChildren(caption, note);
    panel.dataset.view = "weights";
    panel.classList.add("picture-panel");
  }
  drawWeights(panel, run);
}
// ---- end n-D data

function button(text, attributes) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  for (const [name, value] of Object.entries(attributes)) b.setAttribute(name, value);
  return b;
}

/** Wire the mode switch and the comparison's choices; start() runs the comparison. */
export function bindCompare(state, { onChange, start }) {
  const choose = (compare) => {
    state.settings.compare = compare;
    touch(state);
    onChange("compare");
  };
  document.getElementById("mode-single").addEventListener("click", () => choose(""));
  document.getElementById("mode-compare").addEventListener("click", () =>
    choose(state.settings.compare || Object.keys(state.groups)[0]),
  );

  const groups = document.getElementById("groups");
  for (const name of Object.keys(state.groups)) {
    const b = button(title(name), { id: `group-${name}`, "data-group": name, "data-testid": `compare-group-${name}` });
    b.title = state.groups[name].join(" · ");
    groups.append(b);
  }
  // one click runs a course group
  groups.addEventListener("click", (event) => {
    const group = event.target.closest("button")?.dataset.group;
    if (!group) return;
    choose(group);
    start();
  });

  document.getElementById("custom").addEventListener("click", () => choose("custom"));
  document.getElementById("add-setup").addEventListener("click", () => {
    const query = setupQuery(state.settings, state.defaults);
    const { setups } = state.settings;
    if (setups.length < MAX_SETUPS && !setups.includes(query)) setups.push(query);
    choose("custom");
  });
  document.getElementById("setups").addEventListener("click", (event) => {
    const index = event.target.closest("button")?.dataset.remove;
    if (index === undefined) return;
    state.settings.setups.splice(Number(index), 1);
    touch(state);
    onChange("setups");
  });
}

function renderSetups(state) {
  const { setups, compare } = state.settings;
  const list = document.getElementById("setups");
  list.hidden = compare !== "custom";
  list.replaceChildren(
    ...setups.map((query, i) => {
      const item = document.createElement("li");
      const text = document.createElement("span");
      text.textContent = `Setup ${i + 1}: ${describe(query)}`;
      item.append(text, button("×", { "data-remove": i, "aria-label": `Remove setup ${i + 1}` }));
      return item;
    }),
  );
  if (compare === "custom" && !setups.length) {
    const hint = document.createElement("li");
    hint.textContent = "Set up the controls, then “+ Add current setup” (up to 6).";
    list.append(hint);
  }
}

/** Panels and table rows follow the runs: rebuilt when the set of runs changes, updated otherwise. */
function reconcile(container, runs, make) {
  const keys = runs.map((r) => r.key).join();
  if (container.dataset.keys === keys) return [...container.children];
  for (const child of container.querySelectorAll(".js-plotly-plot")) unplot(child);
  container.replaceChildren(...runs.map(make));
  container.dataset.keys = keys;
  return [...container.children];
}

function makePanel(run) {
  const panel = document.createElement("div");
  panel.className = "plot panel";
  panel.dataset.testid = `compare-boundary-${run.key}`;
  return panel;
}

const CELLS = [
  ["name", "compare-name"],
  ["cost", "compare-cost"],
  ["train", "compare-train-acc"],
  ["test", "compare-test-acc"],
  ["status", "compare-status"],
];

function makeRow(run) {
  const row = document.createElement("tr");
  row.dataset.testid = `compare-row-${run.key}`;
  for (const [, testid] of CELLS) {
    const cell = document.createElement(testid === "compare-name" ? "th" : "td");
    cell.dataset.testid = `${testid}-${run.key}`;
    row.append(cell);
  }
  return row;
}

export function renderCompare(state) {
  const { settings, live } = state;
  for (const b of document.querySelectorAll("#groups button")) {
    b.setAttribute("aria-pressed", String(b.dataset.group === settings.compare));
  }
  document.getElementById("custom").setAttribute("aria-pressed", String(settings.compare === "custom"));
  document.getElementById("add-setup").disabled = settings.setups.length >= MAX_SETUPS;
  renderSetups(state);

  const runs = live.runs;
  const panels = reconcile(document.getElementById("panels"), runs, makePanel);
  runs.forEach((run, i) =>
    beyondPlane(run.dataset) ? weightsPanel(panels[i], run) : drawBoundary(panels[i], {
      data: run.dataset,
      boundary: run.boundary,
      showTest: settings.show_test,
      title: run.name,
      compact: true,
      empty: run.status === "failed" ? "failed: see the message above" : "starting…",
      key: `${run.rev}|${settings.show_test}`,
    }),
  );
  drawCurves(document.getElementById("compare-curves"), runs, {
    logScale: settings.log_scale,
    accuracies: false,
    epochs: Math.max(1, ...runs.map((run) => run.config?.epochs ?? 1)),
  });

  const rows = reconcile(document.getElementById("compare-rows"), runs, makeRow);
  runs.forEach((run, i) => {
    const text = { name: run.name, ...latestText(run), status: run.status };
    CELLS.forEach(([field], j) => {
      rows[i].children[j].textContent = text[field];
    });
    rows[i].children[0].title = run.description;
    rows[i].children[CELLS.length - 1].title = run.reason; // the notice above says it in full
    rows[i].dataset.status = run.status;
  });
}
