// Insights (#/insights/<channel>?days=90): what returns cost over a period (returnAnalytics): returns over time,
// reasons, the most returned products, refunds and keep-item spend. Each chart has its table (charts.js).
import { field, focusOn, h, mount } from "../shared/dom.js";
import { day, money } from "../shared/format.js";
import { reasonLabel, statusLabel } from "../shared/messages.js";
import { gql } from "./api.js";
import { chartFigure } from "./charts.js";
import { errorPanel, loadingPanel } from "./views.js";

const BUCKET = "key returns units refunded { amount currency }";

export const ANALYTICS = `query ConsoleAnalytics($channel: String, $since: DateTime!) {
  returnAnalytics(channel: $channel, since: $since) {
    __typename
    ... on ReturnAnalytics {
      channel timezone since until returns units medianHoursToRefund
      refunded { amount currency } keepItemValue { amount currency } labelCost { amount currency }
      byStatus { ${BUCKET} } byReason { ${BUCKET} } byResolution { ${BUCKET} } byProduct { ${BUCKET} }
      daily { date returns refunded { amount currency } }
    }
    ... on ReturnError { code message field }
  }
}`;

const PERIODS = [30, 90];

/** #/insights/<channel>?days=N (no channel: every channel, days in UTC) */
export async function renderInsights(view, slug, query, channels) {
  const days = PERIODS.includes(Number(query.get("days"))) ? Number(query.get("days")) : 90;
  const heading = h("h1", { id: "view-title" }, "Insights");
  const picker = h("select", { name: "channel" },
    h("option", { value: "", selected: !slug }, "Every channel"),
    channels.map((c) => h("option", { value: c.slug, selected: c.slug === slug }, `${c.slug} (${c.currency})`)));
  const period = h("select", { name: "days" },
    PERIODS.map((d) => h("option", { value: d, selected: d === days }, `Last ${d} days`)));
  const go = () => {
    const path = picker.value ? `/${encodeURIComponent(picker.value)}` : "";
    window.location.hash = `#/insights${path}?days=${period.value}`;
  };
  picker.addEventListener("change", go);
  period.addEventListener("change", go);
  const body = h("div", {}, loadingPanel("Adding up the returns…"));
  mount(view, h("section", { class: "stack insights", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading, h("span", { class: "spacer" }),
      field({ label: "Channel", control: picker, name: "channel" }),
      field({ label: "Period", control: period, name: "days" })),
    body));
  focusOn(heading);
  try {
    const since = new Date(Date.now() - days * 86400000).toISOString();
    const { returnAnalytics: a } = await gql(ANALYTICS, { channel: slug || null, since });
    if (a.__typename === "ReturnError") {
      mount(body, errorPanel({ code: a.code, message: a.message }));
      return;
    }
    mount(body, a.returns ? insights(a, days) : h("div", { class: "empty" }, `No returns in the last ${days} days.`));
  } catch (err) {
    mount(body, errorPanel(err, () => renderInsights(view, slug, query, channels)));
  }
}

function amountIn(list, currency) {
  return Number((list.find((m) => m.currency === currency) || { amount: "0" }).amount);
}

function moneyText(list) {
  return list.length ? list.map((m) => money(m)).join(", ") : "—";
}

function insights(a, days) {
  const currency = (a.refunded[0] || a.daily.flatMap((d) => d.refunded)[0] || { currency: "USD" }).currency;
  const inCurrency = (v) => money({ amount: String(v), currency });
  const hours = a.medianHoursToRefund;
  const median = hours === null || hours === undefined ? "—"
    : hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
  const cards = [
    ["Returns", String(a.returns), "returns"], ["Units", String(a.units), "units"],
    ["Refunded", moneyText(a.refunded), "refunded"], ["Keep-item refunds", moneyText(a.keepItemValue), "keep-item"],
    ["Label cost", moneyText(a.labelCost), "label-cost"], ["Median time to refund", median, "median"],
  ];
  const labels = a.daily.map((d) => day(`${d.date}T12:00:00Z`, "UTC"));
  const top = a.byProduct.slice(0, 10);
  const resolutions = a.byResolution.filter((b) => b.key !== "NONE");
  return h("div", { class: "stack", "data-insights": "" },
    h("p", { class: "small muted" }, `Returns requested in the last ${days} days`
      + `${a.channel ? ` on ${a.channel}` : " on every channel"}; days in ${a.timezone}.`),
    h("dl", { class: "kpis" }, cards.map(([label, value, key]) => h("div", { class: "kpi card", "data-kpi": key },
      h("dt", {}, label), h("dd", {}, value)))),
    h("div", { class: "chart-grid" },
      chartFigure({ key: "returns-per-day", title: "Returns over time", type: "bar", labels, labelHeading: "Day",
        series: [{ label: "Returns", data: a.daily.map((d) => d.returns) }] }),
      chartFigure({ key: "reasons", title: "Why items come back", type: "bar", horizontal: true, labelHeading: "Reason",
        labels: a.byReason.map((b) => reasonLabel(b.key)),
        series: [{ label: "Units", data: a.byReason.map((b) => b.units), colour: 2 }] }),
      chartFigure({ key: "products", title: "Most returned products", type: "bar", horizontal: true,
        labelHeading: "Product (SKU)", labels: top.map((b) => b.key),
        series: [{ label: "Units", data: top.map((b) => b.units), colour: 4 },
          { label: "Returns", data: top.map((b) => b.returns), colour: 0 }] }),
      chartFigure({ key: "refunds", title: `Refunds and keep-item spend (${currency})`, type: "bar", labelHeading: "Day",
        labels, stacked: false, format: (v) => inCurrency(v),
        series: [{ label: "Refunded", data: a.daily.map((d) => amountIn(d.refunded, currency)), colour: 1 }] }),
      chartFigure({ key: "resolutions", title: `Refunded by resolution (${currency})`, type: "bar", horizontal: true,
        labelHeading: "Resolution", format: (v) => inCurrency(v),
        labels: resolutions.map((b) => (b.key === "KEEP_ITEM" ? "Kept by the shopper" : "Shipped back")),
        series: [{ label: "Refunded", data: resolutions.map((b) => amountIn(b.refunded, currency)), colour: 1 }],
        height: 140 })),
    statusTable(a));
}

function statusTable(a) {
  return h("div", { class: "card stack" }, h("h2", { class: "section-title" }, "Where the returns are now"),
    h("table", { class: "table", "data-by-status": "" },
      h("thead", {}, h("tr", {}, ["Status", "Returns", "Units", "Refunded"].map((t, i) =>
        h("th", { scope: "col", class: i ? "num" : null }, t)))),
      h("tbody", {}, a.byStatus.map((b) => h("tr", {}, h("th", { scope: "row" }, statusLabel(b.key, "staff")),
        h("td", { class: "num" }, String(b.returns)), h("td", { class: "num" }, String(b.units)),
        h("td", { class: "num" }, moneyText(b.refunded)))))));
}
