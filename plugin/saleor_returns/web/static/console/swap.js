// The return's refund method, store credit and replacement, as staff see them (exchanges.md): the code, the
// replacement's number, and why a replacement failed or waits.
import { h } from "../shared/dom.js";
import { money } from "../shared/format.js";
import { t } from "../shared/i18n.js";

/** A card for a return with store credit or a replacement; null for a plain refund to the payment. */
export function swapCard(ret) {
  const credit = ret.storeCredit;
  const x = ret.exchange;
  if (!credit && !x) return null;
  return h("section", { class: "card stack", "aria-label": t("case.swapTitle"), "data-swap": "" },
    h("h3", {}, t("case.swapTitle")),
    h("p", {}, t("case.refundMethod"), " ", h("strong", { "data-refund-method": ret.refundMethod },
      ret.refundMethod === "STORE_CREDIT" ? t("case.methodCredit") : t("case.methodOriginal"))),
    credit ? h("p", { "data-store-credit": credit.status },
      t("case.creditLine", { worth: money(credit.amount), bonus: money(credit.bonus), status: credit.status }),
      credit.code ? [" ", h("span", { class: "code", "data-credit-code": "" }, credit.code)] : null) : null,
    x ? h("div", { class: "stack", "data-exchange": x.status },
      h("p", {}, t("case.exchangeLine", { status: x.status, difference: money(x.priceDifference) })),
      h("ul", { class: "plain" }, x.lines.map((l) => h("li", {}, `${l.quantity} × ${l.productName}`))),
      x.orderNumber ? h("p", {}, t("case.replacementNumber"), " ",
        h("strong", { "data-replacement": "" }, x.orderNumber)) : null,
      x.note ? h("p", { class: `small ${x.status === "FAILED" ? "error-text" : "muted"}` }, x.note) : null) : null);
}
