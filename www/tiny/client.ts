// Part 1's handle on the page's engine (shared with Part 2, see www/client.ts).
export { engine as tiny } from "../client";
