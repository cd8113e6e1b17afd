// Pieces every portal view uses: error boxes, loading states, announcements, a line's "why" and its date.
import { h } from "../shared/dom.js";
import { day, deadlineLocal, zoneName } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { describeError, statusLabel } from "../shared/messages.js";

/** Say `text` to screen readers (the page's polite live region). */
export function announce(text) {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = "";
  window.setTimeout(() => { live.textContent = text; }, 50);
}

/** An error box with the code's words (role=alert: read out at once). */
export function errorBox(err, extra = null) {
  const { code, title } = describeError(err);
  return h("div", { class: "alert critical", role: "alert", "data-code": code },
    h("p", { class: "alert-title" }, title), extra);
}

export function loading(text) {
  return h("p", { class: "loading", role: "status" }, text);
}

/** "Times are in the store's time zone: Eastern Standard Time (America/New_York)." — said once per page. */
export function zoneNote(timezone, iso) {
  return h("p", { class: "small muted zone-note" }, t("portal.zoneNote", { zone: zoneName(timezone, iso) }));
}

export function onlyExpired(line) {
  return line.codes.length === 1 && line.codes[0] === "WINDOW_EXPIRED";
}

/** The date that applies to a line: past the window it is the end of grace, else the end of the window. */
export function lineDate(line) {
  return line.inGrace || line.codes.includes("WINDOW_EXPIRED") ? line.graceDeadline : line.deadline;
}

/** Why a line can or cannot be returned, in words, with the date that applies (the zone is named once). */
export function lineWhy(line, timezone, inReturn = null) {
  const codes = line.codes || [];
  const date = (iso) => deadlineLocal(iso, timezone);
  if (codes.includes("FINAL_SALE")) return { tone: "muted", text: t("why.finalSale") };
  if (codes.includes("NOT_FULFILLED")) return { tone: "muted", text: t("why.notFulfilled") };
  if (codes.includes("ORDER_NOT_PAID")) return { tone: "muted", text: t("why.notPaid") };
  if (codes.includes("ALREADY_RETURNED")) {
    return { tone: "muted", text: inReturn
      ? t("why.inReturn", { number: inReturn.number, status: statusLabel(inReturn.status) })
      : t("why.alreadyReturned") };
  }
  if (codes.includes("NOT_REFUNDABLE")) return { tone: "muted", text: t("why.notRefundable") };
  if (codes.includes("WINDOW_EXPIRED")) {
    return { tone: "warning", exception: true, text: t("why.expired", { date: date(line.graceDeadline) }) };
  }
  if (line.inGrace) {
    return { tone: "grace",
      text: t("why.grace", { windowEnd: day(line.deadline, timezone), date: date(line.graceDeadline) }) };
  }
  if (line.eligible) {
    const more = line.quantityReturnable > 1 ? ` ${t("why.upTo", { count: line.quantityReturnable })}` : "";
    return { tone: "ok", text: `${t("why.returnableUntil", { date: date(line.deadline) })}${more}` };
  }
  return { tone: "muted", text: t("why.cannot") };
}
