// Talking to the server, per docs/protocol.md: every fetch and every socket of the page (runs and rooms).
// Everything here decodes the wire format into plain values; it never touches the page's state or the DOM.

/** A refused request; `detail` is the server's (for a 422, [{loc, msg, type}]). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

// The page's lecture room, read at each request (main.js passes () => state.room): a presenter's room has its
// `secret` (its runs are created in it and controlled with it), a student's its `member` {member, token} (its runs are
// the room's and its own, counted per member). net.js keeps no credentials of its own.
let currentRoom = () => null;
export function readRoomFrom(read) {
  currentRoom = read;
}

function roomHeaders() {
  const room = currentRoom();
  if (room?.secret) return { "X-Room-Secret": room.secret };
  if (room?.member) return { "X-Room-Member": room.member.token };
  return {};
}

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

function inRoom(body) {
  const room = currentRoom();
  return room?.secret || room?.member ? { ...body, room: room.code } : body;
}

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

/** A new lecture room with the class's limits {runs_per_member, max_runs}: {code, secret, presenter_url, viewer_url,
 * loopback}. */
export const openRoom = (limits) => request("POST", "/api/rooms", { limits });

/** The presenter's settings (the page's query string) and runs, for the room's viewers. */
export const updateRoom = (code, state, runs) => request("PUT", `/api/rooms/${encodeURIComponent(code)}`, { state, runs });

// ------------------------------------------------------------------ decoding

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

const decodeNorms = (point) => [point[0], point[1].map(number), point[2].map(number)];

function decodeInsight(message) {
  const norms = message.norms.map((n) => ({ ...n, W: number(n.W), dW: number(n.dW), b: number(n.b) }));
  return {
    ...message,
    norms,
    symmetry: message.symmetry.map(number),
    ...(message.history && { history: message.history.map(decodeNorms) }),
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
    case "insight":
      return decodeInsight(message);
    default:
      return message;
  }
}

/** A binary frame's JSON header (uint32 LE length, then the header) and its body: docs/protocol.md. */
export function frameHeader(buffer) {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
  return { header, body: new Uint8Array(buffer, 4 + headerLength) };
}

/** The zlib stream after the header, inflated by the browser's DecompressionStream; `encoding` must be the header's. */
async function inflate(header, body, encoding) {
  if (header.encoding !== encoding) throw new Error(`${header.type} frame: unknown encoding ${header.encoding}`);
  const inflated = new Blob([body]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
}

/** Undo the Sub filter in place: a running sum along each row of `size` bytes (a Uint8Array wraps mod 256). */
function unfilter(levels, size) {
  for (let row = 0; row < levels.length; row += size) {
    for (let i = row + 1; i < row + size; i++) levels[i] += levels[i - 1];
  }
  return levels;
}

/** A boundary frame: {type: "boundary", epoch, size, x_min, ..., values: size² uint8 levels, row-major}. */
async function decodeBoundary(header, body) {
  const { size } = header;
  const values = await inflate(header, body, "sub-deflate");
  if (values.length !== size * size) throw new Error(`boundary frame: ${values.length} values for size ${size}`);
  return { ...header, values: unfilter(values, size) };
}

// n-D data (issue 13): a picture frame (examples, example-images, example-points, weights), plain deflate
const decodePicture = async (header, body) => ({ ...header, values: await inflate(header, body, "deflate") });

/**
 * A network frame: each layer's {units, shown, lo, hi} gets `pictures` (one size² Uint8Array of levels per drawn
 * unit), and `weights` / `gradients` are per layer l = 1..L the [W_l | b_l] block as rows of numbers.
 */
async function decodeNetwork(header, body) {
  const { size, layers } = header;
  const data = await inflate(header, body, "sub-deflate");
  const area = size * size;
  let at = 0;
  const drawn = layers.map((layer) => {
    const pictures = [];
    for (let k = 0; k < layer.shown; k++, at += area) pictures.push(unfilter(data.subarray(at, at + area), size));
    return { ...layer, pictures };
  });
  const view = new DataView(data.buffer, data.byteOffset + at);
  let offset = 0;
  const block = (rows, columns) =>
    Array.from({ length: rows }, () =>
      Array.from({ length: columns }, () => {
        const value = view.getFloat32(offset, true);
        offset += 4;
        return value;
      }),
    );
  const shapes = layers.slice(1).map((layer, l) => [layer.shown, layers[l].shown + 1]);
  const weights = shapes.map(([rows, columns]) => block(rows, columns));
  const gradients = shapes.map(([rows, columns]) => block(rows, columns));
  if (offset !== data.length - at) throw new Error(`network frame: ${data.length - at} bytes of links, expected ${offset}`);
  return { ...header, layers: drawn, weights, gradients };
}

const FRAMES = {
  boundary: decodeBoundary,
  network: decodeNetwork,
  examples: decodePicture,
  "example-images": decodePicture,
  "example-points": decodePicture,
  weights: decodePicture,
};

/** A binary frame, decoded by its header's type (async: the browser inflates it). */
export function decodeFrame(buffer) {
  const { header, body } = frameHeader(buffer);
  const decode = FRAMES[header.type];
  if (!decode) throw new Error(`unknown frame type ${header.type}`);
  return decode(header, body);
}

// ------------------------------------------------------------------ sockets

const socketUrl = (path) => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;

/**
 * Watch a run: onMessage gets every decoded message (binary frames as {type: "boundary" | "network" | ..., ...});
 * onClose(code) when the server or the network ends the socket (1000: the run is over). wanted(type): whether a
 * binary frame of that type is worth decoding now (a view nobody sees is skipped); skip: the views the server
 * need not send at all (docs/protocol.md, "views"). Returns {close()}; controls go over REST, which answers with
 * the run's status.
 */
export function watch(id, onMessage, onClose, wanted = () => true, skip = []) {
  const socket = new WebSocket(socketUrl(`/ws/runs/${encodeURIComponent(id)}`));
  socket.binaryType = "arraybuffer";
  if (skip.length) socket.onopen = () => socket.send(JSON.stringify({ type: "views", skip }));
  let closedByUs = false;
  // frames inflate asynchronously: every message and the close wait for the ones before them, so a run sees
  // them in the server's order (an older frame never replaces a newer one, a finished run's last frame shows)
  let delivered = Promise.resolve();
  const inOrder = (deliver) => {
    delivered = delivered.then(deliver).catch((error) => console.error("watching run", id, error));
  };
  socket.onmessage = (event) => {
    if (typeof event.data !== "string" && !wanted(frameHeader(event.data).header.type)) return;
    inOrder(async () => {
      const message = typeof event.data === "string" ? decodeText(event.data) : await decodeFrame(event.data);
      if (!closedByUs) onMessage(message);
    });
  };
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
export const changeRoom = (method, path, body) => request(method, roomPath(currentRoom().code, path), body);

export const vote = (code, pollId, answer) => request("POST", roomPath(code, `/polls/${pollId}/votes`), { answer });

/** One of the presenter's files (the session's export), as a Blob (the page saves it). */
export async function roomFile(path) {
  const response = await fetch(roomPath(currentRoom().code, path), { headers: roomHeaders() });
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => null))?.detail);
  return response.blob();
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
    socket = new WebSocket(socketUrl(`/ws/rooms/${encodeURIComponent(code)}`));
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
