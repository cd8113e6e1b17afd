// Step 3: the outcome, at once: refunded (keep it), print your label (and what goes in the box), or a person
// will review it.
import { focusOn, h, mount } from "../shared/dom.js";
import { deadlineLocal, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { statusUrl } from "./api.js";
import { announce, zoneNote } from "./ui.js";
import { swapAndCredit } from "./swap.js";

/** Replace the page with the outcome of a return; focus and announce its headline. */
export function renderOutcome(app, { ret, policy, email }) {
  const view = outcome(ret, policy, email);
  const heading = view.querySelector("h1");
  mount(app, h("section", { class: "stack outcome-page", "aria-labelledby": "outcome-title" }, view,
    swapAndCredit(ret),
    h("div", { class: "panel stack follow" },
      h("p", {}, t("outcome.number"), " ", h("strong", { "data-return-number": "" }, ret.number)),
      h("p", {}, h("a", { class: "button", href: statusUrl(ret, email) }, t("outcome.follow"))),
      h("p", { class: "small muted" }, t("outcome.bookmark")))));
  focusOn(heading);
  announce(heading.textContent);
}

/** Two returns made from one basket (order.js sendSplit), each with its outcome, number and page; and the items
 * that could not be returned with them, if any. */
export function renderOutcomes(app, rets, { policy, email, notReturned = [] }) {
  if (rets.length === 1 && !notReturned.length) { renderOutcome(app, { ret: rets[0], policy, email }); return; }
  const heading = h("h1", { id: "outcome-title" }, t("outcome.splitTitle", { count: rets.length }));
  mount(app, h("section", { class: "stack outcome-page", "aria-labelledby": "outcome-title" }, heading,
    ...rets.map((ret, i) => h("div", { class: "stack", "data-split-return": ret.number },
      outcome(ret, policy, email, { level: "h2", id: `outcome-title-${i}` }),
      h("div", { class: "panel stack follow" },
        h("p", {}, t("outcome.number"), " ", h("strong", { "data-return-number": "" }, ret.number)),
        h("p", {}, h("a", { class: "button", href: statusUrl(ret, email) }, t("outcome.follow")))))),
    notReturned.length ? h("div", { class: "alert warning", role: "alert", "data-not-returned": "" },
      h("p", {}, t("outcome.splitRestFailed", { names: notReturned.join(", "), count: notReturned.length })))
      : null,
    h("p", { class: "small muted" }, t("outcome.bookmark"))));
  focusOn(heading);
  announce(heading.textContent);
}

/** The outcome box for a return (also used at the top of the status page). */
export function outcome(ret, policy, email, { level = "h1", id = "outcome-title" } = {}) {
  const title = (text) => h(level, { id }, text);
  if (ret.resolution === "KEEP_ITEM" && ["APPROVED", "REFUNDED", "CLOSED", "REFUND_FAILED"].includes(ret.status)) {
    return keepItem(ret, title);
  }
  if (ret.status === "PENDING_REVIEW") return review(ret, email, title);
  if (ret.label && ["LABEL_ISSUED", "APPROVED", "IN_TRANSIT"].includes(ret.status)) {
    return printLabel(ret, policy, title);
  }
  if (ret.status === "APPROVED") {
    return h("div", { class: "outcome alert", "data-outcome": "approved" }, title(t("outcome.approvedTitle")),
      ret.labelError ? h("p", {}, t("outcome.labelDelayed")) : null,
      h("p", {}, t("outcome.labelComing")));
  }
  return null;
}

function keepItem(ret, title) {
  // The refund's real state: with some payment apps it is still on its way when the answer comes.
  const refunded = ret.status === "REFUNDED" || ret.status === "CLOSED";
  const failed = !refunded && ret.status === "REFUND_FAILED";
  const lead = failed ? t("outcome.keepFailed") : refunded ? t("outcome.keepDone") : t("outcome.keepPending");
  return h("div", { class: `outcome alert${refunded ? " success" : ""}`, "data-outcome": "keep-item" },
    title(refunded ? t("outcome.keepTitle") : t("outcome.keepPendingTitle")),
    h("p", { class: "amount" }, money(ret.refundTotal)),
    h("p", {}, lead),
    h("p", {}, t("outcome.keepNothingToSend")));
}

/** What goes in the box: every line of the return. */
export function inTheBox(ret) {
  return h("div", { class: "stack", "data-in-the-box": "" }, h("p", { class: "alert-title" }, t("outcome.inTheBox")),
    h("ul", { class: "in-the-box" }, ret.lines.map((l) => h("li", {}, `${l.quantity} × ${l.productName}`))));
}

function printLabel(ret, policy, title) {
  const timing = (policy && policy.refundTiming) || "ON_RECEIPT";
  const refunded = ret.refunds.some((r) => r.status === "SUCCEEDED" || r.status === "PENDING");
  return h("div", { class: "outcome alert", "data-outcome": "label" },
    title(ret.status === "IN_TRANSIT" ? t("outcome.onItsWayTitle") : t("outcome.labelTitle")),
    ret.status === "IN_TRANSIT" ? null : h("p", {}, t("outcome.labelHow")),
    inTheBox(ret),
    h("p", {}, h("a", { class: "button primary", href: ret.label.url, target: "_blank", rel: "noopener",
      "data-label-link": "" }, t("outcome.openLabel"))),
    ret.shipBy && ret.status !== "IN_TRANSIT" ? h("p", {}, t("outcome.shipBy"), " ",
      h("strong", {}, h("time", { datetime: ret.shipBy }, deadlineLocal(ret.shipBy, ret.timezone))), ".") : null,
    ret.shipBy && ret.status !== "IN_TRANSIT" ? zoneNote(ret.timezone, ret.shipBy) : null,
    h("p", { class: "small muted" }, t("outcome.tracking", { number: ret.label.trackingNumber })),
    h("p", {}, refunded ? t("outcome.refundStarted", { amount: money(ret.refundTotal) })
      : t(`outcome.refundWhen.${timing}`, { amount: money(ret.refundTotal) })));
}

function review(ret, email, title) {
  return h("div", { class: "outcome alert warning", "data-outcome": "review" },
    title(t("outcome.reviewTitle")),
    h("p", {}, ret.exceptionRequested ? t("outcome.reviewException") : t("outcome.reviewLead")),
    h("h2", { class: "h3" }, t("outcome.next")),
    h("ol", { class: "next-steps" },
      h("li", {}, t("outcome.step1")),
      h("li", {}, ret.emailUpdates ? t("outcome.step2", { email: email || ret.customerEmail }) : t("outcome.step2NoEmail")),
      h("li", {}, t("outcome.step3")),
      h("li", {}, t("outcome.step4", { amount: money(ret.refundTotal) }))),
    h("p", { class: "small" }, t("outcome.nothingNow")));
}
