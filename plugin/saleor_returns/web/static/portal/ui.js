// Pieces every portal view uses: error boxes, loading states, announcements, the line's "why".
import { h } from "../shared/dom.js";
import { day, deadline, deadlineShort, humanizeMoments } from "../shared/format.js";
import { describeError } from "../shared/messages.js";

/** Say `text` to screen readers (the page's polite live region). */
export function announce(text) {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = "";
  window.setTimeout(() => { live.textContent = text; }, 50);
}

/** An error box with the code's human message (role=alert: read out at once). */
export function errorBox(err, extra = null) {
  const { code, title, detail } = describeError(err);
  return h("div", { class: "alert critical", role: "alert", "data-code": code },
    h("p", { class: "alert-title" }, title),
    detail ? h("p", {}, detail) : null,
    extra);
}

export function loading(text) {
  return h("p", { class: "loading", role: "status" }, text);
}

/** Why a line can or cannot be returned, in words, with its deadline in the store's time zone. */
export function lineWhy(line, timezone) {
  const codes = line.codes || [];
  if (codes.includes("FINAL_SALE")) {
    return { tone: "muted", text: "This was a final-sale item, so it can't be returned." };
  }
  if (codes.includes("NOT_FULFILLED")) {
    return { tone: "muted", text: "This item hasn't shipped yet. The return period starts when it ships." };
  }
  if (codes.includes("ORDER_NOT_PAID")) {
    return { tone: "muted", text: "This order hasn't been paid yet, so there is nothing to refund." };
  }
  if (codes.includes("ALREADY_RETURNED")) {
    return { tone: "muted", text: "This item is already in a return." };
  }
  if (codes.includes("NOT_REFUNDABLE")) {
    return { tone: "muted", text: "Everything paid for this item has already been refunded." };
  }
  if (codes.includes("WINDOW_EXPIRED")) {
    return {
      tone: "warning", exception: true,
      text: `The return period ended ${deadline(line.graceDeadline, timezone)}. `
        + "You can still ask us for an exception: a person on our team will look at it.",
    };
  }
  if (line.inGrace) {
    return {
      tone: "grace",
      text: `The return window closed on ${day(line.deadline, timezone)}, but you are within our grace period: `
        + `you can still return it until ${deadline(line.graceDeadline, timezone)}.`,
    };
  }
  if (line.eligible) {
    const more = line.quantityReturnable > 1 ? ` Up to ${line.quantityReturnable} can be returned.` : "";
    return { tone: "ok", text: `Returnable until ${deadlineShort(line.deadline, timezone)}.${more}` };
  }
  return { tone: "muted", text: humanizeMoments((line.reasons || []).join(" "), timezone) || "This item can't be returned." };
}
