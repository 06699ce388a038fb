// The notebook page: its style, offline support and typeset prose, then its two parts, each
// with its own entry, cells and engine (www/tiny/, www/mnist/).
import "./style.css";
import { typesetInline } from "./math";
import { enableOffline } from "./offline";
import "./tiny/main";
import "./mnist/main";

enableOffline();
typesetInline();
