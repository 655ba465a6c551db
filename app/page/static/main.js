// The page: boot the state from the server's template data and the URL, start and steer runs,
// and draw once per animation frame whatever changed.

import { bindCompare, comparisonRuns, renderCompare } from "./compare.js";
import { applyServerInfo, bindControls, syncControls } from "./controls.js";
import { drawBoundary } from "./draw/boundary.js";
import { drawCurves } from "./draw/curves.js";
import { drawExamples } from "./draw/examples.js";
import { drawWeights } from "./draw/weights.js";
import { renderExports } from "./exports.js";
import { bindInsight, renderInsight } from "./insight.js";
import { bindKeys } from "./keys.js";
import { bindLessons, renderLessons } from "./lessons/lessons.js";
import * as net from "./net.js";
import { bindRoom, renderRoom } from "./room.js";
import { frozen } from "./rooms/screen.js";
import {
  ACTIVE,
  DATASET_OPTIONS,
  applyCreated,
  applyFailure,
  applyMessage,
  beyondPlane,
  boundsErrors,
  boundsFromSchema,
  changed,
  configKey,
  createState,
  effectiveSpeed,
  latestText,
  newRun,
  runConfig,
  toQuery,
  touch,
} from "./state.js";

const boot = JSON.parse(document.getElementById("boot").textContent);
const state = createState(boot.default_config, boot.presets, Object.fromEntries(boot.groups));
window.trainlab = state; // for the console and the browser tests

const $ = (id) => document.getElementById(id);
const sockets = new Map(); // run → its websocket
let stacked = false; // the comparison's runs train as one group: a control sent to one of them steers all
const watched = () => state.live.runs.filter((run) => run.id && ACTIVE.has(run.status));

// ------------------------------------------------------------------ errors

// a 422's loc is a path into the request body: ["body", "dataset", ..., "seed"] is the data seed
function fieldOf(loc) {
  const path = loc.filter((part) => typeof part === "string" && part !== "body");
  if (path[0] === "dataset") {
    return Object.keys(DATASET_OPTIONS).find((field) => DATASET_OPTIONS[field] === path.at(-1)) ?? "dataset";
  }
  return path[0] in state.defaults ? path[0] : null;
}

/** Say what the server refused, next to the fields it names (they are the controls' in one-run mode). */
function explain(run, error) {
  const problems = Array.isArray(error.detail) ? error.detail : [{ loc: [], msg: error.message }];
  const message = problems
    .map(({ loc = [], msg }) => {
      const field = fieldOf(loc);
      if (field && !state.settings.compare) state.live.errors[field] = msg;
      return field ? `${field}: ${msg}` : msg;
    })
    .join("; ");
  state.live.notice = state.settings.compare ? `${run.name}: ${message}` : message;
  syncControls(state);
  touch(state);
  return message;
}

const fail = (run, error) => applyFailure(state, run, explain(run, error));

// ------------------------------------------------------------------ runs

const UNKNOWN_RUN = 4404; // the close code for a run id the server does not have

function connect(run, retries = 3) {
  const socket = net.watch(
    run.id,
    (message) => applyMessage(state, run, message),
    (code) => {
      sockets.delete(run);
      if (code === 1000 || !ACTIVE.has(run.status) || !state.live.runs.includes(run)) return;
      if (code === UNKNOWN_RUN) applyFailure(state, run, "the server no longer knows this run (was it restarted?)");
      // the server sends a full snapshot to every new watcher, so reconnecting loses nothing
      else if (retries > 0) setTimeout(() => connect(run, retries - 1), 1000);
      else applyFailure(state, run, "lost the connection to the server");
    },
  );
  sockets.set(run, socket);
}

async function launch(run, body) {
  try {
    launched(run, await net.createRun(body));
  } catch (error) {
    fail(run, error);
  }
}

/** Start a comparison's runs with one request (the server trains them stacked when it can). */
async function launchComparison(runs, bodies, extra) {
  try {
    const created = await net.createComparison({ runs: bodies, ...extra });
    if (state.live.runs === runs) stacked = created.stacked;
    created.runs.forEach((answer, i) => launched(runs[i], answer));
  } catch (error) {
    // a refused run is named by its index (loc ["body", "runs", i, field...]); none of them started
    const problems = Array.isArray(error.detail) ? error.detail : [];
    runs.forEach((run, i) => {
      const own = problems
        .filter(({ loc = [] }) => loc[1] === "runs" && loc[2] === i)
        .map((problem) => ({ ...problem, loc: ["body", ...problem.loc.slice(3)] }));
      if (own.length || !problems.length) fail(run, own.length ? { detail: own } : error);
      else applyFailure(state, run, "not started: another run of the comparison was refused");
    });
  }
}

function launched(run, created) {
  if (!state.live.runs.includes(run)) {
    net.control(created.id, "stop").catch(() => {}); // dropped while it was being created
    return;
  }
  applyCreated(state, run, created);
  connect(run);
}

/** Stop and forget the current runs (the server would cancel unwatched runs anyway, later). */
function dropRuns() {
  for (const run of watched()) net.control(run.id, "stop").catch(() => {});
  for (const socket of sockets.values()) socket.close();
  sockets.clear();
  stacked = false;
  state.live.runs = [];
  state.live.notice = "";
  touch(state);
}

async function train({ paused = false } = {}) {
  dropRuns();
  const { settings, defaults } = state;
  const specs = settings.compare
    ? comparisonRuns(state)
    : [{ key: "run", name: "this run", description: "", body: runConfig(settings, defaults) }];
  if (!specs.length) {
    state.live.notice = "Add a setup to the comparison first.";
    touch(state);
    return;
  }
  state.live.runs = specs.map((spec) => newRun(spec.key, spec.name, spec.description));
  if (!settings.compare) state.live.runs[0].configKey = configKey(settings, defaults);
  state.live.errors = {};
  syncControls(state);
  touch(state);
  const extra = { speed: effectiveSpeed(settings), ...(paused && { paused: true }) };
  if (settings.compare) await launchComparison(state.live.runs, specs.map((spec) => spec.body), extra);
  else await launch(state.live.runs[0], { ...specs[0].body, ...extra });
}

/** Watch runs that are not ours (a lecture room's presenter's): never stop them, only stop watching. */
function follow(runs) {
  for (const socket of sockets.values()) socket.close();
  sockets.clear();
  state.live.runs = runs.map(({ key, name, id }) => Object.assign(newRun(key, name), { id }));
  state.live.notice = "";
  for (const run of state.live.runs) connect(run);
  touch(state);
}

function controlAll(action, extra = () => ({})) {
  // a stacked group takes a step once, whichever member it is sent to
  const runs = stacked && action === "step" ? watched().slice(0, 1) : watched();
  for (const run of runs) {
    // a run may finish while the request is on its way: only a refusal of a live run is news
    net.control(run.id, action, extra(run)).catch((error) => ACTIVE.has(run.status) && explain(run, error));
  }
}

// one step is one report interval, so it always adds a point to the curve
const stepSize = (run) => ({ epochs: run.config.report_every });

async function step() {
  if (!watched().length) await train({ paused: true });
  controlAll("step", stepSize);
}

// ------------------------------------------------------------------ the data before training

let previewFor = "";

async function refreshPreview() {
  if (!Object.keys(state.datasets).length) return; // not known yet: asked again once they are (a room's late joiner)
  const { dataset } = state.settings;
  const options = Object.fromEntries(Object.entries(DATASET_OPTIONS).map(([field, key]) => [key, state.settings[field]]));
  const wanted = JSON.stringify([dataset, options]);
  if (wanted === previewFor) return;
  previewFor = wanted;
  // a dataset the server cannot have (football without its file) has no preview: Train says why
  const planar = state.datasets[dataset]?.available && !beyondPlane(state.datasets[dataset]); // n-D data: no points
  const points = planar ? await net.getPoints(dataset, options).catch(() => null) : null;
  if (previewFor !== wanted) return; // the settings moved on while we waited
  state.live.preview = points;
  touch(state);
  state.live.previewRev = state.rev; // what the boundary panel keys its preview drawing on
}

// ------------------------------------------------------------------ drawing, once per frame

function overallStatus(runs) {
  if (!runs.length) return "idle";
  const statuses = [...new Set(runs.map((run) => run.status))];
  return statuses.length === 1 ? statuses[0] : statuses.join(" · ");
}

function renderToolbar() {
  const runs = state.live.runs;
  const statuses = new Set(runs.map((run) => run.status));
  $("pause").disabled = !(statuses.has("running") || statuses.has("queued"));
  $("resume").disabled = !statuses.has("paused");
  $("stop").disabled = !watched().length;
  $("reset").disabled = !runs.length;

  const single = runs.length === 1 ? runs[0] : null;
  const finished = runs.filter((run) => !ACTIVE.has(run.status) && run.status !== "starting").length;
  $("epoch").textContent = single
    ? `Epoch ${single.epoch.toLocaleString("en")} / ${(single.config?.epochs ?? state.settings.epochs).toLocaleString("en")}`
    : runs.length
      ? `${finished} of ${runs.length} runs finished`
      : "Epoch 0";
  $("status").textContent = single ? single.status : overallStatus(runs);
  $("status").dataset.status = single ? single.status : runs.length ? "mixed" : "idle";

  const run = runs[0];
  const stale = !state.settings.compare && run?.configKey && run.configKey !== configKey(state.settings, state.defaults);
  const notice =
    state.live.notice ||
    (single?.status === "diverged" ? "Diverged: the cost went to ∞ / NaN. Try a smaller learning rate." : "") ||
    (single?.status === "failed" ? `Failed: ${single.reason}` : "") ||
    (stale ? "Settings changed — press Train to restart with them" : "");
  $("notice").textContent = notice;
  $("notice").hidden = !notice;
}

function renderSingle() {
  const { settings, live } = state;
  const run = live.runs[0];
  // ---- n-D data (issue 13): the examples and weights pictures instead of the boundary
  const pictures = beyondPlane(run?.dataset ?? state.datasets[settings.dataset]);
  $("boundary").hidden = pictures;
  $("pictures").hidden = !pictures;
  if (pictures) {
    drawExamples($("examples"), run);
    drawWeights($("weights"), run);
  }
  // ---- end n-D data
  if (!pictures) drawBoundary($("boundary"), {
    data: run?.dataset ?? live.preview,
    boundary: run?.boundary,
    showTest: settings.show_test,
    empty: run ? "starting…" : "The data appears when training starts",
    key: `${run ? run.rev : `preview${live.previewRev}`}|${settings.show_test}`,
  });
  drawCurves($("curves"), run ? [run] : [], {
    logScale: settings.log_scale,
    accuracies: true,
    epochs: run?.config?.epochs ?? settings.epochs,
  });
  const text = run ? latestText(run) : { cost: "–", train: "–", test: "–" };
  $("cost").textContent = text.cost;
  $("train-acc").textContent = text.train;
  $("test-acc").textContent = text.test;
  renderInsight(run);
}

let drawnRev = -1;
let shownQuery = "";

function renderView() {
  const { projector } = state.settings;
  document.documentElement.classList.toggle("projector", projector);
  $("projector").setAttribute("aria-pressed", String(projector));
  const shown = !document.body.classList.contains("controls-hidden");
  $("toggle-controls").setAttribute("aria-expanded", String(shown));
  $("toggle-controls").textContent = shown ? "Hide settings" : "Show settings";
  $("png-boundary").title = state.settings.compare
    ? "Save each decision boundary as a PNG image"
    : "Save the decision boundary as a PNG image";
}

function render() {
  const comparing = Boolean(state.settings.compare);
  renderView();
  $("single-view").hidden = comparing;
  $("compare-view").hidden = !comparing;
  $("insight").hidden = comparing;
  $("mode-single").setAttribute("aria-pressed", String(!comparing));
  $("mode-compare").setAttribute("aria-pressed", String(comparing));
  renderToolbar();
  renderExports(state);
  if (comparing) renderCompare(state);
  else renderSingle();
  renderLessons(state, comparing); // lessons (issue 15)
  renderRoom(state);

  const query = toQuery(state.settings, state.defaults);
  if (query !== shownQuery) {
    history.replaceState(null, "", `?${query}${location.hash}`); // a presenter's #secret stays
    shownQuery = query;
  }
}

function frame() {
  if (state.rev !== drawnRev) {
    drawnRev = state.rev;
    if (frozen(state)) renderRoom(state); // a room's presenter holds this screen still: only the room's parts move
    else render();
  }
  requestAnimationFrame(frame);
}

// ------------------------------------------------------------------ PNG export

async function savePng(divs, name) {
  const plots = divs.filter((div) => div?.data);
  if (!plots.length) {
    state.live.notice = "Nothing to save yet: train first.";
    touch(state);
    return;
  }
  for (const [i, div] of plots.entries()) {
    const suffix = plots.length > 1 ? `-${div.dataset.testid?.replace("compare-boundary-", "") ?? i + 1}` : "";
    const { width, height } = div.getBoundingClientRect();
    await Plotly.downloadImage(div, {
      format: "png",
      filename: `trainlab-${name}${suffix}`,
      width: Math.round(width) || 800,
      height: Math.round(height) || 600,
      scale: 2, // sharp on a slide
    });
  }
}

// ------------------------------------------------------------------ wiring

function onChange(field) {
  if (field === "speed") controlAll("speed", () => ({ epochs_per_second: effectiveSpeed(state.settings) }));
  if (field === "dataset" || field === "preset" || field in DATASET_OPTIONS) refreshPreview();
}

bindControls(state, onChange);
bindCompare(state, { onChange, start: train });
$("train").addEventListener("click", () => train());
$("pause").addEventListener("click", () => controlAll("pause"));
$("resume").addEventListener("click", () => controlAll("resume"));
$("step").addEventListener("click", step);
$("stop").addEventListener("click", () => controlAll("stop"));
$("reset").addEventListener("click", dropRuns);
$("png-boundary").addEventListener("click", () =>
  savePng(state.settings.compare ? [...$("panels").children] : [$("boundary")], "boundary"),
);
$("png-cost").addEventListener("click", () => savePng([$(state.settings.compare ? "compare-curves" : "curves")], "cost"));
$("projector").addEventListener("click", () => {
  state.settings.projector = !state.settings.projector;
  touch(state);
});
$("toggle-controls").addEventListener("click", () => {
  document.body.classList.toggle("controls-hidden");
  touch(state);
});
bindKeys();
bindInsight(
  () => (state.settings.compare ? undefined : state.live.runs[0]),
  (run) => changed(state, run),
);
bindRoom(state, boot.room, { follow, train, onChange });
bindLessons(state, () => (state.settings.compare ? undefined : state.live.runs[0])); // lessons (issue 15)

syncControls(state);
requestAnimationFrame(frame);

Promise.all([net.getSchema(), net.getDatasets()]).then(([schema, datasets]) => {
  state.bounds = boundsFromSchema(schema);
  state.live.errors = boundsErrors(state.settings, state.bounds); // a link's values are checked like typed ones
  const outOfBounds = Object.entries(state.live.errors).map(([field, error]) => `${field}: ${error}`);
  if (outOfBounds.length) state.live.notice = `This link has values out of bounds: ${outOfBounds.join("; ")}`;
  state.datasets = Object.fromEntries(datasets.map((info) => [info.name, info]));
  applyServerInfo(state);
  syncControls(state);
  touch(state);
  refreshPreview();
  document.body.dataset.ready = "true"; // for the browser tests: nothing left to load
});
