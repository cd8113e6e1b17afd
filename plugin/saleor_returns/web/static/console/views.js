// States every console view shares: loading, and an error with the code's words and a retry.
import { h } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { describeError } from "../shared/messages.js";
import { clearToasts } from "./notify.js";

export function loadingPanel(text) {
  return h("p", { class: "loading", role: "status" }, text);
}

export function errorPanel(err, retry = null) {
  clearToasts(); // an error replaces any notice that said all was well
  const { code, title, detail } = describeError(err, { withDetail: true });
  return h("div", { class: "alert critical", role: "alert", "data-code": code },
    h("p", { class: "alert-title" }, title),
    detail ? h("p", { class: "code-detail" }, detail) : null,
    retry ? h("button", { type: "button", class: "button", onclick: retry }, t("common.tryAgain")) : null);
}
