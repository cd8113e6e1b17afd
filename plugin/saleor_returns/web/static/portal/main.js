// The return portal: /portal (find an order, return items) and /portal/returns/<id> (follow a return).
import { renderFind } from "./find.js";
import { renderStatus } from "./status.js";

const app = document.getElementById("app");
const base = (document.querySelector('meta[name="returns-base"]') || {}).content || "";
const params = new URLSearchParams(window.location.search);
const route = window.location.pathname.slice(base.length).match(/^\/portal\/returns\/([^/]+)\/?$/);

if (route) {
  renderStatus(app, decodeURIComponent(route[1]), params.get("email") || "");
} else {
  renderFind(app, { order: params.get("order") || params.get("orderId") || "", email: params.get("email") || "" });
}
