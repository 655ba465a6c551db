// The Insight section of the one-run view: why the net learns or does not. It keeps each run's insight
// (the server's latest insight message and the norms' history), draws it when it changed, and runs the
// gradient check on demand.

import { activationNote, drawHistograms, drawNorms, drawUnits } from "./draw/insight.js";
import * as net from "./net.js";

const HISTORY_LIMIT = 1000; // norm points kept on the page; when full, every other one goes
const $ = (id) => document.getElementById(id);

const decodeNorms = (point) => [point[0], point[1].map(net.number), point[2].map(net.number)];

/** An insight message for this run: the first a watcher gets carries the norms' history. */
export function applyInsight(run, message) {
  const norms = message.norms.map((n) => ({ ...n, W: net.number(n.W), dW: net.number(n.dW), b: net.number(n.b) }));
  run.insight = { ...message, norms, symmetry: message.symmetry.map(net.number), history: undefined };
  if (message.history) {
    run.normsHistory = message.history.map(decodeNorms);
  } else if (run.normsHistory.at(-1)?.[0] !== message.epoch) {
    run.normsHistory.push([message.epoch, norms.map((n) => n.W), norms.map((n) => n.dW)]);
    if (run.normsHistory.length > HISTORY_LIMIT) run.normsHistory = run.normsHistory.filter((_, i) => i % 2 === 0);
  }
  run.insightSeq += 1;
}

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

let drawnKey = "";

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

/** Draw the run's insight (run: the one-run view's run, or undefined); a no-op when nothing changed. */
export function renderInsight(run) {
  const insight = run?.insight;
  const key = run ? `${run.rev}|${run.insightSeq}` : "none";
  if (key === drawnKey) return;
  drawnKey = key;
  renderCheck(run);
  $("insight-empty").hidden = Boolean(insight);
  $("insight-views").hidden = !insight;
  if (!insight || run.drawnInsight === run.insightSeq) return;
  run.drawnInsight = run.insightSeq;
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

// ------------------------------------------------------------------ the gradient check

/** Wire the "Check gradients" button; currentRun() is the one-run view's run, changed() redraws. */
export function bindInsight(currentRun, changed) {
  $("gradcheck").addEventListener("click", async () => {
    const run = currentRun();
    if (!run?.id) return;
    run.gradcheck = { pending: true };
    changed(run);
    try {
      run.gradcheck = { answer: await net.checkGradients(run.id) };
    } catch (error) {
      run.gradcheck = { error: `Not checked: ${error.message}` };
    }
    changed(run);
  });
}
