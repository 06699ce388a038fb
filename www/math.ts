// KaTeX, bundled: typesets TeX strings and the page's inline `.math` spans.
import katex from "katex";
import "katex/dist/katex.min.css";

/** `source` typeset as HTML. `marked`: the source may use `\htmlData{…}{…}` to mark parts of
 *  the output for the page to find again (nothing else of KaTeX's HTML extensions). */
export function tex(source: string, display = false, marked = false): string {
  const trust = marked ? (context: { command?: string }) => context.command === "\\htmlData" : false;
  return katex.renderToString(source, { displayMode: display, throwOnError: false, trust, strict: marked ? "ignore" : "warn" });
}

/** `source` as MathML only: what a screen reader reads of a display `tex` renders. */
export function mathml(source: string): string {
  return katex.renderToString(source, { displayMode: true, throwOnError: false, output: "mathml" });
}

export function typesetInline(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>(".math").forEach((el) => {
    el.innerHTML = tex(el.textContent ?? "");
  });
}
