// The one-run view's cost (data-view="cost"): the latest numbers, the cost and accuracy curves, and what is wrong
// with the run in words (diverged and why, a dead network, a stalled one).
// Plotly redraws a whole chart each time: while a run trains, the curves are redrawn at most every CURVE_MS (the
// numbers every frame), so that 20 progress batches a second do not become 20 chart layouts.

import { drawCurves } from "../draw/curves.js";
import { ACTIVE, diagnosisText, latestText } from "../state.js";
import { changedSince, textScale } from "../views.js";

export const CURVE_MS = 300; // ~3 redraws a second: each Plotly layout takes 25–60 ms of the main thread here

/** A Plotly chart's PNG, as sharp as a slide needs. */
export function savePlotPng(div, name) {
  const { width, height } = div.getBoundingClientRect();
  return Plotly.downloadImage(div, {
    format: "png",
    filename: name,
    width: Math.round(width) || 800,
    height: Math.round(height) || 600,
    scale: 2,
  });
}

/** A view's curves, paced: draw(runs, options, live) redraws when its inputs changed and CURVE_MS has passed
 * while the runs train; returns true while a redraw is still owed. */
export function pacedCurves(div) {
  const memo = {};
  let owed = false;
  let drawnAt = -Infinity;
  return (runs, options, live) => {
    const parts = [...runs.flatMap((run) => [run, run.costs.length, run.status]), ...Object.values(options)];
    if (changedSince(memo, parts)) owed = true;
    if (!owed) return false;
    if (live && performance.now() - drawnAt < CURVE_MS) return true;
    drawCurves(div, runs, options);
    drawnAt = performance.now();
    owed = false;
    return false;
  };
}

export function costView(state, element) {
  const $ = (testid) => element.querySelector(`[data-testid=${testid}]`);
  const curves = $("curves");
  const diagnosis = $("diagnosis");
  const draw = pacedCurves(curves);
  $("png-cost").addEventListener("click", () => (curves.data ? savePlotPng(curves, "trainlab-cost") : undefined));

  return {
    element,
    draw(state) {
      const run = state.settings.compare ? undefined : state.live.runs[0];
      const text = run ? latestText(run) : { cost: "–", train: "–", test: "–" };
      $("cost").textContent = text.cost;
      $("train-acc").textContent = text.train;
      $("test-acc").textContent = text.test;
      const words = run ? diagnosisText(run, true) : "";
      diagnosis.textContent = words;
      diagnosis.hidden = !words;
      diagnosis.dataset.kind = run?.status === "failed" ? "failed" : (run?.diagnosis?.kind ?? "");
      const options = {
        logScale: state.settings.log_scale,
        accuracies: true,
        epochs: run?.config?.epochs ?? state.settings.epochs,
        scale: textScale(state),
      };
      return draw(run ? [run] : [], options, Boolean(run && ACTIVE.has(run.status)));
    },
  };
}
