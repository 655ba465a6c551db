// Starting, steering and watching runs: the page's side of a run's life. It turns what the user asks into
// requests (net.js) and what the server answers into state (state.js); it never touches the DOM.

import * as net from "./net.js";
import {
  ACTIVE,
  DATASET_OPTIONS,
  LOOKALIKE_NOTE,
  applyCreated,
  applyFailure,
  applyMessage,
  beyondPlane,
  blockingErrors,
  comparisonRuns,
  configKey,
  effectiveSpeed,
  newRun,
  runConfig,
  touch,
} from "./state.js";

const UNKNOWN_RUN = 4404; // the close code for a run id the server does not have

export function createRuns(state) {
  const sockets = new Map(); // run → its websocket
  const watched = () => state.live.runs.filter((run) => run.id && ACTIVE.has(run.status));
  // a comparison has no network view: the server is asked not to send its runs' network frames, and any on the
  // way are not worth inflating
  const wanted = (type) => type !== "network" || !state.settings.compare;
  const skipped = () => (state.settings.compare ? ["network"] : []);

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
    touch(state);
    return message;
  }

  const fail = (run, error) => applyFailure(state, run, explain(run, error));

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
      wanted,
      skipped(),
    );
    sockets.set(run, socket);
  }

  function launched(run, created) {
    if (!state.live.runs.includes(run)) {
      net.control(created.id, "stop").catch(() => {}); // dropped while it was being created
      return;
    }
    applyCreated(state, run, created);
    connect(run);
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
      if (state.live.runs === runs) state.live.stacked = created.stacked;
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

  /** Stop and forget the current runs (the server would cancel unwatched runs anyway, later). */
  function dropRuns() {
    for (const run of watched()) net.control(run.id, "stop").catch(() => {});
    for (const socket of sockets.values()) socket.close();
    sockets.clear();
    state.live.stacked = false;
    state.live.runs = [];
    state.live.notice = "";
    state.live.lookalike = false;
    state.ui.zoom = null;
    state.ui.unit = null;
    touch(state);
  }

  /** Train the settings (one run, or the comparison); a field with a wrong value stops it, and says which. */
  async function train({ paused = false } = {}) {
    const blocking = state.settings.compare ? [] : blockingErrors(state); // a comparison's: the server checks them
    if (blocking.length) {
      state.live.notice = `Not started — fix first: ${blocking.map(([field, error]) => `${field}: ${error}`).join("; ")}`;
      state.ui.settingsOpen = true;
      touch(state);
      return false;
    }
    dropRuns();
    const { settings, defaults } = state;
    const specs = settings.compare
      ? comparisonRuns(state)
      : [{ key: "run", name: "this run", description: "", body: runConfig(settings, defaults) }];
    if (!specs.length) {
      state.live.notice = "Add a setup to the comparison first.";
      touch(state);
      return false;
    }
    state.live.runs = specs.map((spec) => newRun(spec.key, spec.name, spec.description));
    state.live.lookalike = specs.some((spec) => spec.lookalike);
    state.live.notice = state.live.lookalike ? LOOKALIKE_NOTE : "";
    if (!settings.compare) state.live.runs[0].configKey = configKey(settings, defaults);
    state.live.errors = {};
    state.ui.settingsOpen = false; // the plots take the screen
    touch(state);
    const extra = { speed: effectiveSpeed(settings), ...(paused && { paused: true }) };
    if (settings.compare) await launchComparison(state.live.runs, specs.map((spec) => spec.body), extra);
    else await launch(state.live.runs[0], { ...specs[0].body, ...extra });
    return true;
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
    const runs = state.live.stacked && action === "step" ? watched().slice(0, 1) : watched();
    for (const run of runs) {
      // a run may finish while the request is on its way: only a refusal of a live run is news
      net.control(run.id, action, extra(run)).catch((error) => ACTIVE.has(run.status) && explain(run, error));
    }
  }

  // one step is one report interval, so it always adds a point to the curve
  const stepSize = (run) => ({ epochs: run.config.report_every });

  async function step() {
    if (!watched().length && !(await train({ paused: true }))) return;
    controlAll("step", stepSize);
  }

  const setSpeed = () => controlAll("speed", () => ({ epochs_per_second: effectiveSpeed(state.settings) }));

  // ---------------------------------------------------------------- the data before training

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
    state.live.previewRev = state.rev; // what the boundary view keys its preview drawing on
  }

  return { train, step, follow, dropRuns, controlAll, setSpeed, refreshPreview };
}
