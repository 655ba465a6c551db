// A lecture room as the page knows it: pure data and pure functions, no DOM, no network (state.room).

/** role: "presenter" (the page has the secret), "viewer" (follows the presenter), "student" (a viewer who forked). */
export function roomState(code, role, secret = null) {
  return {
    code,
    role,
    secret, // the presenter's: what its requests carry (net.js); never in a link (the fragment brought it)
    connection: "connecting", // "open" | "reconnecting" | "closed"
    screen: "live", // "live" | "blank" | "frozen": what the presenter has the viewers' screens show
    ended: false,
    poll: null, // the current poll, as every screen sees it: {id, question, answers, kind, revealed, votes, counts}
    voted: {}, // poll id → this member's answer
    setting: null, // the crowd sweep's setting, null: none
    crowd: null, // the presenter's crowd view: {setting, t, runs: [{id, member, value, status, epoch, cost, ...}]}
    presence: null, // {viewers, presenters, members, student_runs}
    limits: null,
    member: null, // a viewer's membership: {member, token}
    rev: 0,
  };
}

/** A room socket's message into the room's state (the "room" message is the whole of it). */
export function applyRoomMessage(room, message) {
  switch (message.type) {
    case "room":
      Object.assign(room, {
        screen: message.screen,
        ended: message.ended,
        poll: message.poll,
        setting: message.crowd,
        limits: message.limits,
      });
      if (!message.crowd) room.crowd = null;
      break;
    case "presence":
      room.presence = { viewers: message.viewers, presenters: message.presenters, members: message.members,
        student_runs: message.student_runs };
      break;
    case "crowd":
      room.crowd = { setting: message.setting, t: message.t, runs: message.runs };
      break;
  }
  room.rev += 1;
}

const finite = (value) => typeof value === "number" && Number.isFinite(value);

// what "the actual outcome" of a poll is, per its kind: the runs' numbers as they stand
const OUTCOMES = {
  lowest_cost: (run) => -numbers(run).cost,
  highest_test_accuracy: (run) => numbers(run).test,
  overfits_most: (run) => numbers(run).train - numbers(run).test,
};

function numbers(run) {
  const last = run.costs?.at(-1) ?? [];
  const r = run.result;
  const [cost, train, test] = r ? [r.final_cost, r.train_accuracy, r.test_accuracy] : last.slice(1);
  return { cost: finite(cost) ? cost : Infinity, train: train ?? NaN, test: test ?? NaN };
}

/** The answer key the runs bear out for the poll (runs: the page's runs, keyed like the answers), or null. */
export function outcome(poll, runs) {
  const score = OUTCOMES[poll?.kind];
  if (!score) return null;
  const scored = poll.answers
    .map((answer) => ({ key: answer.key, value: score(runs.find((run) => run.key === answer.key) ?? {}) }))
    .filter(({ value }) => Number.isFinite(value));
  if (!scored.length) return null;
  return scored.reduce((best, next) => (next.value > best.value ? next : best)).key;
}

/** The crowd's best and worst runs by cost (a diverged or non-finite run is the worst there is). */
export function bestAndWorst(runs) {
  if (!runs?.length) return { best: null, worst: null };
  const cost = (run) => (finite(run.cost) && run.status !== "diverged" ? run.cost : Infinity);
  const sorted = [...runs].sort((a, b) => cost(a) - cost(b));
  return { best: sorted[0], worst: sorted.length > 1 ? sorted.at(-1) : null };
}

// settings whose values span powers of ten: drawn on a log axis
export const LOG_SETTINGS = new Set(["learning_rate", "l2_lambda", "init_scale", "epsilon"]);
// what a crowd sweep may vary, as the page names them
export const CROWD_SETTINGS = ["learning_rate", "l2_lambda", "keep_prob", "init_scale", "initialization", "optimizer",
  "hidden_layers", "activation", "seed", "epochs", "beta", "beta1", "beta2"];
