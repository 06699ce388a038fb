// The notebook page: its style, offline support and typeset prose, then its two parts, each
// with its own entry, cells and engine (www/tiny/, www/mnist/).
// A language tag every formatter accepts, before any module formats a number as it loads.
import "./language";
// The engine worker first: it loads the wasm while the rest of the page is set up.
import "./client";
import "./style.css";
import { typesetInline } from "./math";
import { enableOffline } from "./offline";
import { firstShown } from "./tiny/main";
import { startPart2 } from "./mnist/main";

enableOffline();
typesetInline();
// Part 1 is what a visitor sees on arrival: Part 2's cells, below it, are set up (and its
// calls to the shared engine sent) once Part 1's first run is on screen.
void firstShown.then(startPart2);
