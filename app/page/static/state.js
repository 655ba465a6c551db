// All of the page's state, in one place.
//
// `settings` is everything a user chose: the run config (field names are RunConfig's) plus UI-only
// fields. It is plain data, so it round-trips through the URL query string and a link restores it.
// `live` is what the server told us about the current runs; it is rebuilt by watching, never shared.
// Every mutation bumps `rev`, so drawing knows when a frame has something new to show.

import { applyInsight } from "./insight.js";

// The dataset's own options; `data_seed` because `seed` is the network's (the config nests these
// under `dataset` as {name, n_train, n_test, noise, seed}). null means "the dataset's default".
export const DATASET_OPTIONS = { n_train: "n_train", n_test: "n_test", noise: "noise", data_seed: "seed" };

const UI_DEFAULTS = {
  speed: "auto", // epochs per second: a number, "max", or "auto" (1000 for one run, max for a comparison)
  log_scale: false,
  show_test: false,
  compare: "", // "" (one run), a group name, or "custom" (the user's setups)
  setups: [], // the user's own comparison entries: each a query string of config fields
  projector: false, // the projector layout: larger type, stronger contrast
};

export const MAX_SETUPS = 6;
const AUTO_SPEED = 1000;

function defaultSettings(defaultConfig) {
  const { dataset, ...rest } = defaultConfig;
  const options = Object.fromEntries(Object.keys(DATASET_OPTIONS).map((k) => [k, null]));
  return { dataset, ...options, ...structuredClone(rest), ...structuredClone(UI_DEFAULTS) };
}

export function createState(defaultConfig, presets, groups) {
  const defaults = defaultSettings(defaultConfig);
  return {
    defaults,
    presets, // name → {name, description, group, config}
    groups, // name → [preset name, ...], in the course's order
    // from the server once they arrive: field → {integer, min, max, ...} from the config schema,
    // and name → {available, n_train, n_test, noise, seed, note} for each dataset
    bounds: {},
    datasets: {},
    settings: knownCompare(fromQuery(location.search, defaults), groups),
    // preview: the dataset's points before training (when the server can give them)
    live: { runs: [], preview: null, previewRev: 0, notice: "", errors: {} },
    room: null, // in a lecture room: its state (rooms/model.js roomState)
    rev: 0,
  };
}

function knownCompare(settings, groups) {
  if (settings.compare !== "custom" && !(settings.compare in groups)) settings.compare = "";
  return settings;
}

export function touch(state) {
  state.rev += 1;
}

// ------------------------------------------------------------------ settings ↔ run config

/** The run config a settings object describes, as the server wants it. */
export function runConfig(settings, defaults) {
  const config = {};
  for (const field of Object.keys(defaults)) {
    if (!(field in UI_DEFAULTS) && !(field in DATASET_OPTIONS)) config[field] = settings[field];
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
  const ui = Object.fromEntries(Object.keys(UI_DEFAULTS).map((field) => [field, settings[field]]));
  return { ...structuredClone(defaults), ...settingsFromConfig(config, defaults), ...ui };
}

/** The preset whose config these settings are exactly, or "". */
export function matchingPreset(state) {
  const mine = configKey(state.settings, state.defaults);
  for (const [name, preset] of Object.entries(state.presets)) {
    const settings = withConfig(state.settings, preset.config, state.defaults);
    if (configKey(settings, state.defaults) === mine) return name;
  }
  return "";
}

export function configKey(settings, defaults) {
  return JSON.stringify(runConfig(settings, defaults));
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

/** Why a value is out of its field's bounds, or "" when it is fine. */
export function checkValue(bounds, value) {
  if (!bounds || value === null) return "";
  if (bounds.integer && !Number.isInteger(value)) return "a whole number, please";
  const { min, max, minExclusive, maxExclusive } = bounds;
  if (min !== undefined && (minExclusive ? value <= min : value < min)) return `must be ${minExclusive ? ">" : "≥"} ${min}`;
  if (max !== undefined && (maxExclusive ? value >= max : value > max)) return `must be ${maxExclusive ? "<" : "≤"} ${max}`;
  return "";
}

/** field → why its value (from a link, say) is out of its bounds; only the fields that are. */
export function boundsErrors(settings, bounds) {
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
  return errors;
}

// ------------------------------------------------------------------ the URL

function encode(value) {
  if (value === null) return "";
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

/** Parse one query value the way the field's default is typed; undefined when it makes no sense. */
function decode(text, fallback, nullable) {
  if (text === "" && nullable) return null;
  if (Array.isArray(fallback)) {
    if (text === "") return [];
    const items = text.split(",").map(Number);
    return items.every(Number.isInteger) ? items : undefined;
  }
  if (typeof fallback === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
  if (typeof fallback === "number" || fallback === null) {
    const number = Number(text);
    return text !== "" && Number.isFinite(number) ? number : undefined;
  }
  return text;
}

function decodeSpeed(text) {
  if (text === "auto" || text === "max") return text;
  const number = Number(text);
  return text !== "" && number > 0 ? number : undefined;
}

/** The query string for settings: every field, so a link means the same setup whatever the defaults. */
export function toQuery(settings, defaults) {
  const params = new URLSearchParams();
  for (const field of Object.keys(defaults)) {
    if (field === "setups") settings.setups.forEach((setup) => params.append("setup", setup));
    else params.set(field, encode(settings[field]));
  }
  return params.toString();
}

export function fromQuery(search, defaults) {
  const params = new URLSearchParams(search);
  const settings = structuredClone(defaults);
  for (const [field, text] of params) {
    if (field === "setup") {
      if (settings.setups.length < MAX_SETUPS) settings.setups.push(text);
    } else if (field === "speed") {
      settings.speed = decodeSpeed(text) ?? defaults.speed;
    } else if (field in defaults && field !== "setups") {
      const value = decode(text, defaults[field], defaults[field] === null);
      if (value !== undefined) settings[field] = value;
    }
  }
  return settings;
}

/** A comparison entry: only the config fields that differ from the defaults, as a query string. */
export function setupQuery(settings, defaults) {
  const params = new URLSearchParams();
  for (const field of Object.keys(defaults)) {
    if (field in UI_DEFAULTS) continue;
    if (encode(settings[field]) !== encode(defaults[field])) params.set(field, encode(settings[field]));
  }
  return params.toString();
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

export function applyMessage(state, run, message) {
  switch (message.type) {
    case "snapshot":
      run.status = message.status;
      run.epoch = message.epoch;
      run.config = message.config;
      run.costs = message.costs;
      run.dataset = message.dataset;
      run.result = message.result;
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
      break;
    case "boundary":
      run.boundary = message;
      run.epoch = Math.max(run.epoch, message.epoch);
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
function formatNumber(value) {
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

// ---- n-D data (issue 13)
/** Is this data (a run's snapshot dataset, or a dataset's info) other than points on a plane? */
export function beyondPlane(data) {
  return Boolean(data) && data.features !== undefined && data.features !== 2;
}
// ---- end n-D data
