// One return as staff see it: why it is here (the rules in words, their codes on demand), the customer's
// history, and the actions. Destructive actions ask first; actions the server would refuse are disabled,
// with the reason beside them; the goodwill hint is what the server computed (approvalCost).
import { once } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { deadlineShort, humanizeMoments, moment, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import {
  actorLabel, describeError, eventLabel, eventNote, reasonLabel, refundStatusLabel, refundStatusTone, resolutionLabel,
  reviewReasonLabel, ruleLabel, sentence, statusLabel, statusTone, verdictLabel,
} from "../shared/messages.js";
import { APPROVE, CANCEL, gql, RECEIVED, REJECT, RETRY, RETURNS, SET_REFUND_METHOD } from "./api.js";
import * as bridge from "./bridge.js";
import { refreshGoodwill } from "./goodwill.js";
import { caseMessages } from "./messages.js";
import { swapCard } from "./swap.js";
import { clearToasts, toast } from "./notify.js";

const RECEIVABLE = ["APPROVED", "LABEL_ISSUED", "IN_TRANSIT"];
const SWITCHABLE = ["REQUESTED", "PENDING_REVIEW", "APPROVED", "LABEL_ISSUED", "IN_TRANSIT"];
const STAFF_CANCELLABLE = ["REQUESTED", "PENDING_REVIEW", "APPROVED", "LABEL_ISSUED", "IN_TRANSIT", "RECEIVED",
  "REFUND_FAILED"];

/** A code shown beside its words when staff ask for codes ("Show codes" in the top bar). */
export function code(text) {
  return h("span", { class: "code" }, ` ${text}`);
}

/**
 * Draw `ret` into `el`. `onChange({ret, message})` runs after an action changed it (the caller decides what to
 * show next); without it the case re-draws itself with the updated return.
 */
export function renderCase(el, ret, { onChange = null, focus = false } = {}) {
  const heading = h("h2", { id: `case-${ret.id}-title`, class: "case-title" }, t("case.title", { number: ret.number }));
  mount(el, h("article", { class: "case stack", "aria-labelledby": heading.id, "data-return-id": ret.id },
    h("header", { class: "case-head" },
      h("div", { class: "row" }, heading,
        h("span", { class: `badge ${statusTone(ret.status)}`, "data-status": ret.status },
          statusLabel(ret.status, "staff")),
        ret.resolution ? h("span", { class: "badge" }, resolutionLabel(ret.resolution)) : null),
      meta(ret)),
    whyHere(ret),
    actions(el, ret, onChange),
    h("div", { class: "case-grid" },
      h("div", { class: "stack" }, items(ret), trace(ret)),
      h("div", { class: "stack" }, refundsAndLabel(ret), swapCard(ret), history(ret), timeline(ret),
        caseMessages(ret)))));
  if (focus) focusOn(heading);
}

function meta(ret) {
  const orderLink = bridge.embedded
    ? h("button", { type: "button", class: "button link inline", onclick: () => bridge.redirect(`/orders/${ret.orderId}`) },
      t("case.order", { number: ret.orderNumber }))
    : h("span", {}, t("case.order", { number: ret.orderNumber }));
  const row = (label, value, attrs = {}) => h("div", {}, h("dt", {}, label), h("dd", attrs, value));
  return h("dl", { class: "meta" },
    row(t("case.meta.order"), orderLink),
    row(t("case.meta.customer"), ret.customerEmail),
    row(t("case.meta.refund"), money(ret.refundTotal), { "data-refund-total": "" }),
    row(t("case.meta.asked"), moment(ret.createdAt, ret.timezone)),
    row(t("case.meta.channel"), ret.channel),
    row(t("case.meta.deadline"), ret.deadline ? deadlineShort(ret.deadline, ret.timezone) : "—"),
    row(t("case.meta.policy"), t("case.policyVersion", { version: ret.decision.policyVersion })));
}

function whyHere(ret) {
  const reasons = ret.decision.reviewReasons;
  if (!reasons.length) return null;
  const asked = ret.events.find((e) => e.type === "REQUESTED" && e.note);
  return h("div", { class: "alert warning" },
    h("p", { class: "alert-title" }, ret.status === "PENDING_REVIEW" ? t("case.whyNeedsYou") : t("case.whyReviewed")),
    h("ul", { class: "compact" }, reasons.map((r) => h("li", {}, reviewReasonLabel(r), code(r)))),
    asked ? h("p", { class: "shopper-note" }, t("case.shopperWrote", { note: asked.note })) : null);
}

function items(ret) {
  return h("section", { class: "card stack", "aria-label": t("case.items") },
    h("h3", {}, t("case.items")),
    h("div", { class: "table-wrap" }, h("table", { class: "table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("case.col.item")), h("th", { scope: "col" }, t("case.col.qty")),
        h("th", { scope: "col" }, t("case.col.reason")), h("th", { scope: "col", class: "num" }, t("case.col.refund")))),
      h("tbody", {}, ret.lines.map((l) => h("tr", {},
        h("td", {}, l.productName, l.sku ? h("div", { class: "muted small" }, l.sku) : null),
        h("td", {}, String(l.quantity)),
        h("td", {}, reasonLabel(l.reason), code(l.reason), l.comment ? h("div", { class: "small" }, `“${l.comment}”`) : null),
        h("td", { class: "num" }, money(l.refund))))))));
}

function trace(ret) {
  return h("section", { class: "card stack", "aria-label": t("case.trace") },
    h("h3", {}, t("case.trace")),
    h("p", { class: "muted small" }, t("case.traceIntro", { version: ret.decision.policyVersion })),
    h("div", { class: "table-wrap" }, h("table", { class: "table trace" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("case.col.rule")), h("th", { scope: "col" }, t("case.col.verdict")),
        h("th", { scope: "col" }, t("case.col.detail")))),
      h("tbody", {}, ret.decision.trace.map((v) => h("tr", { class: flagged(v) ? "flagged" : null, "data-rule": v.rule },
        h("td", {}, ruleLabel(v.rule, ret.lines), code(v.rule)),
        h("td", {}, h("span", { class: `badge ${verdictTone(v.verdict)}` }, verdictLabel(v.verdict)), code(v.verdict)),
        h("td", {}, humanizeMoments(v.detail, ret.timezone))))))));
}

function flagged(v) {
  return v.rule !== "decision" && ["warning", "critical"].includes(verdictTone(v.verdict));
}

function verdictTone(verdict) {
  if (verdict === "PASS") return "success";
  if (["REVIEW", "IN_GRACE", "PENDING_REVIEW"].includes(verdict)) return "warning";
  if (["APPROVED", "KEEP_ITEM", "SHIP_BACK"].includes(verdict)) return "info";
  return "critical";
}

/** The label as it is: ready, voided (and why), not needed, failed, or still being made. */
function labelState(ret) {
  if (ret.label) {
    return h("div", { class: "stack", "data-label": "active" },
      h("p", { class: "small" }, `${ret.label.carrier} · ${ret.label.trackingNumber}`,
        ret.shipBy ? ` · ${t("case.shipBy", { date: deadlineShort(ret.shipBy, ret.timezone) })}` : ""),
      h("p", {}, h("a", { class: "button", href: ret.label.url, target: "_blank", rel: "noopener",
        "data-label-link": "" }, t("case.reprint"))));
  }
  const hadLabel = ret.events.some((e) => e.type === "LABEL_ISSUED");
  const [text, state] = ret.resolution === "KEEP_ITEM" ? [t("case.labelNone"), "none"]
    : hadLabel && ["CANCELLED", "REJECTED"].includes(ret.status) ? [t("case.labelVoided"), "voided"]
      : hadLabel ? [t("case.labelUsed"), "used"]
        : ret.labelError ? [t("case.labelFailed", { why: sentence(ret.labelError.message) }), "failed"]
          : ["PENDING_REVIEW", "REQUESTED"].includes(ret.status) ? [t("case.labelAfterApproval"), "later"]
            : ["CANCELLED", "REJECTED"].includes(ret.status) ? [t("case.labelNoneClosed"), "none"]
              : [t("case.labelComing"), "coming"];
  return h("p", { class: state === "failed" ? "error-text" : "muted", "data-label": state }, text);
}

function refundsAndLabel(ret) {
  return h("section", { class: "card stack", "aria-label": t("case.refundAndLabel") },
    h("h3", {}, t("case.refund")),
    ret.refunds.length ? h("ul", { class: "plain" }, ret.refunds.map((r) => h("li", { "data-refund-status": r.status },
      h("span", {}, money(r.amount)), " ",
      h("span", { class: `badge ${refundStatusTone(r.status)}` }, refundStatusLabel(r.status)),
      h("span", { class: "muted small" }, ` ${r.gateway}${r.pspReference ? ` · ${r.pspReference}` : ""}`),
      r.failureMessage ? h("div", { class: "small error-text" }, sentence(r.failureMessage)) : null)))
      : h("p", { class: "muted" }, ["CANCELLED", "REJECTED"].includes(ret.status) ? t("case.noRefundClosed")
        : ret.status === "PENDING_REVIEW" ? t("case.noRefundReview") : t("case.noRefundYet")),
    h("h3", {}, t("case.label")),
    labelState(ret));
}

function history(ret) {
  const body = h("div", {}, h("p", { class: "loading small" }, t("case.historyLoading")));
  loadHistory(body, ret);
  return h("section", { class: "card stack", "aria-label": t("case.history") }, h("h3", {}, t("case.history")), body);
}

async function loadHistory(body, ret) {
  try {
    const data = await gql(RETURNS, { filter: { search: ret.customerEmail }, first: 20 });
    const others = data.returnRequests.edges.map((e) => e.node).filter((r) => r.id !== ret.id);
    if (!others.length) {
      mount(body, h("p", { class: "muted", "data-history": "0" }, t("case.historyFirst")));
      return;
    }
    const kept = others.filter((r) => r.resolution === "KEEP_ITEM").length;
    mount(body,
      h("p", { class: "small", "data-history": String(others.length) }, t("case.historyCount", { count: others.length, kept })),
      h("ul", { class: "plain" }, others.map((r) => h("li", {},
        h("a", { href: `#/returns/${encodeURIComponent(r.id)}` }, r.number), ` · ${t("case.order", { number: r.orderNumber })} · `,
        money(r.refundTotal), " ",
        h("span", { class: `badge ${statusTone(r.status)}` }, statusLabel(r.status, "staff")),
        h("span", { class: "muted small" }, ` ${moment(r.createdAt, r.timezone)}`)))));
  } catch {
    mount(body, h("p", { class: "error-text" }, t("case.historyFailed")));
  }
}

function timeline(ret) {
  return h("section", { class: "card stack", "aria-label": t("case.timeline") },
    h("h3", {}, t("case.timeline")),
    h("ol", { class: "timeline" }, ret.events.map((e) => h("li", { class: "done", "data-event": e.type },
      h("div", {}, eventLabel(e.type, "staff"), code(e.type), h("span", { class: "muted small" }, ` · ${actorLabel(e.actor)}`)),
      e.note ? h("div", { class: "small" }, eventNote(e.note)) : null,
      h("time", { class: "when", datetime: e.at }, moment(e.at, ret.timezone))))));
}

// --- actions ------------------------------------------------------------------------------------

function actions(el, ret, onChange) {
  const buttons = [];
  const add = (label, cls, run, { blocked = null, confirmText = null } = {}) => {
    const b = h("button", { type: "button", class: `button ${cls}`, disabled: Boolean(blocked),
      "aria-describedby": blocked ? `${ret.id}-blocked` : null }, label);
    buttons.push({ b, run, confirmText });
    return b;
  };
  const pendingRefund = ret.refunds.some((r) => r.status === "PENDING");
  const cost = ret.approvalCost;
  const keepCost = ret.keepItemCost;
  if (ret.status === "PENDING_REVIEW") {
    add(t("case.approve"), "primary", (note) => act(APPROVE, "approveReturn", { id: ret.id, note }, "approved"),
      { blocked: cost && !cost.allowed ? "owner" : null });
    if (ret.resolution !== "KEEP_ITEM") {
      add(t("case.approveKeep"), "", (note) => act(APPROVE, "approveReturn",
        { id: ret.id, note, resolution: "KEEP_ITEM" }, "approvedKeep"), { blocked: keepCost && !keepCost.allowed ? "owner" : null });
    }
    add(t("case.reject"), "danger-quiet", (note, noteEl) => {
      if (!note) {
        setFieldError(noteEl, t("case.rejectNeedsNote"));
        noteEl.focus();
        return null;
      }
      return act(REJECT, "rejectReturn", { id: ret.id, note }, "rejected");
    }, { confirmText: t("case.confirmReject", { number: ret.number }) });
  }
  if (RECEIVABLE.includes(ret.status) && ret.resolution !== "KEEP_ITEM") {
    add(t("case.received"), "primary", (note) => act(RECEIVED, "markReturnReceived", { id: ret.id, note }, "received"));
  }
  if (ret.status === "REFUND_FAILED" || pendingRefund) {
    add(t("case.retry"), "primary", () => act(RETRY, "retryRefund", { id: ret.id }, "retried"));
  }
  if (!ret.refunds.length && SWITCHABLE.includes(ret.status)) {  // the method, until the refund is carried out
    const to = ret.refundMethod === "STORE_CREDIT" ? "ORIGINAL_PAYMENT" : "STORE_CREDIT";
    add(to === "STORE_CREDIT" ? t("case.switchToCredit") : t("case.switchToOriginal"), "",
      () => act(SET_REFUND_METHOD, "setReturnRefundMethod", { id: ret.id, method: to }, "switched"));
  }
  if (STAFF_CANCELLABLE.includes(ret.status)) {
    add(t("case.cancel"), "danger-quiet", () => act(CANCEL, "cancelReturn", { id: ret.id }, "cancelled"),
      { confirmText: ret.label ? t("case.confirmCancelLabel", { number: ret.number }) : t("case.confirmCancel", { number: ret.number }) });
  }
  if (!buttons.length) return null;

  const note = h("textarea", { name: "note", rows: 2, maxlength: 2000 });
  const status = h("div", { class: "form-status", "aria-live": "polite" });
  const confirmArea = h("div", {});
  const all = buttons.map(({ b }) => b);
  const blocked = buttons.some(({ b }) => b.disabled)
    ? h("p", { id: `${ret.id}-blocked`, class: "small error-text", "data-blocked": "" }, t("case.needsOwner")) : null;
  const box = h("section", { class: "card stack actions", "aria-label": t("case.actions") },
    h("h3", {}, t("case.decide")),
    goodwillHint(ret),
    field({ label: t("case.note"), control: note, name: "note", hint: t("case.noteHint") }),
    h("div", { class: "row" }, all),
    blocked,
    confirmArea,
    status);
  const perform = (run) => once(box, all, async () => {
    setFieldError(note, null);
    mount(status);
    mount(confirmArea);
    clearToasts();
    const pending = run(note.value.trim() || null, note);
    if (!pending) return;
    const result = await pending;
    if (!result) return;
    if (result.error) {
      mount(status, h("div", { class: "alert critical", role: "alert", "data-code": result.error.code },
        h("p", { class: "alert-title" }, result.error.title), result.error.detail ? h("p", {}, result.error.detail) : null));
      if (result.error.field === "note") { setFieldError(note, result.error.title); note.focus(); }
      return;
    }
    const message = t(`case.done.${result.done}`, { number: result.ret.number, status: statusLabel(result.ret.status, "staff") });
    toast("success", message, statusLabel(result.ret.status, "staff"));
    refreshGoodwill();
    if (onChange) onChange({ ret: result.ret, message });
    else renderCase(el, result.ret, { focus: true });
  });
  for (const { b, run, confirmText } of buttons) {
    b.addEventListener("click", () => {
      if (!confirmText) { perform(run); return; }
      // destructive: ask first, in words that say what happens; "keep" is the default focus
      const yes = h("button", { type: "button", class: "button danger", "data-confirm": "" }, t("case.confirmYes", { action: b.textContent }));
      const no = h("button", { type: "button", class: "button" }, t("case.confirmNo"));
      mount(confirmArea, h("div", { class: "confirm-box stack", role: "alertdialog", "aria-label": confirmText },
        h("p", {}, confirmText), h("div", { class: "row" }, yes, no)));
      no.addEventListener("click", () => { mount(confirmArea); b.focus(); });
      yes.addEventListener("click", () => perform(run));
      no.focus();
    });
  }
  return box;
}

/** What approving spends, as the server computed it for this staff member (never a guess in the browser). */
function goodwillHint(ret) {
  if (ret.status !== "PENDING_REVIEW" || !ret.approvalCost) return null;
  const cost = ret.approvalCost;
  const keep = ret.keepItemCost;
  const left = t("case.goodwillLeft", { left: money(cost.left), daily: money(cost.daily) });
  const spends = Number(cost.spends.amount) > 0;
  const parts = [spends ? t("case.goodwillSpends", { amount: money(cost.spends) }) : t("case.goodwillNone")];
  if (ret.resolution !== "KEEP_ITEM" && keep) parts.push(t("case.goodwillKeep", { amount: money(keep.spends) }));
  parts.push(left);
  return h("p", { class: `goodwill-hint small ${cost.allowed ? "muted" : "error-text"}`, "data-goodwill-hint": "" },
    parts.join(" "));
}

async function act(doc, fieldName, variables, done) {
  try {
    const data = await gql(doc, variables);
    const result = data[fieldName];
    if (result.__typename === "ReturnError") return failed(result);
    return { ret: result.returnRequest, done };
  } catch (err) {
    return failed(err);
  }
}

function failed(err) {
  const { code: errCode, title, detail } = describeError(err, { withDetail: true });
  bridge.notify("error", title, detail); // the Dashboard's toast; the inline alert is drawn by the caller
  return { error: { code: errCode, title, detail, field: err.field || null } };
}
