// The page's language tag, made one `Intl` accepts before anything formats a number. Some
// browsers report a tag `Intl` refuses (WebKit says "C" when the system's LANG is C), and a
// library that formats with `navigator.language` as it loads (uPlot does) then throws, taking
// the whole page down. English stands in for a tag that cannot be used.
try {
  Intl.getCanonicalLocales(navigator.language);
} catch {
  try {
    Object.defineProperty(navigator, "language", { get: () => "en-US", configurable: true });
    Object.defineProperty(navigator, "languages", { get: () => ["en-US"], configurable: true });
  } catch (e) {
    console.warn(`the browser's language "${navigator.language}" cannot be used to format numbers, nor replaced:`, e);
  }
}
