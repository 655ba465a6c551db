// What the presenter's choices do to a viewer's screen: blank it, freeze it (main.js stops redrawing), tell it the
// room has ended; and the socket's own news: "reconnecting…" while a dropped socket comes back.

export const frozen = (state) => Boolean(state.room && state.room.role !== "presenter" && state.room.screen === "frozen");

/** The element with this data-view hook, made once (a <tag class=...> at the end of the body). */
function mounted(view, tag, className, parent = document.body) {
  let made = parent.querySelector(`[data-view=${view}]`);
  if (!made) {
    made = document.createElement(tag);
    made.dataset.view = view;
    made.className = className;
    made.setAttribute("role", "status");
    parent.append(made);
  }
  return made;
}

const TEXTS = { blank: "Eyes on the presenter", frozen: "Held still by the presenter" };

export function renderScreen(state) {
  const room = state.room;
  const notice = mounted("room-connection", "p", "room-connection");
  notice.hidden = room.connection !== "reconnecting";
  notice.textContent = "Reconnecting…";
  const viewer = room.role !== "presenter";
  const screen = !viewer ? "live" : room.ended ? "ended" : room.screen;
  const shown = mounted("room-screen", "div", "room-screen");
  shown.dataset.screen = screen;
  shown.hidden = screen === "live";
  shown.textContent = room.ended ? "The presenter has ended this room." : (TEXTS[screen] ?? "");
}

/** A viewer's side of the crowd sweep: what the presenter asks everyone to change. */
export function renderPrompt(state) {
  const prompt = mounted("crowd-prompt", "span", "crowd-prompt", document.getElementById("room-banner"));
  const { role, setting } = state.room;
  prompt.hidden = role === "presenter" || !setting;
  prompt.textContent = setting
    ? role === "student"
      ? `The class's sweep: change ${setting} and train`
      : `The class's sweep: fork, change ${setting} and train`
    : "";
}
