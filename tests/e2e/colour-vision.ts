// How far apart two colours look to a student with each colour-vision deficiency: each colour
// simulated as a protanope, deuteranope or tritanope sees it (Machado, Oliveira and Fernandes
// 2009, severity 1), then the CIELAB distance between them (ΔE, CIE76: about 2 is just
// noticeable, 10+ is plainly different).

type Rgb = [number, number, number];
type Matrix = [Rgb, Rgb, Rgb];

const SIMULATIONS: Record<string, Matrix | null> = {
  "normal vision": null,
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

/** "rgb(r, g, b)" (as getComputedStyle writes it) → linear sRGB in [0, 1]. */
function linear(css: string): Rgb {
  const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number);
  return [r, g, b].map((c) => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4) as Rgb;
}

function lab([r, g, b]: Rgb): Rgb {
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883];
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function seenAs(rgb: Rgb, m: Matrix | null): Rgb {
  if (!m) return rgb;
  return m.map((row) => Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]))) as Rgb;
}

/** The closest two of `colours` under any of the simulations: their ΔE, and who sees it. */
export function closestPair(colours: string[]): { deltaE: number; pair: [string, string]; vision: string } {
  let closest = { deltaE: Infinity, pair: ["", ""] as [string, string], vision: "" };
  for (const [vision, m] of Object.entries(SIMULATIONS))
    for (let i = 0; i < colours.length; i++)
      for (let j = i + 1; j < colours.length; j++) {
        const [a, b] = [lab(seenAs(linear(colours[i]), m)), lab(seenAs(linear(colours[j]), m))];
        const deltaE = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        if (deltaE < closest.deltaE) closest = { deltaE, pair: [colours[i], colours[j]], vision };
      }
  return closest;
}
