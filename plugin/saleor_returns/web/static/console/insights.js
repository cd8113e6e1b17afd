// Insights (#/insights/<channel>?days=90): what returns cost over a period (returnAnalytics): returns over time,
// reasons, the most returned products, refunds and keep-item spend. Each chart has its table (charts.js).
import { field, focusOn, h, mount } from "../shared/dom.js";
import { day, decimal, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
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
  const heading = h("h1", { id: "view-title" }, t("insights.title"));
  const picker = h("select", { name: "channel" },
    h("option", { value: "", selected: !slug }, t("insights.everyChannel")),
    channels.map((c) => h("option", { value: c.slug, selected: c.slug === slug }, `${c.slug} (${c.currency})`)));
  const period = h("select", { name: "days" },
    PERIODS.map((d) => h("option", { value: d, selected: d === days }, t("insights.lastDays", { count: d }))));
  const go = () => {
    const path = picker.value ? `/${encodeURIComponent(picker.value)}` : "";
    window.location.hash = `#/insights${path}?days=${period.value}`;
  };
  picker.addEventListener("change", go);
  period.addEventListener("change", go);
  const body = h("div", {}, loadingPanel(t("insights.loading")));
  mount(view, h("section", { class: "stack insights", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading, h("span", { class: "spacer" }),
      field({ label: t("insights.channel"), control: picker, name: "channel" }),
      field({ label: t("insights.period"), control: period, name: "days" })),
    body));
  focusOn(heading);
  try {
    const since = new Date(Date.now() - days * 86400000).toISOString();
    const { returnAnalytics: a } = await gql(ANALYTICS, { channel: slug || null, since });
    if (a.__typename === "ReturnError") {
      mount(body, errorPanel({ code: a.code, message: a.message }));
      return;
    }
    mount(body, a.returns ? insights(a, days) : h("div", { class: "empty" }, t("insights.none", { count: days })));
  } catch (err) {
    mount(body, errorPanel(err, () => renderInsights(view, slug, query, channels)));
  }
}

function round1(value) {
  return Math.round(value * 10) / 10;
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
    : hours < 48 ? t("insights.hours", { count: round1(hours), value: decimal(hours, 1) })
      : t("insights.days", { count: round1(hours / 24), value: decimal(hours / 24, 1) });
  const cards = [
    [t("insights.kpi.returns"), String(a.returns), "returns"], [t("insights.kpi.units"), String(a.units), "units"],
    [t("insights.kpi.refunded"), moneyText(a.refunded), "refunded"],
    [t("insights.kpi.keepItem"), moneyText(a.keepItemValue), "keep-item"],
    [t("insights.kpi.labelCost"), moneyText(a.labelCost), "label-cost"], [t("insights.kpi.median"), median, "median"],
  ];
  const labels = a.daily.map((d) => day(`${d.date}T12:00:00Z`, "UTC"));
  const top = a.byProduct.slice(0, 10);
  const resolutions = a.byResolution.filter((b) => b.key !== "NONE");
  return h("div", { class: "stack", "data-insights": "" },
    h("p", { class: "small muted" }, a.channel
      ? t("insights.introChannel", { count: days, channel: a.channel, zone: a.timezone })
      : t("insights.introEvery", { count: days, zone: a.timezone })),
    h("dl", { class: "kpis" }, cards.map(([label, value, key]) => h("div", { class: "kpi card", "data-kpi": key },
      h("dt", {}, label), h("dd", {}, value)))),
    h("div", { class: "chart-grid" },
      chartFigure({ key: "returns-per-day", title: t("insights.charts.perDay"), type: "bar", labels,
        labelHeading: t("insights.head.day"),
        series: [{ label: t("insights.series.returns"), data: a.daily.map((d) => d.returns) }] }),
      chartFigure({ key: "reasons", title: t("insights.charts.reasons"), type: "bar", horizontal: true,
        labelHeading: t("insights.head.reason"),
        labels: a.byReason.map((b) => reasonLabel(b.key)),
        series: [{ label: t("insights.series.units"), data: a.byReason.map((b) => b.units), colour: 2 }] }),
      chartFigure({ key: "products", title: t("insights.charts.products"), type: "bar", horizontal: true,
        labelHeading: t("insights.head.product"), labels: top.map((b) => b.key),
        series: [{ label: t("insights.series.units"), data: top.map((b) => b.units), colour: 4 },
          { label: t("insights.series.returns"), data: top.map((b) => b.returns), colour: 0 }] }),
      chartFigure({ key: "refunds", title: t("insights.charts.refunds", { currency }), type: "bar",
        labelHeading: t("insights.head.day"),
        labels, stacked: false, format: (v) => inCurrency(v),
        series: [{ label: t("insights.series.refunded"), data: a.daily.map((d) => amountIn(d.refunded, currency)),
          colour: 1 }] }),
      chartFigure({ key: "resolutions", title: t("insights.charts.resolutions", { currency }), type: "bar", horizontal: true,
        labelHeading: t("insights.head.resolution"), format: (v) => inCurrency(v),
        labels: resolutions.map((b) => (b.key === "KEEP_ITEM" ? t("insights.kept") : t("insights.shippedBack"))),
        series: [{ label: t("insights.series.refunded"), data: resolutions.map((b) => amountIn(b.refunded, currency)), colour: 1 }],
        height: 140 })),
    statusTable(a));
}

function statusTable(a) {
  return h("div", { class: "card stack" }, h("h2", { class: "section-title" }, t("insights.whereNow")),
    h("table", { class: "table", "data-by-status": "" },
      h("thead", {}, h("tr", {}, ["status", "returns", "units", "refunded"].map((col, i) =>
        h("th", { scope: "col", class: i ? "num" : null }, t(`insights.col.${col}`))))),
      h("tbody", {}, a.byStatus.map((b) => h("tr", {}, h("th", { scope: "row" }, statusLabel(b.key, "staff")),
        h("td", { class: "num" }, String(b.returns)), h("td", { class: "num" }, String(b.units)),
        h("td", { class: "num" }, moneyText(b.refunded)))))));
}
