// The examples with the net's predictions, for data that is not 2-D (docs/protocol.md, "Picture frames"):
// image data as a grid of a few training and test thumbnails, other data as every example on its first two
// principal components; each coloured or bordered by P(1) and marked right or wrong, redrawn as the net learns.
// Drawn from the frames' bytes on a canvas, only when it is on screen and something changed.

import { canvasIn, pictureCanvas } from "./pictures.js";

const MID = 128; // a prediction level ≥ 128 means the net says 1
const WRONG = "#e66101"; // orange: wrong (the boundary's class-0 colour; colour-blind safe with blue)
const RIGHT = "#0571b0"; // blue: right
const CELL = 48; // css px per thumbnail
const GAP = 6;
const drawn = new WeakMap(); // container → the frames it shows

/** level → a colour on the boundary's orange (P = 0) – white – blue (P = 1) scale. */
function probabilityColour(level) {
  const t = level / 255;
  const [from, to] = t < 0.5 ? [[253, 184, 99], [247, 247, 247]] : [[247, 247, 247], [146, 197, 222]];
  const s = t < 0.5 ? t * 2 : (t - 0.5) * 2;
  return `rgb(${from.map((c, i) => Math.round(c + (to[i] - c) * s)).join(",")})`;
}

/** For each example (train, then test): its prediction level, label and whether the net is right. */
export function judged(run) {
  const predictions = run.views.examples;
  if (!predictions || !run.dataset) return null;
  const labels = [...run.dataset.y_train, ...(run.dataset.y_test ?? [])];
  return Array.from(predictions.values, (level, i) => ({
    level,
    label: labels[i],
    right: (level >= MID ? 1 : 0) === labels[i],
    test: i >= predictions.n_train,
    index: i >= predictions.n_train ? i - predictions.n_train : i,
  }));
}

const pixels = (values, at, c) => (c === 1 ? [values[at], values[at], values[at]] : [values[at], values[at + 1], values[at + 2]]);

function drawThumbnails(container, run, examples) {
  const layout = run.views["example-images"];
  const [h, w, c] = layout.shape;
  const shown = [...layout.train.map((i) => examples[i]), ...layout.test.map((i) => examples[layout.n_train + i])];
  const width = container.clientWidth || 600;
  const columns = Math.max(1, Math.floor((width + GAP) / (CELL + GAP)));
  const trainRows = Math.ceil(layout.train.length / columns);
  const testRows = Math.ceil(layout.test.length / columns);
  const label = 16;
  const height = label + trainRows * (CELL + GAP) + (testRows ? label + testRows * (CELL + GAP) : 0);
  const context = canvasIn(container, width, height);
  context.clearRect(0, 0, width, height);
  context.font = "12px system-ui, sans-serif";
  context.fillStyle = "#444";
  context.imageSmoothingEnabled = false;
  context.fillText("Training images", 0, 12);
  if (testRows) context.fillText("Test images", 0, label + trainRows * (CELL + GAP) + 12);
  shown.forEach((example, k) => {
    const test = k >= layout.train.length;
    const slot = test ? k - layout.train.length : k;
    const top = label + (test ? trainRows * (CELL + GAP) + label : 0) + Math.floor(slot / columns) * (CELL + GAP);
    const left = (slot % columns) * (CELL + GAP);
    context.drawImage(pictureCanvas(layout.values, k * h * w * c, layout.shape, pixels), left + 3, top + 3, CELL - 6, CELL - 6);
    context.lineWidth = example.right ? 2 : 4;
    context.strokeStyle = example.right ? RIGHT : WRONG;
    context.strokeRect(left + 1, top + 1, CELL - 2, CELL - 2);
    context.fillStyle = example.right ? RIGHT : WRONG;
    context.fillRect(left + CELL - 16, top, 16, 14);
    context.fillStyle = "#fff";
    context.fillText(example.right ? "✓" : "✗", left + CELL - 13, top + 11);
  });
}

function drawPoints(container, run, examples) {
  const layout = run.views["example-points"];
  const width = container.clientWidth || 600;
  const height = Math.min(420, Math.round(width * 0.7));
  const context = canvasIn(container, width, height);
  context.clearRect(0, 0, width, height);
  const pad = 10;
  const place = (i, axis, span) => pad + (layout.values[2 * i + axis] / 255) * (span - 2 * pad);
  examples.forEach((example, i) => {
    const x = place(i, 0, width);
    const y = height - place(i, 1, height);
    context.fillStyle = probabilityColour(example.level);
    context.strokeStyle = example.right ? "#555" : WRONG;
    context.lineWidth = example.right ? 0.75 : 2;
    context.beginPath();
    if (example.test) context.rect(x - 3.5, y - 3.5, 7, 7);
    else context.arc(x, y, 3.5, 0, 2 * Math.PI);
    context.fill();
    context.stroke();
  });
  context.fillStyle = "#444";
  context.font = "12px system-ui, sans-serif";
  context.fillText("principal component 1 →", width - 160, height - 2);
  context.fillText("↑ component 2 · ● train ■ test · fill: P(1) · orange edge: wrong", 2, 12);
}

/** "Wrong: 3 of 209 training (#4, #17, #58), 10 of 50 test (...)": the misclassified examples, listed. */
export function misclassifiedText(examples, most = 20) {
  const part = (test, name) => {
    const all = examples.filter((e) => e.test === test);
    if (!all.length) return "";
    const wrong = all.filter((e) => !e.right).map((e) => `#${e.index}`);
    const list = wrong.length ? ` (${wrong.slice(0, most).join(", ")}${wrong.length > most ? ", …" : ""})` : "";
    return `${wrong.length} of ${all.length} ${name}${list}`;
  };
  return `Misclassified: ${[part(false, "training"), part(true, "test")].filter(Boolean).join("; ")}`;
}

/** Draw the examples view into its container (it holds the canvas and a [data-role=misclassified] line). */
export function drawExamples(container, run) {
  if (!container || container.offsetParent === null) return; // not on screen: nothing to draw
  const key = [run?.views.examples, run?.views["example-images"], run?.views["example-points"], container.clientWidth];
  const last = drawn.get(container);
  if (last && last.every((part, i) => part === key[i])) return;
  drawn.set(container, key);
  const examples = run ? judged(run) : null;
  const note = container.querySelector("[data-role=misclassified]");
  if (!examples || !(run.views["example-images"] || run.views["example-points"])) {
    canvasIn(container, container.clientWidth || 600, 40).fillText(run ? "starting…" : "Train to see the examples", 4, 24);
    if (note) note.textContent = "";
    return;
  }
  if (run.views["example-images"]) drawThumbnails(container, run, examples);
  else drawPoints(container, run, examples);
  if (note) note.textContent = misclassifiedText(examples);
  container.dataset.epoch = String(run.views.examples.epoch); // for the browser tests: what is drawn
}
