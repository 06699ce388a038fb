// Number and text formatting shared by the cells.

/** Nine significant digits: enough to check against the sheet, short enough to read. */
export function fmt(x: number, digits = 9): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e6)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** The browser's language where `Intl` takes it, else English: some report a tag `Intl`
 *  refuses (WebKit says "C" under `LANG=C`), and `toLocaleString()` then throws (see also
 *  www/language.ts, which stands English in for it before any library formats). */
function locale(): string {
  try {
    return Intl.getCanonicalLocales(navigator.language)[0] ?? "en-US";
  } catch {
    return "en-US";
  }
}

const counts = new Intl.NumberFormat(locale());
const times = new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A whole number with the reader's digit grouping: "60,000". */
export function count(n: number): string {
  return counts.format(n);
}

/** A moment's time of day: "14:05:09". */
export function timeOfDay(ms: number): string {
  return times.format(new Date(ms));
}

/** "45 s", "12 min", "1 h 5 min". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** A student's own text (a design's name) as HTML text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
