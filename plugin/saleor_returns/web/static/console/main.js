// The returns console: standalone with the admin token (kept in sessionStorage for this tab), or inside
// the Saleor Dashboard, which hands over its token by app-bridge. Routes live in the hash (#/queue, …).
import { onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { CHANNELS, getToken, gql, setToken } from "./api.js";
import * as bridge from "./bridge.js";
import { refreshGoodwill, setupGoodwill } from "./goodwill.js";
import { renderPolicy } from "./policy.js";
import { renderQueue } from "./queue.js";
import { renderReturn, renderReturns } from "./returns.js";
import { errorPanel, loadingPanel } from "./views.js";

const TOKEN_KEY = "saleor-returns.console.token";
const HANDSHAKE_WAIT_MS = 8000;
const root = document.getElementById("app");
let channels = [];
let started = false;
let currentRoute = () => {};
window.addEventListener("hashchange", () => currentRoute());

bridge.applyTheme(bridge.initialTheme());
bridge.on("theme", ({ theme }) => bridge.applyTheme(theme));

if (bridge.embedded) {
  document.documentElement.dataset.embedded = "true";
  mount(root, loadingPanel("Connecting to the Saleor Dashboard…"));
  bridge.on("handshake", ({ token }) => (started ? setToken(token) : start(token, "dashboard")));
  bridge.on("tokenRefresh", ({ token }) => setToken(token));
  bridge.on("redirect", ({ path }) => {
    const at = String(path || "").indexOf("#");
    if (at >= 0) window.location.hash = path.slice(at);
  });
  bridge.ready();
  window.setTimeout(() => {
    if (!getToken()) signIn("The Saleor Dashboard did not send a token. You can use the admin token instead.");
  }, HANDSHAKE_WAIT_MS);
} else {
  const saved = window.sessionStorage.getItem(TOKEN_KEY);
  if (saved) start(saved, "standalone");
  else signIn();
}

async function start(token, mode) {
  setToken(token);
  mount(root, loadingPanel("Checking your access…"));
  try {
    channels = (await gql(CHANNELS)).returnChannels;
  } catch (err) {
    if (err.code === "FORBIDDEN") {
      window.sessionStorage.removeItem(TOKEN_KEY);
      setToken(null);
      signIn(mode === "dashboard"
        ? "The Dashboard's token was not accepted: is the app installed with the MANAGE_ORDERS permission?"
        : "That token was not accepted. Check it and try again.");
    } else {
      mount(root, errorPanel(err, () => start(token, mode)));
    }
    return;
  }
  if (mode === "standalone") window.sessionStorage.setItem(TOKEN_KEY, token);
  started = true;
  shell(mode);
}

function signIn(problem = "") {
  const token = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: "false" });
  const heading = h("h1", { id: "signin-title" }, "Returns console");
  const form = h("form", { class: "card stack signin", novalidate: true, "aria-labelledby": heading.id },
    heading,
    h("p", { class: "muted" }, "Staff sign in with the admin token. Inside the Saleor Dashboard this happens by itself."),
    problem ? h("div", { class: "alert critical", role: "alert" }, h("p", {}, problem)) : null,
    field({ label: "Admin token", control: token, name: "token",
      hint: "Printed by `saleor-returns demo` at start (RETURNS_ADMIN_TOKEN). Kept for this browser tab only." }),
    h("button", { type: "submit", class: "button primary" }, "Sign in"));
  mount(root, h("div", { class: "signin-wrap" }, form));
  onSubmitOnce(form, async () => {
    if (!token.value.trim()) {
      setFieldError(token, "Paste the admin token.");
      token.focus();
      return;
    }
    await start(token.value.trim(), "standalone");
  });
  focusOn(problem ? token : heading);
}

function shell(mode) {
  const count = h("span", { class: "count", "data-queue-count": "" });
  const tabs = [["#/queue", "Review queue", count], ["#/returns", "Returns"], ["#/policy", "Policy"]];
  const nav = h("nav", { class: "tabs", "aria-label": "Returns console" },
    tabs.map(([href, label, extra]) => h("a", { href, "data-tab": href }, label, extra || null)));
  const meter = h("div", { class: "goodwill", "aria-live": "polite" });
  const signOut = mode === "standalone" ? h("button", { type: "button", class: "button", onclick: () => {
    window.sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    started = false;
    window.location.hash = "";
    signIn();
  } }, "Sign out") : null;
  const view = h("main", { id: "view", class: "view", tabindex: "-1" });
  mount(root, h("header", { class: "topbar" }, h("span", { class: "brand" }, "Returns"), nav,
    h("span", { class: "spacer" }), meter, signOut), view);
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
    else renderQueue(view, { onCount });
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
