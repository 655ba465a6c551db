// The lesson views (issue 15), wired in one place: gradient checking and the stepper under the one run, the
// landscape and the seed bands in compare mode, random search under the one run. Each is a view of the page's
// registry (views.js): it draws only while on screen.

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

/** The lesson views for the page's registry (views.js): each draws from state while its section is on screen. */
export function lessonViews(state, currentRun) {
  const $ = (id) => document.getElementById(id);
  const comparing = () => Boolean(state.settings.compare);
  const sections = (state) => {
    $("lessons").hidden = Boolean(state.settings.compare);
    $("compare-lessons").hidden = !state.settings.compare;
  };
  return [
    { always: true, draw: sections },
    { element: $("lesson-gradcheck"), draw: () => renderGradcheck(state, currentRun()) },
    { element: $("lesson-stepper"), draw: () => renderStepper(state, currentRun()) },
    { element: $("lesson-search"), draw: () => renderSeeds(state) },
    { element: $("lesson-landscape"), draw: () => renderLandscape(comparing() ? state.live.runs : []) },
    { element: $("lesson-seeds"), draw: () => renderSeeds(state) },
  ];
}
