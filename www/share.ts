// What leaves the page: a file to save (Part 1's CSV, Part 2's weights) and the link to the
// page's settings (both parts keep theirs in the address).

/** Names, in `note`, what a link asked for that the page did not take ("name=value (why)"
 *  each), or hides it when there is nothing: the same sentence for every part's link. */
export function showIgnored(note: HTMLElement, ignored: string[]): void {
  note.hidden = ignored.length === 0;
  note.textContent = `Not taken from the link: ${ignored.join("; ")}. The rest of it is applied.`;
}

/** Hands `data` to the browser as a download called `name`. */
export function saveFile(name: string, data: BlobPart, type: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([data], { type }));
  link.download = name;
  link.click();
  // The browser has read the blob by then; later would leak it for the page's life.
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** A "Copy link" button and its polite status: copies the address with the settings in it.
 *  Without the Clipboard API (a page served over plain http) the link is shown, selected, to
 *  copy by hand. `before` lets a part write its settings into the address first. */
export function copyLinkButton(before: () => void = () => {}): HTMLElement {
  const box = document.createElement("span");
  box.className = "copy-link";
  box.innerHTML = `<button type="button" data-copy-link>Copy link</button> <output aria-live="polite"></output>`;
  const status = box.querySelector("output")!;
  box.querySelector("button")!.addEventListener("click", async () => {
    before();
    try {
      await navigator.clipboard.writeText(location.href);
      status.textContent = "Link copied: it opens this page with these settings.";
    } catch {
      status.innerHTML = `Copy this link: <input readonly aria-label="Link to these settings" size="40" />`;
      const field = status.querySelector("input")!;
      field.value = location.href;
      field.select();
    }
  });
  return box;
}
