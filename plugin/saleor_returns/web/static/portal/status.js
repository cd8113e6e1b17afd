// The status page of one return (/portal/returns/<id>?email=…): where it stands, the refund, the timeline.
// Every state has its own words: no parcel talk while a person reviews it, no return period once it is over.
import { once, onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount } from "../shared/dom.js";
import { moment, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import {
  eventLabel, reasonLabel, refundStatusLabel, refundStatusTone, statusLabel, statusTone,
} from "../shared/messages.js";
import { CANCEL_RETURN, gql, RETURN_STATUS, signedIn } from "./api.js";
import { applyLook } from "./look.js";
import { inTheBox, outcome } from "./outcome.js";
import { announce, errorBox, loading } from "./ui.js";
import { swapAndCredit } from "./swap.js";

const CANCELLABLE = ["REQUESTED", "PENDING_REVIEW", "APPROVED", "LABEL_ISSUED"];

export async function renderStatus(app, id, email) {
  if (!email && !signedIn()) {
    askEmail(app, id);
    return;
  }
  mount(app, loading(t("status.loading")));
  try {
    const { returnRequest: ret } = await gql(RETURN_STATUS, { id, email: email || null });
    if (!ret) {
      mount(app, h("div", { class: "panel stack" }, h("h1", {}, t("status.notFound")),
        errorBox({ code: "RETURN_NOT_FOUND", message: "" }), emailForm(app, id, email)));
      focusOn(app.querySelector("h1"));
      return;
    }
    applyLook(ret.channel);
    show(app, ret, email);
  } catch (err) {
    mount(app, h("div", { class: "panel stack" }, h("h1", {}, t("status.yourReturn")), errorBox(err),
      h("button", { type: "button", class: "button", onclick: () => renderStatus(app, id, email) }, t("common.tryAgain"))));
  }
}

function askEmail(app, id) {
  mount(app, h("div", { class: "panel stack" }, h("h1", {}, t("status.followTitle")),
    h("p", {}, t("status.askEmail")), emailForm(app, id, "")));
  focusOn(app.querySelector("h1"));
}

function emailForm(app, id, email) {
  const mail = h("input", { type: "email", autocomplete: "email", required: true, value: email || "" });
  const form = h("form", { class: "stack", novalidate: true },
    field({ label: t("find.email"), control: mail, name: "email" }),
    h("button", { type: "submit", class: "button primary" }, t("status.show")));
  onSubmitOnce(form, async () => {
    const url = new URL(window.location.href);
    url.searchParams.set("email", mail.value.trim());
    window.history.replaceState(null, "", url);
    await renderStatus(app, id, mail.value.trim());
  });
  return form;
}

function show(app, ret, email) {
  const heading = h("h1", { id: "status-title" }, t("status.title", { number: ret.number }));
  mount(app, h("section", { class: "stack", "aria-labelledby": "status-title" },
    h("div", { class: "panel stack" },
      h("div", { class: "row" }, heading, h("span", { class: "spacer" }),
        h("span", { class: `badge ${statusTone(ret.status)}`, "data-status": ret.status }, statusLabel(ret.status))),
      h("p", { class: "muted" }, t("status.asked", { number: ret.orderNumber, when: moment(ret.createdAt, ret.timezone) })),
      nextStep(ret, email),
      items(ret)),
    swapAndCredit(ret),
    refunds(ret),
    timeline(ret),
    cancelBox(app, ret, email)));
  focusOn(heading);
}

function nextStep(ret, email) {
  const box = outcome(ret, null, email, { level: "h2" });
  if (box) return box;
  if (ret.status === "REJECTED") {
    const why = [...ret.events].reverse().find((e) => e.type === "REJECTED" && e.note);
    return h("div", { class: "alert critical" }, h("h2", {}, t("status.rejectedTitle")),
      why ? h("p", {}, why.note) : null,
      h("p", {}, ret.emailUpdates ? t("status.rejectedHelp") : t("status.rejectedHelpNoEmail")));
  }
  if (ret.status === "REFUNDED" || ret.status === "CLOSED") {
    return h("div", { class: "alert success" }, h("h2", {}, t("status.refundedTitle")),
      h("p", { class: "amount" }, money(ret.refundTotal)),
      h("p", {}, t("status.refundedText")));
  }
  if (ret.status === "RECEIVED") {
    return h("div", { class: "alert" }, h("h2", {}, t("status.receivedTitle")),
      h("p", {}, t("status.receivedText", { amount: money(ret.refundTotal) })));
  }
  if (ret.status === "REFUND_FAILED") {
    return h("div", { class: "alert warning" }, h("h2", {}, t("status.failedTitle")),
      h("p", {}, t("status.failedText")));
  }
  if (ret.status === "CANCELLED") {
    const hadLabel = ret.events.some((e) => e.type === "LABEL_ISSUED");
    return h("div", { class: "alert" }, h("h2", {}, t("status.cancelledTitle")),
      hadLabel ? h("p", {}, t("status.cancelledLabel")) : null);
  }
  if (ret.status === "REQUESTED" && ret.resolution === "SHIP_BACK") {
    return h("div", { class: "alert" }, h("h2", {}, t("status.requestedTitle")), inTheBox(ret));
  }
  return null;
}

function items(ret) {
  return h("div", { class: "stack" }, h("h2", { class: "h3" }, t("status.items")),
    h("ul", { class: "plain-list" }, ret.lines.map((l) => h("li", { class: "item" },
      h("span", { class: "item-name" }, `${l.quantity} × ${l.productName}`,
        h("span", { class: "muted small" }, reasonLabel(l.reason))),
      h("span", {}, money(l.refund))))),
    h("p", { class: "total" }, t(ret.status === "PENDING_REVIEW" ? "status.refundIfApproved" : "status.refundTotal"),
      " ", h("strong", { "data-refund-total": "" }, money(ret.refundTotal))));
}

/** Where the refund is, in the words of this state (nothing about parcels while a person reviews it). */
function noRefundYet(ret) {
  if (ret.status === "PENDING_REVIEW") return t("status.noRefundReview");
  if (["CANCELLED", "REJECTED"].includes(ret.status)) return t("status.noRefundClosed");
  if (ret.resolution === "KEEP_ITEM") return t("status.noRefundKeep");
  if (ret.status === "RECEIVED") return t("status.noRefundReceived");
  return t("status.noRefundParcel");
}

function refunds(ret) {
  return h("section", { class: "panel stack", "aria-labelledby": "refunds-title" },
    h("h2", { id: "refunds-title" }, t("status.refund")),
    ret.refunds.length
      ? h("ul", { class: "plain-list" }, ret.refunds.map((r) => h("li", { "data-refund-status": r.status },
        h("span", {}, money(r.amount)), h("span", { class: "spacer" }),
        h("span", { class: `badge ${refundStatusTone(r.status)}` }, refundStatusLabel(r.status)),
        h("span", { class: "muted small" }, moment(r.createdAt, ret.timezone)))))
      : h("p", { class: "muted", "data-no-refund": "" }, noRefundYet(ret)));
}

function timeline(ret) {
  const visible = ret.events.map((e) => ({ ...e, label: eventLabel(e.type) })).filter((e) => e.label);
  return h("section", { class: "panel stack", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, t("status.timeline")),
    h("ol", { class: "timeline" }, visible.map((e) => h("li", { class: "done" },
      h("div", {}, e.label),
      e.type === "REQUESTED" && e.note ? h("div", { class: "small" }, `“${e.note}”`) : null,
      h("time", { class: "when", datetime: e.at }, moment(e.at, ret.timezone))))));
}

function cancelBox(app, ret, email) {
  if (!CANCELLABLE.includes(ret.status)) return null;
  const status = h("div", { class: "form-status" });
  const confirm = h("button", { type: "button", class: "button danger", hidden: true }, t("status.cancelConfirm"));
  const start = h("button", { type: "button", class: "button" }, t("status.cancelStart"));
  start.addEventListener("click", () => { confirm.hidden = false; confirm.focus(); });
  confirm.addEventListener("click", () => once(confirm, [confirm, start], async () => {
    mount(status, loading(t("status.cancelling")));
    try {
      const { cancelReturn: result } = await gql(CANCEL_RETURN, { id: ret.id, email: email || null });
      if (result.__typename === "ReturnError") { mount(status, errorBox(result)); return; }
      announce(t("status.cancelled"));
      show(app, result.returnRequest, email);
    } catch (err) {
      mount(status, errorBox(err));
    }
  }));
  return h("section", { class: "panel stack", "aria-labelledby": "cancel-title" },
    h("h2", { id: "cancel-title", class: "h3" }, t("status.cancelTitle")),
    h("p", { class: "small muted" }, ret.status === "PENDING_REVIEW" ? t("status.cancelHelpReview")
      : ret.label ? t("status.cancelHelpLabel") : t("status.cancelHelp")),
    h("div", { class: "row" }, start, confirm), status);
}
