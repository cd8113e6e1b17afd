// The policy editor, per channel: windows, grace, keep-item thresholds per currency, review triggers,
// refund timing, fees, reasons. The API validates; its messages are shown under the field they name.
import { onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount, newId } from "../shared/dom.js";
import { describeError, reasonLabel, sentence } from "../shared/messages.js";
import { gql, POLICY, UPDATE_POLICY } from "./api.js";
import { toast } from "./notify.js";
import { errorPanel, loadingPanel } from "./views.js";

const FIELD_ALIASES = { keepItemLimits: "keepItemLimitCount", keepItemLimitAmounts: "keepItemLimitCount" };

/** #/policy/<channel> */
export async function renderPolicy(view, slug, channels) {
  const chosen = slug || (channels[0] && channels[0].slug) || "";
  const heading = h("h1", { id: "view-title" }, "Return policy");
  const picker = h("select", { name: "channel" },
    channels.map((c) => h("option", { value: c.slug, selected: c.slug === chosen }, `${c.slug} (${c.currency})`)));
  picker.addEventListener("change", () => { window.location.hash = `#/policy/${encodeURIComponent(picker.value)}`; });
  const body = h("div", {}, loadingPanel("Loading the policy…"));
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading, h("span", { class: "spacer" }),
      channels.length ? field({ label: "Channel", control: picker, name: "channel" }) : null),
    body));
  focusOn(heading);
  if (!chosen) {
    mount(body, h("div", { class: "empty" }, "No channel has a policy or a return yet."));
    return;
  }
  try {
    const { returnPolicy } = await gql(POLICY, { channel: chosen });
    mount(body, policyForm(returnPolicy));
  } catch (err) {
    mount(body, errorPanel(err, () => renderPolicy(view, slug, channels)));
  }
}

function policyForm(policy) {
  const c = controls(policy);
  const summary = h("div", { class: "form-status", tabindex: "-1" });
  const save = h("button", { type: "submit", class: "button primary" }, `Save as version ${policy.version + 1}`);
  const form = h("form", { class: "policy-form stack", novalidate: true, "data-channel": policy.channel },
    h("p", { class: "muted" }, `Channel ${policy.channel} · ${policy.currency} · store time ${policy.timezone} · `,
      h("strong", { "data-policy-version": String(policy.version) },
        policy.version ? `version ${policy.version}` : "built-in defaults"),
      ". Saving makes a new version; each return remembers the version that decided it."),
    summary,
    h("div", { class: "policy-sections" },
    section("Return window", [
      num(c.windowDays, "Return window (days)", "windowDays", "Counted from the day below; ends at 23:59 store time."),
      field({ label: "Window starts", control: c.windowStarts, name: "windowStarts" }),
      num(c.graceDays, "Grace period (days)", "graceDays", "Extra days after the window in which self-service still works."),
      c.graceMode.el]),
    section("Keep the item", [
      c.keepItemThresholds.el,
      check(c.keepItemCostAware, "Also keep when shipping it back costs more than it is worth", "keepItemCostAware"),
      c.expectedReturnCost.el,
      h("div", { class: "pair", "data-field": "keepItemLimitCount" },
        num(c.keepItemLimitCount, "Keep-item refunds per customer", "keepItemLimitCountInput"),
        num(c.keepItemLimitDays, "…within days", "keepItemLimitDays"),
        h("span", { class: "error-text", id: newId("error"), hidden: true }))]),
    section("Review triggers", [
      c.reviewAbove.el,
      h("p", { class: "small muted" }, "Grace-period returns go to review when the grace mode above says so.")]),
    section("Refunds", [c.refundTiming.el,
      check(c.refundShipping, "Refund the original shipping when the whole order comes back", "refundShipping")]),
    section("Fees", [
      field({ label: "Restocking fee (%)", control: c.restockingFeePercent, name: "restockingFeePercent",
        hint: "Not charged for damaged or defective items." }),
      field({ label: "Return shipping", control: c.returnShipping, name: "returnShipping" }),
      c.returnShippingFee.el]),
    section("Reasons", [c.reasons.el]),
    overrides(policy)),
    h("div", { class: "row form-actions" }, save));
  onSubmitOnce(form, () => submit(form, policy, c, summary));
  return form;
}

function section(title, children) {
  const id = newId("section");
  return h("section", { class: "card section", role: "group", "aria-labelledby": id },
    h("h2", { id, class: "section-title" }, title), children);
}

function num(control, label, name, hint) {
  return field({ label, control, name, hint });
}

function check(control, label, name) {
  const id = newId(name);
  control.id = id;
  return h("div", { class: "check", "data-field": name }, control, h("label", { for: id }, label),
    h("span", { class: "error-text", id: newId("error"), hidden: true }));
}

function controls(p) {
  const number = (value) => h("input", { type: "text", inputmode: "numeric", value: value ?? "", autocomplete: "off" });
  const select = (options, value) => h("select", {}, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
  return {
    windowDays: number(p.windowDays),
    graceDays: number(p.graceDays),
    windowStarts: select([["FULFILLED", "When the item ships"], ["ORDERED", "When the order is placed"]], p.windowStarts),
    graceMode: radios("graceMode", "In the grace period", [
      ["AUTO_APPROVE", "Accept automatically (flagged as in grace)"], ["REVIEW", "Send to the review queue"]], p.graceMode),
    keepItemThresholds: moneyList("keepItemThresholds", "Keep-item threshold per currency",
      "A return whose refund is at or below this is refunded at once; the shopper keeps the item.",
      p.keepItemThresholds, p.currency),
    keepItemCostAware: h("input", { type: "checkbox", checked: p.keepItemCostAware }),
    expectedReturnCost: moneyList("expectedReturnCost", "Expected return cost per currency",
      "Label and handling; used by the cost-aware rule.", p.expectedReturnCost, p.currency),
    keepItemLimitCount: number(p.keepItemLimitCount),
    keepItemLimitDays: number(p.keepItemLimitDays),
    reviewAbove: moneyList("reviewAbove", "Review refunds above, per currency",
      "Returns worth more than this wait for a person.", p.reviewAbove, p.currency),
    refundTiming: radios("refundTiming", "When shipped-back returns are refunded", [
      ["ON_APPROVAL", "On approval (before the parcel ships)"], ["ON_FIRST_SCAN", "On the carrier's first scan"],
      ["ON_RECEIPT", "When the parcel arrives"]], p.refundTiming),
    refundShipping: h("input", { type: "checkbox", checked: p.refundShipping }),
    restockingFeePercent: h("input", { type: "text", inputmode: "decimal", value: p.restockingFeePercent }),
    returnShipping: select([["FREE", "Free for the shopper"], ["FLAT_FEE", "Flat fee (deducted)"],
      ["LABEL_COST", "Label cost (deducted)"]], p.returnShipping),
    returnShippingFee: moneyList("returnShippingFee", "Flat return-shipping fee per currency",
      "Deducted with “Flat fee”.", p.returnShippingFee, p.currency),
    reasons: reasonsEditor(p.reasons, p.commentRequired),
  };
}

function radios(name, legend, options, value) {
  const group = newId(name);
  const inputs = options.map(([v]) => h("input", { type: "radio", name: group, value: v, checked: v === value }));
  const el = h("fieldset", { class: "group", "data-field": name }, h("legend", {}, legend),
    options.map(([, label], i) => {
      inputs[i].id = newId(name);
      return h("div", { class: "check" }, inputs[i], h("label", { for: inputs[i].id }, label));
    }),
    h("span", { class: "error-text", id: newId("error"), hidden: true }));
  return { el, value: () => (inputs.find((i) => i.checked) || {}).value };
}

function moneyList(name, legend, hint, items, currency) {
  const rows = h("div", { class: "money-rows" });
  const addRow = (m = { amount: "", currency }) => {
    const cur = h("input", { type: "text", value: m.currency, maxlength: 3, autocomplete: "off", class: "currency",
      "aria-label": `${legend}: currency` });
    const amount = h("input", { type: "text", inputmode: "decimal", value: m.amount, autocomplete: "off",
      "aria-label": `${legend}: amount` });
    const row = h("div", { class: "money-row" }, cur, amount,
      h("button", { type: "button", class: "button link", onclick: () => row.remove() },
        "Remove", h("span", { class: "visually-hidden" }, ` ${legend}`)));
    rows.append(row);
    return amount;
  };
  (items || []).forEach((m) => addRow(m));
  const add = h("button", { type: "button", class: "button" }, "Add a currency");
  add.addEventListener("click", () => addRow().focus());
  const el = h("fieldset", { class: "group", "data-field": name }, h("legend", {}, legend),
    h("p", { class: "hint small muted" }, hint), rows, add, h("span", { class: "error-text", id: newId("error"), hidden: true }));
  const read = () => [...rows.querySelectorAll(".money-row")].map((row) => {
    const [cur, amount] = row.querySelectorAll("input");
    return { currency: cur.value.trim().toUpperCase(), amount: amount.value.trim() };
  }).filter((m) => m.currency || m.amount);
  return { el, read };
}

function reasonsEditor(reasons, commentRequired) {
  const list = h("ul", { class: "reasons", role: "list" });
  const addRow = (code, required) => {
    const box = h("input", { type: "checkbox", checked: required, id: newId("reason"), "data-reason": code });
    const row = h("li", { class: "reason-row", "data-code": code },
      h("span", { class: "reason-name" }, reasonLabel(code), h("code", { class: "muted small" }, code)),
      h("span", { class: "check" }, box, h("label", { for: box.id }, "Comment required",
        h("span", { class: "visually-hidden" }, ` for ${reasonLabel(code)}`))),
      h("button", { type: "button", class: "button link", onclick: () => row.remove() }, "Remove",
        h("span", { class: "visually-hidden" }, ` ${reasonLabel(code)}`)));
    list.append(row);
  };
  reasons.forEach((r) => addRow(r, commentRequired.includes(r)));
  const input = h("input", { type: "text", placeholder: "NEW_REASON", autocomplete: "off" });
  const add = h("button", { type: "button", class: "button" }, "Add reason");
  add.addEventListener("click", () => {
    const code = input.value.trim().toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_|_$/g, "");
    if (code && !list.querySelector(`[data-code="${CSS.escape(code)}"]`)) addRow(code, false);
    input.value = "";
    input.focus();
  });
  const el = h("div", { class: "stack", "data-field": "reasons" },
    h("p", { class: "small muted" }, "What shoppers can choose from. Some reasons can ask for a comment."),
    list,
    h("div", { class: "row" }, field({ label: "New reason code", control: input, name: "newReason" }), add),
    h("span", { class: "error-text", id: newId("error"), hidden: true }));
  const read = () => {
    const rows = [...list.querySelectorAll(".reason-row")];
    return {
      reasons: rows.map((r) => r.dataset.code),
      commentRequired: rows.filter((r) => r.querySelector("input").checked).map((r) => r.dataset.code),
    };
  };
  return { el, read };
}

function overrides(policy) {
  if (!policy.overrides.length) return null;
  const show = (v) => (v === null || v === undefined ? "—" : String(v));
  return section("Overrides (most specific wins)", [
    h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Level", "Applies to", "Window", "Grace", "Final sale"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, policy.overrides.map((o) => h("tr", {},
        h("td", {}, o.level.replace("_", " ").toLowerCase()), h("td", {}, o.key), h("td", {}, show(o.windowDays)),
        h("td", {}, show(o.graceDays)), h("td", {}, o.finalSale ? "yes" : show(o.finalSale)))))),
    h("p", { class: "small muted" }, "Overrides are kept as they are when you save; change them in the policy file "
      + "or with updateReturnPolicy."),
  ]);
}

// --- saving ------------------------------------------------------------------------------------------

function clearErrors(form) {
  for (const el of form.querySelectorAll(".error-text")) { el.textContent = ""; el.hidden = true; }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function showFieldError(form, name, message) {
  const wrapper = form.querySelector(`[data-field="${CSS.escape(FIELD_ALIASES[name] || name)}"]`);
  if (!wrapper) return null;
  const error = [...wrapper.querySelectorAll(".error-text")].pop();
  if (error) { error.textContent = message; error.hidden = false; }
  const controls = [...wrapper.querySelectorAll("input, select, textarea")];
  for (const c of controls) {
    c.setAttribute("aria-invalid", "true");
    if (error && error.id && !(c.getAttribute("aria-describedby") || "").includes(error.id)) {
      c.setAttribute("aria-describedby", `${c.getAttribute("aria-describedby") || ""} ${error.id}`.trim());
    }
  }
  return controls[0] || null;
}

function wholeNumber(text) {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : null;
}

function collect(form, c) {
  const problems = [];
  const int = (name, control) => {
    const value = wholeNumber(control.value);
    if (value === null) problems.push([name, "Enter a whole number."]);
    return value;
  };
  const { reasons, commentRequired } = c.reasons.read();
  const input = {
    windowDays: int("windowDays", c.windowDays),
    graceDays: int("graceDays", c.graceDays),
    graceMode: c.graceMode.value(),
    windowStarts: c.windowStarts.value,
    keepItemThresholds: c.keepItemThresholds.read(),
    keepItemCostAware: c.keepItemCostAware.checked,
    expectedReturnCost: c.expectedReturnCost.read(),
    keepItemLimitCount: int("keepItemLimitCount", c.keepItemLimitCount),
    keepItemLimitDays: int("keepItemLimitDays", c.keepItemLimitDays),
    reviewAbove: c.reviewAbove.read(),
    refundTiming: c.refundTiming.value(),
    refundShipping: c.refundShipping.checked,
    restockingFeePercent: c.restockingFeePercent.value.trim() || "0",
    returnShipping: c.returnShipping.value,
    returnShippingFee: c.returnShippingFee.read(),
    reasons,
    commentRequired,
  };
  for (const name of ["keepItemThresholds", "expectedReturnCost", "reviewAbove", "returnShippingFee"]) {
    if (input[name].some((m) => !/^[A-Z]{3}$/.test(m.currency) || !/^-?\d+(\.\d+)?$/.test(m.amount))) {
      problems.push([name, "Each row needs a three-letter currency code and an amount like 25.00."]);
    }
  }
  if (!/^-?\d+(\.\d+)?$/.test(input.restockingFeePercent)) problems.push(["restockingFeePercent", "Enter a percentage like 10 or 12.5."]);
  return { input, problems };
}

async function submit(form, policy, c, summary) {
  clearErrors(form);
  mount(summary);
  const { input, problems } = collect(form, c);
  if (problems.length) {
    const first = problems.map(([name, message]) => showFieldError(form, name, message)).find(Boolean);
    mount(summary, h("div", { class: "alert critical", role: "alert" }, h("p", { class: "alert-title" },
      "The policy was not saved: check the highlighted fields.")));
    if (first) first.focus();
    return;
  }
  try {
    const { updateReturnPolicy: result } = await gql(UPDATE_POLICY, { channel: policy.channel, input });
    if (result.__typename === "ReturnError") {
      const name = (result.field || "").replace(/^input\./, "");
      const message = sentence(result.message);
      const control = showFieldError(form, name, message);
      mount(summary, h("div", { class: "alert critical", role: "alert", "data-code": result.code },
        h("p", { class: "alert-title" }, "The policy was not saved."), h("p", {}, message)));
      (control || summary).focus();
      return;
    }
    toast("success", `Policy saved: version ${result.version}`, `Channel ${result.channel}`);
    form.replaceWith(policyForm(result));
  } catch (err) {
    const { title, detail } = describeError(err);
    mount(summary, h("div", { class: "alert critical", role: "alert" }, h("p", { class: "alert-title" }, title),
      detail ? h("p", {}, detail) : null));
    summary.focus();
  }
}
