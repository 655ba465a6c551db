// The keyboard: Space trains / pauses / resumes wherever the focus is (but in a text box or a menu), s steps,
// r resets, 1 2 3 run the course's comparisons, ? lists the keys. Every key presses one of the page's buttons,
// so a key does exactly what a click does (and nothing when that button is disabled). A button clicked with the
// mouse keeps no hold on Space: Space is always train / pause, never "press the button clicked last".

const GROUP_KEYS = { 1: "initialization", 2: "regularization", 3: "optimization" };
const TEXT_INPUTS = new Set(["text", "number", "search", "email", "url", "tel", "password"]);

const click = (id) => {
  const button = document.getElementById(id);
  if (button && !button.disabled && !button.hidden) button.click();
  return Boolean(button);
};

/** Where the keys are the user's own: typing in a box or choosing in a menu. */
function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target.closest("select, textarea")) return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type);
}

const isSpace = (event) => event.key === " " || event.key === "Spacebar";

/** Space: Train when nothing runs, Pause a running run, Resume a paused one. */
function playPause() {
  const enabled = (id) => !document.getElementById(id).disabled;
  if (enabled("resume")) click("resume");
  else if (enabled("pause")) click("pause");
  else click("train");
}

export function bindKeys() {
  const dialog = document.getElementById("keys-dialog");
  const openHelp = () => {
    if (!dialog.open) dialog.showModal();
  };
  document.getElementById("help").addEventListener("click", openHelp);

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (dialog.open || typing(event.target)) return; // Escape closes the dialog by itself
    const { key } = event;
    if (isSpace(event)) {
      if (!event.repeat) playPause();
    } else if (key === "s" || key === "S") {
      click("step");
    } else if (key === "r" || key === "R") {
      click("reset");
    } else if (key in GROUP_KEYS) {
      if (!click(`group-${GROUP_KEYS[key]}`)) return;
    } else if (key === "?") {
      openHelp();
    } else {
      return;
    }
    event.preventDefault();
  });
  // a focused button or checkbox acts on Space's keyup: that press was train / pause's, not theirs
  document.addEventListener("keyup", (event) => {
    if (isSpace(event) && !dialog.open && !typing(event.target)) event.preventDefault();
  });
}
