// Gradient checking as a lesson (data-view="gradcheck"): the notebook's 1-D example, every number the server's
// (GET /api/gradcheck/1d: core.gradcheck.one_dimensional), and the planted bug on the current run's weights
// (POST /api/runs/{id}/gradcheck with {bug}), its per-block differences as bars.

import { plot } from "../draw/plot.js";
import * as net from "../net.js";
import { touch } from "../state.js";

const $ = (id) => document.getElementById(id);
const shown = (v) => {
  const value = net.number(v);
  return Number.isFinite(value) ? String(Number(value.toPrecision(10))) : String(value); // 10 digits, no trailing 0s
};
const ONE_D = ["J", "J_plus", "J_minus", "grad", "gradapprox", "difference"];
const BROKEN = "#e69f00";
const FINE = "#0072b2";
let drawn = "";
let checks = 0; // answers so far: the bars redraw for a new one

/** The run's gradient blocks for the bug picker: dW1, db1, ..., dWL, dbL. */
function blocks(run) {
  const layers = (run?.config?.hidden_layers?.length ?? 2) + 1;
  return Array.from({ length: layers }, (_, i) => [`dW${i + 1}`, `db${i + 1}`]).flat();
}

async function checkOneD(state) {
  const [theta, x, epsilon] = ["gc1-theta", "gc1-x", "gc1-epsilon"].map((id) => Number($(id).value));
  const lesson = state.lessons.gradcheck;
  const asked = (lesson.asked = `${theta}|${x}|${epsilon}`);
  try {
    const answer = await net.checkOneD(theta, x, epsilon);
    if (lesson.asked === asked) Object.assign(lesson, { oneD: answer, oneDError: "" });
  } catch (error) {
    if (lesson.asked === asked) Object.assign(lesson, { oneD: null, oneDError: error.message });
  }
  lesson.rev += 1;
  touch(state);
}

function bugOf() {
  const kind = $("bug-kind").value;
  if (kind === "none") return undefined;
  if (kind === "course") return "course";
  return { param: $("bug-param").value, scale: Number($("bug-scale").value) };
}

async function checkWithBug(state, run) {
  const lesson = state.lessons.gradcheck;
  lesson.bugCheck = { pending: true };
  lesson.rev += 1;
  touch(state);
  try {
    lesson.bugCheck = { answer: await net.checkWithBug(run.id, bugOf()), seq: ++checks };
  } catch (error) {
    const detail = Array.isArray(error.detail) ? error.detail.map((d) => d.msg).join("; ") : error.message;
    lesson.bugCheck = { error: `Not checked: ${detail}` };
  }
  lesson.rev += 1;
  touch(state);
}

/** Wire the panel; currentRun() is the one-run view's run. */
export function bindGradcheck(state, currentRun) {
  state.lessons.gradcheck = { oneD: null, oneDError: "", bugCheck: null, asked: "", rev: 0 }; // rev: it changed
  let timer = 0;
  for (const id of ["gc1-theta", "gc1-x", "gc1-epsilon"]) {
    $(id).addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => checkOneD(state), 150);
    });
  }
  $("bug-kind").addEventListener("change", () => touch(state));
  $("bug-check").addEventListener("click", () => {
    const run = currentRun();
    if (run?.id) checkWithBug(state, run);
  });
  checkOneD(state);
}

function renderOneD(lesson) {
  const answer = lesson.oneD;
  for (const name of ONE_D) $(`gc1-${name}`).textContent = answer ? shown(answer[name]) : "–";
  $("gc1-verdict").textContent = lesson.oneDError || (answer ? (answer.passed ? "passes (< 2e-7)" : "fails (not < 2e-7)") : "");
  if (!answer || drawn === `${answer.theta}|${answer.x}|${answer.epsilon}`) return;
  drawn = `${answer.theta}|${answer.x}|${answer.epsilon}`;
  const difference = (d) => Math.max(net.number(d), 1e-17); // log axis: a difference of exactly 0 sits on the floor
  plot(
    $("gc1-sweep"),
    [
      { x: answer.sweep.map((p) => p[0]), y: answer.sweep.map((p) => difference(p[1])), mode: "lines+markers", name: "difference",
        line: { color: FINE } },
      { x: [answer.epsilon], y: [difference(answer.difference)], mode: "markers", name: "this ε",
        marker: { size: 14, color: BROKEN, symbol: "diamond" } },
    ],
    {
      margin: { l: 60, r: 10, t: 10, b: 45 }, font: { size: 13 }, showlegend: false,
      xaxis: { title: { text: "ε" }, type: "log", autorange: "reversed" },
      yaxis: { title: { text: "difference" }, type: "log" },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 2e-7, y1: 2e-7, line: { dash: "dot", color: "#5b6475" } }],
    },
  ); // fmt: skip
}

function renderBug(state, run) {
  const lesson = state.lessons.gradcheck;
  const params = blocks(run);
  const picker = $("bug-param");
  if (picker.dataset.params !== params.join()) {
    picker.replaceChildren(...params.map((p) => new Option(p, p)));
    picker.dataset.params = params.join();
  }
  const block = $("bug-kind").value === "block";
  picker.disabled = $("bug-scale").disabled = !block;
  $("bug-check").disabled = !run?.id || lesson.bugCheck?.pending === true;
  const answer = lesson.bugCheck?.answer;
  const result = $("bug-result");
  result.textContent = lesson.bugCheck?.pending
    ? "Checking…"
    : answer
      ? `difference ${net.number(answer.difference).toPrecision(4)} — ${answer.passed ? "passes" : "fails"} (threshold ${answer.threshold})${answer.bug ? `, with ${answer.bug.note}` : ""}`
      : (lesson.bugCheck?.error ?? "");
  result.dataset.difference = answer ? String(net.number(answer.difference)) : "";
  const bars = $("bug-blocks");
  const broken = answer ? answer.blocks.filter((b) => b.broken).map((b) => b.param) : [];
  bars.dataset.broken = broken.join(",");
  const notes = answer ? [...answer.notes, ...answer.warnings.map((w) => `Warning: ${w}`)] : [];
  $("bug-notes").replaceChildren(...notes.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
  if (!answer || bars.dataset.drawn === String(lesson.bugCheck.seq)) return;
  bars.dataset.drawn = String(lesson.bugCheck.seq);
  bars.setAttribute("aria-label", `Relative difference per block; broken: ${broken.join(", ") || "none"}`);
  plot(
    bars,
    [{
      type: "bar", x: answer.blocks.map((b) => b.param), y: answer.blocks.map((b) => Math.max(net.number(b.difference), 1e-17)),
      marker: { color: answer.blocks.map((b) => (b.broken ? BROKEN : FINE)), pattern: { shape: answer.blocks.map((b) => (b.broken ? "/" : "")) } },
      text: answer.blocks.map((b) => (b.broken ? "broken" : "")), textposition: "outside",
      hovertemplate: "%{x}: %{y:.3g}<extra></extra>",
    }],
    {
      margin: { l: 60, r: 10, t: 20, b: 40 }, font: { size: 13 },
      yaxis: { title: { text: "relative difference" }, type: "log" },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: answer.threshold, y1: answer.threshold, line: { dash: "dot", color: "#5b6475" } }],
    },
  ); // fmt: skip
}

/** Draw the panel when it is on screen (run: the one-run view's run). */
let shownKey = "";

export function renderGradcheck(state, run) {
  if ($("lesson-gradcheck").offsetParent === null) return;
  const key = `${state.lessons.gradcheck.rev}|${run?.id}|${run?.status}|${run?.config?.hidden_layers?.length}|${$("bug-kind").value}`;
  if (key === shownKey) return; // a run's progress changes nothing here
  shownKey = key;
  renderOneD(state.lessons.gradcheck);
  renderBug(state, run);
}
