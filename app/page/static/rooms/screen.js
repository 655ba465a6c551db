// What the presenter's choices do to a viewer's screen: blank it, freeze it (main.js stops redrawing), tell it the
// room has ended; and the socket's own news: "reconnecting…" while a dropped socket comes back.

export const frozen = (state) => Boolean(state.room && state.room.role !== "presenter" && state.room.screen === "frozen");

function overlay() {
  let shown = document.querySelector("[data-view=room-screen]");
  if (!shown) {
    shown = document.createElement("div");
    shown.dataset.view = "room-screen";
    shown.className = "room-screen";
    shown.setAttribute("role", "status");
    document.body.append(shown);
  }
  return shown;
}

function connectionNotice() {
  let notice = document.querySelector("[data-view=room-connection]");
  if (!notice) {
    notice = document.createElement("p");
    notice.dataset.view = "room-connection";
    notice.className = "room-connection";
    notice.setAttribute("role", "status");
    document.body.append(notice);
  }
  return notice;
}

const TEXTS = { blank: "Eyes on the presenter", frozen: "Held still by the presenter" };

export function renderScreen(state) {
  const room = state.room;
  const notice = connectionNotice();
  notice.hidden = room.connection !== "reconnecting";
  notice.textContent = "Reconnecting…";
  const viewer = room.role !== "presenter";
  const screen = !viewer ? "live" : room.ended ? "ended" : room.screen;
  const shown = overlay();
  shown.dataset.screen = screen;
  shown.hidden = screen === "live";
  shown.textContent = room.ended ? "The presenter has ended this room." : (TEXTS[screen] ?? "");
}

/** A viewer's side of the crowd sweep: what the presenter asks everyone to change. */
export function renderPrompt(state) {
  const banner = document.getElementById("room-banner");
  let prompt = banner.querySelector("[data-view=crowd-prompt]");
  if (!prompt) {
    prompt = document.createElement("span");
    prompt.dataset.view = "crowd-prompt";
    prompt.className = "crowd-prompt";
    banner.append(prompt);
  }
  const { role, setting } = state.room;
  prompt.hidden = role === "presenter" || !setting;
  prompt.textContent = setting
    ? role === "student"
      ? `The class's sweep: change ${setting} and train`
      : `The class's sweep: fork, change ${setting} and train`
    : "";
}
