// Inputs ↔ settings. Every element with data-field="<name>" edits settings[name]; the hidden-layer
// editor, the speed slider and the preset menu are the three controls with a shape of their own.

import { DATASET_OPTIONS, checkValue, effectiveSpeed, matchingPreset, touch, withConfig } from "./state.js";

const SPEED_MAX = 5; // the slider runs over log10(epochs/s) from 1 (10/s) to 5, where it means "max"

const fields = () => document.querySelectorAll("[data-field]");

// What to notice, beside the controls that the course's comparisons vary
const EXPLAIN = {
  initialization: {
    zeros: "Every unit starts identical and gets the same gradient: the symmetry never breaks, so the net stays a straight line.",
    random: "Large random weights (×10 by default) saturate the output sigmoid: the first costs are ∞ and learning crawls.",
    he: "Variance 2 / fan-in: the right scale for ReLU, so signals neither vanish nor explode and the cost drops fast.",
    xavier: "Variance 1 / fan-in: the right scale for tanh; with ReLU, a little too small.",
  },
  optimizer: {
    gd: "Plain gradient descent: every step follows the slope here, so a mini-batch's noise makes the cost zig-zag.",
    momentum: "Momentum averages the recent gradients: the zig-zags cancel and the descent is smoother and faster.",
    adam: "Adam adds a per-weight step size on top of momentum: usually the fastest, smoothest descent.",
  },
};

function regularizationText({ l2_lambda: l2, keep_prob: keep }) {
  const parts = [];
  if (l2 > 0) parts.push("L2 shrinks the weights: a smoother boundary that follows the noise less.");
  if (keep !== null && keep < 1) parts.push("Dropout switches off random units each step: less overfitting, a noisier cost curve.");
  return parts.length
    ? parts.join(" ")
    : "None: the net is free to fit the training points' noise — watch train accuracy pull away from test accuracy.";
}

function explain(settings) {
  for (const element of document.querySelectorAll("[data-explain]")) {
    const topic = element.dataset.explain;
    element.textContent = topic === "regularization" ? regularizationText(settings) : (EXPLAIN[topic][settings[topic]] ?? "");
  }
}

function sliderToSpeed(position) {
  return position >= SPEED_MAX ? "max" : Number((10 ** position).toPrecision(2));
}

function speedText(speed) {
  return speed === null ? "max" : `${speed.toLocaleString("en")} epochs/s`;
}

/** The value an input holds, parsed like its field, or {error}. */
function read(input, state) {
  const field = input.dataset.field;
  if (input.type === "checkbox") return { value: input.checked };
  if (input.type !== "number") return { value: input.value };
  if (input.validity.badInput) return { error: "not a number" };
  if (input.value.trim() === "") return state.defaults[field] === null ? { value: null } : { error: "needs a value" };
  const value = Number(input.value);
  const error = checkValue(state.bounds[field], value);
  return error ? { error } : { value };
}

function showError(input, error) {
  input.setAttribute("aria-invalid", error ? "true" : "false");
  const label = input.closest("label");
  if (error) label.dataset.error = error;
  else delete label.dataset.error;
}

function renderLayers(list, state) {
  const layers = state.settings.hidden_layers;
  const max = state.bounds.hidden_layers?.max;
  list.replaceChildren(
    ...layers.map((units, i) => {
      const item = document.createElement("li");
      const button = (text, delta, label, disabled) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = text;
        b.dataset.layer = i;
        b.dataset.delta = delta;
        b.disabled = disabled;
        b.setAttribute("aria-label", label);
        return b;
      };
      const count = document.createElement("span");
      count.className = "units";
      count.textContent = units;
      count.dataset.testid = `layer-${i}`;
      item.append(
        button("−", -1, `fewer units in layer ${i + 1}`, units <= 1),
        count,
        button("+", 1, `more units in layer ${i + 1}`, max !== undefined && units >= max),
      );
      return item;
    }),
  );
  document.getElementById("layer-add").disabled = layers.length >= (state.bounds.hidden_layers?.maxItems ?? Infinity);
  document.getElementById("layer-remove").disabled = layers.length === 0;
}

/** Put settings into the inputs (all but `except`, the one being typed in). */
export function syncControls(state, except = null) {
  const { settings, live } = state;
  for (const input of fields()) {
    const value = settings[input.dataset.field];
    if (input !== except) {
      if (input.type === "checkbox") input.checked = value;
      else input.value = value ?? "";
    }
    showError(input, live.errors[input.dataset.field] ?? "");
  }
  for (const element of document.querySelectorAll("[data-when]")) {
    const [field, wanted] = element.dataset.when.split("=");
    element.hidden = !wanted.split("|").includes(String(settings[field])); // "lr_decay=inverse|scheduled"
  }
  // an empty dataset option means the dataset's own default: show it, greyed
  const datasetDefaults = state.datasets[settings.dataset] ?? {};
  for (const [field, key] of Object.entries(DATASET_OPTIONS)) {
    document.querySelector(`[data-field=${field}]`).placeholder = datasetDefaults[key] ?? "default";
  }
  explain(settings);
  renderLayers(document.getElementById("hidden-layers"), state);
  const speed = effectiveSpeed(settings);
  const slider = document.getElementById("speed");
  if (slider !== except) slider.value = speed === null ? SPEED_MAX : Math.log10(speed);
  document.getElementById("speed-label").textContent = speedText(speed);
  const preset = matchingPreset(state);
  document.getElementById("preset").value = preset;
  document.getElementById("preset-description").textContent = state.presets[preset]?.description ?? "";
}

/** The dataset menu, and min/max from the config schema onto the inputs (so spinners respect them). */
export function applyServerInfo(state) {
  const menu = document.getElementById("dataset");
  menu.replaceChildren(
    ...Object.values(state.datasets).map((info) => {
      const option = document.createElement("option");
      option.value = info.name;
      option.textContent = info.available ? info.name : `${info.name} (not installed)`;
      option.disabled = !info.available;
      option.title = info.note;
      return option;
    }),
  );
  for (const input of fields()) {
    const bounds = state.bounds[input.dataset.field];
    if (input.type !== "number" || !bounds) continue;
    if (bounds.min !== undefined) input.min = bounds.min;
    if (bounds.max !== undefined) input.max = bounds.max;
  }
}

/** Wire the inputs; onChange(field) after each accepted change. */
export function bindControls(state, onChange) {
  const set = (field, value, except) => {
    state.settings[field] = value;
    delete state.live.errors[field];
    touch(state);
    syncControls(state, except);
    onChange(field);
  };

  for (const input of fields()) {
    input.addEventListener(input.type === "number" ? "input" : "change", () => {
      const { value, error } = read(input, state);
      if (error) {
        state.live.errors[input.dataset.field] = error;
        showError(input, error);
      } else {
        set(input.dataset.field, value, input);
      }
    });
  }

  const layers = () => [...state.settings.hidden_layers];
  document.getElementById("hidden-layers").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const next = layers();
    next[button.dataset.layer] += Number(button.dataset.delta);
    set("hidden_layers", next);
  });
  document.getElementById("layer-add").addEventListener("click", () => set("hidden_layers", [...layers(), layers().at(-1) ?? 4]));
  document.getElementById("layer-remove").addEventListener("click", () => set("hidden_layers", layers().slice(0, -1)));

  const slider = document.getElementById("speed");
  slider.addEventListener("input", () => set("speed", sliderToSpeed(Number(slider.value)), slider));

  const presetMenu = document.getElementById("preset");
  // in the course's order: the groups' presets first, then any others
  const names = new Set([...Object.values(state.groups).flat(), ...Object.keys(state.presets)]);
  for (const name of names) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    option.title = state.presets[name].description ?? "";
    presetMenu.append(option);
  }
  presetMenu.addEventListener("change", () => {
    const preset = state.presets[presetMenu.value];
    if (!preset) return syncControls(state); // "(your own setup)" is what the controls say, not a choice
    state.settings = withConfig(state.settings, preset.config, state.defaults);
    state.live.errors = {};
    touch(state);
    syncControls(state);
    onChange("preset");
  });
}
