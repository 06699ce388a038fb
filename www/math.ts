// KaTeX, bundled: typesets TeX strings and the page's inline `.math` spans.
import katex from "katex";
import "katex/dist/katex.min.css";

export function tex(source: string, display = false): string {
  return katex.renderToString(source, { displayMode: display, throwOnError: false });
}

export function typesetInline(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>(".math").forEach((el) => {
    el.innerHTML = tex(el.textContent ?? "");
  });
}
