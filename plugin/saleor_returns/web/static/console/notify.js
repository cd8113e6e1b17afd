// Notifications: through the Dashboard's toasts when embedded, else our own toast region (aria-live).
// A toast never covers what it is about (bottom corner, clicks pass through), lives briefly, and goes as soon
// as the page changes or something new goes wrong: a "saved" never stands beside a "not saved".
import { h } from "../shared/dom.js";
import * as bridge from "./bridge.js";

const TOAST_MS = 5000;

function region() {
  let el = document.getElementById("toasts");
  if (!el) {
    el = h("div", { id: "toasts", class: "toasts", "aria-live": "polite", "aria-atomic": "false" });
    document.body.append(el);
  }
  return el;
}

/** Remove every toast still showing. */
export function clearToasts() {
  region().replaceChildren();
}

/** status: "success" | "error" | "info" | "warning". */
export function toast(status, title, text = "") {
  clearToasts();
  const sent = bridge.notify(status, title, text);
  const el = h("div", { class: `toast ${status}`, role: status === "error" ? "alert" : "status" },
    h("strong", {}, title), text ? h("span", {}, text) : null);
  if (sent) el.classList.add("visually-hidden"); // the Dashboard shows it; screen readers still hear it here
  region().append(el);
  window.setTimeout(() => el.remove(), TOAST_MS);
}
