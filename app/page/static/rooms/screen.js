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

/** Set what differs only: a render runs on every message, and each DOM write costs the page a style pass. */
export function update(element, changes) {
  for (const [name, value] of Object.entries(changes)) {
    if (name.startsWith("data-")) {
      if (element.getAttribute(name) !== String(value)) element.setAttribute(name, value);
    } else if (element[name] !== value) element[name] = value;
  }
}

const TEXTS = { blank: "Eyes on the presenter", frozen: "Held still by the presenter" };

export function renderScreen(state) {
  const room = state.room;
  const notice = mounted("room-connection", "p", "room-connection");
  update(notice, { hidden: room.connection !== "reconnecting", textContent: "Reconnecting…" });
  const viewer = room.role !== "presenter";
  const screen = !viewer ? "live" : room.ended ? "ended" : room.screen;
  const text = room.ended ? "The presenter has ended this room." : (TEXTS[screen] ?? "");
  update(mounted("room-screen", "div", "room-screen"), { "data-screen": screen, hidden: screen === "live", textContent: text });
}

/** A viewer's side of the crowd sweep: what the presenter asks everyone to change. */
export function renderPrompt(state) {
  const prompt = mounted("crowd-prompt", "span", "crowd-prompt", document.getElementById("room-banner"));
  const { role, setting } = state.room;
  const asked = role === "student" ? `change ${setting} and train` : `fork, change ${setting} and train`;
  update(prompt, { hidden: role === "presenter" || !setting, textContent: setting ? `The class's sweep: ${asked}` : "" });
}
