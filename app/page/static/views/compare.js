// Compare mode: a course group (three presets) or up to six of the user's own setups, run side by side — one
// boundary panel each (data-view="panels"), every cost curve on one chart (data-view="compare-cost"), and a table
// of final numbers with what went wrong, in words (data-view="table").

import { drawBoundary } from "../draw/boundary.js";
import { savePng } from "../draw/heatmap.js";
import { drawWeights } from "../draw/weights.js";
import { unplot } from "../draw/plot.js";
import {
  ACTIVE,
  MAX_SETUPS,
  beyondPlane,
  blockingErrors,
  describe,
  diagnosisText,
  latestText,
  setupQuery,
  touch,
} from "../state.js";
import { changedSince, textScale } from "../views.js";
import { bindBoundary } from "./boundary.js";
import { pacedCurves, savePlotPng } from "./cost.js";

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
  for (const group of Object.values(state.groups)) {
    const b = button(group.title, { id: `group-${group.name}`, "data-group": group.name, "data-testid": `compare-group-${group.name}` });
    b.title = group.presets.map((name) => state.presets[name].title).join(" · ");
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
    const blocking = blockingErrors(state);
    if (blocking.length) {
      state.live.notice = `Not added — fix first: ${blocking.map(([field, error]) => `${field}: ${error}`).join("; ")}`;
      touch(state);
      return;
    }
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

/** The choice buttons and the user's setups (cheap: every frame that changed something). */
export function renderChoices(state) {
  const { compare, setups } = state.settings;
  for (const b of document.querySelectorAll("#groups button")) b.setAttribute("aria-pressed", String(b.dataset.group === compare));
  document.getElementById("custom").setAttribute("aria-pressed", String(compare === "custom"));
  document.getElementById("add-setup").disabled = setups.length >= MAX_SETUPS;
  document.getElementById("setups-bar").hidden = compare !== "custom";
  const list = document.getElementById("setups");
  const key = JSON.stringify([compare, setups]);
  if (list.dataset.key === key) return;
  list.dataset.key = key;
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

/** Children that follow the runs: rebuilt when the set of runs changes, kept otherwise. */
function reconcile(container, runs, make) {
  const keys = runs.map((r) => r.key).join();
  if (container.dataset.keys === keys) return [...container.children];
  for (const child of container.querySelectorAll(".js-plotly-plot")) unplot(child);
  container.replaceChildren(...runs.map(make));
  container.dataset.keys = keys;
  return [...container.children];
}

const NARROW = 240; // px: a panel narrower than this names its run's state briefly
const SHORT = { divergence: "diverged", dead: "dead network", stalled: "stalled" };

function shortState(run) {
  return run.status === "failed" ? "failed" : (SHORT[run.diagnosis?.kind] ?? "");
}

/** A run on data that is not 2-D: its first layer's pictures in its panel (n-D data, issue 13). */
function weightsPanel(panel, run) {
  if (panel.dataset.view !== "weights") {
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

export function panelsView(state, element) {
  const run = (panel) => state.live.runs.find((r) => r.key === panel.dataset.run);
  const make = (r) => {
    const panel = document.createElement("div");
    panel.className = "panel";
    panel.dataset.testid = `compare-boundary-${r.key}`;
    panel.dataset.run = r.key;
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    const tip = document.createElement("div");
    tip.className = "tip";
    tip.hidden = true;
    const selection = document.createElement("div");
    selection.className = "selection";
    selection.hidden = true;
    const words = document.createElement("p");
    words.className = "panel-state";
    words.dataset.testid = `compare-state-${r.key}`;
    const png = button("⬇ PNG", { "data-testid": `png-${r.key}`, "aria-label": `Save ${r.name}'s boundary as a PNG image` });
    png.className = "tool";
    png.addEventListener("click", () => savePng(canvas, `trainlab-boundary-${r.key}.png`));
    panel.append(canvas, tip, selection, words, png);
    bindBoundary(state, panel, canvas, () => run(panel));
    panel.memo = {};
    return panel;
  };
  return {
    element,
    draw(state) {
      const runs = state.settings.compare ? state.live.runs : [];
      const panels = reconcile(element, runs, make);
      const { show_test: showTest } = state.settings;
      const scale = textScale(state);
      runs.forEach((r, i) => {
        const panel = panels[i];
        if (beyondPlane(r.dataset)) {
          weightsPanel(panel, r); // n-D data (issue 13): the run's first layer, instead of a boundary
          return;
        }
        const canvas = panel.firstChild;
        const { width, height } = panel.getBoundingClientRect();
        if (!changedSince(panel.memo, [r.dataset, r.boundary, r.status, showTest, scale, state.ui.zoom, width, height])) return;
        canvas.geometry = drawBoundary(canvas, {
          data: r.dataset,
          boundary: r.boundary,
          showTest,
          zoom: state.ui.zoom,
          title: r.name,
          titleRoom: panel.querySelector(".tool").offsetWidth + 8,
          scale,
          empty: r.status === "failed" ? "failed: see the message above" : "starting…",
        });
        panel.dataset.epoch = r.boundary ? String(r.boundary.epoch) : "";
        canvas.setAttribute("aria-label", `${r.name}: decision boundary${r.boundary ? ` at epoch ${r.boundary.epoch}` : ""}`);
        // a narrow panel (a phone's) names the state in a word or two; the table below says it in full
        const words = panel.querySelector(".panel-state");
        words.textContent = width < NARROW ? shortState(r) : diagnosisText(r);
        words.title = diagnosisText(r);
        words.hidden = !words.textContent;
      });
    },
  };
}

export function compareCostView(state, element) {
  const curves = element.querySelector("[data-testid=compare-curves]");
  const draw = pacedCurves(curves);
  element.querySelector("[data-testid=png-compare-cost]").addEventListener("click", () => savePlotPng(curves, "trainlab-cost"));
  return {
    element,
    draw(state) {
      const runs = state.settings.compare ? state.live.runs : [];
      const options = {
        logScale: state.settings.log_scale,
        accuracies: false,
        epochs: Math.max(1, ...runs.map((run) => run.config?.epochs ?? 1)),
        scale: textScale(state),
      };
      return draw(runs, options, runs.some((run) => ACTIVE.has(run.status)));
    },
  };
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
  // the run's name, and under it what went wrong, in words
  const head = row.firstChild;
  head.scope = "row";
  head.dataset.testid = `compare-run-${run.key}`;
  const name = document.createElement("span");
  name.dataset.testid = `compare-name-${run.key}`;
  const words = document.createElement("span");
  words.className = "words";
  words.dataset.testid = `compare-diagnosis-${run.key}`;
  head.append(name, words);
  return row;
}

export function tableView(state, element) {
  const body = element.querySelector("tbody");
  const caption = element.querySelector("caption");
  return {
    element,
    draw(state) {
      const runs = state.settings.compare ? state.live.runs : [];
      caption.textContent = state.live.lookalike
        ? "Trained on football-lookalike, not the course's data: the course's numbers are not expected."
        : "";
      caption.hidden = !state.live.lookalike;
      const rows = reconcile(body, runs, makeRow);
      runs.forEach((run, i) => {
        const row = rows[i];
        const text = { ...latestText(run), status: run.status };
        CELLS.forEach(([field], j) => {
          if (j > 0 && row.children[j].textContent !== text[field]) row.children[j].textContent = text[field];
        });
        const [name, words] = row.firstChild.children;
        name.textContent = run.name;
        words.textContent = diagnosisText(run);
        row.firstChild.title = run.description;
        row.dataset.status = run.status;
      });
    },
  };
}
