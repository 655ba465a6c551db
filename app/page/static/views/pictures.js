// n-D data (issue 13): for data that is not 2-D, the one-run view shows the examples with the net's predictions
// (data-view="examples") and what the first layer sees (data-view="weights") where the boundary would be, and no
// network diagram (it is drawn over the input plane: there is none).

import { drawExamples } from "../draw/examples.js";
import { drawWeights } from "../draw/weights.js";
import { beyondPlane } from "../state.js";

export function picturesViews(state, examples, weights) {
  const run = () => (state.settings.compare ? undefined : state.live.runs[0]);
  const $ = (id) => document.getElementById(id);
  return [
    {
      always: true, // which of the two the data calls for
      draw(state) {
        const pictures = beyondPlane(run()?.dataset ?? state.datasets[state.settings.dataset]);
        $("boundary").hidden = pictures;
        $("pictures").hidden = !pictures;
        document.querySelector("[data-view=network]").hidden = pictures;
      },
    },
    { element: examples, draw: () => drawExamples(examples, run()) },
    { element: weights, draw: () => drawWeights(weights, run()) },
  ];
}
