// Before the shopper commits: what would happen to each item (kept and refunded at once, in the box with a
// prepaid label, or reviewed by a person), what goes in the box, the refund, and why a basket ships back whole.
import { once } from "../shared/busy.js";
import { focusOn, h, mount } from "../shared/dom.js";
import { money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { codeLabel, reviewReasonLabel } from "../shared/messages.js";
import { gql, PREVIEW } from "./api.js";
import { errorBox, loading } from "./ui.js";

const TONE = { KEEP_ITEM: "success", SHIP_BACK: "info", REVIEW: "warning", REFUSED: "critical" };

/**
 * Ask previewReturn for `extra` (the lines) and draw it into `area` with a confirm button.
 * handlers: confirm(statusEl) sends the return; split(lineIds, statusEl) sends those lines as one return and the
 * rest as another; only(lineIds) re-picks just those lines; onError(err).
 */
export async function showPreview(ctx, area, extra, { confirm, split, only, onError }) {
  mount(area, loading(t("preview.loading")));
  let preview;
  try {
    const { previewReturn } = await gql(PREVIEW, { input: { orderId: ctx.order.orderId, email: ctx.email, ...extra } });
    if (previewReturn.__typename === "ReturnError") { mount(area); onError(previewReturn); return; }
    preview = previewReturn;
  } catch (err) {
    mount(area, errorBox(err));
    return;
  }
  const heading = h("h2", { id: "preview-title" }, t("preview.title"));
  const status = h("div", { class: "form-status" });
  const go = h("button", { type: "button", class: "button primary wide", "data-confirm": "" }, t("preview.confirm"));
  go.addEventListener("click", () => once(go, go, () => confirm(status)));
  const refused = preview.lines.filter((l) => l.outcome === "REFUSED");
  const box = preview.lines.filter((l) => l.outcome === "SHIP_BACK");
  mount(area, h("section", { class: "panel stack", "aria-labelledby": "preview-title", "data-preview": preview.resolution || "" },
    heading,
    h("p", {}, headline(preview)),
    h("ul", { class: "preview-lines" }, preview.lines.map((l) => h("li", { "data-preview-line": l.orderLineId,
      "data-outcome": l.outcome },
    h("span", { class: "name" }, `${l.quantity} × ${l.productName}`),
    h("span", { class: `badge ${TONE[l.outcome]}` }, t(`preview.outcome.${l.outcome}`)),
    l.refund ? h("strong", {}, money(l.refund)) : null,
    l.outcome === "REFUSED" ? h("span", { class: "small muted" }, l.codes.map(codeLabel).join("; ")) : null))),
    box.length ? h("div", { class: "stack", "data-in-the-box": "" }, h("h3", {}, t("preview.inTheBox")),
      h("ul", { class: "in-the-box" }, box.map((l) => h("li", {}, `${l.quantity} × ${l.productName}`)))) : null,
    preview.splitWouldKeep ? splitNotice(preview, status, { split, only }) : null,
    preview.reviewReasons.length ? h("p", { class: "small" },
      preview.reviewReasons.map(reviewReasonLabel).join("; ")) : null,
    preview.refundTotal ? h("p", { class: "total" }, t("preview.refund"), " ",
      h("strong", { "data-preview-total": "" }, money(preview.refundTotal))) : null,
    refused.length && preview.status !== "REJECTED" ? h("p", { class: "small muted" }, t("preview.refusedStay")) : null,
    status,
    preview.status === "REJECTED" ? null : go));
  focusOn(heading);
}

function headline(p) {
  if (p.status === "REJECTED") return t("preview.rejected");
  if (p.status === "PENDING_REVIEW") return t("preview.review");
  return p.resolution === "KEEP_ITEM" ? t("preview.keep") : t("preview.shipBack");
}

/** A mixed basket ships back whole: say so, and offer two returns (the cheap items kept, the rest in the box) or
 * the cheap items alone. */
function splitNotice(preview, status, { split, only }) {
  const kept = preview.lines.filter((l) => l.keptAlone);
  const ids = kept.map((l) => l.orderLineId);
  const names = kept.map((l) => l.productName).join(", ");
  const two = h("button", { type: "button", class: "button primary", "data-split-go": "" },
    t("preview.splitGo", { names, count: kept.length }));
  two.addEventListener("click", () => once(two, two, () => split(ids, status)));
  return h("div", { class: "alert info stack", "data-split": "" },
    h("p", { class: "alert-title" }, t("preview.splitTitle")),
    h("p", {}, t("preview.splitText", { names, count: kept.length })),
    h("div", { class: "actions" }, split ? two : null,
      h("button", { type: "button", class: "button", onclick: () => only(ids) },
        t("preview.splitOnly", { names, count: kept.length }))));
}
