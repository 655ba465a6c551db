// The one-run view's network diagram (data-view="network"): every unit's picture over the input plane and the
// links' weights (or, with "Gradients", dJ/dW), from the run's latest network frame; before a run, the net's
// shape from the settings. Hover a link for its value; click a unit to see its picture large (state.ui.unit).

import { drawNetwork, drawUnit, hit } from "../draw/network.js";
import { touch } from "../state.js";
import { changedSince, textScale } from "../views.js";

const short = (v) => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString().replace("-", "−") : String(v));

function unitName(layer, unit, last) {
  if (layer === 0) return unit === 0 ? "input x₁" : "input x₂";
  return layer === last ? "the output" : `layer ${layer}, unit ${unit + 1}`;
}

/** Layers wider than what is drawn, in a sentence ("" when every unit is drawn). */
function cutNote(frame) {
  const cut = frame?.layers.filter((layer) => layer.shown < layer.units) ?? [];
  if (!cut.length) return "";
  const names = cut.map((layer) => `${layer.units}`).join(", ");
  return `Too wide to draw legibly (${names} units): the first ${cut[0].shown} units of each layer are drawn.`;
}

export function networkView(state, element) {
  const canvas = element.querySelector("canvas.diagram");
  const tip = element.querySelector(".tip");
  const note = element.querySelector("[data-testid=network-note]");
  const zoomed = element.querySelector("[data-testid=unit-zoom]");
  const zoomCanvas = zoomed.querySelector("canvas");
  const run = () => (state.settings.compare ? undefined : state.live.runs[0]);
  const memo = {};
  let drawn = { nodes: [], links: [], units: [] };

  const local = (event) => {
    const { left, top } = canvas.getBoundingClientRect();
    return [event.clientX - left, event.clientY - top];
  };
  canvas.addEventListener("pointermove", (event) => {
    const [x, y] = local(event);
    const found = hit(drawn, x, y);
    const frame = run()?.network;
    tip.hidden = !found || !frame;
    if (tip.hidden) return;
    const last = drawn.units.length - 1;
    if (found.node) {
      const { layer, unit } = found.node;
      const bias = layer > 0 ? frame.weights[layer - 1][unit].at(-1) : null;
      tip.textContent = `${unitName(layer, unit, last)}${bias === null ? "" : ` · bias ${short(bias)}`} — click to enlarge`;
    } else {
      const { layer, row, column, value } = found.link;
      const what = state.settings.gradients ? `dJ/dW${layer}[${row + 1},${column + 1}]` : `W${layer}[${row + 1},${column + 1}]`;
      tip.textContent = `${what} = ${short(value)} (${unitName(layer - 1, column, last)} → ${unitName(layer, row, last)})`;
    }
    tip.style.left = `${x + 12}px`;
    tip.style.top = `${y + 12}px`;
  });
  canvas.addEventListener("pointerleave", () => {
    tip.hidden = true;
  });
  canvas.addEventListener("click", (event) => {
    const found = hit(drawn, ...local(event));
    const same = found?.node && state.ui.unit?.layer === found.node.layer && state.ui.unit?.unit === found.node.unit;
    state.ui.unit = found?.node && !same && run()?.network ? { layer: found.node.layer, unit: found.node.unit } : null;
    touch(state);
  });
  zoomed.querySelector("button").addEventListener("click", () => {
    state.ui.unit = null;
    touch(state);
  });

  return {
    element,
    draw(state) {
      const frame = run()?.network ?? null;
      const { gradients, hidden_layers: hidden } = state.settings;
      const { unit } = state.ui;
      const scale = textScale(state);
      const { width, height } = element.getBoundingClientRect();
      if (!changedSince(memo, [frame, hidden, gradients, unit, scale, width, height])) return;
      drawn = drawNetwork(canvas, { frame, hidden, gradients, selected: unit, scale });
      canvas.layout = drawn; // for the browser tests: where each unit was drawn
      element.dataset.epoch = frame ? String(frame.epoch) : "";
      const text = cutNote(frame);
      note.textContent = text;
      note.hidden = !text;
      zoomed.hidden = !(frame && unit);
      if (frame && unit) {
        drawUnit(zoomCanvas, frame, unit);
        zoomed.querySelector("figcaption").textContent = `${unitName(unit.layer, unit.unit, drawn.units.length - 1)}, over the input plane`;
      }
      const sizes = drawn.units;
      canvas.setAttribute(
        "aria-label",
        `The network: ${sizes[0]} inputs, ${sizes.slice(1, -1).join(" and ") || "no"} hidden units, one output` +
          (frame ? `; each unit drawn as what it computes over the input plane, at epoch ${frame.epoch}` : ", before training"),
      );
    },
  };
}
