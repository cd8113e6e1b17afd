// Notifications: through the Dashboard's toasts when embedded, else our own toast region (aria-live).
import * as bridge from "./bridge.js";
import { h } from "../shared/dom.js";

const TOAST_MS = 6000;

function region() {
  let el = document.getElementById("toasts");
  if (!el) {
    el = h("div", { id: "toasts", class: "toasts", "aria-live": "polite", "aria-atomic": "false" });
    document.body.append(el);
  }
  return el;
}

/** status: "success" | "error" | "info" | "warning". */
export function toast(status, title, text = "") {
  const sent = bridge.notify(status, title, text);
  const el = h("div", { class: `toast ${status}`, role: status === "error" ? "alert" : "status" },
    h("strong", {}, title), text ? h("span", {}, text) : null);
  if (sent) el.classList.add("visually-hidden"); // the Dashboard shows it; screen readers still hear it here
  region().append(el);
  window.setTimeout(() => el.remove(), TOAST_MS);
}
