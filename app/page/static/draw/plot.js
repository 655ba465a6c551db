// What every plot shares: Plotly's options, and following its box when the layout moves
// (a notice appearing, a view switching) — Plotly itself only notices the window resizing.

const CONFIG = { displayModeBar: false };

const resized = new ResizeObserver((entries) => {
  for (const { target, contentRect } of entries) {
    if (contentRect.width > 0 && contentRect.height > 0 && target.data) Plotly.Plots.resize(target);
  }
});

export function plot(div, traces, layout) {
  if (!div.data) resized.observe(div);
  Plotly.react(div, traces, layout, CONFIG);
}

/** For a plot leaving the page. */
export function unplot(div) {
  resized.unobserve(div);
  Plotly.purge(div);
}
