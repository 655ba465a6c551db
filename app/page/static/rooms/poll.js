// Predict, then reveal: the presenter asks the room which of the comparison's runs will do something; phones vote
// (once each); the counts stay hidden until the presenter reveals them, next to the comparison's table, with the
// actual outcome as the runs bear it out. Its hook: [data-view=poll], in the comparison's view.

import * as net from "../net.js";
import { touch } from "../state.js";
import { outcome } from "./model.js";

const QUESTIONS = {
  lowest_cost: "Which will reach the lowest cost?",
  highest_test_accuracy: "Which will reach the highest test accuracy?",
  overfits_most: "Which will overfit most (train accuracy far above test)?",
};

function element(tag, attributes = {}, text = "") {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  made.textContent = text;
  return made;
}

const section = () => document.querySelector("[data-view=poll]");

export function bindPoll(state) {
  const root = section();
  root.addEventListener("click", async (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    const room = state.room;
    try {
      if (target.dataset.ask) {
        const kind = root.querySelector("[data-testid=poll-kind]").value;
        const answers = state.live.runs.map(({ key, name }) => ({ key, name }));
        await net.changeRoom("POST", "/polls", { question: QUESTIONS[kind], answers, kind });
      } else if (target.dataset.reveal) {
        await net.changeRoom("POST", `/polls/${room.poll.id}/reveal`);
      } else if (target.dataset.answer) {
        const answer = target.dataset.answer;
        room.voted[room.poll.id] = answer; // at once: a second tap does not vote again
        touch(state);
        await net.vote(room.code, room.poll.id, answer);
      }
    } catch (error) {
      state.live.notice = `The poll: ${error.message}`;
      touch(state);
    }
  });
}

let drawn = "";

export function renderPoll(state) {
  const root = section();
  const { room, live, settings } = state;
  const poll = room.poll;
  const runs = live.runs.filter((run) => run.id);
  const asking = room.role === "presenter" && settings.compare && runs.length > 1 && (!poll || poll.revealed);
  root.hidden = !poll && !asking;
  if (root.hidden) return;
  const winner = poll?.revealed ? outcome(poll, live.runs) : null;
  const key = JSON.stringify([poll, room.voted[poll?.id], asking, room.role, winner, runs.map((r) => r.key)]);
  if (key === drawn) return;
  drawn = key;
  root.dataset.poll = poll?.id ?? "";
  root.dataset.revealed = String(Boolean(poll?.revealed));
  const parts = [];
  if (poll) parts.push(element("h3", { "data-testid": "poll-question" }, poll.question));
  if (poll && !poll.revealed) {
    const mine = room.voted[poll.id];
    if (room.role === "presenter") {
      parts.push(element("p", { "data-testid": "poll-votes" }, `${poll.votes} voted so far`));
      parts.push(element("button", { type: "button", "data-reveal": "1", "data-testid": "poll-reveal" }, "Reveal the votes"));
    } else {
      const choices = element("div", { class: "poll-answers", role: "group", "aria-label": poll.question });
      for (const answer of poll.answers) {
        const b = element("button", { type: "button", "data-answer": answer.key, "data-testid": `poll-answer-${answer.key}`,
          "aria-pressed": String(mine === answer.key) }, answer.name);
        b.disabled = Boolean(mine);
        choices.append(b);
      }
      parts.push(choices, element("p", { "data-testid": "poll-votes" },
        mine ? `You voted; ${poll.votes} so far. The results come when the presenter reveals them.` : `${poll.votes} voted so far`));
    }
  }
  if (poll?.revealed) {
    const list = element("table", { class: "poll-results", "data-testid": "poll-results" });
    const names = Object.fromEntries(poll.answers.map((a) => [a.key, a.name]));
    for (const answer of poll.answers) {
      const row = element("tr", { "data-testid": `poll-count-${answer.key}`, "data-count": poll.counts[answer.key] });
      row.append(element("th", {}, names[answer.key]), element("td", {}, `${poll.counts[answer.key]} votes`),
        element("td", {}, answer.key === winner ? "← what happened" : ""));
      if (answer.key === winner) row.classList.add("poll-winner");
      list.append(row);
    }
    parts.push(list, element("p", { "data-testid": "poll-outcome", "data-outcome": winner ?? "" },
      winner ? `Actually: ${names[winner]}.` : "The runs have not said yet."));
  }
  if (asking) {
    const ask = element("p", { class: "poll-ask" });
    const kind = element("select", { "data-testid": "poll-kind", "aria-label": "The question" });
    kind.append(...Object.entries(QUESTIONS).map(([value, text]) => element("option", { value }, text)));
    ask.append(kind, element("button", { type: "button", "data-ask": "1", "data-testid": "poll-ask" }, "Ask the room"));
    parts.push(ask);
  }
  root.replaceChildren(...parts);
}
