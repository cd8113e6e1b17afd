// "Preview on the last 30/90 days" in the policy editor, before Save: the channel's past returns replayed under
// the policy as edited (simulateReturnPolicy; nothing is saved), the totals now and with the changes side by
// side, a chart of daily outcomes before and after, and every return that would change with the rules why.
import { h, mount } from "../shared/dom.js";
import { day, money } from "../shared/format.js";
import { describeError, sentence } from "../shared/messages.js";
import { gql } from "./api.js";
import { chartFigure } from "./charts.js";

const TOTALS = "keepItem shipBack review rejected refunds { amount currency } keepItemValue { amount currency } "
  + "labelCost { amount currency }";
const COUNTS = "keepItem shipBack review rejected";

export const SIMULATE = `query ConsoleSimulate($channel: String!, $input: ReturnPolicyInput!, $since: DateTime!) {
  simulateReturnPolicy(channel: $channel, input: $input, since: $since) {
    __typename
    ... on PolicySimulation {
      channel timezone since until policyVersion replayed notReplayable
      current { ${TOTALS} } proposed { ${TOTALS} }
      changed { returnId number requestedAt before after refundBefore { amount currency }
                refundAfter { amount currency } why }
      daily { date current { ${COUNTS} } proposed { ${COUNTS} } }
    }
    ... on ReturnError { code message field }
  }
}`;

const OUTCOME = { KEEP_ITEM: "Keep the item", SHIP_BACK: "Ship back", REVIEW: "Review", REJECTED: "Refused" };
const SHOWN = 25;

/**
 * The preview panel of a policy form. `form` gives { read() → {input, problems}, fieldError(name, message),
 * clear() }: the editor's own reading and error display, so the preview checks exactly what Save would send.
 */
export function previewPanel(policy, form) {
  const result = h("div", { class: "preview-result", "aria-live": "polite" });
  const buttons = [30, 90].map((days) => h("button", { type: "button", class: "button", "data-preview-days": days,
    onclick: () => preview(policy, form, days, result, buttons) }, `Preview on the last ${days} days`));
  return h("section", { class: "card section preview", "aria-labelledby": "preview-title" },
    h("h2", { id: "preview-title", class: "section-title" }, "Before you save: what would have changed?"),
    h("p", { class: "small muted" }, "Replays this channel's past returns under the policy as edited here, each with "
      + "what its decision saw then (the order, the customer's keep-item history). Nothing is saved and no one "
      + "is refunded."),
    h("div", { class: "row" }, buttons), result);
}

async function preview(policy, form, days, result, buttons) {
  form.clear();
  const { input, problems } = form.read();
  if (problems.length) {
    problems.forEach(([name, message]) => form.fieldError(name, message));
    mount(result, h("div", { class: "alert critical", role: "alert" },
      h("p", { class: "alert-title" }, "Check the highlighted fields first.")));
    return;
  }
  buttons.forEach((b) => { b.disabled = true; });
  mount(result, h("p", { class: "loading", role: "status" }, `Replaying the last ${days} days…`));
  const since = new Date(Date.now() - days * 86400000).toISOString();
  try {
    const { simulateReturnPolicy: r } = await gql(SIMULATE, { channel: policy.channel, input, since });
    if (r.__typename === "ReturnError") {
      const name = (r.field || "").replace(/^input\./, "");
      if (name) form.fieldError(name, sentence(r.message));
      mount(result, h("div", { class: "alert critical", role: "alert", "data-code": r.code },
        h("p", { class: "alert-title" }, "No preview: the policy as edited is not valid."), h("p", {}, sentence(r.message))));
      return;
    }
    mount(result, simulation(r, days));
  } catch (err) {
    const { title, detail } = describeError(err);
    mount(result, h("div", { class: "alert critical", role: "alert" }, h("p", { class: "alert-title" }, title),
      detail ? h("p", {}, detail) : null));
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

function simulation(r, days) {
  const apart = r.notReplayable ? ` ${r.notReplayable} older returns were decided before decisions were kept whole `
    + "and are not included." : "";
  return h("div", { class: "stack", "data-simulation": "", "data-replayed": r.replayed },
    h("p", {}, h("strong", {}, `${r.replayed} returns of the last ${days} days replayed`),
      `: ${r.changed.length ? `${r.changed.length} would end differently.` : "none would end differently."}${apart}`),
    totalsTable(r),
    r.daily.length ? dailyChart(r) : null,
    r.changed.length ? changedTable(r) : null);
}

function moneyList(items) {
  return items.length ? items.map((m) => money(m)).join(", ") : "—";
}

function difference(before, after) {
  const cur = [...new Set([...before, ...after].map((m) => m.currency))];
  const amount = (list, c) => Number((list.find((m) => m.currency === c) || { amount: "0" }).amount);
  const parts = cur.map((c) => {
    const d = amount(after, c) - amount(before, c);
    const text = money({ amount: Math.abs(d).toFixed(c === "JPY" ? 0 : 2), currency: c });
    return d === 0 ? "no change" : `${d > 0 ? "+" : "−"}${text}`;
  });
  return parts.join(", ") || "no change";
}

function totalsTable(r) {
  const a = r.current, b = r.proposed;
  const count = (k) => {
    const d = b[k] - a[k];
    return [String(a[k]), String(b[k]), d === 0 ? "no change" : `${d > 0 ? "+" : "−"}${Math.abs(d)}`];
  };
  const rows = [
    ["Keep the item (refunded at once)", ...count("keepItem")],
    ["Ship back with a label", ...count("shipBack")],
    ["Wait for review", ...count("review")],
    ["Refused", ...count("rejected")],
    ["Refunds", moneyList(a.refunds), moneyList(b.refunds), difference(a.refunds, b.refunds)],
    ["Keep-item refunds", moneyList(a.keepItemValue), moneyList(b.keepItemValue),
      difference(a.keepItemValue, b.keepItemValue)],
    ["Label cost (expected)", moneyList(a.labelCost), moneyList(b.labelCost), difference(a.labelCost, b.labelCost)],
  ];
  return h("table", { class: "table totals", "data-totals": "" },
    h("caption", { class: "visually-hidden" }, "Totals of the replayed returns: as decided, and with your changes"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col", class: "num" }, "As decided"),
      h("th", { scope: "col", class: "num" }, "With your changes"), h("th", { scope: "col", class: "num" }, "Difference"))),
    h("tbody", {}, rows.map(([label, ...cells]) => h("tr", {}, h("th", { scope: "row" }, label),
      cells.map((c, i) => h("td", { class: "num", "data-col": ["current", "proposed", "change"][i] }, c))))));
}

function dailyChart(r) {
  const labels = r.daily.map((d) => day(`${d.date}T12:00:00Z`, "UTC"));
  const series = [
    { label: "Kept, as decided", data: r.daily.map((d) => d.current.keepItem), colour: 1 },
    { label: "Kept, with your changes", data: r.daily.map((d) => d.proposed.keepItem), colour: 1, dash: true },
    { label: "Shipped back, as decided", data: r.daily.map((d) => d.current.shipBack), colour: 0 },
    { label: "Shipped back, with your changes", data: r.daily.map((d) => d.proposed.shipBack), colour: 0, dash: true },
  ];
  if (r.daily.some((d) => d.current.review || d.proposed.review)) {
    series.push({ label: "Review, as decided", data: r.daily.map((d) => d.current.review), colour: 2 },
      { label: "Review, with your changes", data: r.daily.map((d) => d.proposed.review), colour: 2, dash: true });
  }
  if (r.daily.some((d) => d.current.rejected || d.proposed.rejected)) {
    series.push({ label: "Refused, with your changes", data: r.daily.map((d) => d.proposed.rejected), colour: 3,
      dash: true });
  }
  return chartFigure({ key: "preview-daily", title: `Outcomes per day (${r.timezone})`, type: "line", labels, series,
    labelHeading: "Day", height: 220 });
}

function changedTable(r) {
  const shown = r.changed.slice(0, SHOWN);
  return h("div", { class: "stack" },
    h("h3", {}, `Returns that would end differently (${r.changed.length})`),
    h("table", { class: "table changed", "data-changed": "" },
      h("thead", {}, h("tr", {}, ["Return", "Requested", "As decided", "With your changes", "Refund", "Why"]
        .map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, shown.map((c) => h("tr", { "data-return-id": c.returnId },
        h("td", {}, h("a", { href: `#/returns/${encodeURIComponent(c.returnId)}` }, c.number)),
        h("td", {}, day(c.requestedAt, r.timezone)),
        h("td", {}, OUTCOME[c.before] || c.before),
        h("td", {}, h("strong", {}, OUTCOME[c.after] || c.after)),
        h("td", { class: "num" }, c.refundBefore.amount === c.refundAfter.amount ? money(c.refundAfter)
          : `${money(c.refundBefore)} → ${money(c.refundAfter)}`),
        h("td", {}, h("ul", { class: "why" }, c.why.map((w) => h("li", {}, w)))))))),
    r.changed.length > SHOWN ? h("p", { class: "small muted" },
      `…and ${r.changed.length - SHOWN} more (saleor-returns simulate lists them all).`) : null);
}
