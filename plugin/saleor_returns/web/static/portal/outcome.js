// Step 3: the outcome, at once: refunded (keep it), print your label, or a person will review it.
import { focusOn, h, mount } from "../shared/dom.js";
import { deadline, money } from "../shared/format.js";
import { sentence } from "../shared/messages.js";
import { statusUrl } from "./api.js";
import { announce } from "./ui.js";

const REFUND_WHEN = {
  ON_RECEIPT: "as soon as your parcel reaches us",
  ON_FIRST_SCAN: "as soon as the carrier scans your parcel",
  ON_APPROVAL: "right away",
};

/** Replace the page with the outcome of a return; focus and announce its headline. */
export function renderOutcome(app, { ret, policy, email }) {
  const view = outcome(ret, policy, email);
  const heading = view.querySelector("h1");
  mount(app, h("section", { class: "stack outcome-page", "aria-labelledby": "outcome-title" }, view,
    h("div", { class: "panel stack follow" },
      h("p", {}, "Your return number is ", h("strong", { "data-return-number": "" }, ret.number), "."),
      h("p", {}, h("a", { class: "button", href: statusUrl(ret, email) }, "Follow this return")),
      h("p", { class: "small muted" }, "Bookmark that page: it shows every step, and the refund when it goes out."))));
  focusOn(heading);
  announce(heading.textContent);
}

/** The outcome box for a return (also used at the top of the status page). */
export function outcome(ret, policy, email, { level = "h1" } = {}) {
  const title = (text) => h(level, { id: "outcome-title" }, text);
  if (ret.resolution === "KEEP_ITEM" && ["APPROVED", "REFUNDED", "CLOSED", "REFUND_FAILED"].includes(ret.status)) {
    return keepItem(ret, title);
  }
  if (ret.status === "PENDING_REVIEW") return review(ret, email, title);
  if (ret.label && ["LABEL_ISSUED", "APPROVED", "IN_TRANSIT"].includes(ret.status)) {
    return printLabel(ret, policy, title);
  }
  if (ret.status === "APPROVED") {
    return h("div", { class: "outcome alert", "data-outcome": "approved" }, title("Approved: your label is on its way"),
      ret.labelError ? h("p", {}, `We couldn't create the prepaid label just yet: ${sentence(ret.labelError.message)}`)
        : null,
      h("p", {}, "We are preparing your prepaid label. It will appear on this return's page as soon as it is ready, "
        + "and you don't need to ask again."));
  }
  return null;
}

function keepItem(ret, title) {
  // The refund's real state: with some payment apps it is still on its way when the answer comes.
  const refunded = ret.status === "REFUNDED" || ret.status === "CLOSED";
  const failed = !refunded && ret.status === "REFUND_FAILED";
  const lead = failed
    ? "Your refund is approved, but it is taking longer than usual. Our team has been told and is on it."
    : refunded ? "We've refunded you to your original payment method. Banks usually show it within 3 to 5 business days."
      : "Your refund is approved and on its way to your original payment method. This page shows it when it is sent.";
  return h("div", { class: `outcome alert${refunded ? " success" : ""}`, "data-outcome": "keep-item" },
    title(refunded ? "Refunded: keep the item" : "Refund on its way: keep the item"),
    h("p", { class: "amount" }, money(ret.refundTotal)),
    h("p", {}, lead),
    h("p", {}, "No need to send anything back. Keep it, pass it on to someone who can use it, or recycle it."));
}

function printLabel(ret, policy, title) {
  const when = REFUND_WHEN[(policy && policy.refundTiming) || "ON_RECEIPT"];
  const refunded = ret.refunds.some((r) => r.status === "SUCCEEDED" || r.status === "PENDING");
  return h("div", { class: "outcome alert", "data-outcome": "label" },
    title("Print your label"),
    h("p", {}, "Pack the item, stick this prepaid label on the parcel and drop it off with the carrier. "
      + "Shipping back is on us."),
    h("p", {}, h("a", { class: "button primary", href: ret.label.url, target: "_blank", rel: "noopener",
      "data-label-link": "" }, "Open your label (PDF)")),
    ret.shipBy ? h("p", {}, "Ship it by ", h("strong", {}, h("time", { datetime: ret.shipBy },
      deadline(ret.shipBy, ret.timezone))), ".") : null,
    h("p", { class: "small muted" }, `Tracking number ${ret.label.trackingNumber}.`),
    h("p", {}, refunded ? `Your refund of ${money(ret.refundTotal)} has already started.`
      : `We'll refund ${money(ret.refundTotal)} ${when}.`));
}

function review(ret, email, title) {
  return h("div", { class: "outcome alert warning", "data-outcome": "review" },
    title("We will review this"),
    h("p", {}, ret.exceptionRequested
      ? "Thank you for asking. This is past the usual return period, so a person on our team will look at it."
      : "A person on our team will look at your return before we go ahead."),
    h("h2", { class: "h3" }, "What happens next"),
    h("ol", { class: "next-steps" },
      h("li", {}, "We usually decide within one or two business days."),
      h("li", {}, `We'll e-mail you at ${email || ret.customerEmail} either way.`),
      h("li", {}, "If it's approved, you'll get a prepaid label here (or your money straight away)."),
      h("li", {}, `If approved, ${money(ret.refundTotal)} goes back to your original payment method.`)),
    h("p", { class: "small" }, "You don't need to do anything now."));
}
