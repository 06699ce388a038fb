// Part 2's handle on the page's engine (shared with Part 1, see www/client.ts).
export { engine as mnist } from "../client";

/** Where the site keeps the four MNIST files (copied there by `npm run build`, served by `npm start`). */
export const DATA_URL = new URL("mnist/", document.baseURI).href;
