// The view registry: every view of the page draws from `state` once per animation frame, and only while it is
// visible — a view scrolled off screen, in a hidden section or a collapsed panel costs nothing.
//
// A view is {element, draw(state), always?}. `element` carries the view's stable hook, data-view="<name>"; the
// registry watches it (IntersectionObserver: on screen or not; ResizeObserver: its size changed) and calls
// draw(state) in the next animation frame after `state.rev` moved or the view came into sight or changed size.
// draw returns true to be called again next frame even if nothing changed (a view that paces itself, like the
// cost curves). `always: true` views (the toolbar, the URL) have no element and run whenever state changed.

const views = [];

function mark(entries) {
  for (const entry of entries) {
    const view = entry.target.view;
    if (!view) continue;
    if ("isIntersecting" in entry) view.visible = entry.isIntersecting;
    view.dirty = true;
  }
}

const onScreen = new IntersectionObserver(mark);
const resized = new ResizeObserver(mark);

/** Register a view (see above); returns it. */
export function addView(view) {
  Object.assign(view, { visible: Boolean(view.always), dirty: true, drawnRev: -1 });
  if (view.element) {
    view.element.view = view;
    onScreen.observe(view.element);
    resized.observe(view.element);
  }
  views.push(view);
  return view;
}

/** Draw every visible view that has something new, once per animation frame, from now on. */
export function startDrawing(state, held = () => false) {
  const frame = () => {
    const still = held(state); // a lecture room's presenter holds the viewers' screens still: only the room's parts move
    for (const view of views) {
      if (!view.visible || (!view.dirty && view.drawnRev === state.rev) || (still && !view.whileHeld)) continue;
      view.dirty = false;
      view.drawnRev = state.rev;
      try {
        if (view.draw(state) === true) view.dirty = true;
      } catch (error) {
        console.error("drawing", view.element?.dataset.view ?? "a view", error);
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** How much larger the plots' own text is drawn: the projector's type is larger everywhere. */
export const textScale = (state) => (state.settings.projector ? 1.4 : 1);

/** Has anything in `parts` changed since the last call with this `memo`? (Compared one by one, by identity.) */
export function changedSince(memo, parts) {
  const same = memo.parts?.length === parts.length && parts.every((part, i) => part === memo.parts[i]);
  memo.parts = parts;
  return !same;
}
