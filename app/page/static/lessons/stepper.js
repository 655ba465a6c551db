// One iteration, step by step (data-view="stepper"): the paused run's next iteration as the server computed it
// (POST /api/runs/{id}/stepper: core.stepper on a twin, the run does not move), stage by stage with the course's
// equation beside each value; "Apply" then trains exactly that iteration (a step of one epoch).

import * as net from "../net.js";
import { touch } from "../state.js";

const $ = (id) => document.getElementById(id);
const format = (v) => {
  const value = net.number(v);
  return Number.isFinite(value) ? value.toPrecision(4) : String(value);
};

async function stepThrough(state, run) {
  const lesson = state.lessons.stepper;
  lesson.pending = true;
  lesson.error = "";
  lesson.rev += 1;
  touch(state);
  try {
    lesson.answer = await net.stepThrough(run.id, Number($("stepper-example").value) || 0);
    lesson.runId = run.id;
    lesson.stage = "forward";
    lesson.applied = false;
  } catch (error) {
    const detail = Array.isArray(error.detail) ? error.detail.map((d) => d.msg).join("; ") : error.message;
    lesson.error = `Not stepped: ${detail}`;
  }
  lesson.pending = false;
  lesson.rev += 1;
  touch(state);
}

async function apply(state, run) {
  const lesson = state.lessons.stepper;
  try {
    await net.control(run.id, "step", { epochs: 1 });
    lesson.applied = true;
  } catch (error) {
    lesson.error = `Not applied: ${error.message}`;
  }
  lesson.rev += 1;
  touch(state);
}

/** Wire the stepper; currentRun() is the one-run view's run. */
export function bindStepper(state, currentRun) {
  state.lessons.stepper = { answer: null, stage: "forward", pending: false, error: "", applied: false, runId: null, rev: 0 };
  $("stepper-start").addEventListener("click", () => {
    const run = currentRun();
    if (run?.id) stepThrough(state, run);
  });
  $("stepper-apply").addEventListener("click", () => {
    const run = currentRun();
    if (run?.id === state.lessons.stepper.runId) apply(state, run);
  });
  $("stepper-stages").addEventListener("click", (event) => {
    const stage = event.target.closest("button")?.dataset.stage;
    if (!stage) return;
    state.lessons.stepper.stage = stage;
    state.lessons.stepper.rev += 1;
    touch(state);
  });
}

function cell(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function valuesTable(rows, caption) {
  const table = document.createElement("table");
  table.className = "stepper-values";
  table.append(cell("caption", caption));
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.append(...row.map((v) => cell("td", format(v))));
    table.append(tr);
  }
  return table;
}

function itemCard(item, example) {
  const card = document.createElement("div");
  card.className = "stepper-item";
  card.dataset.name = item.name;
  card.append(cell("strong", item.name), cell("code", item.equation));
  if (item.value !== null && item.value !== undefined) {
    card.append(cell("span", `= ${format(item.value)}`));
    return card;
  }
  const summary = `${item.shape.join(" × ")} · ‖·‖ ${format(item.norm)} · min ${format(item.min)} · mean ${format(item.mean)} · max ${format(item.max)}`;
  card.append(cell("span", summary));
  if (item.values) card.append(valuesTable(item.values, "the matrix"));
  else if (item.example) card.append(valuesTable(item.example.map((v) => [v]), `example ${example}`));
  return card;
}

/** Draw the stepper when it is on screen (run: the one-run view's run). */
let shownKey = "";

export function renderStepper(state, run) {
  const lesson = state.lessons.stepper;
  if ($("lesson-stepper").offsetParent === null) return;
  const changed = `${lesson.rev}|${run?.id}|${run?.status}`;
  if (changed === shownKey) return; // a run's progress changes nothing here
  shownKey = changed;
  const mine = lesson.answer && lesson.runId === run?.id;
  $("stepper-start").disabled = !run?.id || run.status !== "paused" || lesson.pending;
  $("stepper-apply").disabled = !mine || lesson.applied || run.status !== "paused";
  const answer = mine ? lesson.answer : null;
  const status = $("stepper-status");
  status.textContent =
    lesson.error ||
    (lesson.pending ? "Computing the next iteration…" : "") ||
    (answer
      ? `Epoch ${answer.epoch}'s iteration${answer.batch.first_of_epoch ? ` (its first mini-batch of ${answer.batch.m})` : ` (all ${answer.batch.m} examples)`}, ` +
        `${answer.optimizer}${answer.keep_prob < 1 ? `, dropout keep_prob ${answer.keep_prob}` : ""}${answer.l2_lambda ? `, L2 λ ${answer.l2_lambda}` : ""}; ` +
        `showing example ${answer.example} (y = ${answer.label}). ` +
        (lesson.applied ? "Applied: the run trained exactly this iteration." : `The run has not moved: Apply trains it${answer.runs_stepped > 1 ? ` (with the ${answer.runs_stepped} runs it is stacked with)` : ""}.`)
      : run?.status === "paused" ? "Press to see the run's next iteration." : "Pause (or Step) the run first.");
  for (const button of $("stepper-stages").querySelectorAll("button")) {
    button.disabled = !answer;
    button.setAttribute("aria-pressed", String(answer !== null && button.dataset.stage === lesson.stage));
  }
  const items = $("stepper-items");
  const key = answer ? `${lesson.runId}|${answer.epoch}|${answer.example}|${lesson.stage}` : "";
  if (items.dataset.key === key) return;
  items.dataset.key = key;
  items.dataset.stage = answer ? lesson.stage : "";
  const stage = answer?.stages.find((s) => s.stage === lesson.stage);
  items.replaceChildren(...(stage ? stage.items.map((item) => itemCard(item, answer.example)) : []));
}
