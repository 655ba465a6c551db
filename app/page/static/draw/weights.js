// What the first layer sees, for data that is not 2-D (docs/protocol.md, "Picture frames"): each first-layer
// unit's incoming weights drawn as a picture of the input's shape, on one symmetric scale where 0 is the middle.
// One channel: a diverging orange (−) · white (0) · blue (+) scale; colour images: each channel's weight as that
// channel's intensity around mid-grey (0). Zeros init: every picture the same blank; random ×10: noise that
// stays; He / Xavier: the pictures take shape. Drawn from the frames' bytes, only when on screen and changed.

import { canvasIn, pictureCanvas } from "./pictures.js";

const GAP = 6;
const MAX_CELL = 96; // css px per unit's picture
const drawn = new WeakMap(); // container → the frame it shows

const NEGATIVE = [230, 97, 1];
const ZERO = [247, 247, 247];
const POSITIVE = [5, 113, 176];

/** A weight level (128 = 0) → RGB on the diverging scale. */
function diverging(level) {
  const t = (level - 128) / 127;
  const [to, s] = t < 0 ? [NEGATIVE, -t] : [POSITIVE, t];
  return ZERO.map((c, i) => Math.round(c + (to[i] - c) * Math.min(1, s)));
}

const colourOf = (values, at, c) => (c === 1 ? diverging(values[at]) : [values[at], values[at + 1], values[at + 2]]);

/** Draw the weights view into its container (it holds the canvas and a [data-role=scale] line). */
export function drawWeights(container, run) {
  if (!container || container.offsetParent === null) return; // not on screen: nothing to draw
  const frame = run?.views.weights;
  const width = container.clientWidth || 400;
  const last = drawn.get(container);
  if (last && last.frame === frame && last.width === width) return;
  drawn.set(container, { frame, width });
  const note = container.querySelector("[data-role=scale]");
  if (!frame) {
    canvasIn(container, width, 40).fillText(run ? "starting…" : "Train to see the first layer's weights", 4, 24);
    if (note) note.textContent = "";
    return;
  }
  const [h, w, c] = frame.shape;
  const strip = h === 1; // features that are not an image: one row of weights per unit
  const columns = strip ? 1 : Math.max(1, Math.min(frame.units, Math.floor((width + GAP) / (48 + GAP))));
  const cellWidth = strip ? width : Math.min(MAX_CELL, Math.floor((width + GAP) / columns) - GAP);
  const cellHeight = strip ? 14 : Math.round((cellWidth * h) / w);
  const rows = Math.ceil(frame.units / columns);
  const context = canvasIn(container, width, rows * (cellHeight + GAP));
  context.imageSmoothingEnabled = false;
  for (let k = 0; k < frame.units; k++) {
    const picture = pictureCanvas(frame.values, k * h * w * c, frame.shape, colourOf);
    const left = (k % columns) * (cellWidth + GAP);
    const top = Math.floor(k / columns) * (cellHeight + GAP);
    context.drawImage(picture, left, top, cellWidth, cellHeight);
    context.strokeStyle = "#bbb";
    context.strokeRect(left + 0.5, top + 0.5, cellWidth - 1, cellHeight - 1);
  }
  if (note) {
    const scale = frame.scale > 0 ? `the largest |w| shown is ${frame.scale.toPrecision(3)}` : "every weight is 0";
    note.textContent = `Epoch ${frame.epoch}: ${frame.units} of the first layer's ${frame.of} units; ${scale}.`;
  }
  container.dataset.epoch = String(frame.epoch); // for the browser tests: what is drawn
}
