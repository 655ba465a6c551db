// Heatmaps straight from a frame's bytes: each uint8 level's colour comes from a 256-entry lookup table and is
// written into an ImageData as one 32-bit store, which drawImage then scales onto the plot (smoothed, as
// Plotly's zsmooth "best" was). Orange ↔ blue (never red ↔ green), so that colour-blind viewers see both ends.

function rgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A lookup table level → RGBA (as one little-endian uint32), the colours evenly spaced from level 0 to 255. */
function ramp(hexes) {
  const stops = hexes.map(rgb);
  const table = new Uint32Array(256);
  for (let level = 0; level < 256; level++) {
    const at = (level / 255) * (stops.length - 1);
    const i = Math.min(Math.floor(at), stops.length - 2);
    const t = at - i;
    const [r, g, b] = stops[i].map((c, k) => Math.round(c + t * (stops[i + 1][k] - c)));
    table[level] = (255 << 24) | (b << 16) | (g << 8) | r;
  }
  return table;
}

export const CLASS_COLOURS = ["#e66101", "#0571b0"]; // class 0, class 1: the points
export const BOUNDARY_RAMP = ramp(["#fdb863", "#f7f7f7", "#92c5de"]); // P(class 1): pale, so the points show on it
export const UNIT_RAMP = ramp(["#e66101", "#f7f7f7", "#0571b0"]); // a unit's activation: negative ↔ positive

/** A size × size picture of levels, painted into a small canvas of its own; `canvas` is what drawImage takes. */
export class Picture {
  constructor(size) {
    this.size = size;
    this.canvas = new OffscreenCanvas(size, size);
    this.context = this.canvas.getContext("2d");
    this.image = this.context.createImageData(size, size);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Paint the levels (row 0 is the bottom row: y grows upwards, as the frames' rows do) through the table. */
  paint(levels, table) {
    const { size, pixels } = this;
    for (let row = 0; row < size; row++) {
      const from = row * size;
      const to = (size - 1 - row) * size;
      for (let i = 0; i < size; i++) pixels[to + i] = table[levels[from + i]];
    }
    this.context.putImageData(this.image, 0, 0);
    return this.canvas;
  }
}

/** A Picture of `size` from a cache keyed by size (frames of one size reuse their buffers). */
export function picture(cache, size) {
  if (!cache.has(size)) cache.set(size, new Picture(size));
  return cache.get(size);
}

/** Round numbers between lo and hi for axis ticks, about `count` of them: 1, 2 or 5 × 10^k apart. */
export function ticks(lo, hi, count = 5) {
  const raw = (hi - lo) / count;
  if (!(raw > 0) || !Number.isFinite(raw)) return [];
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A canvas sized to its element's box at the screen's pixel density; returns its 2-D context in CSS pixels. */
export function fitCanvas(canvas) {
  const { width, height } = canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { context, width, height };
}

/** Save a canvas as a PNG file named `name` (canvas.toBlob: no Plotly, no server). */
export function savePng(canvas, name) {
  return new Promise((resolve) => {
    canvas.toBlob((blob) => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      resolve();
    }, "image/png");
  });
}
