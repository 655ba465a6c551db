// Settings ↔ the URL's query string: a link carries only what differs from the defaults (or from the preset it
// names, ?preset=NAME), so that it fits on a slide; a value a link gets wrong is reported, never silently dropped.
// Pure: no DOM, no network.

/** One value as the URL spells it: lists joined by commas, null as "". */
export function encode(value) {
  if (value === null) return "";
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

const SPEEDS = new Set(["auto", "max"]);

/** Parse one query value the way the field's default is typed: {value} or {error}. */
function decode(field, text, fallback) {
  if (field === "speed") {
    const number = Number(text);
    if (SPEEDS.has(text)) return { value: text };
    return text !== "" && number > 0 ? { value: number } : { error: "a number of epochs per second, auto or max" };
  }
  if (text === "" && fallback === null) return { value: null };
  if (Array.isArray(fallback)) {
    if (text === "") return { value: [] };
    const items = text.split(",").map(Number);
    return items.every(Number.isInteger) ? { value: items } : { error: "whole numbers separated by commas" };
  }
  if (typeof fallback === "boolean") {
    return text === "true" || text === "false" ? { value: text === "true" } : { error: "true or false" };
  }
  if (typeof fallback === "number" || fallback === null) {
    const number = Number(text);
    return text !== "" && Number.isFinite(number) ? { value: number } : { error: "not a number" };
  }
  return { value: text };
}

/** What the link said, shortened for a message (it may be long, or markup: it is only ever shown as text). */
const quoted = (text) => `“${text.length > 24 ? `${text.slice(0, 24)}…` : text}”`;

/**
 * Settings from a query string: the defaults, or the preset it names (presetSettings(name): its settings, or null
 * for no such preset), then its other fields. {settings, errors: field → why the link's value was not taken}.
 */
export function fromQuery(search, defaults, presetSettings, maxSetups) {
  const params = new URLSearchParams(search);
  const errors = {};
  const named = params.get("preset");
  const preset = named ? presetSettings(named) : null;
  if (named && !preset) errors.preset = `no preset is called ${quoted(named)}`;
  const settings = preset ?? structuredClone(defaults);
  for (const [field, text] of params) {
    if (field === "preset") continue;
    if (field === "setup") {
      if (settings.setups.length < maxSetups) settings.setups.push(text);
    } else if (field in defaults && field !== "setups") {
      const { value, error } = decode(field, text, defaults[field]);
      if (error) errors[field] = `the link's ${quoted(text)}: ${error}`;
      else settings[field] = value;
    }
  }
  return { settings, errors };
}

/** The query string of the fields of `settings` that differ from `base`'s (setups as repeated `setup=`). */
export function differences(settings, base, fields) {
  const params = new URLSearchParams();
  for (const field of fields) {
    if (field === "setups") settings.setups.forEach((setup) => params.append("setup", setup));
    else if (encode(settings[field]) !== encode(base[field])) params.set(field, encode(settings[field]));
  }
  return params;
}

/**
 * The shortest link to `settings`: what differs from the defaults, or ?preset=NAME and what differs from that
 * preset. bases: [[presetName, its settings], ...].
 */
export function toQuery(settings, defaults, bases) {
  const fields = Object.keys(defaults);
  let best = differences(settings, defaults, fields).toString();
  for (const [name, base] of bases) {
    const params = differences(settings, base, fields);
    const query = `preset=${encodeURIComponent(name)}${params.size ? `&${params}` : ""}`;
    if (query.length < best.length) best = query;
  }
  return best;
}
