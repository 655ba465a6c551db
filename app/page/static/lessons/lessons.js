// The lesson views (issue 15), wired in one place: gradient checking and the stepper under the one run, the
// landscape and the seed bands in compare mode, random search under the one run. Each draws only when on screen.

import { bindGradcheck, renderGradcheck } from "./gradcheck.js";
import { renderLandscape } from "./landscape.js";
import { bindSeeds, renderSeeds } from "./seeds.js";
import { bindStepper, renderStepper } from "./stepper.js";

/** currentRun(): the one-run view's run (undefined in compare mode). */
export function bindLessons(state, currentRun) {
  state.lessons = {};
  bindGradcheck(state, currentRun);
  bindStepper(state, currentRun);
  bindSeeds(state);
}

export function renderLessons(state, comparing) {
  document.getElementById("lessons").hidden = comparing;
  document.getElementById("compare-lessons").hidden = !comparing;
  const run = comparing ? undefined : state.live.runs[0];
  renderGradcheck(state, run);
  renderStepper(state, run);
  renderLandscape(comparing ? state.live.runs : []);
  renderSeeds(state);
}
