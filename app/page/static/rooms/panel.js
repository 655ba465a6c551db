// The presenter's view of its room: who is there, the viewers' screens (live, blank, frozen), the crowd sweep's
// setting, the big QR code, the session's export, and the end. Built here, into the room panel.

import * as net from "../net.js";
import { touch } from "../state.js";
import { CROWD_SETTINGS } from "./model.js";

/** Save a file the page fetched (the room's export needs the secret's header, so a plain link cannot). */
function save(blob, filename) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

const SCREENS = [
  ["live", "Live", "The viewers see the room"],
  ["blank", "Blank", "Blank every viewer's screen (for a question)"],
  ["frozen", "Freeze", "Hold every viewer's screen still"],
];

function element(tag, attributes = {}, text = "") {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  made.textContent = text;
  return made;
}

function report(state, what) {
  return (error) => {
    state.live.notice = `${what}: ${error.message}`;
    touch(state);
  };
}

export function bindPanel(state, room) {
  const panel = document.getElementById("room-panel");
  const hall = element("div", { class: "room-hall", "data-view": "room-hall" });
  const presence = element("p", { class: "room-presence", "data-view": "room-presence", "aria-live": "polite" });
  const screens = element("div", { class: "room-screens", role: "group", "aria-label": "The viewers' screens" });
  for (const [screen, label, title] of SCREENS) {
    const b = element("button", { type: "button", "data-testid": `room-screen-${screen}`, title, "aria-pressed": "false" }, label);
    b.dataset.screen = screen;
    b.addEventListener("click", () =>
      net.changeRoom("PUT", "/screen", { screen }).catch(report(state, "The viewers' screens")),
    );
    screens.append(b);
  }
  const crowd = element("label", { class: "room-crowd" }, "Crowd sweep: ");
  const setting = element("select", { "data-testid": "crowd-setting" });
  setting.append(element("option", { value: "" }, "(none)"), ...CROWD_SETTINGS.map((s) => element("option", { value: s }, s)));
  setting.addEventListener("change", () =>
    net.changeRoom("PUT", "/crowd", { setting: setting.value || null }).catch(report(state, "The crowd sweep")),
  );
  crowd.append(setting);
  const big = element("button", { type: "button", "data-testid": "room-qr-big" }, "Big QR");
  const dialog = element("dialog", { class: "room-qr-large", "data-view": "room-qr-large", "aria-label": `Room ${room.code}` });
  const image = element("img", { src: `/api/rooms/${room.code}/qr.svg`, alt: `QR code of ${room.viewer_url}` });
  const close = element("button", { type: "button", "data-testid": "room-qr-close" }, "Close");
  dialog.append(image, element("p", { class: "room-code-large", "data-testid": "room-code-large" }, room.code),
    element("p", {}, room.viewer_url), close);
  big.addEventListener("click", () => dialog.showModal());
  close.addEventListener("click", () => dialog.close());
  const exports = element("span", { class: "room-exports" });
  for (const kind of ["json", "csv"]) {
    const b = element("button", { type: "button", "data-testid": `room-export-${kind}` }, `⬇ Session ${kind.toUpperCase()}`);
    b.addEventListener("click", () =>
      net
        .roomFile(`/export.${kind}`)
        .then((blob) => save(blob, `trainlab-room-${room.code}.${kind}`))
        .catch(report(state, "The export")),
    );
    exports.append(b);
  }
  const end = element("button", { type: "button", class: "danger", "data-testid": "room-end" }, "End room");
  end.addEventListener("click", () => {
    if (confirm(`End room ${room.code}? Its runs stop, and the viewers are told.`)) {
      net.changeRoom("DELETE", "").catch(report(state, "Ending the room"));
    }
  });
  hall.append(presence, screens, crowd, big, exports, end, dialog);
  panel.append(hall);
}

let drawn = -1;

export function renderPanel(state) {
  const room = state.room;
  if (room.role !== "presenter" || room.rev === drawn) return; // only the room's own messages change it
  drawn = room.rev;
  const p = room.presence;
  const presence = document.querySelector("[data-view=room-presence]");
  presence.textContent = room.ended
    ? "This room has ended."
    : p
      ? `${p.viewers} watching · ${p.members} joined · ${p.student_runs} students' runs live`
      : "";
  presence.dataset.viewers = p?.viewers ?? 0;
  for (const b of document.querySelectorAll(".room-screens button")) {
    b.setAttribute("aria-pressed", String(b.dataset.screen === room.screen));
    b.disabled = room.ended;
  }
  const setting = document.querySelector("[data-testid=crowd-setting]");
  if (document.activeElement !== setting) setting.value = room.setting ?? "";
  document.querySelector("[data-testid=room-end]").disabled = room.ended;
}
