// Lecture rooms. On /r/CODE#secret=... the page is the presenter's: its runs are the room's, and every
// change of its settings or runs is sent to the room. On /r/CODE without the secret it is a viewer's:
// settings and runs follow the presenter's, every control is locked (the server refuses a viewer's
// controls anyway), and "Fork" takes the setup home as the viewer's own run.

import * as net from "./net.js";
import { fromLink, linkQuery, touch } from "./state.js";

const $ = (id) => document.getElementById(id);
const SYNC_MS = 50; // how often the presenter's page looks for changes to send
const SETTLE_MS = 150; // settings are sent once they have stayed put this long (typing); new runs at once
const RETRY_MS = 1000;
const UNKNOWN_ROOM = 4404;
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
  if (secret) present(state, room, secret);
  else view(state, room, hooks);
}

/** After the toolbar and the controls are drawn: a viewer's controls stay locked whatever they enabled. */
export function roomView() {
  return {
    always: true,
    draw(state) {
      if (!state.ui.readOnly) return;
      for (const element of document.querySelectorAll(CONTROLS)) element.disabled = true;
    },
  };
}

async function openRoom(state) {
  try {
    const { code, secret } = await net.openRoom();
    // the presenter keeps the setup on the screen; the secret rides in the fragment, which no server sees
    location.assign(`/r/${code}${location.search}#secret=${encodeURIComponent(secret)}`);
  } catch (error) {
    state.live.notice = `Could not open a room: ${error.message}`;
    touch(state);
  }
}

// ------------------------------------------------------------------ the presenter

function present(state, room, secret) {
  net.presentIn(room.code, secret);
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

  let sent = { body: "", runs: "" };
  let seen = { body: "", at: 0 };
  let sending = false;
  const sync = async () => {
    const runs = JSON.stringify(
      state.live.runs.filter((run) => run.id).map(({ key, name, id }) => ({ key, name, id })),
    );
    const body = `{"state":${JSON.stringify(linkQuery(state))},"runs":${runs}}`;
    if (body === sent.body || sending) return;
    if (body !== seen.body) seen = { body, at: performance.now() };
    if (runs === sent.runs && performance.now() - seen.at < SETTLE_MS) return;
    sending = true;
    try {
      const { state: settings, runs: shown } = JSON.parse(body);
      await net.updateRoom(room.code, settings, shown);
      sent = { body, runs };
    } catch (error) {
      // a refusal (a wrong secret, a closed room) is final; anything else is tried again at the next tick
      if (error.status === 403 || error.status === 404) clearInterval(timer);
      state.live.notice = `Room ${room.code}: ${error.message}`;
      touch(state);
    } finally {
      sending = false;
    }
  };
  const timer = setInterval(sync, SYNC_MS);
}

// ------------------------------------------------------------------ a viewer

function view(state, room, { follow, train, onChange }) {
  state.ui.readOnly = true;
  state.ui.settingsOpen = false;
  $("room-banner").hidden = false;
  $("room-watching").textContent = `Watching room ${room.code}, read-only`;
  let socket = null;
  let shownState = null;
  let shownRuns = "";

  const apply = (message) => {
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
    touch(state);
  };

  const connect = () => {
    socket = net.watchRoom(
      room.code,
      (message) => message.type === "room" && apply(message),
      (code) => {
        if (!state.ui.readOnly) return; // forked: we left
        if (code === UNKNOWN_ROOM) {
          state.live.notice = `Room ${room.code} is closed.`;
          touch(state);
        } else {
          setTimeout(connect, RETRY_MS); // the room's first message is its whole state: nothing is lost
        }
      },
    );
  };
  connect();

  $("fork").addEventListener("click", () => {
    state.ui.readOnly = false;
    socket.close();
    for (const element of document.querySelectorAll(CONTROLS)) element.disabled = false; // render sets the rest
    $("room-banner").hidden = true;
    $("open-room").hidden = false;
    const query = linkQuery(state);
    history.pushState(null, "", `/${query ? `?${query}` : ""}`);
    follow([]); // stop watching the presenter's runs (they go on, they are not ours)
    train();
  });
}
