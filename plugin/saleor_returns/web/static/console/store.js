// Store settings, per channel: how the store looks in the return portal (name, logo, accent colour, link back to
// the shop), and the daily goodwill budgets per currency, for everyone or one staff member (owners set them).
import { onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { describeError } from "../shared/messages.js";
import { BUDGETS, gql, SET_BUDGET, STORE_LOOK, UPDATE_LOOK } from "./api.js";
import { refreshGoodwill } from "./goodwill.js";
import { clearToasts } from "./notify.js";
import { errorPanel, loadingPanel } from "./views.js";

/** #/store/<channel> */
export async function renderStore(view, slug, channels) {
  const chosen = slug || (channels[0] && channels[0].slug) || "";
  const heading = h("h1", { id: "view-title" }, t("store.title"));
  const picker = h("select", { name: "channel" },
    channels.map((c) => h("option", { value: c.slug, selected: c.slug === chosen }, `${c.slug} (${c.currency})`)));
  picker.addEventListener("change", () => { window.location.hash = `#/store/${encodeURIComponent(picker.value)}`; });
  const lookArea = h("div", {}, loadingPanel(t("store.loading")));
  const budgetArea = h("div", {}, loadingPanel(t("store.loading")));
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading, h("span", { class: "spacer" }),
      channels.length ? field({ label: t("policy.channel"), control: picker, name: "channel" }) : null),
    lookArea, budgetArea));
  focusOn(heading);
  if (chosen) loadLook(lookArea, chosen);
  else mount(lookArea, h("div", { class: "empty" }, t("policy.noChannel")));
  loadBudgets(budgetArea, channels);
}

async function loadLook(area, channel) {
  try {
    const { storeLook } = await gql(STORE_LOOK, { channel });
    mount(area, lookForm(storeLook));
  } catch (err) {
    mount(area, errorPanel(err, () => loadLook(area, channel)));
  }
}

const INPUT_FIELDS = ["name", "logoUrl", "accentColor", "shopUrl"];

function lookForm(look, saved = false) {
  const inputs = {
    name: h("input", { type: "text", value: look.customized ? look.name || "" : "", placeholder: look.name || "",
      maxlength: 120 }),
    logoUrl: h("input", { type: "url", value: look.logoUrl || "", placeholder: "https://…" }),
    accentColor: h("input", { type: "text", value: look.accentColor || "", placeholder: "#1a5fb4", maxlength: 7 }),
    shopUrl: h("input", { type: "url", value: look.shopUrl || "", placeholder: "https://…" }),
  };
  const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
  const paint = () => { swatch.style.background = /^#[0-9a-fA-F]{6}$/.test(inputs.accentColor.value) ? inputs.accentColor.value : "transparent"; };
  inputs.accentColor.addEventListener("input", paint);
  paint();
  const status = h("div", { class: "form-status", tabindex: "-1" },
    saved ? h("div", { class: "alert success", role: "status", "data-saved": "look" }, h("p", {}, t("store.lookSaved"))) : null);
  const form = h("form", { class: "card stack store-form", novalidate: true, "aria-labelledby": "look-title" },
    h("h2", { id: "look-title" }, t("store.lookTitle")),
    h("p", { class: "muted small" }, t("store.lookIntro", { channel: look.channel })),
    status,
    field({ label: t("store.name"), control: inputs.name, name: "name",
      hint: look.name ? t("store.nameHint", { name: look.name }) : t("store.nameHintNone") }),
    field({ label: t("store.logoUrl"), control: inputs.logoUrl, name: "logoUrl" }),
    h("div", { class: "row" }, field({ label: t("store.accent"), control: inputs.accentColor, name: "accentColor",
      hint: t("store.accentHint") }), swatch),
    field({ label: t("store.shopUrl"), control: inputs.shopUrl, name: "shopUrl" }),
    h("div", { class: "row" }, h("button", { type: "submit", class: "button primary" }, t("store.saveLook"))));
  onSubmitOnce(form, async () => {
    clearToasts();
    for (const c of Object.values(inputs)) setFieldError(c, null);
    mount(status);
    const input = Object.fromEntries(INPUT_FIELDS.map((k) => [k, inputs[k].value.trim() || null]));
    try {
      const { updateStoreLook: result } = await gql(UPDATE_LOOK, { channel: look.channel, input });
      if (result.__typename === "ReturnError") {
        const name = (result.field || "").replace(/^input\./, "");
        const control = inputs[name];
        const message = t(`store.errors.${name}`, { defaultValue: describeError(result).title });
        if (control) setFieldError(control, message);
        mount(status, h("div", { class: "alert critical", role: "alert", "data-code": result.code },
          h("p", { class: "alert-title" }, t("store.notSaved")), h("p", {}, message)));
        (control || status).focus();
        return;
      }
      const next = lookForm(result, true);
      form.replaceWith(next);
      next.querySelector(".form-status").focus();
    } catch (err) {
      mount(status, errorPanel(err));
    }
  });
  return form;
}

async function loadBudgets(area, channels) {
  try {
    const { goodwillBudgets } = await gql(BUDGETS);
    mount(area, budgetsCard(goodwillBudgets, channels));
  } catch (err) {
    mount(area, errorPanel(err, () => loadBudgets(area, channels)));
  }
}

function budgetsCard(budgets, channels, notice = null) {
  const currencies = [...new Set(channels.map((c) => c.currency))];
  const currency = h("select", { name: "currency" }, currencies.map((c) => h("option", { value: c }, c)));
  const amount = h("input", { type: "text", inputmode: "decimal", autocomplete: "off" });
  const staff = h("input", { type: "text", autocomplete: "off", placeholder: t("store.everyone") });
  const status = h("div", { class: "form-status", tabindex: "-1" }, notice);
  const form = h("form", { class: "stack", novalidate: true, "aria-label": t("store.setBudget") },
    h("div", { class: "row" },
      field({ label: t("store.currency"), control: currency, name: "currency" }),
      field({ label: t("store.daily"), control: amount, name: "amount", hint: t("store.dailyHint") }),
      field({ label: t("store.staff"), control: staff, name: "staff", hint: t("store.staffHint") })),
    h("div", { class: "row" }, h("button", { type: "submit", class: "button primary" }, t("store.setBudget"))),
    status);
  const card = h("section", { class: "card stack store-form", "aria-labelledby": "budgets-title" },
    h("h2", { id: "budgets-title" }, t("store.budgetsTitle")),
    h("p", { class: "muted small" }, t("store.budgetsIntro")),
    budgets.length ? h("div", { class: "table-wrap" }, h("table", { class: "table", "data-budgets": "" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("store.currency")), h("th", { scope: "col" }, t("store.staff")),
        h("th", { scope: "col", class: "num" }, t("store.daily")), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("common.remove"))))),
      h("tbody", {}, budgets.map((b) => h("tr", {},
        h("td", {}, b.currency), h("td", {}, b.staff || t("store.everyone")), h("td", { class: "num" }, money(b.daily)),
        h("td", {}, h("button", { type: "button", class: "button link", onclick: () => save(card, channels, b.currency, null, b.staff, status) },
          t("common.remove"), h("span", { class: "visually-hidden" }, ` ${b.currency} ${b.staff || t("store.everyone")}`)))))))) 
      : h("p", { class: "muted", "data-budgets": "0" }, t("store.noBudgets")),
    form);
  onSubmitOnce(form, async () => {
    setFieldError(amount, null);
    if (!/^\d+(\.\d+)?$/.test(amount.value.trim())) {
      setFieldError(amount, t("store.errors.amount"));
      amount.focus();
      return;
    }
    await save(card, channels, currency.value, amount.value.trim(), staff.value.trim() || null, status, amount);
  });
  return card;
}

async function save(card, channels, currency, amount, staff, status, amountInput = null) {
  clearToasts();
  mount(status);
  try {
    const { setGoodwillBudget: result } = await gql(SET_BUDGET, { currency, amount, staff });
    if (result.__typename === "ReturnError") {
      const message = result.code === "FORBIDDEN" ? t("store.ownersOnly")
        : result.field === "amount" ? t("store.errors.amount") : describeError(result).title;
      if (amountInput && result.field === "amount") setFieldError(amountInput, message);
      mount(status, h("div", { class: "alert critical", role: "alert", "data-code": result.code }, h("p", {}, message)));
      status.focus();
      return;
    }
    const next = budgetsCard(result.budgets, channels,
      h("div", { class: "alert success", role: "status", "data-saved": "budget" }, h("p", {}, t("store.budgetSaved"))));
    card.replaceWith(next);
    next.querySelector(".form-status").focus();
    refreshGoodwill();
  } catch (err) {
    mount(status, errorPanel(err));
  }
}
