"""The page in a real browser while the real server trains (headless Chromium, --disable-gpu, on this machine):

- animation frames a second (requestAnimationFrame callbacks counted by the page);
- boundary redraws a second (distinct boundary epochs seen drawn per boundary view), and the frames that reached the
  page (the server sends ~20 a second per run): fewer drawn than received is the page's shortfall;
- the share of the run's time the main thread spent in long tasks (PerformanceObserver "longtask", > 50 ms each);
- the cumulative layout shift over the run (PerformanceObserver "layout-shift", without recent input).

For one run (the default: He on circles) and for a three-way comparison (the initialization group), each from the
click on Train to the end of the run or --seconds. Targets (issue 11): ≥ 30 fps, ≥ 15 redraws/s, long tasks ≤ 20 %,
layout shift < 0.02.

    python benchmarks/page.py [--seconds 15] [--viewport 1280x720] [--projector] [--workers N]
"""

import argparse
import sys
from contextlib import suppress

from live_server import server, verdict
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu"]
TARGET_FPS, TARGET_REDRAWS, TARGET_LONG_SHARE, TARGET_SHIFT = 30, 15, 0.20, 0.02

# counted by the page itself from before its first script: frames, long tasks, layout shifts, boundary epochs drawn
PROBE = """
window.__bench = {measuring: false, frames: 0, long: 0, shift: 0, drawn: new Map(), received: 0, started: 0, ended: 0};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (__bench.measuring) __bench.long += entry.duration;
}).observe({type: "longtask"});
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (__bench.measuring && !entry.hadRecentInput) __bench.shift += entry.value;
}).observe({type: "layout-shift"});
const tick = () => {
  if (__bench.measuring) {
    __bench.frames += 1;
    for (const view of document.querySelectorAll("[data-view=boundary], [data-view=panels] .panel")) {
      if (!view.dataset.epoch || !view.checkVisibility()) continue;
      const key = view.dataset.run ?? "run";
      if (!__bench.drawn.has(key)) __bench.drawn.set(key, new Set());
      __bench.drawn.get(key).add(view.dataset.epoch);
    }
  }
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
// the boundary frames that reach the page, from every run's socket: what the server managed to send
const Native = WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (!__bench.measuring || typeof event.data === "string") return;
      const length = new DataView(event.data).getUint32(0, true);
      const header = JSON.parse(new TextDecoder().decode(new Uint8Array(event.data, 4, length)));
      if (header.type === "boundary") __bench.received += 1;
    });
  }
};
"""
START = "() => { Object.assign(__bench, {measuring: true, started: performance.now()}); }"
STOP = """() => {
  Object.assign(__bench, {measuring: false, ended: performance.now()});
  const seconds = (__bench.ended - __bench.started) / 1000;
  const drawn = [...__bench.drawn.values()].map((epochs) => epochs.size);
  return {seconds, frames: __bench.frames, long: __bench.long / 1000, shift: __bench.shift,
          redraws: drawn.length ? drawn.reduce((a, b) => a + b, 0) / drawn.length : 0, views: drawn.length,
          received: drawn.length ? __bench.received / drawn.length : 0};
}"""
FINISHED = "window.trainlab.live.runs.length > 0 && window.trainlab.live.runs.every((run) => run.result)"


def measure(browser, base: str, viewport: tuple[int, int], query: str, button: str, seconds: float) -> dict:
    # bypass_csp: the waits are strings Playwright evaluates; the policy itself costs the page nothing to measure
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=True)
    try:
        page = context.new_page()
        page.add_init_script(PROBE)
        page.goto(f"{base}/{query}")
        page.wait_for_function("document.body.dataset.ready === 'true'")
        page.wait_for_timeout(500)  # the page settles: fonts, the data's preview
        page.evaluate(START)
        page.get_by_test_id(button).click()
        with suppress(PlaywrightTimeoutError):  # the run goes on: --seconds of it is the sample
            page.wait_for_function(FINISHED, timeout=seconds * 1000)
        figures = page.evaluate(STOP)
        page.get_by_test_id("reset").click()
        return figures
    finally:
        context.close()


def report(name: str, f: dict) -> bool:
    fps = f["frames"] / f["seconds"]
    redraws = f["redraws"] / f["seconds"]
    share = f["long"] / f["seconds"]
    received = f["received"] / f["seconds"]
    ok = fps >= TARGET_FPS and redraws >= TARGET_REDRAWS and share <= TARGET_LONG_SHARE and f["shift"] < TARGET_SHIFT
    print(
        f"{name:<16} {f['seconds']:6.1f} s   {fps:5.1f} fps {verdict(fps >= TARGET_FPS):<4}  "
        f"{redraws:5.1f} redraws/s {verdict(redraws >= TARGET_REDRAWS):<4} (of {received:4.1f} received; "
        f"{f['views']} views)  "
        f"long tasks {100 * share:4.1f} % {verdict(share <= TARGET_LONG_SHARE):<4}  "
        f"layout shift {f['shift']:.4f} {verdict(f['shift'] < TARGET_SHIFT)}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="at most this long per case (default 15)")
    parser.add_argument("--viewport", default="1280x720")
    parser.add_argument("--projector", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    viewport = tuple(int(n) for n in args.viewport.split("x"))
    view = "&projector=true" if args.projector else ""
    cases = [
        ("one run", f"?speed=1000{view}", "train"),
        ("comparison (3)", f"?compare=initialization&speed=1000{view}", "compare-group-initialization"),
    ]
    print(f"headless Chromium {' '.join(ARGS)}, {args.viewport}{' projector' if args.projector else ''}")
    print(f"targets: ≥ {TARGET_FPS} fps, ≥ {TARGET_REDRAWS} boundary redraws/s, long tasks ≤ {TARGET_LONG_SHARE:.0%}, "
          f"layout shift < {TARGET_SHIFT}")  # fmt: skip
    ok = True
    with server(args.workers) as (base, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for name, query, button in cases:
            ok &= report(name, measure(browser, base, viewport, query, button, args.seconds))
        browser.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
