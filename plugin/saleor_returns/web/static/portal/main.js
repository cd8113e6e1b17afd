// The return portal: /portal (find an order, return items) and /portal/returns/<id> (follow a return).
import { setupI18n, t } from "../shared/i18n.js";
import { adoptCustomerToken } from "./api.js";
import { renderFind } from "./find.js";
import { applyLook } from "./look.js";
import { renderStatus } from "./status.js";

await setupI18n();
document.title = t("portal.pageTitle");
adoptCustomerToken(); // a storefront may hand over its signed-in customer (#customerToken=…): no e-mail needed

const app = document.getElementById("app");
const base = (document.querySelector('meta[name="returns-base"]') || {}).content || "";
const params = new URLSearchParams(window.location.search);
const route = window.location.pathname.slice(base.length).match(/^\/portal\/returns\/([^/]+)\/?$/);
if (params.get("channel")) applyLook(params.get("channel"));

if (route) {
  renderStatus(app, decodeURIComponent(route[1]), params.get("email") || "");
} else {
  renderFind(app, { order: params.get("order") || params.get("orderId") || "", email: params.get("email") || "" });
}
