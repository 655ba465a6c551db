// What the picture views (draw/examples.js, draw/weights.js) share: a canvas sized for the screen, and a
// picture of (h, w, c) uint8 values from a frame's bytes.

/** The container's canvas (made once, after its caption), sized width × height css px at the screen's pixel ratio; its 2-D context. */
export function canvasIn(container, width, height) {
  let canvas = container.querySelector("canvas");
  if (!canvas) {
    canvas = document.createElement("canvas");
    const caption = container.querySelector("figcaption");
    if (caption) caption.after(canvas);
    else container.prepend(canvas);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", caption?.querySelector("h3")?.textContent ?? caption?.textContent ?? "pictures");
  }
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

/** One (h, w, c) uint8 picture as an offscreen canvas at its own resolution. */
export function pictureCanvas(values, offset, [h, w, c], colour) {
  const picture = new OffscreenCanvas(w, h);
  const image = new ImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = colour(values, offset + p * c, c);
    image.data.set([r, g, b, 255], p * 4);
  }
  picture.getContext("2d").putImageData(image, 0, 0);
  return picture;
}
