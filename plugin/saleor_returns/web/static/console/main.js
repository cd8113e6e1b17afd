// The returns console: standalone with a staff token (kept in sessionStorage for this tab), or inside the Saleor
// Dashboard, which hands over its token by app-bridge. Routes live in the hash (#/queue, …). It starts once per
// page load, however many handshakes the Dashboard sends (later ones only refresh the token).
import { onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { setupI18n, t } from "../shared/i18n.js";
import { CHANNELS, getToken, gql, setToken } from "./api.js";
import * as bridge from "./bridge.js";
import { refreshGoodwill, setupGoodwill } from "./goodwill.js";
import { clearToasts } from "./notify.js";
import { renderMessage, renderMessages } from "./messages.js";
import { renderInsights } from "./insights.js";
import { renderPolicy } from "./policy.js";
import { renderQueue } from "./queue.js";
import { renderReturn, renderReturns } from "./returns.js";
import { renderStore } from "./store.js";
import { errorPanel, loadingPanel } from "./views.js";

const TOKEN_KEY = "saleor-returns.console.token";
const CODES_KEY = "saleor-returns.console.show-codes";
const HANDSHAKE_WAIT_MS = 8000;
const root = document.getElementById("app");
let channels = [];
let startedWith = null; // the token the console started with: set before the first await, so it starts once
let currentRoute = () => {};
window.addEventListener("hashchange", () => { clearToasts(); currentRoute(); });

await setupI18n();
document.title = t("console.pageTitle");
bridge.applyTheme(bridge.initialTheme());
bridge.on("theme", ({ theme }) => bridge.applyTheme(theme));
document.documentElement.dataset.showCodes = window.localStorage.getItem(CODES_KEY) === "true" ? "true" : "false";

if (bridge.embedded) {
  document.documentElement.dataset.embedded = "true";
  mount(root, loadingPanel(t("console.connecting")));
  bridge.on("handshake", ({ token }) => (startedWith ? setToken(token) : start(token, "dashboard")));
  bridge.on("tokenRefresh", ({ token }) => setToken(token));
  bridge.on("redirect", ({ path }) => {
    const at = String(path || "").indexOf("#");
    if (at >= 0) window.location.hash = path.slice(at);
  });
  bridge.ready();
  window.setTimeout(() => {
    if (!getToken()) signIn(t("console.noHandshake"));
  }, HANDSHAKE_WAIT_MS);
} else {
  const saved = window.sessionStorage.getItem(TOKEN_KEY);
  if (saved) start(saved, "standalone");
  else signIn();
}

async function start(token, mode) {
  startedWith = token;
  setToken(token);
  mount(root, loadingPanel(t("console.checking")));
  try {
    channels = (await gql(CHANNELS)).returnChannels;
  } catch (err) {
    startedWith = null;
    if (err.code === "FORBIDDEN") {
      window.sessionStorage.removeItem(TOKEN_KEY);
      setToken(null);
      signIn(mode === "dashboard" ? t("console.dashboardRefused") : t("console.tokenRefused"));
    } else {
      mount(root, errorPanel(err, () => start(token, mode)));
    }
    return;
  }
  if (mode === "standalone") window.sessionStorage.setItem(TOKEN_KEY, token);
  shell(mode);
}

function signIn(problem = "") {
  const token = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: "false" });
  const heading = h("h1", { id: "signin-title" }, t("console.pageTitle"));
  const form = h("form", { class: "card stack signin", novalidate: true, "aria-labelledby": heading.id },
    heading,
    h("p", { class: "muted" }, t("console.signInIntro")),
    problem ? h("div", { class: "alert critical", role: "alert" }, h("p", {}, problem)) : null,
    field({ label: t("console.token"), control: token, name: "token", hint: t("console.tokenHint") }),
    h("button", { type: "submit", class: "button primary" }, t("console.signIn")));
  mount(root, h("div", { class: "signin-wrap" }, form));
  onSubmitOnce(form, async () => {
    if (!token.value.trim()) {
      setFieldError(token, t("console.pasteToken"));
      token.focus();
      return;
    }
    await start(token.value.trim(), "standalone");
  });
  focusOn(problem ? token : heading);
}

function codesToggle() {
  const box = h("input", { type: "checkbox", id: "show-codes", checked: document.documentElement.dataset.showCodes === "true" });
  box.addEventListener("change", () => {
    document.documentElement.dataset.showCodes = String(box.checked);
    window.localStorage.setItem(CODES_KEY, String(box.checked));
  });
  return h("span", { class: "check small" }, box, h("label", { for: "show-codes" }, t("console.showCodes")));
}

function shell(mode) {
  const count = h("span", { class: "count", "data-queue-count": "" });
  const tabs = [["#/queue", t("console.tabs.queue"), count], ["#/returns", t("console.tabs.returns")],
    ["#/policy", t("console.tabs.policy")], ["#/insights", t("console.tabs.insights")], ["#/store", t("console.tabs.store")],
    ["#/messages", t("console.tabs.messages")]];
  const nav = h("nav", { class: "tabs", "aria-label": t("console.pageTitle") },
    tabs.map(([href, label, extra]) => h("a", { href, "data-tab": href }, label, extra || null)));
  const meter = h("div", { class: "goodwill", "aria-live": "polite" });
  const signOut = mode === "standalone" ? h("button", { type: "button", class: "button", onclick: () => {
    window.sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    startedWith = null;
    window.location.hash = "";
    signIn();
  } }, t("console.signOut")) : null;
  const view = h("main", { id: "view", class: "view", tabindex: "-1" });
  mount(root, h("header", { class: "topbar" }, h("span", { class: "brand" }, t("console.brand")), nav,
    h("span", { class: "spacer" }), meter, codesToggle(), signOut), view);
  setupGoodwill(meter, channels);
  refreshGoodwill();
  const onCount = (n) => { count.textContent = n ? String(n) : ""; };
  const route = () => {
    const [path, query = ""] = (window.location.hash.slice(1) || "/queue").split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    for (const a of nav.querySelectorAll("a")) {
      if (a.dataset.tab === `#/${parts[0] || "queue"}`) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (parts[0] === "returns" && parts[1]) renderReturn(view, parts[1]);
    else if (parts[0] === "returns") renderReturns(view, new URLSearchParams(query), channels);
    else if (parts[0] === "policy") renderPolicy(view, parts[1] || "", channels);
    else if (parts[0] === "store") renderStore(view, parts[1] || "", channels);
    else if (parts[0] === "insights") renderInsights(view, parts[1] || "", new URLSearchParams(query), channels);
    else if (parts[0] === "messages" && parts[1]) renderMessage(view, parts[1]);
    else if (parts[0] === "messages") renderMessages(view, new URLSearchParams(query));
    else {
      const q = new URLSearchParams(query);
      renderQueue(view, { onCount, after: q.get("after"), from: Number(q.get("from")) || 0 });
    }
  };
  currentRoute = route;
  const order = orderFromDashboard();
  if (order && !window.location.hash) window.location.hash = `#/returns?q=${encodeURIComponent(order)}`;
  else route();
}

/** Opened from an order's "more actions" in the Dashboard: ?orderId= is that order's id (the Dashboard's own
 * ?id= is the app's id). Older links that put the order in ?id= ("Order:<uuid>" in base64) still work. */
function orderFromDashboard() {
  const params = new URLSearchParams(window.location.search);
  const order = (params.get("orderId") || "").trim();
  if (order) return order;
  const id = params.get("id") || "";
  try {
    return window.atob(id).startsWith("Order:") ? id : null;
  } catch {
    return null; // the app's own id, not an order
  }
}
