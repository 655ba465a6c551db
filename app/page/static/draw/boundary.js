// The decision boundary on a canvas: the net's P(class 1) over the grid, painted straight from the frame's levels,
// the data's points on top, both axes at one scale. Zoom by dragging a box; a double click or the view's
// "Reset zoom" button goes back to the whole plane; hovering reads P(class 1) off the frame.

import { BOUNDARY_RAMP, CLASS_COLOURS, fitCanvas, picture, ticks } from "./heatmap.js";

const pictures = new Map(); // one Picture per frame size, shared by every boundary canvas
const MIN_DRAG = 8; // px: a smaller drag is a click, not a zoom

/** (x_min, x_max, y_min, y_max) around the points, padded by a tenth of the span: core.data.bounding_box's box. */
export function dataBox(data) {
  const points = data.X_test ? [...data.X_train, ...data.X_test] : data.X_train;
  const box = [];
  for (const axis of [0, 1]) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of points) {
      lo = Math.min(lo, p[axis]);
      hi = Math.max(hi, p[axis]);
    }
    const pad = 0.1 * (hi > lo ? hi - lo : 1);
    box.push(lo - pad, hi + pad);
  }
  return box;
}

const frameBox = (b) => [b.x_min, b.x_max, b.y_min, b.y_max];

/** Where the range [x0, x1] × [y0, y1] lands on a width × height canvas, at one scale for both axes. */
function geometry(width, height, range, scale, title) {
  const left = 46 * scale;
  const bottom = 26 * scale;
  const top = title ? 30 * scale : 10;
  const right = 10;
  const [x0, x1, y0, y1] = range;
  const aw = Math.max(1, width - left - right);
  const ah = Math.max(1, height - top - bottom);
  const k = Math.min(aw / (x1 - x0), ah / (y1 - y0));
  const pw = (x1 - x0) * k;
  const ph = (y1 - y0) * k;
  const px = left + (aw - pw) / 2;
  const py = top + (ah - ph) / 2;
  return {
    range,
    rect: [px, py, pw, ph],
    toX: (x) => px + (x - x0) * k,
    toY: (y) => py + ph - (y - y0) * k,
    fromX: (sx) => x0 + (sx - px) / k,
    fromY: (sy) => y0 + (py + ph - sy) / k,
  };
}

function points(context, g, X, y, { size, diamond, outline }) {
  for (const cls of [0, 1]) {
    context.beginPath();
    for (let i = 0; i < X.length; i++) {
      if (y[i] !== cls) continue;
      const sx = g.toX(X[i][0]);
      const sy = g.toY(X[i][1]);
      if (diamond) {
        context.moveTo(sx, sy - size);
        context.lineTo(sx + size, sy);
        context.lineTo(sx, sy + size);
        context.lineTo(sx - size, sy);
        context.closePath();
      } else {
        context.moveTo(sx + size, sy);
        context.arc(sx, sy, size, 0, 2 * Math.PI);
      }
    }
    context.fillStyle = CLASS_COLOURS[cls];
    context.strokeStyle = outline;
    context.lineWidth = diamond ? 1.5 : 1;
    context.fill();
    context.stroke();
  }
}

const label = (v) => Number(v.toPrecision(3)).toString().replace("-", "−");

function axes(context, g, scale) {
  const [px, py, pw, ph] = g.rect;
  const [x0, x1, y0, y1] = g.range;
  context.strokeStyle = "#5b6475";
  context.lineWidth = 1;
  context.strokeRect(px, py, pw, ph);
  context.fillStyle = "#1d2330";
  context.font = `${13 * scale}px system-ui, sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "top";
  for (const x of ticks(x0, x1, Math.max(2, Math.round(pw / (70 * scale))))) {
    context.fillText(label(x), g.toX(x), py + ph + 4);
  }
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (const y of ticks(y0, y1, Math.max(2, Math.round(ph / (50 * scale))))) {
    context.fillText(label(y), px - 5, g.toY(y));
  }
}

/**
 * Draw one boundary: `data` the run's points (or a preview of them), `boundary` its latest frame (either may be
 * null; with neither the canvas says `empty`), `zoom` a range to show instead of the whole plane, `scale` the text's,
 * `title` a panel's name (`titleRoom` px at its right are left free).
 * Returns the geometry (for the pointer), or null.
 */
export function drawBoundary(canvas, { data, boundary, showTest, zoom, title = "", titleRoom = 0, scale = 1, empty = "" }) {
  const { context, width, height } = fitCanvas(canvas);
  context.clearRect(0, 0, width, height);
  if (title) {
    context.fillStyle = "#1d2330";
    context.font = `600 ${Math.min(16 * scale, width / 12)}px system-ui, sans-serif`;
    context.textAlign = "left";
    context.textBaseline = "top";
    context.fillText(title, 6, 6, width - 12 - titleRoom); // titleRoom: what sits at the top right (a button)
  }
  if (!data && !boundary) {
    context.fillStyle = "#5b6475";
    context.font = `${16 * scale}px system-ui, sans-serif`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText(empty, width / 2, height / 2, width - 20);
    return null;
  }
  const box = boundary ? frameBox(boundary) : dataBox(data);
  const g = geometry(width, height, zoom ?? box, scale, title);
  const [px, py, pw, ph] = g.rect;
  context.save();
  context.beginPath();
  context.rect(px, py, pw, ph);
  context.clip();
  if (boundary) {
    const { size, values } = boundary;
    // the grid's points are the pixels' centres: the picture reaches half a cell past the box
    const dx = (box[1] - box[0]) / (size - 1);
    const dy = (box[3] - box[2]) / (size - 1);
    const image = picture(pictures, size).paint(values, BOUNDARY_RAMP);
    context.imageSmoothingEnabled = true;
    const left = g.toX(box[0] - dx / 2);
    const top = g.toY(box[3] + dy / 2);
    context.drawImage(image, left, top, g.toX(box[1] + dx / 2) - left, g.toY(box[2] - dy / 2) - top);
  } else {
    context.fillStyle = "#f7f7f7";
    context.fillRect(px, py, pw, ph);
  }
  if (data) {
    points(context, g, data.X_train, data.y_train, { size: 3.5 * scale, diamond: false, outline: "#fff" });
    if (showTest && data.X_test) points(context, g, data.X_test, data.y_test, { size: 5 * scale, diamond: true, outline: "#000" });
  }
  context.restore();
  axes(context, g, scale);
  return g;
}

/** P(class 1) at (x, y) read off a frame: its nearest grid point's level / 255, or null outside the grid. */
export function probabilityAt(boundary, x, y) {
  if (!boundary) return null;
  const { size, values, x_min, x_max, y_min, y_max } = boundary;
  const j = Math.round(((x - x_min) / (x_max - x_min)) * (size - 1));
  const i = Math.round(((y - y_min) / (y_max - y_min)) * (size - 1));
  return i < 0 || j < 0 || i >= size || j >= size ? null : values[i * size + j] / 255;
}

/**
 * The pointer on a boundary canvas: drag a box to zoom (onZoom(range)), double-click to unzoom (onZoom(null)),
 * hover to read (onHover({x, y, sx, sy}) or onHover(null)). geometry() is the last drawing's.
 */
export function bindPointer(canvas, { geometry, onZoom, onHover, selection }) {
  let start = null;
  const local = (event) => {
    const { left, top } = canvas.getBoundingClientRect();
    return [event.clientX - left, event.clientY - top];
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (!geometry() || event.button !== 0) return;
    start = local(event);
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    const g = geometry();
    const [sx, sy] = local(event);
    if (start && g) {
      const [x, y] = [Math.min(sx, start[0]), Math.min(sy, start[1])];
      Object.assign(selection.style, { left: `${x}px`, top: `${y}px`, width: `${Math.abs(sx - start[0])}px`, height: `${Math.abs(sy - start[1])}px` });
      selection.hidden = false;
    }
    onHover(g ? { x: g.fromX(sx), y: g.fromY(sy), sx, sy, inside: inside(g, sx, sy) } : null);
  });
  const end = (event) => {
    if (!start) return;
    const g = geometry();
    const [sx, sy] = local(event);
    const [ax, ay] = start;
    start = null;
    selection.hidden = true;
    if (g && Math.abs(sx - ax) >= MIN_DRAG && Math.abs(sy - ay) >= MIN_DRAG) {
      const xs = [g.fromX(ax), g.fromX(sx)].sort((a, b) => a - b);
      const ys = [g.fromY(ay), g.fromY(sy)].sort((a, b) => a - b);
      onZoom([...xs, ...ys]);
    }
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", () => {
    start = null;
    selection.hidden = true;
  });
  canvas.addEventListener("pointerleave", () => onHover(null));
  canvas.addEventListener("dblclick", () => onZoom(null));
}

function inside(g, sx, sy) {
  const [px, py, pw, ph] = g.rect;
  return sx >= px && sx <= px + pw && sy >= py && sy <= py + ph;
}
