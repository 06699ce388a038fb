// Drawing 28×28 digits: white on black like MNIST itself, scaled up crisply by CSS.

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** A canvas showing image `index` of `pixels` (784 bytes per image). */
export function digitCanvas(pixels: Uint8Array, index = 0, title = ""): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIDE;
  canvas.className = "digit";
  canvas.title = title;
  const ctx = canvas.getContext("2d")!;
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const v = pixels[index * PIXELS + i];
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** The numbers of a `width`×`height` map in words, for a screen reader and a tooltip: each
 *  value, row by row, when there are few (a filter); else its range and where it peaks. */
function mapWords(values: ArrayLike<number>, offset: number, width: number, height: number, lo: number, hi: number): string {
  const at = (i: number) => values[offset + i];
  const num = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(1) : v.toFixed(3)).replace("-", "−");
  if (width * height <= 25) {
    const rows = Array.from({ length: height }, (_, y) => `row ${y + 1}: ${Array.from({ length: width }, (_, x) => num(at(y * width + x))).join(", ")}`);
    return `${width}×${height} values, ${rows.join("; ")}`;
  }
  let peak = 0;
  for (let i = 1; i < width * height; i++) if (at(i) > at(peak)) peak = i;
  return `${width}×${height} values from ${num(lo)} to ${num(hi)}, highest at row ${Math.floor(peak / width) + 1}, column ${(peak % width) + 1}`;
}

/** A grey-level map of any values (a filter, a feature map), min black, max white; its numbers
 *  are its text alternative. */
export function heatCanvas(values: ArrayLike<number>, offset: number, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.className = "digit";
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < width * height; i++) {
    lo = Math.min(lo, values[offset + i]);
    hi = Math.max(hi, values[offset + i]);
  }
  const ctx = canvas.getContext("2d")!;
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = hi > lo ? Math.round((255 * (values[offset + i] - lo)) / (hi - lo)) : 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  canvas.setAttribute("role", "img");
  canvas.title = mapWords(values, offset, width, height, lo, hi);
  canvas.setAttribute("aria-label", canvas.title);
  return canvas;
}

/** Bytes → the [0, 1] floats the engine predicts on. */
export function toUnit(pixels: Uint8Array, index = 0): Float32Array {
  return Float32Array.from(pixels.subarray(index * PIXELS, (index + 1) * PIXELS), (v) => v / 255);
}

/** Ten probabilities as a small bar chart, the largest highlighted. */
export function probabilityBars(p: ArrayLike<number>): string {
  const best = Array.from(p).indexOf(Math.max(...Array.from(p)));
  return `<div class="probs">${Array.from(p, (v, d) =>
    `<div class="prob${d === best ? " best" : ""}"><span>${d}</span><i style="width:${(100 * v).toFixed(1)}%"></i><b>${(100 * v).toFixed(1)}%</b></div>`).join("")}</div>`;
}
