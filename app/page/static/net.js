// Talking to the server, per docs/protocol.md: fetch for REST, one WebSocket per watched run.
// Everything here decodes the wire format into plain values; it never touches the page's state.

/** A refused request; `detail` is the server's (for a 422, [{loc, msg, type}]). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

// the presenter's lecture room, {code, secret}: its runs are created in it and controlled with its secret
let room = null;
export function presentIn(code, secret) {
  room = { code, secret };
}

// a student's membership of a room, {code, token}: its runs are the room's and its own (counted per member)
let member = null;
export function memberOf(code, token) {
  member = { code, token };
}

const roomHeaders = () => ({
  ...(room && { "X-Room-Secret": room.secret }),
  ...(!room && member && { "X-Room-Member": member.token }),
});

export async function request(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { ...(body !== undefined && { "Content-Type": "application/json" }), ...roomHeaders() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? response.statusText);
  return data;
}

const inRoom = (body) => (room ? { ...body, room: room.code } : member ? { ...body, room: member.code } : body);

export const getSchema = () => request("GET", "/api/config/schema");

/** [{name, available, n_train, n_test, noise, seed, note}]: the datasets with their defaults. */
export const getDatasets = () => request("GET", "/api/datasets");

/** {id, status, config}; body is a run config or {preset, overrides}, with speed / paused beside it. */
export const createRun = (body) => request("POST", "/api/runs", inRoom(body));

/** {runs: [{id, status, config}], stacked}; body is {runs: [run config or {preset, overrides}], speed, paused}. */
export const createComparison = (body) => request("POST", "/api/comparisons", inRoom(body));

export const control = (id, action, extra = {}) =>
  request("POST", `/api/runs/${encodeURIComponent(id)}/control`, { action, ...extra });

/** A gradient check of the run's weights as they are: {id, epoch, difference, passed, threshold, ...}. */
export const checkGradients = (id) => request("POST", `/api/runs/${encodeURIComponent(id)}/gradcheck`);

// ------------------------------------------------------------------ lessons (issue 15)

const runPath = (id, rest) => `/api/runs/${encodeURIComponent(id)}/${rest}`;

/** The notebook's 1-D gradient check of J(θ) = θx: {J, J_plus, J_minus, grad, gradapprox, difference, sweep, ...}. */
export const checkOneD = (theta, x, epsilon) => request("GET", `/api/gradcheck/1d?${new URLSearchParams({ theta, x, epsilon })}`);

/** A gradient check with a bug planted ("course", {param, scale}, or undefined: none): {..., blocks, bug, notes}. */
export const checkWithBug = (id, bug) => request("POST", runPath(id, "gradcheck"), bug === undefined ? undefined : { bug });

/** The run's next iteration in stages; the run does not move. */
export const stepThrough = (id, example) => request("POST", runPath(id, "stepper"), { example });

/** Each setup's band: setups is [[run id, ...], ...]. */
export const getBands = (setups) => request("GET", `/api/bands?${setups.map((ids) => `setup=${ids.map(encodeURIComponent).join(",")}`).join("&")}`);

export const createSweep = (body) => request("POST", "/api/sweeps", body);
export const getSweep = (id) => request("GET", `/api/sweeps/${encodeURIComponent(id)}`);

// ------------------------------------------------------------------

/** The dataset's points before any training: {X_train, y_train, X_test, y_test}. */
export function getPoints(name, options) {
  const query = new URLSearchParams(Object.entries(options).filter(([, v]) => v !== null));
  return request("GET", `/api/datasets/${encodeURIComponent(name)}/points?${query}`);
}

// JSON cannot carry inf and nan, so the server spells them out.
const NON_FINITE = { inf: Infinity, "-inf": -Infinity, nan: NaN };
export const number = (value) => (typeof value === "string" && value in NON_FINITE ? NON_FINITE[value] : value);
const point = (p) => p.map(number);

function decodeResult(result) {
  return result && {
    ...result,
    final_cost: number(result.final_cost),
    train_accuracy: number(result.train_accuracy),
    test_accuracy: number(result.test_accuracy),
    costs: result.costs.map(point),
  };
}

export function decodeText(text) {
  const message = JSON.parse(text);
  switch (message.type) {
    case "snapshot":
      return { ...message, costs: message.costs.map(point), result: decodeResult(message.result) };
    case "progress":
      return { ...message, points: message.points.map(point) };
    case "result":
      return { ...message, result: decodeResult(message.result) };
    default:
      return message;
  }
}

/**
 * A binary boundary frame: uint32 LE header length, JSON header, then the size² uint8 levels, row-major, each
 * row Sub-filtered (differences to the left neighbour mod 256) and deflated (zlib format): docs/protocol.md.
 * Async: the browser's DecompressionStream inflates it.
 */
export async function decodeBoundary(buffer) {
  const { header, values } = await inflateFrame(buffer, "sub-deflate");
  const size = header.size;
  if (values.length !== size * size) throw new Error(`boundary frame: ${values.length} values for size ${size}`);
  for (let row = 0; row < values.length; row += size) {
    for (let i = row + 1; i < row + size; i++) values[i] += values[i - 1]; // a Uint8Array wraps mod 256
  }
  return { ...header, values };
}

/** A binary frame's JSON header and its inflated body (a Uint8Array); the encoding must be the one expected. */
async function inflateFrame(buffer, encoding) {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
  if (header.encoding !== encoding) throw new Error(`${header.type} frame: unknown encoding ${header.encoding}`);
  const deflated = new Blob([new Uint8Array(buffer, 4 + headerLength)]).stream();
  const inflated = deflated.pipeThrough(new DecompressionStream("deflate"));
  return { header, values: new Uint8Array(await new Response(inflated).arrayBuffer()) };
}

// ---- n-D data (issue 13): the picture frames (examples, example-images, example-points, weights), plain deflate
/** Any binary frame: a boundary, or a picture frame as {...header, values: Uint8Array} (docs/protocol.md). */
export async function decodeBinary(buffer) {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const type = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength))).type;
  if (type === "boundary") return decodeBoundary(buffer);
  const { header, values } = await inflateFrame(buffer, "deflate");
  return { ...header, values };
}
// ---- end n-D data

/**
 * Watch a run: onMessage gets every decoded message (binary frames as {type: "boundary" | "weights" | ..., ...});
 * onClose(code) when the server or the network ends the socket (1000: the run is over).
 * Returns {close()}; controls go over REST, which answers with the run's status.
 */
export function watch(id, onMessage, onClose) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/runs/${encodeURIComponent(id)}`);
  socket.binaryType = "arraybuffer";
  let closedByUs = false;
  // frames inflate asynchronously: every message and the close wait for the ones before them, so a run sees
  // them in the server's order (an older frame never replaces a newer one, a finished run's last frame shows)
  let delivered = Promise.resolve();
  const inOrder = (deliver) => {
    delivered = delivered.then(deliver).catch((error) => console.error("watching run", id, error));
  };
  socket.onmessage = (event) =>
    inOrder(async () => {
      const message = typeof event.data === "string" ? decodeText(event.data) : await decodeBinary(event.data);
      if (!closedByUs) onMessage(message);
    });
  socket.onclose = (event) =>
    inOrder(() => {
      if (!closedByUs) onClose(event.code);
    });
  return {
    close() {
      closedByUs = true;
      socket.close(1000);
    },
  };
}

// ------------------------------------------------------------------ lecture rooms

const roomPath = (code, path = "") => `/api/rooms/${encodeURIComponent(code)}${path}`;

/** Join a room as a member: {member, token} (keep the token: it is this member's runs and vote). */
export const joinRoom = (code) => request("POST", roomPath(code, "/members"));

/** The presenter's changes to its room: PUT /screen, PUT /crowd, POST /polls, POST /polls/{id}/reveal, DELETE. */
export const changeRoom = (method, path, body) => request(method, roomPath(room.code, path), body);

export const vote = (code, pollId, answer) => request("POST", roomPath(code, `/polls/${pollId}/votes`), { answer });

/** Save one of the presenter's files (the session's export) under `filename`. */
export async function download(path, filename) {
  const response = await fetch(roomPath(room.code, path), { headers: roomHeaders() });
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => null))?.detail);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000];
const UNKNOWN_ROOM = 4404;

/**
 * A room's socket, kept open: onMessage gets each decoded message, onConnection(status) hears "open",
 * "reconnecting" (a dropped socket comes back by itself, after 0.5 s, 1 s, 2 s ... at most 10 s) and "closed"
 * (the server ended it: the room is over or unknown). On each open, `hello` (if any) is sent first: the
 * presenter's {"type": "present", "secret"}. The room's first message is always its whole state: a reconnected
 * page resyncs from it. Returns {close()}.
 */
export function watchRoom(code, { onMessage, onConnection, hello }) {
  let socket = null;
  let closedByUs = false;
  let attempt = 0;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/rooms/${encodeURIComponent(code)}`);
    socket.onopen = () => {
      attempt = 0;
      if (hello) socket.send(JSON.stringify(hello));
      onConnection("open");
    };
    socket.onmessage = (event) => {
      if (typeof event.data === "string") onMessage(decodeText(event.data));
    };
    socket.onclose = (event) => {
      if (closedByUs) return;
      if (event.code === 1000 || event.code === UNKNOWN_ROOM) {
        onConnection("closed", event.code);
        return;
      }
      onConnection("reconnecting", event.code);
      setTimeout(open, BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)]);
    };
  };
  open();
  return {
    close() {
      closedByUs = true;
      socket.close(1000);
    },
  };
}
