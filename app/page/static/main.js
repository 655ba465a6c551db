// The page, wired: boot the state from the template's data and the URL, bind the controls, the keys and the room
// to the run handling, and register the views, which then draw themselves. Wiring only: nothing is drawn or
// decided here.
//
// How the page is built — to add a view (a lesson's panel, the images of an image dataset, ...):
//   state.js   all of the page's state, one serialisable object: `settings` (what a link carries), `live` (what
//              the server said about the runs), `ui` (how the page is looked at). Pure: no DOM, no network.
//   net.js     every fetch and socket; it decodes the wire format (docs/protocol.md) into plain values.
//   runs.js    starting, steering and watching runs: what the user asks → requests, what the server says → state.
//   views.js   the view registry. A view is a module with a factory `xxxView(state, element)` returning
//              {element, draw(state)}; `element` carries its stable hook, data-view="xxx". draw(state) is called
//              once per animation frame, only while the element is on screen (IntersectionObserver) and after
//              state changed (or the view came into sight or was resized); it draws from state alone and keeps
//              to itself what it drew last, to tell cheaply that nothing is new. Register it below with addView.
//              A view off screen or in a hidden section costs nothing.
//   views/     boundary, cost, network, insight, compare (panels, compare-cost, table).
//   draw/      what views draw with: canvas heatmaps straight from frame bytes, the network diagram, Plotly curves.
//   toolbar.js, controls.js, exports.js, room.js, keys.js: the frame, the settings panel, downloads, rooms, keys.
// A new live view from the server: a Feed in app/live/feeds.py → a frame type in net.js (FRAMES) or a text
// message → a case of applyMessage in state.js → a view module registered here.

import { applyServerInfo, bindControls, controlsView } from "./controls.js";
import { exportsView } from "./exports.js";
import { bindKeys } from "./keys.js";
import { bindLessons, lessonViews } from "./lessons/lessons.js";
import * as net from "./net.js";
import { bindRoom, roomView } from "./room.js";
import { frozen } from "./rooms/screen.js";
import { createRuns } from "./runs.js";
import {
  DATASET_OPTIONS,
  LOOKALIKE,
  LOOKALIKE_NOTE,
  boundsFromSchema,
  createState,
  enumsFromSchema,
  footballMissing,
  settingsErrors,
  touch,
} from "./state.js";
import { toolbarView } from "./toolbar.js";
import { addView, startDrawing } from "./views.js";
import { boundaryView } from "./views/boundary.js";
import { bindCompare, compareCostView, panelsView, tableView } from "./views/compare.js";
import { costView } from "./views/cost.js";
import { insightView } from "./views/insight.js";
import { networkView } from "./views/network.js";
import { picturesViews } from "./views/pictures.js";

const boot = JSON.parse(document.getElementById("boot").textContent);
const state = createState(boot, location.search);
window.trainlab = state; // for the console and the browser tests
net.readRoomFrom(() => state.room); // a room's requests carry its credentials from state
const runs = createRuns(state);

const $ = (id) => document.getElementById(id);
const view = (name) => document.querySelector(`[data-view="${name}"]`);
const phone = matchMedia("(max-width: 760px)"); // style.css's: the settings come below the plots, not over them

function onChange(field) {
  if (field === "speed") runs.setSpeed();
  if (field === "dataset" || field === "preset" || field in DATASET_OPTIONS) runs.refreshPreview();
}

bindControls(state, onChange);
bindCompare(state, { onChange, start: runs.train });
$("train").addEventListener("click", () => runs.train());
$("pause").addEventListener("click", () => runs.controlAll("pause"));
$("resume").addEventListener("click", () => runs.controlAll("resume"));
$("step").addEventListener("click", runs.step);
$("stop").addEventListener("click", () => runs.controlAll("stop"));
$("reset").addEventListener("click", runs.dropRuns);
$("projector").addEventListener("click", () => {
  state.settings.projector = !state.settings.projector;
  touch(state);
});
$("toggle-controls").addEventListener("click", () => {
  if (phone.matches) {
    $("controls").scrollIntoView({ block: "start" });
    return;
  }
  state.ui.settingsOpen = !state.ui.settingsOpen;
  touch(state);
});
bindKeys();
bindRoom(state, boot.room, { follow: runs.follow, train: runs.train, onChange });
const oneRun = () => (state.settings.compare ? undefined : state.live.runs[0]);
bindLessons(state, oneRun); // lessons (issue 15)

// the frame first (its buttons and readouts), then the views; the room locks a viewer's controls last
addView(toolbarView());
addView(controlsView());
addView(exportsView());
addView(boundaryView(state, view("boundary")));
for (const pictures of picturesViews(state, view("examples"), view("weights"))) addView(pictures); // n-D data (issue 13)
addView(costView(state, view("cost")));
addView(networkView(state, view("network")));
addView(insightView(state, view("insight")));
addView(panelsView(state, view("panels")));
addView(compareCostView(state, view("compare-cost")));
addView(tableView(state, view("table")));
for (const lesson of lessonViews(state, oneRun)) addView(lesson); // lessons (issue 15)
addView(roomView());
startDrawing(state, frozen);

Promise.all([net.getSchema(), net.getDatasets()]).then(([schema, datasets]) => {
  state.bounds = boundsFromSchema(schema);
  state.enums = enumsFromSchema(schema);
  state.datasets = Object.fromEntries(datasets.map((info) => [info.name, info]));
  applyServerInfo(state);
  // a link's values are checked as typed ones are: each wrong one is flagged beside its field, and Train waits
  state.live.errors = { ...settingsErrors(state), ...state.live.errors };
  const wrong = Object.entries(state.live.errors).map(([field, error]) => `${field}: ${error}`);
  if (wrong.length) state.live.notice = `This link has values out of bounds or not understood: ${wrong.join("; ")}`;
  else if (footballMissing(state, state.settings.dataset)) {
    state.settings.dataset = LOOKALIKE;
    state.live.notice = LOOKALIKE_NOTE;
  }
  touch(state);
  runs.refreshPreview();
  requestAnimationFrame(() => {
    document.body.dataset.ready = "true"; // for the browser tests: loaded, and drawn once
  });
});
