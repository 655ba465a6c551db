// The one-run view's decision boundary (data-view="boundary"): the latest frame over the data, or the data alone
// before training. The zoom is the page's (state.ui.zoom), shared with the comparison's panels.

import { bindPointer, drawBoundary, probabilityAt } from "../draw/boundary.js";
import { savePng } from "../draw/heatmap.js";
import { touch } from "../state.js";
import { changedSince, textScale } from "../views.js";

const short = (v) => Number(v.toPrecision(3)).toString().replace("-", "−");

/** Zoom and hover for a boundary canvas; run() is the run it shows (its frame is read for hover). */
export function bindBoundary(state, element, canvas, run) {
  const tip = element.querySelector(".tip");
  const selection = element.querySelector(".selection");
  bindPointer(canvas, {
    geometry: () => canvas.geometry,
    selection,
    onZoom(range) {
      state.ui.zoom = range;
      touch(state);
    },
    onHover(at) {
      tip.hidden = !at?.inside;
      if (tip.hidden) return;
      const p = probabilityAt(run()?.boundary, at.x, at.y);
      tip.textContent = `x₁ ${short(at.x)}, x₂ ${short(at.y)}${p === null ? "" : ` · P(class 1) ${p.toFixed(3)}`}`;
      tip.style.left = `${at.sx + 12}px`;
      tip.style.top = `${at.sy + 12}px`;
    },
  });
}

export function boundaryView(state, element) {
  const canvas = element.querySelector("canvas");
  const resetZoom = element.querySelector("[data-testid=reset-zoom]");
  const run = () => (state.settings.compare ? undefined : state.live.runs[0]);
  const memo = {};
  bindBoundary(state, element, canvas, run);
  resetZoom.addEventListener("click", () => {
    state.ui.zoom = null;
    touch(state);
  });
  element.querySelector("[data-testid=png-boundary]").addEventListener("click", () => savePng(canvas, "trainlab-boundary.png"));

  return {
    element,
    draw(state) {
      const current = run();
      const data = current ? current.dataset : state.live.preview;
      const boundary = current?.boundary ?? null;
      const { show_test: showTest } = state.settings;
      const scale = textScale(state);
      const { zoom } = state.ui;
      const { width, height } = element.getBoundingClientRect();
      if (!changedSince(memo, [data, boundary, showTest, scale, zoom, width, height, current])) return;
      canvas.geometry = drawBoundary(canvas, {
        data,
        boundary,
        showTest,
        zoom,
        scale,
        empty: current ? "starting…" : "The data appears when training starts",
      });
      element.dataset.epoch = boundary ? String(boundary.epoch) : "";
      resetZoom.hidden = !zoom;
      canvas.setAttribute(
        "aria-label",
        boundary
          ? `Decision boundary at epoch ${boundary.epoch}: the net's probability of class 1 over the plane, with the training points`
          : "The training points, before training",
      );
    },
  };
}
