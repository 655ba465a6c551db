// The Insight section of the one-run view (data-view="insight"): why the net learns, or doesn't. It draws the run's
// insight (state.js keeps the server's latest insight message and the norms' history) when it changed and is on
// screen — below the fold it costs nothing — and runs the gradient check on demand.

import { activationNote, drawHistograms, drawNorms, drawUnits } from "../draw/insight.js";
import * as net from "../net.js";
import { changed } from "../state.js";

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ the words beside the views

/** A hidden layer's spread in a sentence. */
export function symmetryText(layer, spread) {
  if (spread === 0) return `Layer ${layer}: spread 0 — every unit computes the same function, so they all learn the same thing.`;
  if (!Number.isFinite(spread)) return `Layer ${layer}: spread ${spread} — the weights are no longer finite.`;
  return `Layer ${layer}: spread ${spread.toPrecision(3)} — its units differ, so each can learn its own feature.`;
}

/** The check's answer in words: "difference 1.2e-7 — passes (< 2e-7)". */
export function checkText(answer) {
  const difference = net.number(answer.difference);
  const shown = Number.isFinite(difference) ? difference.toPrecision(2) : String(difference);
  const verdict = answer.passed ? `passes (< ${answer.threshold})` : `fails (not < ${answer.threshold})`;
  return `difference ${shown} — ${verdict}`;
}

function checkDetails(answer) {
  return `At epoch ${answer.epoch.toLocaleString("en")}: all ${answer.parameters} parameters, on the ${answer.examples} training examples.`;
}

// ------------------------------------------------------------------ drawing, when something changed

function list(element, lines) {
  element.replaceChildren(
    ...lines.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }),
  );
}

function renderCheck(run) {
  const button = $("gradcheck");
  const check = run?.gradcheck;
  button.disabled = !run?.id || run.status === "failed" || check?.pending === true;
  const result = $("gradcheck-result");
  result.dataset.difference = check?.answer ? String(net.number(check.answer.difference)) : "";
  result.dataset.passed = check?.answer ? String(check.answer.passed) : "";
  result.textContent = check?.pending ? "Checking…" : check?.answer ? checkText(check.answer) : (check?.error ?? "");
  $("gradcheck-details").textContent = check?.answer ? checkDetails(check.answer) : "";
}

function draw(run, drawn) {
  const insight = run?.insight;
  const key = run ? `${run.rev}|${run.insightSeq}` : "none";
  if (key === drawn.key) return;
  drawn.key = key;
  renderCheck(run);
  $("insight-empty").hidden = Boolean(insight);
  $("insight-views").hidden = !insight;
  if (!insight || (drawn.seq === run.insightSeq && drawn.run === run)) return;
  drawn.seq = run.insightSeq;
  drawn.run = run;
  drawNorms($("insight-norms"), run.normsHistory);
  drawHistograms($("insight-activations"), insight.activations);
  list(
    $("insight-activation-notes"),
    insight.activations.map((a, i) => `Layer ${a.layer}${i === insight.activations.length - 1 ? " (output)" : ""}: ${activationNote(a)}`),
  );
  drawUnits($("insight-units"), insight.units, insight.symmetry);
  list(
    $("insight-symmetry"),
    insight.units.map((u, i) => symmetryText(u.layer, insight.symmetry[i])),
  );
}

export function insightView(state, element) {
  const currentRun = () => (state.settings.compare ? undefined : state.live.runs[0]);
  $("gradcheck").addEventListener("click", async () => {
    const run = currentRun();
    if (!run?.id) return;
    run.gradcheck = { pending: true };
    changed(state, run);
    try {
      run.gradcheck = { answer: await net.checkGradients(run.id) };
    } catch (error) {
      run.gradcheck = { error: `Not checked: ${error.message}` };
    }
    changed(state, run);
  });
  const drawn = {};
  return { element, draw: () => draw(currentRun(), drawn) };
}
