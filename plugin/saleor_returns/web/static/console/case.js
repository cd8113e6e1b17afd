// One return as staff see it: why it is here (reason trace), the customer's history, and the actions.
import { once } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { deadlineShort, humanizeMoments, moment, money } from "../shared/format.js";
import {
  describeError, eventLabel, reasonLabel, refundStatusLabel, refundStatusTone, reviewReasonLabel, sentence,
  statusLabel, statusTone,
} from "../shared/messages.js";
import { APPROVE, CANCEL, gql, RECEIVED, REJECT, RETRY, RETURNS } from "./api.js";
import * as bridge from "./bridge.js";
import { budgetFor, refreshGoodwill } from "./goodwill.js";
import { toast } from "./notify.js";

const RECEIVABLE = ["APPROVED", "LABEL_ISSUED", "IN_TRANSIT"];
const STAFF_CANCELLABLE = ["REQUESTED", "PENDING_REVIEW", "APPROVED", "LABEL_ISSUED", "IN_TRANSIT", "RECEIVED",
  "REFUND_FAILED"];

/**
 * Draw `ret` into `el`. `onChange(ret)` runs after an action changed it (the caller refreshes its lists).
 * The case re-draws itself with the updated return.
 */
export function renderCase(el, ret, { onChange = () => {}, focus = false } = {}) {
  const heading = h("h2", { id: `case-${ret.id}-title`, class: "case-title" }, `Return ${ret.number}`);
  mount(el, h("article", { class: "case stack", "aria-labelledby": heading.id, "data-return-id": ret.id },
    h("header", { class: "case-head" },
      h("div", { class: "row" }, heading,
        h("span", { class: `badge ${statusTone(ret.status)}`, "data-status": ret.status },
          statusLabel(ret.status, "staff")),
        ret.resolution ? h("span", { class: "badge" }, ret.resolution === "KEEP_ITEM" ? "Keep item" : "Ship back")
          : null),
      meta(ret)),
    whyHere(ret),
    actions(el, ret, onChange),
    h("div", { class: "case-grid" },
      h("div", { class: "stack" }, items(ret), trace(ret)),
      h("div", { class: "stack" }, refundsAndLabel(ret), history(ret), timeline(ret)))));
  if (focus) focusOn(heading);
}

function meta(ret) {
  const orderLink = bridge.embedded
    ? h("button", { type: "button", class: "button link inline", onclick: () => bridge.redirect(`/orders/${ret.orderId}`) },
      `Order #${ret.orderNumber}`)
    : h("span", {}, `Order #${ret.orderNumber}`);
  return h("dl", { class: "meta" },
    h("div", {}, h("dt", {}, "Order"), h("dd", {}, orderLink)),
    h("div", {}, h("dt", {}, "Customer"), h("dd", {}, ret.customerEmail)),
    h("div", {}, h("dt", {}, "Refund"), h("dd", { "data-refund-total": "" }, money(ret.refundTotal))),
    h("div", {}, h("dt", {}, "Asked"), h("dd", {}, moment(ret.createdAt, ret.timezone))),
    h("div", {}, h("dt", {}, "Channel"), h("dd", {}, ret.channel)),
    h("div", {}, h("dt", {}, "Deadline"), h("dd", {}, ret.deadline ? deadlineShort(ret.deadline, ret.timezone) : "—")),
    h("div", {}, h("dt", {}, "Policy"), h("dd", {}, `version ${ret.decision.policyVersion}`)));
}

function whyHere(ret) {
  const reasons = ret.decision.reviewReasons;
  if (!reasons.length) return null;
  const asked = ret.events.find((e) => e.type === "REQUESTED" && e.note);
  return h("div", { class: "alert warning" },
    h("p", { class: "alert-title" }, ret.status === "PENDING_REVIEW" ? "Why it needs you" : "Why it was reviewed"),
    h("ul", { class: "compact" }, reasons.map((r) => h("li", {}, reviewReasonLabel(r)))),
    asked ? h("p", { class: "shopper-note" }, `The shopper wrote: “${asked.note}”`) : null);
}

function items(ret) {
  return h("section", { class: "card stack", "aria-label": "Items" },
    h("h3", {}, "Items"),
    h("table", { class: "table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Item"), h("th", { scope: "col" }, "Qty"),
        h("th", { scope: "col" }, "Reason"), h("th", { scope: "col", class: "num" }, "Refund"))),
      h("tbody", {}, ret.lines.map((l) => h("tr", {},
        h("td", {}, l.productName, l.sku ? h("div", { class: "muted small" }, l.sku) : null),
        h("td", {}, String(l.quantity)),
        h("td", {}, reasonLabel(l.reason), l.comment ? h("div", { class: "small" }, `“${l.comment}”`) : null),
        h("td", { class: "num" }, money(l.refund)))))));
}

function trace(ret) {
  return h("section", { class: "card stack", "aria-label": "Reason trace" },
    h("h3", {}, "Reason trace"),
    h("p", { class: "muted small" }, `Every rule the policy (version ${ret.decision.policyVersion}) ran, in order.`),
    h("table", { class: "table trace" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Rule"), h("th", { scope: "col" }, "Verdict"),
        h("th", { scope: "col" }, "Detail"))),
      h("tbody", {}, ret.decision.trace.map((t) => h("tr", { class: flagged(t) ? "flagged" : null },
        h("td", { class: "sr-mono" }, t.rule),
        h("td", {}, h("span", { class: `badge ${verdictTone(t.verdict)}` }, t.verdict)),
        h("td", {}, humanizeMoments(t.detail, ret.timezone)))))));
}

function flagged(t) {
  return t.rule !== "decision" && ["warning", "critical"].includes(verdictTone(t.verdict));
}

function verdictTone(verdict) {
  if (verdict === "PASS") return "success";
  if (["REVIEW", "IN_GRACE", "PENDING_REVIEW"].includes(verdict)) return "warning";
  if (["APPROVED", "KEEP_ITEM", "SHIP_BACK"].includes(verdict)) return "info";
  return "critical";
}

function refundsAndLabel(ret) {
  return h("section", { class: "card stack", "aria-label": "Refund and label" },
    h("h3", {}, "Refund"),
    ret.refunds.length ? h("ul", { class: "plain" }, ret.refunds.map((r) => h("li", { "data-refund-status": r.status },
      h("span", {}, money(r.amount)), " ",
      h("span", { class: `badge ${refundStatusTone(r.status)}` }, refundStatusLabel(r.status)),
      h("span", { class: "muted small" }, ` ${r.gateway}${r.pspReference ? ` · ${r.pspReference}` : ""}`),
      r.failureMessage ? h("div", { class: "small error-text" }, sentence(r.failureMessage)) : null)))
      : h("p", { class: "muted" }, "No refund yet."),
    h("h3", {}, "Label"),
    ret.label ? h("div", { class: "stack" },
      h("p", { class: "small" }, `${ret.label.carrier} · ${ret.label.trackingNumber}`,
        ret.shipBy ? ` · ship by ${deadlineShort(ret.shipBy, ret.timezone)}` : ""),
      h("p", {}, h("a", { class: "button", href: ret.label.url, target: "_blank", rel: "noopener",
        "data-label-link": "" }, "Reprint label (PDF)")))
      : h("p", { class: ret.labelError ? "error-text" : "muted" }, ret.resolution === "KEEP_ITEM"
        ? "None needed: the shopper keeps the item."
        : ret.labelError ? `No label: ${sentence(ret.labelError.message)}` : "No label yet."));
}

function history(ret) {
  const body = h("div", {}, h("p", { class: "loading small" }, "Loading the customer's returns…"));
  loadHistory(body, ret);
  return h("section", { class: "card stack", "aria-label": "Customer history" },
    h("h3", {}, "Customer history"), body);
}

async function loadHistory(body, ret) {
  try {
    const data = await gql(RETURNS, { filter: { search: ret.customerEmail }, first: 20 });
    const others = data.returnRequests.edges.map((e) => e.node).filter((r) => r.id !== ret.id);
    if (!others.length) {
      mount(body, h("p", { class: "muted", "data-history": "0" }, "First return from this customer."));
      return;
    }
    const kept = others.filter((r) => r.resolution === "KEEP_ITEM").length;
    mount(body,
      h("p", { class: "small", "data-history": String(others.length) },
        `${others.length} earlier return${others.length > 1 ? "s" : ""}, ${kept} kept (keep-item).`),
      h("ul", { class: "plain" }, others.map((r) => h("li", {},
        h("a", { href: `#/returns/${encodeURIComponent(r.id)}` }, r.number), ` · order #${r.orderNumber} · `,
        money(r.refundTotal), " ",
        h("span", { class: `badge ${statusTone(r.status)}` }, statusLabel(r.status, "staff")),
        h("span", { class: "muted small" }, ` ${moment(r.createdAt, r.timezone)}`)))));
  } catch {
    mount(body, h("p", { class: "error-text" }, "The customer's history could not be loaded."));
  }
}

function timeline(ret) {
  return h("section", { class: "card stack", "aria-label": "Timeline" },
    h("h3", {}, "Timeline"),
    h("ol", { class: "timeline" }, ret.events.map((e) => h("li", { class: "done" },
      h("div", {}, eventLabel(e.type, "staff"), h("span", { class: "muted small" }, ` · ${e.actor}`)),
      e.note ? h("div", { class: "small" }, e.note) : null,
      h("time", { class: "when", datetime: e.at }, moment(e.at, ret.timezone))))));
}

// --- actions ------------------------------------------------------------------------------------

function actions(el, ret, onChange) {
  const buttons = [];
  const add = (label, cls, run) => {
    const b = h("button", { type: "button", class: `button ${cls}` }, label);
    buttons.push([b, run]);
    return b;
  };
  const pendingRefund = ret.refunds.some((r) => r.status === "PENDING");
  if (ret.status === "PENDING_REVIEW") {
    add("Approve", "primary", (note) => act(APPROVE, "approveReturn", { id: ret.id, note }, "approved"));
    if (ret.resolution !== "KEEP_ITEM") {
      add("Approve as keep-item", "", (note) => act(APPROVE, "approveReturn",
        { id: ret.id, note, resolution: "KEEP_ITEM" }, "approved as keep-item"));
    }
    add("Reject", "danger", (note, noteEl) => {
      if (!note) {
        setFieldError(noteEl, "Say why: the shopper sees this note.");
        noteEl.focus();
        return null;
      }
      return act(REJECT, "rejectReturn", { id: ret.id, note }, "rejected");
    });
  }
  if (RECEIVABLE.includes(ret.status) && ret.resolution !== "KEEP_ITEM") {
    add("Mark received", "primary", (note) => act(RECEIVED, "markReturnReceived", { id: ret.id, note }, "marked received"));
  }
  if (ret.status === "REFUND_FAILED" || pendingRefund) {
    add("Retry refund", "primary", () => act(RETRY, "retryRefund", { id: ret.id }, "refund retried"));
  }
  if (STAFF_CANCELLABLE.includes(ret.status)) {
    add("Cancel return", "", () => act(CANCEL, "cancelReturn", { id: ret.id }, "cancelled"));
  }
  if (!buttons.length) return null;

  const note = h("textarea", { name: "note", rows: 2, maxlength: 2000 });
  const status = h("div", { class: "form-status", "aria-live": "polite" });
  const all = buttons.map(([b]) => b);
  const box = h("section", { class: "card stack actions", "aria-label": "Actions" },
    h("h3", {}, "Decide"),
    goodwillHint(ret),
    field({ label: "Note", control: note, name: "note",
      hint: "Saved in the audit log with your action. A rejection note is shown to the shopper." }),
    h("div", { class: "row" }, all),
    status);
  for (const [button, run] of buttons) {
    button.addEventListener("click", () => once(box, all, async () => {
      setFieldError(note, null);
      mount(status);
      const pending = run(note.value.trim() || null, note);
      if (!pending) return;
      const result = await pending;
      if (!result) return;
      if (result.error) {
        mount(status, h("div", { class: "alert critical", role: "alert" },
          h("p", { class: "alert-title" }, result.error.title), result.error.detail ? h("p", {}, result.error.detail) : null));
        if (result.error.field === "note") { setFieldError(note, result.error.detail || result.error.title); note.focus(); }
        return;
      }
      toast("success", `${result.ret.number} ${result.done}`, statusLabel(result.ret.status, "staff"));
      refreshGoodwill();
      renderCase(el, result.ret, { onChange, focus: true });
      onChange(result.ret);
    }));
  }
  return box;
}

function goodwillHint(ret) {
  if (ret.status !== "PENDING_REVIEW") return null;
  const budget = budgetFor(ret.refundTotal.currency);
  const left = budget ? ` You have ${money(budget.left)} of ${money(budget.daily)} left today.` : "";
  const over = budget && exceeds(ret.refundTotal.amount, budget.left.amount);
  const amount = money(ret.refundTotal);
  if (ret.exceptionRequested) {
    return h("p", { class: `goodwill-hint small ${over ? "error-text" : "muted"}`, "data-goodwill-hint": "" },
      `Out of policy: approving spends ${amount} of your goodwill.${left}`,
      over ? " That is more than is left: a store owner needs to approve this one." : "");
  }
  return h("p", { class: "goodwill-hint small muted", "data-goodwill-hint": "" },
    `Approving as it is spends no goodwill; converting to keep-item spends ${amount}.${left}`,
    over ? " Converting needs a store owner." : "");
}

function exceeds(a, b) {
  // decimal strings of one currency: compare exactly, without floats
  const [ai, af = ""] = String(a).split(".");
  const [bi, bf = ""] = String(b).split(".");
  const scale = Math.max(af.length, bf.length);
  return BigInt(ai + af.padEnd(scale, "0")) > BigInt(bi + bf.padEnd(scale, "0"));
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
  const { title, detail } = describeError(err);
  bridge.notify("error", title, detail); // the Dashboard's toast; the inline alert is drawn by the caller
  return { error: { title, detail, field: err.field || null } };
}
