// The network diagram on a canvas, as TensorFlow Playground draws it: one column per layer (the inputs, every
// hidden layer, the output), each unit a small picture of what it computes over the input plane, and the links
// between units coloured by their sign (blue +, orange −) and as wide as they are large.

import { CLASS_COLOURS, UNIT_RAMP, fitCanvas, picture } from "./heatmap.js";

const pictures = new Map();
const POSITIVE = CLASS_COLOURS[1];
const NEGATIVE = CLASS_COLOURS[0];

/** Where each unit goes: [{layer, unit, x, y, size}] (x, y its top-left corner), for `shown` units per layer. */
export function layout(width, height, shown, scale) {
  const top = 24 * scale;
  const bottom = 26 * scale; // the legend's line
  const side = 34 * scale;
  const columns = shown.length;
  const gap = (width - 2 * side) / Math.max(1, columns - 1);
  const most = Math.max(...shown);
  const size = Math.max(6, Math.min(64 * scale, gap * 0.42, ((height - top - bottom) / most) * 0.92));
  const nodes = [];
  shown.forEach((count, layer) => {
    const x = side + layer * gap - size / 2;
    const step = Math.min(size * 1.7, (height - top - bottom - size) / Math.max(1, count - 1));
    const first = top + (height - top - bottom - size - step * (count - 1)) / 2;
    for (let unit = 0; unit < count; unit++) nodes.push({ layer, unit, x, y: first + unit * step, size });
  });
  return { nodes, top, size };
}

/** [{from, to, layer, row, column, value}]: every link between drawn units, with its weight or gradient. */
export function links(nodes, matrices) {
  const byLayer = [];
  for (const node of nodes) (byLayer[node.layer] ??= []).push(node);
  const out = [];
  matrices.forEach((matrix, l) => {
    matrix.forEach((row, i) => {
      byLayer[l].forEach((from, j) => out.push({ from, to: byLayer[l + 1][i], layer: l + 1, row: i, column: j, value: row[j] }));
    });
  });
  return out;
}

const end = (node, right) => [node.x + (right ? node.size : 0), node.y + node.size / 2];

/** Draw the diagram of a network frame (null: the net's shape from `hidden`, before any frame). Returns its layout. */
export function drawNetwork(canvas, { frame, hidden, gradients, selected, scale = 1 }) {
  const { context, width, height } = fitCanvas(canvas);
  context.clearRect(0, 0, width, height);
  const shown = frame ? frame.layers.map((layer) => layer.shown) : [2, ...hidden, 1];
  const units = frame ? frame.layers.map((layer) => layer.units) : shown;
  const place = layout(width, height, shown, scale);
  const drawnLinks = frame ? links(place.nodes, gradients ? frame.gradients : frame.weights) : [];

  // links first, under the units
  let largest = 0;
  for (const link of drawnLinks) if (Number.isFinite(link.value)) largest = Math.max(largest, Math.abs(link.value));
  context.globalAlpha = 0.8;
  for (const link of drawnLinks) {
    const [x0, y0] = end(link.from, true);
    const [x1, y1] = end(link.to, false);
    const size = largest > 0 && Number.isFinite(link.value) ? Math.abs(link.value) / largest : 0;
    link.width = 0.4 + 5 * scale * size;
    context.strokeStyle = link.value >= 0 ? POSITIVE : NEGATIVE;
    context.lineWidth = link.width;
    context.beginPath();
    context.moveTo(x0, y0);
    context.bezierCurveTo((x0 + x1) / 2, y0, (x0 + x1) / 2, y1, x1, y1);
    context.stroke();
  }
  context.globalAlpha = 1;

  // the units: each its picture, or a grey box before the first frame
  context.imageSmoothingEnabled = true;
  const area = frame ? frame.size : 0;
  for (const node of place.nodes) {
    if (frame) {
      const levels = frame.layers[node.layer].pictures[node.unit];
      context.drawImage(picture(pictures, area).paint(levels, UNIT_RAMP), node.x, node.y, node.size, node.size);
    } else {
      context.fillStyle = "#e8ebf0";
      context.fillRect(node.x, node.y, node.size, node.size);
    }
    const chosen = selected && selected.layer === node.layer && selected.unit === node.unit;
    context.strokeStyle = chosen ? "#000" : "#5b6475";
    context.lineWidth = chosen ? 3 : 1;
    context.strokeRect(node.x, node.y, node.size, node.size);
  }

  // column titles, and the inputs' names
  context.fillStyle = "#1d2330";
  context.font = `${13 * scale}px system-ui, sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "top";
  const last = shown.length - 1;
  const column = (width - 68 * scale) / Math.max(1, last);
  shown.forEach((count, layer) => {
    const node = place.nodes.find((n) => n.layer === layer);
    const text = layer === 0 ? "input" : layer === last ? "output" : `layer ${layer}: ${units[layer]} units`;
    context.fillText(text, node.x + node.size / 2, 4, column * 0.95);
  });
  context.textAlign = "left";
  context.textBaseline = "bottom";
  context.fillStyle = "#5b6475";
  const legend = gradients ? "links: dJ/dW — blue +, orange −, width ∝ size" : "links: weights W — blue +, orange −, width ∝ |W|";
  context.fillText(frame ? legend : "the network's shape: its units appear when training starts", 6, height - 4, width * 0.7);
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (const node of place.nodes.filter((n) => n.layer === 0)) {
    context.fillText(node.unit === 0 ? "x₁" : "x₂", node.x - 4, node.y + node.size / 2);
  }
  return { nodes: place.nodes, links: drawnLinks, units };
}

/** A unit's picture, large (the unit clicked on). */
export function drawUnit(canvas, frame, { layer, unit }) {
  const { context, width, height } = fitCanvas(canvas);
  const levels = frame.layers[layer]?.pictures[unit];
  if (!levels) return;
  context.imageSmoothingEnabled = true;
  context.drawImage(picture(pictures, frame.size).paint(levels, UNIT_RAMP), 0, 0, width, height);
}

function distanceToCurve(link, x, y) {
  // the link's bezier, sampled: close enough for a pointer
  const [x0, y0] = end(link.from, true);
  const [x1, y1] = end(link.to, false);
  let best = Infinity;
  for (let t = 0; t <= 1; t += 0.05) {
    const u = 1 - t;
    const cx = (x0 + x1) / 2;
    const px = u ** 3 * x0 + 3 * u * u * t * cx + 3 * u * t * t * cx + t ** 3 * x1;
    const py = u ** 3 * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t ** 3 * y1;
    best = Math.min(best, Math.hypot(px - x, py - y));
  }
  return best;
}

/** What is under the pointer at (x, y): {node} or {link}, or null. */
export function hit(drawn, x, y) {
  const node = drawn.nodes.find((n) => x >= n.x && x <= n.x + n.size && y >= n.y && y <= n.y + n.size);
  if (node) return { node };
  let best = null;
  for (const link of drawn.links) {
    const distance = distanceToCurve(link, x, y);
    if (distance <= Math.max(4, link.width / 2 + 2) && (!best || distance < best.distance)) best = { link, distance };
  }
  return best && { link: best.link };
}
