// Step 2: the order's lines, each with the date that applies and why it can (or cannot) go back; the returns
// already made on it; pick, say why, see what would happen (preview.js), then commit.
import { onSubmitOnce } from "../shared/busy.js";
import { sumTimes } from "../shared/decimal.js";
import { field, focusOn, h, mount, newId, setFieldError } from "../shared/dom.js";
import { day, deadlineLocal, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { reasonLabel, statusLabel, statusTone } from "../shared/messages.js";
import { gql, REQUEST_RETURN, signedIn, statusUrl } from "./api.js";
import { renderOutcome, renderOutcomes } from "./outcome.js";
import { showPreview } from "./preview.js";
import { announce, errorBox, lineDate, lineWhy, loading, onlyExpired, zoneNote } from "./ui.js";

/** Render the order view into `app`. */
export function renderOrder(app, { order, policy, email }) {
  const ctx = { app, order, policy, email };
  const returnable = order.lines.filter((l) => l.eligible && l.quantityReturnable > 0);
  const rest = order.lines.filter((l) => !returnable.includes(l));
  const heading = h("h1", { id: "order-title" }, t("order.title", { number: order.orderNumber }));
  const view = h("section", { class: "stack", "aria-labelledby": "order-title" },
    h("div", { class: "panel stack" },
      heading,
      h("p", { class: "muted" }, signedIn() ? t("order.introSignedIn") : t("order.intro", { email })),
      summary(order, returnable),
      order.deadline ? zoneNote(order.timezone, order.deadline) : null),
    earlierReturns(ctx),
    returnable.length ? returnForm(ctx, returnable) : nothingReturnable(rest),
    pastPeriod(ctx, rest.filter(onlyExpired)),
    notReturnable(ctx, rest.filter((l) => !onlyExpired(l))),
    h("p", {}, h("button", { type: "button", class: "button link", onclick: () => restart(app) }, t("order.another"))));
  mount(app, view);
  focusOn(heading);
}

async function restart(app) {
  const { renderFind } = await import("./find.js");
  renderFind(app, {});
}

/** One deadline, said one way: the date that applies to what can still go back (or when it ended). */
function summary(order, returnable) {
  const latest = (lines) => lines.map(lineDate).filter(Boolean).sort().pop();
  if (returnable.length) {
    const date = latest(returnable);
    const allInGrace = returnable.every((l) => l.inGrace);
    return h("div", { class: "deadline-box", "data-deadline": "open" },
      h("span", { class: "label" }, t("order.returnBy")),
      h("time", { datetime: date }, deadlineLocal(date, order.timezone)),
      allInGrace ? h("span", { class: "small muted" },
        t("order.graceNote", { windowEnd: day(returnable.map((l) => l.deadline).sort().pop(), order.timezone) }))
        : null);
  }
  const expired = order.lines.filter(onlyExpired);
  if (!expired.length) return null;
  const ended = latest(expired);
  return h("div", { class: "deadline-box", "data-deadline": "ended" },
    h("span", { class: "label" }, t("order.periodEnded")),
    h("time", { datetime: ended }, deadlineLocal(ended, order.timezone)));
}

/** The returns already made on this order: number, status, a link to follow it, and the label to reprint. */
function earlierReturns(ctx) {
  const returns = ctx.order.returns || [];
  if (!returns.length) return null;
  return h("section", { class: "panel stack", "aria-labelledby": "returns-title", "data-order-returns": "" },
    h("h2", { id: "returns-title" }, t("order.yourReturns", { count: returns.length })),
    h("ul", { class: "plain-list order-returns" }, returns.map((r) => h("li", { "data-return-number": r.number },
      h("strong", {}, r.number),
      h("span", { class: `badge ${statusTone(r.status)}`, "data-status": r.status }, statusLabel(r.status)),
      h("span", { class: "small muted" }, r.lines.map((l) => `${l.quantity} × ${l.productName}`).join(", ")),
      h("span", { class: "actions" },
        r.label ? h("a", { class: "button", href: r.label.url, target: "_blank", rel: "noopener", "data-label-link": "" },
          t("order.reprintLabel"), h("span", { class: "visually-hidden" }, ` ${r.number}`)) : null,
        h("a", { class: "button", href: statusUrl(r, ctx.email) }, t("order.followReturn"),
          h("span", { class: "visually-hidden" }, ` ${r.number}`)))))));
}

function returnOf(ctx, line) {
  return (ctx.order.returns || []).find((r) => r.lines.some((l) => l.orderLineId === line.orderLineId)) || null;
}

function nothingReturnable(rest) {
  return h("div", { class: "empty" }, rest.some(onlyExpired) ? t("order.noneButException") : t("order.none"));
}

// --- the return form --------------------------------------------------------------------------

function returnForm(ctx, lines) {
  const rows = lines.map((line) => lineRow(ctx, line));
  const estimate = h("p", { class: "estimate", "aria-live": "polite" });
  const status = h("div", { class: "form-status" });
  const previewArea = h("div", { class: "preview-area" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, t("order.continue"));
  const method = refundMethodPicker(ctx.order.refundMethods || []);
  const form = h("form", { class: "panel stack", novalidate: true, "aria-labelledby": "pick-title" },
    h("h2", { id: "pick-title" }, t("order.pickTitle")),
    h("ul", { class: "lines", role: "list" }, rows.map((r) => r.el)),
    method ? method.el : null,
    estimate, status, submit);
  const update = () => {
    mount(previewArea); // a change makes the last preview wrong: it goes
    const picked = rows.filter((r) => r.checkbox.checked);
    if (!picked.length) { mount(estimate); return; }
    const amount = sumTimes(picked.map((r) => ({ amount: r.line.unitRefund.amount, quantity: r.quantity() })));
    mount(estimate, t("order.estimate"), " ",
      h("strong", {}, money({ amount, currency: picked[0].line.unitRefund.currency })),
      h("span", { class: "muted small" }, ` · ${t("order.estimateNote")}`));
  };
  form.addEventListener("change", update);
  form.addEventListener("input", () => mount(previewArea));
  const only = (lineIds) => {
    for (const r of rows) {
      r.checkbox.checked = lineIds.includes(r.line.orderLineId);
      r.details.hidden = !r.checkbox.checked;
    }
    update();
    form.requestSubmit();
  };
  onSubmitOnce(form, () => review(ctx, rows, status, previewArea, only, method));
  return h("div", { class: "stack" }, form, previewArea);
}

function lineRow(ctx, line) {
  const id = newId("line");
  const why = lineWhy(line, ctx.order.timezone);
  const checkbox = h("input", { type: "checkbox", id: `${id}-pick`, "aria-describedby": `${id}-why`,
    "data-line": line.orderLineId });
  const details = h("div", { class: "line-details stack", hidden: true });
  const qty = line.quantityReturnable > 1 ? h("select", { name: "quantity" },
    Array.from({ length: line.quantityReturnable }, (_, i) => h("option", { value: i + 1 }, String(i + 1))))
    : null;
  const picker = reasonPicker(ctx.policy, line);
  if (qty) details.append(field({ label: forLine(t("order.howMany"), line), control: qty, name: "quantity" }));
  details.append(picker.el);
  const exchange = exchangePicker(line);
  if (exchange) details.append(field({ label: forLine(t("order.instead"), line), control: exchange,
    name: "exchangeVariantId" }));
  checkbox.addEventListener("change", () => { details.hidden = !checkbox.checked; });
  const el = h("li", { class: "line", "data-line-id": line.orderLineId },
    h("div", { class: "line-head" },
      checkbox,
      h("label", { for: checkbox.id, class: "line-name" }, line.productName,
        line.sku ? h("span", { class: "sku" }, line.sku) : null),
      h("span", { class: "line-price" }, money(line.unitRefund))),
    h("p", { id: `${id}-why`, class: `line-why ${why.tone}` }, why.text),
    details);
  return { el, line, checkbox, qty, picker, details, exchange, quantity: () => (qty ? Number(qty.value) : 1) };
}

/** Per line: a refund, or another variant of the same product (exchanges.md); none when nothing is offered. */
function exchangePicker(line) {
  const options = line.exchangeOptions || [];
  if (!options.length) return null;
  return h("select", { name: "exchangeVariantId", "data-line": line.orderLineId },
    h("option", { value: "" }, t("order.insteadRefund")),
    options.map((o) => h("option", { value: o.variantId, disabled: !o.available },
      o.available ? t("order.insteadVariant", { name: o.name, price: money(o.unitPrice) })
        : t("order.insteadSoldOut", { name: o.name }))));
}

/** Per return: the original payment, or store credit with its bonus (only when the store offers it). */
function refundMethodPicker(methods) {
  if (methods.length < 2) return null;
  const group = newId("method");
  const inputs = methods.map((m) => h("input", { type: "radio", name: group, value: m.method,
    id: newId("method"), checked: m.method === "ORIGINAL_PAYMENT" }));
  const el = h("fieldset", { class: "group", "data-field": "refundMethod" },
    h("legend", {}, t("order.refundMethod")),
    methods.map((m, i) => h("div", { class: "check" }, inputs[i], h("label", { for: inputs[i].id },
      m.method === "STORE_CREDIT" ? (Number(m.bonusPercent) > 0
        ? t("order.storeCreditBonus", { bonus: m.bonusPercent }) : t("order.storeCredit"))
        : t("order.originalPayment")))));
  return { el, value: () => (inputs.find((i) => i.checked) || inputs[0]).value };
}

/** A visible label that names its line for screen readers ("Reason" → "Reason for Laptop 14"). */
function forLine(text, line) {
  return [text, h("span", { class: "visually-hidden" }, ` ${t("order.forLine", { name: line.productName })}`)];
}

/** The reason select, and the comment box the policy asks for with some reasons. */
export function reasonPicker(policy, line) {
  const select = h("select", { name: "reason", "data-line": line.orderLineId },
    h("option", { value: "" }, t("order.chooseReason")),
    policy.reasons.map((r) => h("option", { value: r }, reasonLabel(r))));
  const comment = h("textarea", { name: "comment", rows: 3, maxlength: 2000 });
  const commentField = field({ label: forLine(t("order.tellMore"), line), control: comment, name: "comment",
    hint: t("order.tellMoreHint") });
  commentField.hidden = true;
  const needsComment = () => policy.commentRequired.includes(select.value);
  select.addEventListener("change", () => {
    commentField.hidden = !needsComment();
    setFieldError(select, null);
  });
  const el = h("div", { class: "stack" }, field({ label: forLine(t("order.reason"), line), control: select, name: "reason" }),
    commentField);
  return { el, select, comment, needsComment };
}

/** Client checks mirror the API's (which stays the judge); returns the first control to fix, or null. */
export function checkPicker(picker) {
  setFieldError(picker.select, null);
  setFieldError(picker.comment, null);
  if (!picker.select.value) {
    setFieldError(picker.select, t("order.needReason"));
    return picker.select;
  }
  if (picker.needsComment() && !picker.comment.value.trim()) {
    setFieldError(picker.comment, t("order.needComment"));
    return picker.comment;
  }
  return null;
}

function requestedLines(picked) {
  return picked.map((r) => ({
    orderLineId: r.line.orderLineId, quantity: r.quantity(), reason: r.picker.select.value,
    comment: r.picker.needsComment() ? r.picker.comment.value.trim() : null,
    exchangeVariantId: r.exchange && r.exchange.value ? r.exchange.value : null,
  }));
}

/** Check the picks, then show what would happen (nothing is saved until the shopper confirms). */
async function review(ctx, rows, status, previewArea, only, method) {
  mount(status);
  const picked = rows.filter((r) => r.checkbox.checked);
  if (!picked.length) {
    mount(status, h("div", { class: "alert warning", role: "alert" }, h("p", {}, t("order.pickOne"))));
    rows[0].checkbox.focus();
    return;
  }
  const invalid = picked.map((r) => checkPicker(r.picker)).filter(Boolean);
  if (invalid.length) {
    invalid[0].focus();
    return;
  }
  const lines = requestedLines(picked);
  const chosen = method ? { lines, refundMethod: method.value() } : { lines };
  await showPreview(ctx, previewArea, chosen, {
    confirm: (area) => send(ctx, chosen, area, picked),
    split: (keptIds, area) => sendSplit(ctx, chosen, keptIds, area, picked),
    only,
    onError: (result) => { mount(status, errorBox(result)); focusField(result.field, picked) || focusOn(status.firstChild); },
  });
}

/** Send a requestReturn and show what came back: the outcome, the refused lines, or the error by field. */
export async function send(ctx, extra, status, rows) {
  mount(status, loading(t("order.sending")));
  const input = { orderId: ctx.order.orderId, email: ctx.email, ...extra };
  try {
    const { requestReturn: result } = await gql(REQUEST_RETURN, { input });
    if (result.__typename === "ReturnRequested") {
      renderOutcome(ctx.app, { ret: result.returnRequest, policy: ctx.policy, email: ctx.email });
      return;
    }
    refused(ctx, result, status, rows);
  } catch (err) {
    mount(status, errorBox(err));
    focusOn(status.firstChild);
  }
}

/** A mixed basket as two returns, each with its own best outcome: first the lines kept on their own (refunded at
 * once), then the rest (in the box). When the second cannot be made, the first still stands and the page says
 * which items are not returned yet. */
async function sendSplit(ctx, chosen, keptIds, status, rows) {
  const { lines, ...rest } = chosen; // the refund method, if chosen, goes with both
  const parts = [lines.filter((l) => keptIds.includes(l.orderLineId)),
    lines.filter((l) => !keptIds.includes(l.orderLineId))];
  mount(status, loading(t("order.sending")));
  const made = [];
  for (const part of parts) {
    let result;
    try {
      ({ requestReturn: result } = await gql(REQUEST_RETURN,
        { input: { orderId: ctx.order.orderId, email: ctx.email, ...rest, lines: part } }));
    } catch (err) {
      result = err;
    }
    if (result && result.__typename === "ReturnRequested") { made.push(result.returnRequest); continue; }
    if (!made.length) {
      if (result instanceof Error) { mount(status, errorBox(result)); focusOn(status.firstChild); return; }
      refused(ctx, result, status, rows);
      return;
    }
    const names = part.map((l) => rows.find((r) => r.line.orderLineId === l.orderLineId).line.productName);
    renderOutcomes(ctx.app, made, { policy: ctx.policy, email: ctx.email, notReturned: names });
    return;
  }
  renderOutcomes(ctx.app, made, { policy: ctx.policy, email: ctx.email });
}

function refused(ctx, result, status, rows) {
  if (result.__typename === "ReturnNotEligible") {
    mount(status, notEligible(result.lines, ctx.order.timezone));
    announce(t("order.someRefused"));
    return;
  }
  mount(status, errorBox(result));
  focusField(result.field, rows) || focusOn(status.firstChild);
}

function focusField(path, rows) {
  const m = /^lines\[(\d+)\]\.(\w+)$/.exec(path || "");
  if (!m || !rows[Number(m[1])]) return false;
  const row = rows[Number(m[1])];
  const control = { reason: row.picker.select, comment: row.picker.comment, quantity: row.qty,
    exchangeVariantId: row.exchange }[m[2]];
  if (!control) return false;
  if (control === row.picker.comment) control.closest(".field").hidden = false;
  control.focus();
  return true;
}

function notEligible(lines, timezone) {
  return h("div", { class: "alert warning", role: "alert" },
    h("p", { class: "alert-title" }, t("order.refusedTitle")),
    h("ul", {}, lines.map((l) => h("li", {}, `${l.productName}: ${lineWhy(l, timezone).text}`))));
}

// --- lines past the period (ask for an exception), and lines that cannot go back at all ----------------

function pastPeriod(ctx, lines) {
  if (!lines.length) return null;
  return h("section", { class: "panel stack", "aria-labelledby": "past-title" },
    h("h2", { id: "past-title" }, t("order.pastTitle")),
    h("p", { class: "small muted" }, t("order.pastIntro")),
    h("ul", { class: "lines", role: "list" }, lines.map((line) => otherRow(ctx, line, true))));
}

function notReturnable(ctx, lines) {
  if (!lines.length) return null;
  return h("section", { class: "panel stack", "aria-labelledby": "other-title" },
    h("h2", { id: "other-title" }, t("order.otherTitle")),
    h("ul", { class: "lines", role: "list" }, lines.map((line) => otherRow(ctx, line, false))));
}

function otherRow(ctx, line, exception) {
  const id = newId("other");
  const why = lineWhy(line, ctx.order.timezone, returnOf(ctx, line));
  return h("li", { class: "line", "data-line-id": line.orderLineId },
    h("div", { class: "line-head" },
      h("span", { class: "line-name" }, line.productName, line.sku ? h("span", { class: "sku" }, line.sku) : null),
      h("span", { class: "line-price" }, money(line.unitRefund))),
    h("p", { id: `${id}-why`, class: `line-why ${why.tone}` }, why.text),
    exception ? exceptionForm(ctx, line, id) : null);
}

function exceptionForm(ctx, line, id) {
  const formId = `${id}-exception`;
  const toggle = h("button", { type: "button", class: "button", "aria-expanded": "false", "aria-controls": formId },
    t("order.askException"), h("span", { class: "visually-hidden" }, ` ${t("order.forLine", { name: line.productName })}`));
  const qty = h("input", { type: "number", name: "quantity", min: 1, step: 1, value: 1, inputmode: "numeric" });
  const picker = reasonPicker(ctx.policy, line);
  const note = h("textarea", { name: "note", rows: 3, maxlength: 2000 });
  const status = h("div", { class: "form-status" });
  const submit = h("button", { type: "submit", class: "button primary" }, t("order.sendRequest"));
  const form = h("form", { id: formId, class: "exception stack", novalidate: true, hidden: true },
    h("p", {}, t("order.exceptionIntro")),
    field({ label: forLine(t("order.howMany"), line), control: qty, name: "quantity" }),
    picker.el,
    field({ label: t("order.noteOptional"), control: note, name: "note" }),
    status, submit);
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) qty.focus();
  });
  const row = { picker, qty, quantity: () => Number(qty.value || 1) };
  onSubmitOnce(form, async () => {
    const bad = checkPicker(picker);
    if (bad) { bad.focus(); return; }
    const lines = [{ orderLineId: line.orderLineId, quantity: row.quantity(), reason: picker.select.value,
      comment: picker.needsComment() ? picker.comment.value.trim() : null }];
    await send(ctx, { lines, exceptionRequested: true, note: note.value.trim() || null }, status, [row]);
  });
  return h("div", { class: "stack" }, toggle, form);
}
