// Cell 6: draw a digit; the class probabilities follow the pen. The drawing is prepared the
// way MNIST's digits were: fitted into a 20×20 box, then centred by its centre of mass in 28×28.
import { mnist } from "./client";
import { probabilityBars, SIDE } from "./digits";
import type { MnistCell } from "./state";

const SIZE = 280;

/** The drawing as MNIST-like pixels in [0, 1], or null when it is blank. */
function toMnist(source: HTMLCanvasElement): Float32Array | null {
  const data = source.getContext("2d")!.getImageData(0, 0, SIZE, SIZE).data;
  let [x0, y0, x1, y1] = [SIZE, SIZE, -1, -1];
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      if (data[(y * SIZE + x) * 4] > 32) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) return null;
  const [w, h] = [x1 - x0 + 1, y1 - y0 + 1];
  const s = 20 / Math.max(w, h);
  const small = document.createElement("canvas");
  small.width = small.height = SIDE;
  const ctx = small.getContext("2d")!;
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, SIDE, SIDE);
  ctx.drawImage(source, x0, y0, w, h, (SIDE - w * s) / 2, (SIDE - h * s) / 2, w * s, h * s);
  const px = ctx.getImageData(0, 0, SIDE, SIDE).data;
  const grey = Float32Array.from({ length: SIDE * SIDE }, (_, i) => px[i * 4] / 255);
  // Shift so the centre of mass sits at the centre, as in MNIST's preprocessing.
  let [m, mx, my] = [0, 0, 0];
  grey.forEach((v, i) => { m += v; mx += v * (i % SIDE); my += v * Math.floor(i / SIDE); });
  const [dx, dy] = [Math.round(SIDE / 2 - 0.5 - mx / m), Math.round(SIDE / 2 - 0.5 - my / m)];
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++) {
      const [sx, sy] = [x - dx, y - dy];
      if (sx >= 0 && sx < SIDE && sy >= 0 && sy < SIDE) out[y * SIDE + x] = grey[sy * SIDE + sx];
    }
  return out;
}

/** Whatever model the engine holds (trained or loaded) answers. */
export const mountSketch: MnistCell = (cell) => {
  const predict = (pixels: Float32Array) => mnist.call("predict", pixels);
  const canvas = cell.querySelector<HTMLCanvasElement>("#sketch")!;
  const output = cell.querySelector<HTMLElement>("#sketch-output")!;
  canvas.width = canvas.height = SIZE;
  const ctx = canvas.getContext("2d")!;
  const clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, SIZE, SIZE);
    output.innerHTML = `<p class="dim">Draw a digit.</p>`;
  };
  clear();
  let drawing = false;
  let busy = false;
  let again = false;
  const update = async () => {
    if (busy) return void (again = true);
    const pixels = toMnist(canvas);
    if (!pixels) return;
    busy = true;
    try {
      const p = Array.from(await predict(pixels));
      output.innerHTML = `<p>It looks like a <strong id="sketch-guess">${p.indexOf(Math.max(...p))}</strong>.</p>${probabilityBars(p)}`;
    } catch (e) {
      output.innerHTML = `<p class="error">${(e as Error).message}</p>`;
    } finally {
      busy = false;
      if (again) { again = false; void update(); }
    }
  };
  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * SIZE) / r.width, ((e.clientY - r.top) * SIZE) / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...(at(e) as [number, number]));
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    Object.assign(ctx, { strokeStyle: "#fff", lineWidth: 22, lineCap: "round", lineJoin: "round" });
    ctx.lineTo(...(at(e) as [number, number]));
    ctx.stroke();
    void update();
  });
  canvas.addEventListener("pointerup", () => { drawing = false; void update(); });
  cell.querySelector("#sketch-clear")!.addEventListener("click", clear);
};
