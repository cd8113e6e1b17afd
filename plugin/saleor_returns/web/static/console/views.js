// States every console view shares: loading, and an error with the code's human message and a retry.
import { h } from "../shared/dom.js";
import { describeError } from "../shared/messages.js";

export function loadingPanel(text) {
  return h("p", { class: "loading", role: "status" }, text);
}

export function errorPanel(err, retry = null) {
  const { code, title, detail } = describeError(err);
  return h("div", { class: "alert critical", role: "alert", "data-code": code },
    h("p", { class: "alert-title" }, title),
    detail ? h("p", {}, detail) : null,
    retry ? h("button", { type: "button", class: "button", onclick: retry }, "Try again") : null);
}
