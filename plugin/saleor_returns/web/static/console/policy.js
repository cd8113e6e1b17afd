// The policy editor, per channel: everything the policy file can say — windows, grace, keep-item thresholds per
// currency, review triggers, refund timing, fees, reasons, overrides per product type / category / product and
// seasonal windows. Checked here by field (in the page's words), then by the API, whose answer is shown under
// the field it names.
import { onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount, newId } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { describeError, reasonLabel } from "../shared/messages.js";
import { gql, POLICY, UPDATE_POLICY } from "./api.js";
import { clearToasts } from "./notify.js";
import { previewPanel } from "./preview.js";
import { errorPanel, loadingPanel } from "./views.js";

const FIELD_ALIASES = { keepItemLimits: "keepItemLimitCount", keepItemLimitAmounts: "keepItemLimitCount",
  commentRequired: "reasons" };
const LEVELS = ["PRODUCT", "PRODUCT_TYPE", "CATEGORY"];
const MAX_DAYS = 3650;

/** #/policy/<channel> */
export async function renderPolicy(view, slug, channels) {
  const chosen = slug || (channels[0] && channels[0].slug) || "";
  const heading = h("h1", { id: "view-title" }, t("policy.title"));
  const picker = h("select", { name: "channel" },
    channels.map((c) => h("option", { value: c.slug, selected: c.slug === chosen }, `${c.slug} (${c.currency})`)));
  picker.addEventListener("change", () => { window.location.hash = `#/policy/${encodeURIComponent(picker.value)}`; });
  const body = h("div", {}, loadingPanel(t("policy.loading")));
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading, h("span", { class: "spacer" }),
      channels.length ? field({ label: t("policy.channel"), control: picker, name: "channel" }) : null),
    body));
  focusOn(heading);
  if (!chosen) {
    mount(body, h("div", { class: "empty" }, t("policy.noChannel")));
    return;
  }
  try {
    const { returnPolicy } = await gql(POLICY, { channel: chosen });
    mount(body, policyForm(returnPolicy));
  } catch (err) {
    mount(body, errorPanel(err, () => renderPolicy(view, slug, channels)));
  }
}

function policyForm(policy, savedVersion = null) {
  const c = controls(policy);
  const summary = h("div", { class: "form-status", tabindex: "-1" },
    savedVersion ? h("div", { class: "alert success", role: "status", "data-saved": String(savedVersion) },
      h("p", {}, t("policy.saved", { version: savedVersion }))) : null);
  const save = h("button", { type: "submit", class: "button primary" }, t("policy.save", { version: policy.version + 1 }));
  const form = h("form", { class: "policy-form stack", novalidate: true, "data-channel": policy.channel },
    h("p", { class: "muted" }, t("policy.about", { channel: policy.channel, currency: policy.currency, zone: policy.timezone }), " ",
      h("strong", { "data-policy-version": String(policy.version) },
        policy.version ? t("policy.version", { version: policy.version }) : t("policy.defaults")),
      ". ", t("policy.versionsNote")),
    summary,
    h("div", { class: "policy-sections" },
      section(t("policy.sections.window"), [
        field({ label: t("policy.windowDays"), control: c.windowDays, name: "windowDays", hint: t("policy.windowDaysHint") }),
        field({ label: t("policy.windowStarts"), control: c.windowStarts, name: "windowStarts" }),
        field({ label: t("policy.graceDays"), control: c.graceDays, name: "graceDays", hint: t("policy.graceDaysHint") }),
        c.graceMode.el]),
      section(t("policy.sections.keep"), [
        c.keepItemThresholds.el,
        check(c.keepItemCostAware, t("policy.costAware"), "keepItemCostAware"),
        c.expectedReturnCost.el,
        h("div", { class: "pair", "data-field": "keepItemLimitCount" },
          field({ label: t("policy.limitCount"), control: c.keepItemLimitCount, name: "keepItemLimitCountInput" }),
          field({ label: t("policy.limitDays"), control: c.keepItemLimitDays, name: "keepItemLimitDays" }),
          h("span", { class: "error-text", id: newId("error"), hidden: true }))]),
      section(t("policy.sections.review"), [c.reviewAbove.el, h("p", { class: "small muted" }, t("policy.reviewNote"))]),
      section(t("policy.sections.refunds"), [c.refundTiming.el,
        check(c.refundShipping, t("policy.refundShipping"), "refundShipping")]),
      section(t("policy.sections.fees"), [
        field({ label: t("policy.restocking"), control: c.restockingFeePercent, name: "restockingFeePercent",
          hint: t("policy.restockingHint") }),
        field({ label: t("policy.returnShipping"), control: c.returnShipping, name: "returnShipping" }),
        c.returnShippingFee.el]),
      section(t("policy.sections.exchanges"), [
        field({ label: t("policy.exchangeMode"), control: c.exchangeMode, name: "exchangeMode" }),
        check(c.instantExchange, t("policy.instantExchange"), "instantExchange"),
        check(c.storeCreditOffered, t("policy.storeCredit"), "storeCreditOffered"),
        field({ label: t("policy.storeCreditBonus"), control: c.storeCreditBonusPercent, name: "storeCreditBonusPercent",
          hint: t("policy.storeCreditBonusHint") })]),
      section(t("policy.sections.reasons"), [c.reasons.el]),
      section(t("policy.sections.overrides"), [c.overrides.el]),
      section(t("policy.sections.seasonal"), [c.seasonal.el])),
      previewPanel(policy, {
        read: () => { const r = collect(c); return { input: r.input, problems: r.problems.filter((p) => p.length === 2) }; },
        fieldError: (name, message) => showFieldError(form, name, message), clear: () => clearErrors(form) }),
    h("div", { class: "row form-actions" }, save));
  onSubmitOnce(form, () => submit(form, policy, c, summary));
  return form;
}

function section(title, children) {
  const id = newId("section");
  return h("section", { class: "card section", role: "group", "aria-labelledby": id },
    h("h2", { id, class: "section-title" }, title), children);
}

function check(control, label, name) {
  const id = newId(name);
  control.id = id;
  return h("div", { class: "check", "data-field": name }, control, h("label", { for: id }, label),
    h("span", { class: "error-text", id: newId("error"), hidden: true }));
}

const number = (value) => h("input", { type: "text", inputmode: "numeric", value: value ?? "", autocomplete: "off" });

function controls(p) {
  const select = (options, value) => h("select", {}, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
  return {
    windowDays: number(p.windowDays),
    graceDays: number(p.graceDays),
    windowStarts: select([["FULFILLED", t("policy.startsFulfilled")], ["ORDERED", t("policy.startsOrdered")]], p.windowStarts),
    graceMode: radios("graceMode", t("policy.graceMode"), [
      ["AUTO_APPROVE", t("policy.graceAuto")], ["REVIEW", t("policy.graceReview")]], p.graceMode),
    keepItemThresholds: moneyList("keepItemThresholds", t("policy.thresholds"), t("policy.thresholdsHint"),
      p.keepItemThresholds, p.currency),
    keepItemCostAware: h("input", { type: "checkbox", checked: p.keepItemCostAware }),
    expectedReturnCost: moneyList("expectedReturnCost", t("policy.returnCost"), t("policy.returnCostHint"),
      p.expectedReturnCost, p.currency),
    keepItemLimitCount: number(p.keepItemLimitCount),
    keepItemLimitDays: number(p.keepItemLimitDays),
    reviewAbove: moneyList("reviewAbove", t("policy.reviewAbove"), t("policy.reviewAboveHint"), p.reviewAbove, p.currency),
    refundTiming: radios("refundTiming", t("policy.refundTiming"), [
      ["ON_APPROVAL", t("policy.onApproval")], ["ON_FIRST_SCAN", t("policy.onFirstScan")],
      ["ON_RECEIPT", t("policy.onReceipt")]], p.refundTiming),
    refundShipping: h("input", { type: "checkbox", checked: p.refundShipping }),
    restockingFeePercent: h("input", { type: "text", inputmode: "decimal", value: p.restockingFeePercent }),
    returnShipping: select([["FREE", t("policy.shippingFree")], ["FLAT_FEE", t("policy.shippingFlat")],
      ["LABEL_COST", t("policy.shippingLabel")]], p.returnShipping),
    returnShippingFee: moneyList("returnShippingFee", t("policy.shippingFee"), t("policy.shippingFeeHint"),
      p.returnShippingFee, p.currency),
    exchangeMode: select([["OFF", t("policy.exchangeOff")], ["SAME_PRODUCT", t("policy.exchangeSame")]],
      p.exchangeMode || "OFF"),
    instantExchange: h("input", { type: "checkbox", checked: !!p.instantExchange }),
    storeCreditOffered: h("input", { type: "checkbox", checked: !!p.storeCreditOffered }),
    storeCreditBonusPercent: h("input", { type: "text", inputmode: "decimal", value: p.storeCreditBonusPercent ?? "0" }),
    reasons: reasonsEditor(p.reasons, p.commentRequired),
    overrides: overridesEditor(p.overrides),
    seasonal: seasonalEditor(p.seasonal || []),
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
      "aria-label": t("policy.currencyOf", { what: legend }) });
    const amount = h("input", { type: "text", inputmode: "decimal", value: m.amount, autocomplete: "off",
      "aria-label": t("policy.amountOf", { what: legend }) });
    const row = h("div", { class: "money-row" }, cur, amount,
      h("button", { type: "button", class: "button link", onclick: () => row.remove() },
        t("common.remove"), h("span", { class: "visually-hidden" }, ` ${legend}`)));
    rows.append(row);
    return amount;
  };
  (items || []).forEach((m) => addRow(m));
  const add = h("button", { type: "button", class: "button" }, t("policy.addCurrency"),
    h("span", { class: "visually-hidden" }, ` ${legend}`));
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
  const addRow = (reason, required) => {
    const box = h("input", { type: "checkbox", checked: required, id: newId("reason"), "data-reason": reason });
    const row = h("li", { class: "reason-row", "data-code": reason },
      h("span", { class: "reason-name" }, reasonLabel(reason), h("code", { class: "muted small" }, reason)),
      h("span", { class: "check" }, box, h("label", { for: box.id }, t("policy.commentRequired"),
        h("span", { class: "visually-hidden" }, ` ${reasonLabel(reason)}`))),
      h("button", { type: "button", class: "button link", onclick: () => row.remove() }, t("common.remove"),
        h("span", { class: "visually-hidden" }, ` ${reasonLabel(reason)}`)));
    list.append(row);
  };
  reasons.forEach((r) => addRow(r, commentRequired.includes(r)));
  const input = h("input", { type: "text", placeholder: "NEW_REASON", autocomplete: "off" });
  const add = h("button", { type: "button", class: "button" }, t("policy.addReason"));
  add.addEventListener("click", () => {
    const reason = input.value.trim().toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_|_$/g, "");
    if (reason && !list.querySelector(`[data-code="${CSS.escape(reason)}"]`)) addRow(reason, false);
    input.value = "";
    input.focus();
  });
  const el = h("div", { class: "stack", "data-field": "reasons" },
    h("p", { class: "small muted" }, t("policy.reasonsIntro")),
    list,
    h("div", { class: "row" }, field({ label: t("policy.newReason"), control: input, name: "newReason" }), add),
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

/** Overrides per product, product type or category (most specific wins): add, change, remove. */
function overridesEditor(overrides) {
  const rows = h("div", { class: "stack" });
  const addRow = (o = { level: "CATEGORY", key: "", windowDays: null, graceDays: null, finalSale: null, exchangeMode: null }) => {
    const n = rows.children.length + 1;
    const level = h("select", { name: "level" }, LEVELS.map((l) => h("option", { value: l, selected: l === o.level },
      t(`policy.levels.${l}`))));
    const key = h("input", { type: "text", name: "key", value: o.key, autocomplete: "off" });
    const windowDays = number(o.windowDays);
    const graceDays = number(o.graceDays);
    const finalSale = h("select", { name: "finalSale" },
      [["", t("policy.inherit")], ["true", t("common.yes")], ["false", t("common.no")]].map(([v, label]) =>
        h("option", { value: v, selected: String(o.finalSale ?? "") === v }, label)));
    const exchangeMode = h("select", { name: "exchangeMode" },
      [["", t("policy.inherit")], ["OFF", t("policy.exchangeOff")], ["SAME_PRODUCT", t("policy.exchangeSame")]].map(
        ([v, label]) => h("option", { value: v, selected: (o.exchangeMode || "") === v }, label)));
    const error = h("span", { class: "error-text", id: newId("error"), hidden: true });
    const row = h("div", { class: "override-row", role: "group", "aria-label": t("policy.overrideN", { n }), "data-override": "" },
      field({ label: t("policy.level"), control: level, name: "overrideLevel" }),
      field({ label: t("policy.appliesTo"), control: key, name: "overrideKey" }),
      field({ label: t("policy.windowShort"), control: windowDays, name: "overrideWindow" }),
      field({ label: t("policy.graceShort"), control: graceDays, name: "overrideGrace" }),
      field({ label: t("policy.finalSale"), control: finalSale, name: "overrideFinalSale" }),
      field({ label: t("policy.exchangeMode"), control: exchangeMode, name: "overrideExchangeMode" }),
      h("button", { type: "button", class: "button link", onclick: () => row.remove() }, t("common.remove"),
        h("span", { class: "visually-hidden" }, ` ${t("policy.overrideN", { n })}`)),
      error);
    row.read = () => ({ level: level.value, key: key.value.trim(), windowDays: optionalInt(windowDays.value),
      graceDays: optionalInt(graceDays.value), finalSale: finalSale.value === "" ? null : finalSale.value === "true",
      exchangeMode: exchangeMode.value || null });
    row.controls = { key, windowDays, graceDays };
    row.error = error;
    rows.append(row);
    return key;
  };
  overrides.forEach((o) => addRow(o));
  const add = h("button", { type: "button", class: "button" }, t("policy.addOverride"));
  add.addEventListener("click", () => addRow().focus());
  const el = h("div", { class: "stack", "data-field": "overrides" },
    h("p", { class: "small muted" }, t("policy.overridesIntro")), rows, add,
    h("span", { class: "error-text", id: newId("error"), hidden: true }));
  return { el, rows: () => [...rows.children] };
}

/** Seasonal windows: orders placed between two dates are returnable until a fixed date. */
function seasonalEditor(windows) {
  const rows = h("div", { class: "stack" });
  const addRow = (s = { orderedFrom: "", orderedUntil: "", returnableUntil: "" }) => {
    const n = rows.children.length + 1;
    const from = h("input", { type: "date", value: s.orderedFrom });
    const until = h("input", { type: "date", value: s.orderedUntil });
    const returnable = h("input", { type: "date", value: s.returnableUntil });
    const error = h("span", { class: "error-text", id: newId("error"), hidden: true });
    const row = h("div", { class: "season-row", role: "group", "aria-label": t("policy.seasonN", { n }), "data-season": "" },
      field({ label: t("policy.orderedFrom"), control: from, name: "seasonFrom" }),
      field({ label: t("policy.orderedUntil"), control: until, name: "seasonUntil" }),
      field({ label: t("policy.returnableUntil"), control: returnable, name: "seasonReturnable" }),
      h("button", { type: "button", class: "button link", onclick: () => row.remove() }, t("common.remove"),
        h("span", { class: "visually-hidden" }, ` ${t("policy.seasonN", { n })}`)),
      error);
    row.read = () => ({ orderedFrom: from.value, orderedUntil: until.value, returnableUntil: returnable.value });
    row.controls = { orderedFrom: from, orderedUntil: until, returnableUntil: returnable };
    row.error = error;
    rows.append(row);
    return from;
  };
  windows.forEach((s) => addRow(s));
  const add = h("button", { type: "button", class: "button" }, t("policy.addSeason"));
  add.addEventListener("click", () => addRow().focus());
  const el = h("div", { class: "stack", "data-field": "seasonal" },
    h("p", { class: "small muted" }, t("policy.seasonalIntro")), rows, add,
    h("span", { class: "error-text", id: newId("error"), hidden: true }));
  return { el, rows: () => [...rows.children] };
}

// --- checking and saving ---------------------------------------------------------------------------------

function clearErrors(form) {
  for (const el of form.querySelectorAll(".error-text")) { el.textContent = ""; el.hidden = true; }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function markInvalid(controls, error, message) {
  if (error) { error.textContent = message; error.hidden = false; }
  for (const c of controls) {
    c.setAttribute("aria-invalid", "true");
    if (error && error.id && !(c.getAttribute("aria-describedby") || "").includes(error.id)) {
      c.setAttribute("aria-describedby", `${c.getAttribute("aria-describedby") || ""} ${error.id}`.trim());
    }
  }
  return controls[0] || null;
}

function showFieldError(form, name, message) {
  const wrapper = form.querySelector(`[data-field="${CSS.escape(FIELD_ALIASES[name] || name)}"]`);
  if (!wrapper) return null;
  const error = [...wrapper.querySelectorAll(":scope > .error-text, :scope > .field > .error-text")].pop()
    || [...wrapper.querySelectorAll(".error-text")].pop();
  return markInvalid([...wrapper.querySelectorAll("input, select, textarea")], error, message);
}

function wholeNumber(text) {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

function optionalInt(text) {
  if (!String(text ?? "").trim()) return null;
  return wholeNumber(text) ?? Number.NaN;
}

const AMOUNT = /^\d+(\.\d+)?$/;

function collect(c) {
  const problems = []; // [name, message] or [row, control, message]
  const days = (name, control) => {
    const value = wholeNumber(control.value);
    if (value === null || value > MAX_DAYS) problems.push([name, t("policy.errors.days", { max: MAX_DAYS })]);
    return value;
  };
  const { reasons, commentRequired } = c.reasons.read();
  const overrides = c.overrides.rows().map((row) => {
    const o = row.read();
    if (!o.key) problems.push([row, row.controls.key, t("policy.errors.overrideKey")]);
    for (const k of ["windowDays", "graceDays"]) {
      if (Number.isNaN(o[k]) || o[k] > MAX_DAYS) problems.push([row, row.controls[k], t("policy.errors.days", { max: MAX_DAYS })]);
    }
    return o;
  });
  const seasonal = c.seasonal.rows().map((row) => {
    const s = row.read();
    const missing = Object.entries(s).find(([, v]) => !v);
    if (missing) problems.push([row, row.controls[missing[0]], t("policy.errors.date")]);
    else if (s.orderedFrom > s.orderedUntil) problems.push([row, row.controls.orderedUntil, t("policy.errors.seasonOrder")]);
    else if (s.returnableUntil < s.orderedUntil) problems.push([row, row.controls.returnableUntil, t("policy.errors.seasonReturn")]);
    return s;
  });
  const input = {
    windowDays: days("windowDays", c.windowDays),
    graceDays: days("graceDays", c.graceDays),
    graceMode: c.graceMode.value(),
    windowStarts: c.windowStarts.value,
    keepItemThresholds: c.keepItemThresholds.read(),
    keepItemCostAware: c.keepItemCostAware.checked,
    expectedReturnCost: c.expectedReturnCost.read(),
    keepItemLimitCount: wholeNumber(c.keepItemLimitCount.value),
    keepItemLimitDays: wholeNumber(c.keepItemLimitDays.value),
    reviewAbove: c.reviewAbove.read(),
    refundTiming: c.refundTiming.value(),
    refundShipping: c.refundShipping.checked,
    restockingFeePercent: c.restockingFeePercent.value.trim() || "0",
    returnShipping: c.returnShipping.value,
    returnShippingFee: c.returnShippingFee.read(),
    exchangeMode: c.exchangeMode.value,
    instantExchange: c.instantExchange.checked,
    storeCreditOffered: c.storeCreditOffered.checked,
    storeCreditBonusPercent: c.storeCreditBonusPercent.value.trim() || "0",
    reasons,
    commentRequired,
    overrides,
    seasonal,
  };
  if (input.keepItemLimitCount === null || input.keepItemLimitDays === null || input.keepItemLimitDays < 1) {
    problems.push(["keepItemLimitCount", t("policy.errors.limits")]);
  }
  for (const name of ["keepItemThresholds", "expectedReturnCost", "reviewAbove", "returnShippingFee"]) {
    if (input[name].some((m) => !/^[A-Z]{3}$/.test(m.currency) || !AMOUNT.test(m.amount))) {
      problems.push([name, t("policy.errors.money")]);
    }
  }
  const fee = Number(input.restockingFeePercent);
  if (!AMOUNT.test(input.restockingFeePercent) || fee > 100) problems.push(["restockingFeePercent", t("policy.errors.percent")]);
  const bonus = Number(input.storeCreditBonusPercent);
  if (!AMOUNT.test(input.storeCreditBonusPercent) || bonus > 100) problems.push(["storeCreditBonusPercent", t("policy.errors.percent")]);
  if (!reasons.length) problems.push(["reasons", t("policy.errors.reasons")]);
  return { input, problems };
}

/** The API's message names a setting in snake_case; staff read the field's own label instead. */
function serverMessage(result) {
  const { title } = describeError(result);
  return `${t("policy.errors.server")} ${title !== result.message ? humanizeMessage(result.message) : ""}`.trim();
}

function humanizeMessage(message) {
  const text = String(message || "").replace(/\b([a-z]+(?:_[a-z]+)+)\b/g, (m) => m.replace(/_/g, " "));
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

async function submit(form, policy, c, summary) {
  clearErrors(form);
  clearToasts();
  mount(summary);
  const { input, problems } = collect(c);
  if (problems.length) {
    const first = problems.map((p) => (p.length === 3 ? markInvalid([p[1]], p[0].error, p[2])
      : showFieldError(form, p[0], p[1]))).find(Boolean);
    mount(summary, h("div", { class: "alert critical", role: "alert" }, h("p", { class: "alert-title" }, t("policy.notSavedCheck"))));
    if (first) first.focus();
    return;
  }
  try {
    const { updateReturnPolicy: result } = await gql(UPDATE_POLICY, { channel: policy.channel, input });
    if (result.__typename === "ReturnError") {
      const name = (result.field || "").replace(/^input\./, "").replace(/\[.*$/, "");
      const message = serverMessage(result);
      const control = showFieldError(form, name, message);
      mount(summary, h("div", { class: "alert critical", role: "alert", "data-code": result.code },
        h("p", { class: "alert-title" }, t("policy.notSaved")), h("p", {}, message)));
      (control || summary).focus();
      return;
    }
    const next = policyForm(result, result.version);
    form.replaceWith(next);
    next.querySelector(".form-status").focus();
  } catch (err) {
    const { title } = describeError(err);
    mount(summary, h("div", { class: "alert critical", role: "alert" }, h("p", { class: "alert-title" }, title)));
    summary.focus();
  }
}
