// Lecture rooms. On /r/CODE#secret=... the page is the presenter's: its runs are the room's, every change of its
// settings or runs is sent to the room, and it sees the room (who is there, the students' runs as a crowd sweep),
// asks polls, blanks / freezes the viewers' screens, ends the room. On /r/CODE without the secret it is a viewer's:
// settings and runs follow the presenter's, every control is locked (the server refuses a viewer's controls
// anyway), and "Fork" trains the setup as the viewer's own run, still in the room (a student: its runs count as
// its own, the presenter's crowd view shows them). The room's socket reconnects by itself and resyncs.

import * as net from "./net.js";
import { applyRoomMessage, roomState } from "./rooms/model.js";
import { bindPanel, renderPanel } from "./rooms/panel.js";
import { bindPoll, renderPoll } from "./rooms/poll.js";
import { renderCrowd } from "./rooms/crowd.js";
import { renderPrompt, renderScreen } from "./rooms/screen.js";
import { fromLink, linkQuery, touch } from "./state.js";

const $ = (id) => document.getElementById(id);
const SYNC_MS = 50; // how often the presenter's page looks for changes to send
const SETTLE_MS = 150; // settings are sent once they have stayed put this long (typing); new runs at once
// a viewer's own view of the plots: the presenter's choice of these does not override the viewer's
const VIEW_FIELDS = ["log_scale", "show_test", "projector", "gradients"];
// everything that would start, steer or change runs: locked for a viewer
const CONTROLS = [
  "#controls input, #controls select, #controls button",
  "#preset, #speed, .modes button, #setups-bar button",
  "#train, #pause, #resume, #step, #stop, #reset",
].join(", ");

/** The room's part of the page; room: the boot data's {code, viewer_url, loopback}, or null off a room. */
export function bindRoom(state, room, hooks) {
  const secret = room && new URLSearchParams(location.hash.slice(1)).get("secret");
  $("open-room").addEventListener("click", () => {
    if (secret) $("room-panel").hidden = false; // the presenter's room: show its link again
    else openRoom(state);
  });
  if (!room) return;
  $("open-room").hidden = true;
  state.room = roomState(room.code, secret ? "presenter" : "viewer", secret);
  if (secret) present(state, room, secret);
  else view(state, room, hooks);
  bindPoll(state);
}

/** After the toolbar and the controls are drawn: a viewer's controls stay locked whatever they enabled; the
room's own parts (its screen, prompt, poll, crowd sweep, panel). */
export function roomView() {
  return {
    always: true,
    whileHeld: true, // its parts move while the presenter holds the screen still (views.js startDrawing)
    draw(state) {
      if (!state.room) return;
      if (state.ui.readOnly) for (const element of document.querySelectorAll(CONTROLS)) element.disabled = true;
      renderScreen(state);
      renderPrompt(state);
      renderPoll(state);
      renderCrowd(state);
      renderPanel(state);
    },
  };
}

/** Ask the presenter for the class's limits (each student's live runs, all of theirs), then open the room. */
function openRoom(state) {
  let dialog = document.querySelector("[data-view=room-open]");
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.dataset.view = "room-open";
    dialog.className = "room-open";
    const form = document.createElement("form");
    form.method = "dialog";
    const title = document.createElement("h2");
    title.textContent = "Open a room";
    form.append(title);
    for (const [name, text] of [
      ["runs_per_member", "Live runs per student"],
      ["max_runs", "Live runs of the whole class"],
    ]) {
      const { minimum: min, maximum: max, default: value } = state.roomLimits[name]; // the server's (boot data)
      const label = document.createElement("label");
      const input = Object.assign(document.createElement("input"), { type: "number", name, min, max, value });
      input.dataset.testid = `room-${name.replaceAll("_", "-")}`;
      label.append(`${text} `, input);
      form.append(label);
    }
    const buttons = document.createElement("p");
    for (const [value, text] of [["open", "Open"], ["cancel", "Cancel"]]) {
      const button = Object.assign(document.createElement("button"), { value, textContent: text });
      if (value === "open") button.dataset.testid = "room-open";
      buttons.append(button, " ");
    }
    form.append(buttons);
    dialog.append(form);
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "open") return;
      const limits = Object.fromEntries([...new FormData(form)].map(([name, value]) => [name, Number(value)]));
      open(state, limits);
    });
    document.body.append(dialog);
  }
  dialog.showModal();
}

async function open(state, limits) {
  try {
    const { code, secret } = await net.openRoom(limits);
    // the presenter keeps the setup on the screen; the secret rides in the fragment, which no server sees
    location.assign(`/r/${code}${location.search}#secret=${encodeURIComponent(secret)}`);
  } catch (error) {
    state.live.notice = `Could not open a room: ${error.message}`;
    touch(state);
  }
}

/** The room's socket into state.room; onRoom(message) for each whole state, onDrop() when the socket drops. */
function listen(state, { hello, onRoom = () => {}, onDrop = () => {} } = {}) {
  return net.watchRoom(state.room.code, {
    hello,
    onMessage: (message) => {
      applyRoomMessage(state.room, message);
      if (message.type === "room") onRoom(message);
      touch(state);
    },
    onConnection: (status) => {
      state.room.connection = status;
      if (status === "reconnecting") onDrop();
      renderScreen(state); // at once, not at the next frame: a busy page still says it is reconnecting
      touch(state);
    },
  });
}

// ------------------------------------------------------------------ the presenter

function present(state, room, secret) {
  $("room-panel").hidden = false;
  $("room-code").textContent = room.code;
  $("room-link").textContent = room.viewer_url;
  $("room-link").href = room.viewer_url;
  $("room-qr").src = `/api/rooms/${room.code}/qr.svg`;
  $("room-qr").alt = `QR code of the viewer link, ${room.viewer_url}`;
  $("room-loopback").hidden = !room.loopback;
  $("room-close").addEventListener("click", () => {
    $("room-panel").hidden = true;
  });
  $("open-room").hidden = false; // it shows the room's panel again
  $("open-room").textContent = `Room ${room.code}`;
  $("open-room").setAttribute("aria-label", `Room ${room.code}`);
  $("open-room").title = "Show the room's link and QR code";
  $("room-copy").addEventListener("click", async () => {
    await navigator.clipboard.writeText(room.viewer_url).catch(() => {});
    $("room-copied").textContent = "Copied";
    setTimeout(() => ($("room-copied").textContent = ""), 2000);
  });
  bindPanel(state, room);
  listen(state, { hello: { type: "present", secret } });

  let sent = { body: "", runs: "" };
  let seen = { body: "", at: 0 };
  let sending = false;
  const sync = async () => {
    const runs = JSON.stringify(
      state.live.runs.filter((run) => run.id).map(({ key, name, id }) => ({ key, name, id })),
    );
    const body = `{"state":${JSON.stringify(linkQuery(state))},"runs":${runs}}`;
    if (body === sent.body || sending || state.room.ended) return;
    if (body !== seen.body) seen = { body, at: performance.now() };
    if (runs === sent.runs && performance.now() - seen.at < SETTLE_MS) return;
    sending = true;
    try {
      const { state: settings, runs: shown } = JSON.parse(body);
      await net.updateRoom(room.code, settings, shown);
      sent = { body, runs };
    } catch (error) {
      // a refusal (a wrong secret, a closed room) is final; anything else is tried again at the next tick
      if ([403, 404, 409].includes(error.status)) clearInterval(timer);
      state.live.notice = `Room ${room.code}: ${error.message}`;
      touch(state);
    } finally {
      sending = false;
    }
  };
  const timer = setInterval(sync, SYNC_MS);
}

// ------------------------------------------------------------------ a viewer, and a student once it forks

const TOKEN_KEY = (code) => `trainlab-member-${code}`;

/** This browser's membership of the room: the token kept from an earlier visit, else a new one. */
async function membership(code) {
  const kept = localStorage.getItem(TOKEN_KEY(code));
  if (kept) return JSON.parse(kept);
  const joined = await net.joinRoom(code);
  localStorage.setItem(TOKEN_KEY(code), JSON.stringify(joined));
  return joined;
}

function view(state, room, { follow, train, onChange }) {
  state.ui.readOnly = true;
  state.ui.settingsOpen = false;
  $("room-banner").hidden = false;
  $("room-watching").textContent = `Watching room ${room.code}, read-only`;
  let shownState = null;
  let shownRuns = "";
  const joined = membership(room.code)
    .then((member) => {
      state.room.member = member; // from now on its requests carry the member's token (net.js reads state.room)
    })
    .catch(() => {}); // an ended room takes no members: the page still shows it

  const followRoom = (message) => {
    if (state.room.role !== "viewer") return; // a student trains its own runs
    if (message.state !== shownState) {
      shownState = message.state;
      const own = Object.fromEntries(VIEW_FIELDS.map((field) => [field, state.settings[field]]));
      state.settings = { ...fromLink(state, message.state).settings, ...own }; // read as the page reads a link
      onChange("dataset"); // the data preview, while the presenter has no runs
    }
    const runs = message.runs.map((run) => run.id).join();
    if (runs !== shownRuns) {
      shownRuns = runs;
      follow(message.runs);
    }
  };
  // a page that reconnects resyncs: the room's first message is its whole state, and its runs' sockets start over
  listen(state, { onRoom: followRoom, onDrop: () => (shownRuns = "") });

  $("fork").addEventListener("click", async () => {
    await joined;
    state.ui.readOnly = false;
    state.room.role = "student";
    for (const element of document.querySelectorAll(CONTROLS)) element.disabled = false; // render sets the rest
    $("fork").hidden = true;
    $("room-watching").textContent = `Room ${room.code}: your own run (the presenter sees it)`;
    const query = linkQuery(state);
    history.replaceState(null, "", `/r/${room.code}${query ? `?${query}` : ""}`);
    follow([]); // stop watching the presenter's runs (they go on, they are not ours)
    train();
  });
}
