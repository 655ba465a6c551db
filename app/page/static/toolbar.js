// The page's frame around the views: the run buttons, the epoch and status readout, the one-line notice, the
// mode and view buttons, which section shows, and the URL. Drawn from state whenever it changed (views.js,
// `always`); everything here keeps its size whatever it says, so that nothing moves when a run starts.

import { renderChoices } from "./views/compare.js";
import { ACTIVE, configKey, linkQuery } from "./state.js";

const $ = (id) => document.getElementById(id);

function overallStatus(runs) {
  if (!runs.length) return "idle";
  const statuses = [...new Set(runs.map((run) => run.status))];
  return statuses.length === 1 ? statuses[0] : statuses.join(" · ");
}

function renderButtons(state) {
  const runs = state.live.runs;
  const statuses = new Set(runs.map((run) => run.status));
  const watched = runs.some((run) => run.id && ACTIVE.has(run.status));
  $("pause").disabled = !(statuses.has("running") || statuses.has("queued"));
  $("resume").disabled = !statuses.has("paused");
  $("stop").disabled = !watched;
  $("reset").disabled = !runs.length;
}

function renderReadout(state) {
  const runs = state.live.runs;
  const single = runs.length === 1 ? runs[0] : null;
  const finished = runs.filter((run) => !ACTIVE.has(run.status) && run.status !== "starting").length;
  $("epoch").textContent = single
    ? `Epoch ${single.epoch.toLocaleString("en")} / ${(single.config?.epochs ?? state.settings.epochs).toLocaleString("en")}`
    : runs.length
      ? `${finished} of ${runs.length} runs finished`
      : "Epoch 0";
  $("status").textContent = single ? single.status : overallStatus(runs);
  $("status").dataset.status = single ? single.status : runs.length ? "mixed" : "idle";
}

function renderNotice(state) {
  const run = state.live.runs[0];
  const stale = !state.settings.compare && run?.configKey && run.configKey !== configKey(state.settings, state.defaults);
  const notice = state.live.notice || (stale ? "Settings changed — press Train to restart with them" : "");
  const element = $("notice");
  if (element.textContent !== notice) {
    element.textContent = notice;
    element.title = notice; // the line is one line high: the whole of a long one on hover
  }
}

function renderModes(state) {
  const comparing = Boolean(state.settings.compare);
  $("single-view").hidden = comparing;
  $("compare-view").hidden = !comparing;
  $("insight").hidden = comparing;
  document.body.dataset.mode = comparing ? "compare" : "single";
  $("mode-single").setAttribute("aria-pressed", String(!comparing));
  $("mode-compare").setAttribute("aria-pressed", String(comparing));
  renderChoices(state);
}

function renderViewButtons(state) {
  const { projector } = state.settings;
  document.documentElement.classList.toggle("projector", projector);
  $("projector").setAttribute("aria-pressed", String(projector));
  const open = state.ui.settingsOpen;
  document.body.classList.toggle("settings-open", open);
  $("toggle-controls").setAttribute("aria-expanded", String(open));
}

export function toolbarView() {
  let shownQuery = null;
  let linkFor = "";
  return {
    always: true,
    draw(state) {
      renderButtons(state);
      renderReadout(state);
      renderNotice(state);
      renderModes(state);
      renderViewButtons(state);
      const settings = JSON.stringify(state.settings);
      if (settings === linkFor) return;
      linkFor = settings;
      const query = linkQuery(state);
      if (query !== shownQuery) {
        // only what differs from the defaults; a presenter's #secret stays
        history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
        shownQuery = query;
      }
    },
  };
}
