// All of the page's state, in one serialisable object (TensorFlow Playground's way), in three parts kept apart:
//   settings  what a user chose: the run config (RunConfig's field names) and the view options. A link carries it.
//   live      what the server said: the current runs (their data, costs, frames, diagnoses), errors, the notice.
//   ui        how the page is being looked at: the settings panel, the boundary's zoom, the unit shown large.
// Drawing reads it once per animation frame (views.js); every change bumps `rev`, so a frame with nothing new
// draws nothing. Pure: this module imports nothing that touches the DOM or the network (a test checks), and is
// handed the URL's query instead of reading it.

import { differences, fromQuery, toQuery } from "./links.js";

// The dataset's own options; `data_seed` because `seed` is the network's (the config nests these
// under `dataset` as {name, n_train, n_test, noise, seed}). null means "the dataset's default".
export const DATASET_OPTIONS = { n_train: "n_train", n_test: "n_test", noise: "noise", data_seed: "seed" };

const UI_DEFAULTS = {
  speed: "auto", // epochs per second: a number, "max", or "auto" (1000 for one run, max for a comparison)
  log_scale: false,
  show_test: false,
  gradients: false, // the network's links show dJ/dW instead of W
  compare: "", // "" (one run), a group name, or "custom" (the user's setups)
  setups: [], // the user's own comparison entries: each a query string of config fields
  projector: false, // the projector layout: larger type, stronger contrast, the plots' text too
};

export const MAX_SETUPS = 6;
const AUTO_SPEED = 1000;
// the course's football data is a file a server may not have; its generated stand-in trains in its place
export const FOOTBALL = "football";
export const LOOKALIKE = "football-lookalike";
export const LOOKALIKE_NOTE =
  "This server has no copy of the course's football data (data.mat), so these runs train on football-lookalike, " +
  "a generated stand-in: the course's numbers are not expected.";

function defaultSettings(defaultConfig) {
  const { dataset, ...rest } = defaultConfig;
  const options = Object.fromEntries(Object.keys(DATASET_OPTIONS).map((k) => [k, null]));
  return { dataset, ...options, ...structuredClone(rest), ...structuredClone(UI_DEFAULTS) };
}

/** boot: the template's {default_config, presets: name → info, groups: [{name, title, presets}]}; query: the URL's. */
export function createState(boot, query) {
  const defaults = defaultSettings(boot.default_config);
  const state = {
    defaults,
    presets: boot.presets, // name → {name, title, description, group, config}
    groups: Object.fromEntries(boot.groups.map((group) => [group.name, group])), // in the course's order
    roomLimits: boot.room_limits, // field → {minimum, maximum, default}: what a presenter may set when opening a room
    // from the server once they arrive: field → {integer, min, max, ...} and field → [allowed values] from the
    // config schema, and name → {available, n_train, n_test, noise, seed, note} for each dataset
    bounds: {},
    enums: {},
    datasets: {},
    settings: null,
    live: {
      runs: [],
      stacked: false, // the comparison's runs train as one group: a control sent to one of them steers all
      preview: null, // the dataset's points before training (when the server can give them)
      previewRev: 0,
      notice: "",
      errors: {}, // field → why its value is not taken (a link's, or typed): shown beside it, and Train waits
      lookalike: false, // the runs train on football-lookalike in place of the course's football
    },
    ui: { settingsOpen: true, zoom: null, unit: null, readOnly: false },
    room: null, // in a lecture room: its state (rooms/model.js roomState)
    rev: 0,
  };
  const { settings, errors } = fromLink(state, query);
  if (settings.compare !== "custom" && !(settings.compare in state.groups)) {
    if (settings.compare) errors.compare = `no comparison is called “${settings.compare}”`;
    settings.compare = "";
  }
  state.settings = settings;
  state.live.errors = errors;
  return state;
}

export function touch(state) {
  state.rev += 1;
}

// ------------------------------------------------------------------ settings ↔ run config

const configFields = (defaults) => Object.keys(defaults).filter((field) => !(field in UI_DEFAULTS));

/** The run config a settings object describes, as the server wants it. */
export function runConfig(settings, defaults) {
  const config = {};
  for (const field of configFields(defaults)) {
    if (!(field in DATASET_OPTIONS)) config[field] = settings[field];
  }
  const options = Object.entries(DATASET_OPTIONS).filter(([field]) => settings[field] !== null);
  if (options.length) {
    config.dataset = { name: settings.dataset };
    for (const [field, key] of options) config.dataset[key] = settings[field];
  }
  return config;
}

/** Settings for a config (e.g. a preset's fields): defaults, then the config's fields. */
export function settingsFromConfig(config, defaults) {
  const settings = {};
  for (const [field, value] of Object.entries(config)) {
    if (field === "dataset" && typeof value === "object") {
      settings.dataset = value.name;
      for (const [option, key] of Object.entries(DATASET_OPTIONS)) settings[option] = value[key] ?? null;
    } else if (field in defaults) {
      settings[field] = structuredClone(value);
    }
  }
  return settings;
}

/** These settings with their run config replaced by `config` (defaults for what it leaves out). */
export function withConfig(settings, config, defaults) {
  const ui = Object.fromEntries(Object.keys(UI_DEFAULTS).map((field) => [field, structuredClone(settings[field])]));
  return { ...structuredClone(defaults), ...settingsFromConfig(config, defaults), ...ui };
}

/** The settings a preset gives (the view options as they are), or null when there is no such preset. */
export function presetSettings(state, name) {
  const preset = state.presets[name];
  return preset ? withConfig(state.settings ?? state.defaults, preset.config, state.defaults) : null;
}

export function configKey(settings, defaults) {
  return JSON.stringify(runConfig(settings, defaults));
}

/** The preset whose config these settings are exactly, or "". */
export function matchingPreset(state) {
  const mine = configKey(state.settings, state.defaults);
  return Object.keys(state.presets).find((name) => configKey(presetSettings(state, name), state.defaults) === mine) ?? "";
}

/** The course's football is not on this server: train its stand-in instead (the caller says so). */
export function footballMissing(state, dataset) {
  return datasetName(dataset) === FOOTBALL && state.datasets[FOOTBALL]?.available === false;
}

/** Apply a preset to the settings; its football becomes the look-alike when the server has no data.mat. */
export function applyPreset(state, name) {
  state.settings = presetSettings(state, name);
  state.live.errors = {};
  const missing = footballMissing(state, state.settings.dataset);
  if (missing) state.settings.dataset = LOOKALIKE;
  state.live.notice = missing ? LOOKALIKE_NOTE : "";
  touch(state);
}

/** A comparison entry: only the config fields that differ from the defaults, as a query string. */
export function setupQuery(settings, defaults) {
  return differences(settings, defaults, configFields(defaults)).toString();
}

/** The settings an entry describes. */
function setupSettings(query, defaults) {
  return fromQuery(query, defaults, () => null, 0).settings;
}

/** "learning_rate=0.1, epochs=500" for an entry. */
export function describe(query) {
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
      body: runConfig(setupSettings(query, defaults), defaults),
    }));
  }
  const chosen = runConfig(settings, defaults).dataset ?? settings.dataset;
  return groups[settings.compare].presets.map((name) => {
    const preset = presets[name];
    const missing = footballMissing(state, datasetName(preset.config.dataset));
    // n-D data (issue 13): a group of presets on images runs on whichever image dataset is chosen
    const dataset = missing ? LOOKALIKE : onChosenImages(state, preset, chosen) ? chosen : null;
    return {
      key: name,
      name: preset.title,
      description: preset.description,
      body: dataset ? { preset: name, overrides: { dataset } } : { preset: name },
      lookalike: missing,
    };
  });
}

// ---- n-D data (issue 13)
const datasetName = (dataset) => (typeof dataset === "object" ? dataset?.name : dataset);
function isImages(info) {
  return Boolean(info?.image_shape) || (info?.available === true && info?.features === null); // a folder: images
}
function onChosenImages(state, preset, chosen) {
  const own = datasetName(preset?.config.dataset);
  return isImages(state.datasets[own]) && isImages(state.datasets[datasetName(chosen)]) && own !== datasetName(chosen);
}
// ---- end n-D data

// ------------------------------------------------------------------ the URL

/** The settings a link's query gives, over this page's defaults (or the preset it names): {settings, errors}. */
export function fromLink(state, query) {
  return fromQuery(query, state.defaults, (name) => presetSettings(state, name), MAX_SETUPS);
}

/** The shortest link to the settings: what differs from the defaults, or a preset and what differs from it. */
export function linkQuery(state) {
  const bases = Object.keys(state.presets).map((name) => [name, withConfig(state.defaults, state.presets[name].config, state.defaults)]);
  return toQuery(state.settings, state.defaults, bases);
}

// ------------------------------------------------------------------ bounds, from the config schema

function numberBounds(spec) {
  const numeric = [spec, ...(spec.anyOf ?? [])].find((s) => s.type === "integer" || s.type === "number");
  if (!numeric) return null;
  return {
    integer: numeric.type === "integer",
    min: numeric.minimum ?? numeric.exclusiveMinimum,
    max: numeric.maximum ?? numeric.exclusiveMaximum,
    minExclusive: numeric.minimum === undefined && numeric.exclusiveMinimum !== undefined,
    maxExclusive: numeric.maximum === undefined && numeric.exclusiveMaximum !== undefined,
  };
}

/** field → {integer, min, max, minExclusive, maxExclusive} (hidden_layers: per layer, plus maxItems). */
export function boundsFromSchema(schema) {
  const bounds = {};
  for (const [field, spec] of Object.entries(schema.properties)) {
    const found = field === "hidden_layers" ? numberBounds(spec.items) : numberBounds(spec);
    if (found) bounds[field] = field === "hidden_layers" ? { ...found, maxItems: spec.maxItems } : found;
  }
  const datasetSpec = schema.$defs?.DatasetSpec?.properties ?? {};
  for (const [field, key] of Object.entries(DATASET_OPTIONS)) {
    if (datasetSpec[key]) bounds[field] = numberBounds(datasetSpec[key]);
  }
  return bounds;
}

/** field → its allowed values, for the fields the schema lists them for (activation, optimizer, ...). */
export function enumsFromSchema(schema) {
  const enums = {};
  for (const [field, spec] of Object.entries(schema.properties)) {
    if (Array.isArray(spec.enum)) enums[field] = spec.enum;
  }
  return enums;
}

/** Why a value is out of its field's bounds, or "" when it is fine. */
export function checkValue(bounds, value) {
  if (!bounds || value === null) return "";
  if (bounds.integer && !Number.isInteger(value)) return "a whole number, please";
  const { min, max, minExclusive, maxExclusive } = bounds;
  if (min !== undefined && (minExclusive ? value <= min : value < min)) return `must be ${minExclusive ? ">" : "≥"} ${min}`;
  if (max !== undefined && (maxExclusive ? value >= max : value > max)) return `must be ${maxExclusive ? "<" : "≤"} ${max}`;
  return "";
}

/** field → why its value (from a link, say) cannot be trained: out of its bounds, not one of its choices. */
export function settingsErrors(state) {
  const { settings, bounds, enums, datasets } = state;
  const errors = {};
  for (const [field, fieldBounds] of Object.entries(bounds)) {
    if (field === "hidden_layers") {
      const layers = settings.hidden_layers ?? [];
      const bad = layers.map((units) => checkValue(fieldBounds, units)).find(Boolean);
      if (layers.length > fieldBounds.maxItems) errors[field] = `at most ${fieldBounds.maxItems} layers`;
      else if (bad) errors[field] = `each layer's units ${bad}`;
    } else {
      const error = checkValue(fieldBounds, settings[field]);
      if (error) errors[field] = error;
    }
  }
  for (const [field, allowed] of Object.entries(enums)) {
    if (!allowed.includes(settings[field])) errors[field] = `“${String(settings[field]).slice(0, 24)}” is not one of ${allowed.join(", ")}`;
  }
  const dataset = datasets[settings.dataset];
  if (Object.keys(datasets).length && !dataset) errors.dataset = `no dataset is called “${String(settings.dataset).slice(0, 24)}”`;
  return errors;
}

/** [field, why] for the config fields whose values keep the controls' setup from training (or being added). */
export function blockingErrors(state) {
  const fields = new Set(configFields(state.defaults));
  return Object.entries(state.live.errors).filter(([field]) => fields.has(field));
}

// ------------------------------------------------------------------ speed

/** Epochs per second to ask the server for (null = full speed). */
export function effectiveSpeed(settings) {
  if (settings.speed === "max") return null;
  if (settings.speed === "auto") return settings.compare ? null : AUTO_SPEED;
  return settings.speed;
}

// ------------------------------------------------------------------ runs, fed by the server's messages

export const ACTIVE = new Set(["queued", "running", "paused"]);
const HISTORY_LIMIT = 1000; // insight norm points kept on the page; when full, every other one goes

export function newRun(key, name, description = "") {
  return {
    key, // stable id on the page: a preset name or "setup-N" or "run"
    name,
    description,
    id: null, // the server's run id
    status: "starting",
    reason: "",
    epoch: 0,
    config: null, // the validated config the server runs
    configKey: "", // one run's config as it started, to tell when the controls have moved on
    costs: [], // [epoch, cost, train_acc, test_acc]
    dataset: null, // {X_train, y_train, X_test, y_test, features, image_shape}; X is null unless 2-D
    boundary: null, // {epoch, size, x_min, x_max, y_min, y_max, values: Uint8Array}
    network: null, // {epoch, size, x_min, ..., layers: [{units, shown, lo, hi, pictures: [Uint8Array]}], weights, gradients}
    diagnosis: null, // {kind: "divergence" | "dead" | "stalled", text} while something is wrong
    result: null,
    insight: null, // the latest insight message (docs/protocol.md), decoded
    normsHistory: [], // [epoch, [||W_l||...], [||dW_l||...]]
    insightSeq: 0, // counts insight messages, so drawing knows when to redraw them
    gradcheck: null, // {pending} | {answer} | {error}: the "Check gradients" button's last press
    views: {}, // n-D data: the latest examples, example-images, example-points and weights frames, by type
    rev: 0,
  };
}

// revisions come from the one counter, so a new run never repeats an old run's revision
export function changed(state, run) {
  touch(state);
  run.rev = state.rev;
}

export function applyCreated(state, run, created) {
  run.id = created.id;
  run.status = created.status;
  run.config = created.config;
  changed(state, run);
}

/** An insight message for this run: the first a watcher gets carries the norms' history. */
function applyInsight(run, message) {
  run.insight = { ...message, history: undefined };
  if (message.history) {
    run.normsHistory = message.history;
  } else if (run.normsHistory.at(-1)?.[0] !== message.epoch) {
    run.normsHistory.push([message.epoch, message.norms.map((n) => n.W), message.norms.map((n) => n.dW)]);
    if (run.normsHistory.length > HISTORY_LIMIT) run.normsHistory = run.normsHistory.filter((_, i) => i % 2 === 0);
  }
  run.insightSeq += 1;
}

export function applyMessage(state, run, message) {
  switch (message.type) {
    case "snapshot":
      run.status = message.status;
      run.epoch = message.epoch;
      run.config = message.config;
      run.costs = message.costs;
      run.dataset = message.dataset;
      run.result = message.result;
      run.diagnosis = message.result?.diagnosis ?? run.diagnosis;
      run.learningRates = message.learning_rates ?? null; // the decay schedule, for the cost chart
      break;
    case "progress":
      run.costs.push(...message.points);
      run.epoch = Math.max(run.epoch, message.points.at(-1)[0]);
      break;
    case "status":
      run.status = message.status;
      run.epoch = message.epoch;
      run.reason = message.reason ?? "";
      break;
    case "result":
      run.result = message.result;
      run.status = message.result.status;
      run.epoch = message.result.epochs_run;
      run.reason = message.result.reason ?? run.reason; // why a failed run failed
      run.diagnosis = message.result.diagnosis ?? null; // the last word
      break;
    case "boundary":
      run.boundary = message;
      run.epoch = Math.max(run.epoch, message.epoch);
      break;
    case "network":
      run.network = message;
      break;
    case "diagnosis":
      run.diagnosis = message.diagnosis;
      break;
    case "insight":
      applyInsight(run, message);
      break;
    case "landscape": // a comparison's loss landscape (each of its runs gets the same one)
      run.landscape = message;
      break;
    // ---- n-D data (issue 13): the picture frames, each kept as the latest of its kind
    case "examples":
    case "example-images":
    case "example-points":
    case "weights":
      run.views[message.type] = message;
      run.epoch = Math.max(run.epoch, message.epoch);
      break;
    // ---- end n-D data
    case "error":
      state.live.notice = message.message;
      break;
  }
  changed(state, run);
}

export function applyFailure(state, run, reason) {
  run.status = "failed";
  run.reason = reason;
  changed(state, run);
}

/** A number for people: 4 significant digits (accuracies 0.9933, 0.5000), ∞ and NaN spelled out. */
export function formatNumber(value) {
  if (value === null || value === undefined) return "–";
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  return value.toPrecision(4);
}

/** Final numbers when the run has a result, else the latest progress point; formatted. */
export function latestText(run) {
  const r = run.result;
  const last = run.costs.at(-1) ?? [];
  const [cost, train, test] = r ? [r.final_cost, r.train_accuracy, r.test_accuracy] : last.slice(1);
  return { cost: formatNumber(cost), train: formatNumber(train), test: formatNumber(test) };
}

const ADVICE = {
  divergence: "Try a smaller learning rate.",
  dead: "No gradient flows back through a dead layer: try a smaller learning rate or another initialization.",
  stalled: "Try a larger learning rate or another initialization.",
};

/** What is wrong with a run in a sentence, with advice if asked ("" when nothing is); a failed run says why. */
export function diagnosisText(run, advice = false) {
  if (run.status === "failed") return `Failed: ${run.reason}`;
  const diagnosis = run.diagnosis;
  if (!diagnosis) return "";
  const sentence = `${diagnosis.text[0].toUpperCase()}${diagnosis.text.slice(1)}.`;
  return advice ? `${sentence} ${ADVICE[diagnosis.kind]}` : sentence;
}

// ---- n-D data (issue 13)
/** Is this data (a run's snapshot dataset, or a dataset's info) other than points on a plane? */
export function beyondPlane(data) {
  return Boolean(data) && data.features !== undefined && data.features !== 2;
}
// ---- end n-D data
