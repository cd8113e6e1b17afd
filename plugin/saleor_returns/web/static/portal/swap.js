// What the shopper gets instead of (or besides) a refund: the replacement and the store credit (exchanges.md).
import { h } from "../shared/dom.js";
import { money } from "../shared/format.js";
import { t } from "../shared/i18n.js";

/** The replacement's and the store credit's state, or null when the return has neither. */
export function swapAndCredit(ret) {
  const parts = [exchangePart(ret.exchange), creditPart(ret.storeCredit)].filter(Boolean);
  return parts.length ? h("div", { class: "panel stack", "data-swap": "" }, parts) : null;
}

function exchangePart(x) {
  if (!x) return null;
  const what = x.lines.map((l) => `${l.quantity} × ${l.productName}`).join(", ");
  const text = {
    PENDING: t("swap.pending", { what }),
    CREATED: t("swap.created", { what, number: x.orderNumber || "" }),
    FAILED: t("swap.failed"),
    CANCELLED: t("swap.cancelled"),
  }[x.status];
  return h("div", { class: "stack", "data-exchange": x.status },
    h("h2", {}, t("swap.title")), h("p", {}, text),
    x.orderNumber ? h("p", {}, t("swap.number"), " ", h("strong", { "data-replacement": "" }, x.orderNumber)) : null);
}

function creditPart(c) {
  if (!c) return null;
  const worth = money(c.amount);
  const bonus = Number(c.bonus.amount) > 0 ? ` ${t("credit.withBonus", { bonus: money(c.bonus) })}` : "";
  return h("div", { class: "stack", "data-store-credit": c.status },
    h("h2", {}, t("credit.title")),
    h("p", {}, c.status === "ISSUED" ? t("credit.issued", { worth }) + bonus
      : c.status === "FAILED" ? t("credit.failed") : t("credit.pending", { worth }) + bonus),
    c.code ? h("p", {}, t("credit.code"), " ", h("strong", { class: "code", "data-credit-code": "" }, c.code)) : null);
}
