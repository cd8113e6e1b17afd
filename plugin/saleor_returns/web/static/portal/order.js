// Step 2: the order's lines, each with its deadline and why it can (or cannot) go back; pick, say why, submit.
import { onSubmitOnce } from "../shared/busy.js";
import { sumTimes } from "../shared/decimal.js";
import { field, focusOn, h, mount, newId, setFieldError } from "../shared/dom.js";
import { deadline, money } from "../shared/format.js";
import { reasonLabel } from "../shared/messages.js";
import { gql, REQUEST_RETURN } from "./api.js";
import { renderOutcome } from "./outcome.js";
import { announce, errorBox, lineWhy, loading } from "./ui.js";

/** Render the order view into `app`. */
export function renderOrder(app, { order, policy, email }) {
  const ctx = { app, order, policy, email };
  const returnable = order.lines.filter((l) => l.eligible && l.quantityReturnable > 0);
  const heading = h("h1", { id: "order-title" }, `Order #${order.orderNumber}`);
  const view = h("section", { class: "stack", "aria-labelledby": "order-title" },
    h("div", { class: "panel stack" },
      heading,
      h("p", { class: "muted" }, `Placed with ${email}. Prices are what you paid per item.`),
      summary(order)),
    returnable.length ? returnForm(ctx, returnable) : nothingReturnable(order),
    otherLines(ctx, order.lines.filter((l) => !returnable.includes(l))),
    h("p", {}, h("button", { type: "button", class: "button link", onclick: () => restart(app) },
      "Look up another order")));
  mount(app, view);
  focusOn(heading);
}

async function restart(app) {
  const { renderFind } = await import("./find.js");
  renderFind(app, {});
}

function summary(order) {
  if (!order.deadline) return null;
  const past = order.lines.every((l) => !l.eligible);
  return h("div", { class: "deadline-box" },
    h("span", { class: "label" }, past ? "Return period" : "Return by"),
    h("time", { datetime: order.deadline }, deadline(order.deadline, order.timezone)),
    order.graceDeadline && order.graceDeadline !== order.deadline
      ? h("span", { class: "small muted" }, `Grace period until ${deadline(order.graceDeadline, order.timezone)}`)
      : null);
}

function nothingReturnable(order) {
  const anyException = order.lines.some(onlyExpired);
  return h("div", { class: "empty" }, anyException
    ? "None of these items is inside the return period any more, but you can ask us for an exception below."
    : "None of the items in this order can be returned. The reason is shown under each item.");
}

export function onlyExpired(line) {
  return line.codes.length === 1 && line.codes[0] === "WINDOW_EXPIRED";
}

// --- the return form --------------------------------------------------------------------------

function returnForm(ctx, lines) {
  const rows = lines.map((line) => lineRow(ctx, line));
  const estimate = h("p", { class: "estimate", "aria-live": "polite" });
  const status = h("div", { class: "form-status" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, "Return selected items");
  const form = h("form", { class: "panel stack", novalidate: true, "aria-labelledby": "pick-title" },
    h("h2", { id: "pick-title" }, "What would you like to return?"),
    h("ul", { class: "lines", role: "list" }, rows.map((r) => r.el)),
    estimate, status, submit);
  const update = () => {
    const picked = rows.filter((r) => r.checkbox.checked);
    if (!picked.length) { mount(estimate); return; }
    const amount = sumTimes(picked.map((r) => ({ amount: r.line.unitRefund.amount, quantity: r.quantity() })));
    mount(estimate, "Estimated refund ", h("strong", {}, money({ amount, currency: picked[0].line.unitRefund.currency })),
      h("span", { class: "muted small" }, " · the final amount is confirmed on the next screen"));
  };
  form.addEventListener("change", update);
  onSubmitOnce(form, () => submitReturn(ctx, rows, status));
  return form;
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
  if (qty) details.append(field({ label: forLine("How many?", line), control: qty, name: "quantity" }));
  details.append(picker.el);
  checkbox.addEventListener("change", () => { details.hidden = !checkbox.checked; });
  const el = h("li", { class: "line", "data-line-id": line.orderLineId },
    h("div", { class: "line-head" },
      checkbox,
      h("label", { for: checkbox.id, class: "line-name" }, line.productName,
        line.sku ? h("span", { class: "sku" }, line.sku) : null),
      h("span", { class: "line-price" }, money(line.unitRefund))),
    h("p", { id: `${id}-why`, class: `line-why ${why.tone}` }, why.text),
    details);
  return { el, line, checkbox, qty, picker, quantity: () => (qty ? Number(qty.value) : 1) };
}

/** A visible label that names its line for screen readers ("Reason" → "Reason for Laptop 14"). */
function forLine(text, line) {
  return [text, h("span", { class: "visually-hidden" }, ` for ${line.productName}`)];
}

/** The reason select, and the comment box the policy asks for with some reasons. */
export function reasonPicker(policy, line) {
  const select = h("select", { name: "reason", "data-line": line.orderLineId },
    h("option", { value: "" }, "Choose a reason"),
    policy.reasons.map((r) => h("option", { value: r }, reasonLabel(r))));
  const comment = h("textarea", { name: "comment", rows: 3, maxlength: 2000 });
  const commentField = field({ label: forLine("Tell us a little more", line), control: comment, name: "comment",
    hint: "Required for this reason; it helps us put things right." });
  commentField.hidden = true;
  const needsComment = () => policy.commentRequired.includes(select.value);
  select.addEventListener("change", () => {
    commentField.hidden = !needsComment();
    setFieldError(select, null);
  });
  const el = h("div", { class: "stack" }, field({ label: forLine("Reason", line), control: select, name: "reason" }),
    commentField);
  return { el, select, comment, needsComment };
}

/** Client checks mirror the API's (which stays the judge); returns the first control to fix, or null. */
export function checkPicker(picker) {
  setFieldError(picker.select, null);
  setFieldError(picker.comment, null);
  if (!picker.select.value) {
    setFieldError(picker.select, "Please choose a reason.");
    return picker.select;
  }
  if (picker.needsComment() && !picker.comment.value.trim()) {
    setFieldError(picker.comment, "Please tell us a little more about the reason.");
    return picker.comment;
  }
  return null;
}

async function submitReturn(ctx, rows, status) {
  mount(status);
  const picked = rows.filter((r) => r.checkbox.checked);
  if (!picked.length) {
    mount(status, errorBox({ code: "INVALID_INPUT", message: "Choose at least one item to return." }));
    rows[0].checkbox.focus();
    return;
  }
  const invalid = picked.map((r) => checkPicker(r.picker)).filter(Boolean);
  if (invalid.length) {
    invalid[0].focus();
    return;
  }
  const lines = picked.map((r) => ({
    orderLineId: r.line.orderLineId, quantity: r.quantity(), reason: r.picker.select.value,
    comment: r.picker.needsComment() ? r.picker.comment.value.trim() : null,
  }));
  await send(ctx, { lines }, status, picked);
}

/** Send a requestReturn and show what came back: the outcome, the refused lines, or the error by field. */
export async function send(ctx, extra, status, rows) {
  mount(status, loading("Sending your return…"));
  const input = { orderId: ctx.order.orderId, email: ctx.email, ...extra };
  try {
    const { requestReturn: result } = await gql(REQUEST_RETURN, { input });
    if (result.__typename === "ReturnRequested") {
      renderOutcome(ctx.app, { ret: result.returnRequest, policy: ctx.policy, email: ctx.email });
      return;
    }
    if (result.__typename === "ReturnNotEligible") {
      mount(status, notEligible(result.lines, ctx.order.timezone));
      announce("Some items can't be returned.");
      return;
    }
    mount(status, errorBox(result));
    focusField(result.field, rows) || focusOn(status.firstChild);
  } catch (err) {
    mount(status, errorBox(err));
    focusOn(status.firstChild);
  }
}

function focusField(path, rows) {
  const m = /^lines\[(\d+)\]\.(\w+)$/.exec(path || "");
  if (!m || !rows[Number(m[1])]) return false;
  const row = rows[Number(m[1])];
  const control = { reason: row.picker.select, comment: row.picker.comment, quantity: row.qty }[m[2]];
  if (!control) return false;
  if (control === row.picker.comment) control.closest(".field").hidden = false;
  control.focus();
  return true;
}

function notEligible(lines, timezone) {
  return h("div", { class: "alert warning", role: "alert" },
    h("p", { class: "alert-title" }, "These items can't be returned any more"),
    h("ul", {}, lines.map((l) => h("li", {}, `${l.productName}: ${lineWhy(l, timezone).text}`))));
}

// --- lines that cannot go back (and the exception request for the ones just past the period) ---------

function otherLines(ctx, lines) {
  if (!lines.length) return null;
  return h("section", { class: "panel stack", "aria-labelledby": "other-title" },
    h("h2", { id: "other-title" }, "Items that can't be returned here"),
    h("ul", { class: "lines", role: "list" }, lines.map((line) => otherRow(ctx, line))));
}

function otherRow(ctx, line) {
  const id = newId("other");
  const why = lineWhy(line, ctx.order.timezone);
  return h("li", { class: "line", "data-line-id": line.orderLineId },
    h("div", { class: "line-head" },
      h("span", { class: "line-name" }, line.productName, line.sku ? h("span", { class: "sku" }, line.sku) : null),
      h("span", { class: "line-price" }, money(line.unitRefund))),
    h("p", { id: `${id}-why`, class: `line-why ${why.tone}` }, why.text),
    onlyExpired(line) ? exceptionForm(ctx, line, id) : null);
}

function exceptionForm(ctx, line, id) {
  const formId = `${id}-exception`;
  const toggle = h("button", { type: "button", class: "button", "aria-expanded": "false", "aria-controls": formId },
    "Ask for an exception");
  const qty = h("input", { type: "number", name: "quantity", min: 1, step: 1, value: 1, inputmode: "numeric" });
  const picker = reasonPicker(ctx.policy, line);
  const note = h("textarea", { name: "note", rows: 3, maxlength: 2000 });
  const status = h("div", { class: "form-status" });
  const submit = h("button", { type: "submit", class: "button primary" }, "Send my request");
  const form = h("form", { id: formId, class: "exception stack", novalidate: true, hidden: true },
    h("p", {}, "Tell us what happened. A person on our team reads every request, and we say yes whenever we can."),
    field({ label: forLine("How many?", line), control: qty, name: "quantity" }),
    picker.el,
    field({ label: "Anything you'd like us to know? (optional)", control: note, name: "note" }),
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
