// Cell 7: draw a digit; the class probabilities follow the pen. The drawing is prepared the
// way MNIST's digits were: fitted into a 20×20 box, then centred by its centre of mass in 28×28.
import { mnist } from "./client";
import { digitCanvas, probabilityBars, SIDE } from "./digits";
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
  // The guess is a polite status, rewritten only when it changes (not at every pen move).
  const said = cell.querySelector<HTMLElement>("#sketch-said")!;
  const bars = cell.querySelector<HTMLElement>("#sketch-bars")!;
  const say = (html: string) => void (said.innerHTML !== html && (said.innerHTML = html));
  canvas.width = canvas.height = SIZE;
  const ctx = canvas.getContext("2d")!;
  const clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, SIZE, SIZE);
    say(`<span class="dim">Draw a digit.</span>`);
    bars.innerHTML = "";
  };
  clear();
  let drawing = false;
  let busy = false;
  let again = false;
  /** The model's answer for `pixels`; `what` names a test image it was. */
  const answer = async (pixels: Float32Array, what = "") => {
    const p = Array.from(await predict(pixels));
    say(`${what}It looks like a <strong id="sketch-guess">${p.indexOf(Math.max(...p))}</strong>.`);
    bars.innerHTML = probabilityBars(p);
  };
  const failed = (e: unknown) => {
    say(`<span class="error">${(e as Error).message}</span>`);
    bars.innerHTML = "";
  };
  const update = async () => {
    if (busy) return void (again = true);
    const pixels = toMnist(canvas);
    if (!pixels) return;
    busy = true;
    try {
      await answer(pixels);
    } catch (e) {
      failed(e);
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

  // The keyboard's way in (and a check on real digits): a test image, shown on the pad and read
  // as it is, without the drawing's preprocessing.
  const pick = cell.querySelector<HTMLFormElement>("#sketch-pick")!;
  pick.addEventListener("submit", async (event) => {
    event.preventDefault();
    const index = Number(pick.index.value);
    if (!Number.isInteger(index) || index < 0 || index > 9999) {
      return failed(new Error("A test image is a whole number from 0 to 9999."));
    }
    try {
      const { pixels, labels } = await mnist.call("images", "test", [index]);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(digitCanvas(pixels), 0, 0, SIZE, SIZE);
      await answer(Float32Array.from(pixels, (v) => v / 255), `Test image ${index} is labelled ${labels[0]}. `);
    } catch (e) {
      failed(/not loaded/.test((e as Error).message) ? new Error("Load the data first (cell 1): the test images come with it.") : e);
    }
  });
};
