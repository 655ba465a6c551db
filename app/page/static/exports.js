// The run's downloads (docs/protocol.md, "Downloads"): its learned parameters as JSON and .npz, its cost
// history as CSV, and a standalone NumPy script that reproduces it. For the one run of the single view;
// each button is enabled once the server has that file.

const FILES = {
  "export-json": "parameters.json",
  "export-npz": "parameters.npz",
  "export-costs": "costs.csv",
  "export-script": "script.py",
};

/** The files the run has: the script once the server knows the run, the others once it ended with weights. */
export function availableExports(run) {
  if (!run?.id) return new Set();
  const ended = Boolean(run.result) && run.status !== "failed"; // a failed run has no weights
  return new Set(ended ? Object.values(FILES) : ["script.py"]);
}

export const exportUrl = (id, file) => `/api/runs/${encodeURIComponent(id)}/export/${file}`;

function renderExports(state) {
  const runs = state.live.runs;
  const run = !state.settings.compare && runs.length === 1 ? runs[0] : null;
  const files = availableExports(run);
  for (const [id, file] of Object.entries(FILES)) {
    const button = document.getElementById(id);
    button.disabled = !files.has(file);
    button.dataset.url = files.has(file) ? exportUrl(run.id, file) : "";
  }
}

// the server answers with Content-Disposition: attachment, so following a link saves the file under its name
function download(event) {
  const url = event.target.closest("button")?.dataset.url;
  if (!url) return;
  const link = document.createElement("a");
  link.href = url;
  link.download = "";
  link.click();
}

/** The downloads' buttons follow the run (views.js, `always`: a few attributes). */
export function exportsView() {
  document.getElementById("exports").addEventListener("click", download);
  return { always: true, draw: renderExports };
}
