// The goodwill meter in the header: what this staff member may still approve today, per currency.
import { h, mount } from "../shared/dom.js";
import { money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { GOODWILL, gql } from "./api.js";

const budgets = new Map(); // currency → {daily, spent, left, day, timezone}
let channels = [];
let meter = null;

/** Where the meter is drawn, and the channels whose currencies it shows. */
export function setupGoodwill(el, knownChannels) {
  meter = el;
  channels = knownChannels;
}

/** The budget for a currency as last loaded (or undefined). */
export function budgetFor(currency) {
  return budgets.get(currency);
}

/** Reload every currency's budget and redraw the meter. */
export async function refreshGoodwill() {
  if (!meter) return;
  const byCurrency = new Map();
  for (const c of channels) if (!byCurrency.has(c.currency)) byCurrency.set(c.currency, c.slug);
  if (!byCurrency.size) { mount(meter); return; }
  try {
    const results = await Promise.all([...byCurrency].map(([currency, channel]) =>
      gql(GOODWILL, { currency, channel }).then((d) => d.goodwillBudget)));
    for (const b of results) budgets.set(b.currency, b);
    draw(results);
  } catch {
    mount(meter, h("span", { class: "muted" }, t("goodwill.unavailable")));
  }
}

function draw(results) {
  mount(meter,
    h("span", { class: "goodwill-label" }, t("goodwill.leftToday")),
    results.map((b) => {
      // a bar's width only: a float is fine here, no amount is computed from it
      const used = Number(b.daily.amount) > 0 ? Math.min(1, Number(b.spent.amount) / Number(b.daily.amount)) : 1;
      const fill = h("span", {});
      fill.style.width = `${Math.round((1 - used) * 100)}%`; // CSSOM, allowed by the page's CSP
      return h("span", { class: "goodwill-item", "data-currency": b.currency,
        title: t("goodwill.tooltip", { spent: money(b.spent), daily: money(b.daily), day: b.day, zone: b.timezone }) },
      h("strong", { "data-goodwill-left": b.currency }, money(b.left)),
      h("span", { class: "muted" }, ` ${t("goodwill.of", { daily: money(b.daily) })}`),
      h("span", { class: "goodwill-bar", "aria-hidden": "true" }, fill));
    }));
}
