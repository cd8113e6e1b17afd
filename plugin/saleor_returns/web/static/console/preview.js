// "Preview on the last 30/90 days" in the policy editor, before Save: the channel's past returns replayed under
// the policy as edited (simulateReturnPolicy; nothing is saved), the totals now and with the changes side by
// side, a chart of daily outcomes before and after, and every return that would change with the rules why.
import { h, mount } from "../shared/dom.js";
import { day, humanizeMoments, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { codeLabel, describeError, ruleLabel, sentence, verdictLabel } from "../shared/messages.js";
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

const OUTCOMES = ["KEEP_ITEM", "SHIP_BACK", "REVIEW", "REJECTED"];
const SHOWN = 25;

/**
 * The preview panel of a policy form. `form` gives { read() → {input, problems}, fieldError(name, message),
 * clear() }: the editor's own reading and error display, so the preview checks exactly what Save would send.
 */
export function previewPanel(policy, form) {
  const result = h("div", { class: "preview-result", "aria-live": "polite" });
  const buttons = [30, 90].map((days) => h("button", { type: "button", class: "button", "data-preview-days": days,
    onclick: () => preview(policy, form, days, result, buttons) }, t("policyPreview.button", { count: days })));
  return h("section", { class: "card section preview", "aria-labelledby": "preview-title" },
    h("h2", { id: "preview-title", class: "section-title" }, t("policyPreview.title")),
    h("p", { class: "small muted" }, t("policyPreview.intro")),
    h("div", { class: "row" }, buttons), result);
}

async function preview(policy, form, days, result, buttons) {
  form.clear();
  const { input, problems } = form.read();
  if (problems.length) {
    problems.forEach(([name, message]) => form.fieldError(name, message));
    mount(result, h("div", { class: "alert critical", role: "alert" },
      h("p", { class: "alert-title" }, t("policyPreview.checkFields"))));
    return;
  }
  buttons.forEach((b) => { b.disabled = true; });
  mount(result, h("p", { class: "loading", role: "status" }, t("policyPreview.replaying", { count: days })));
  const since = new Date(Date.now() - days * 86400000).toISOString();
  try {
    const { simulateReturnPolicy: r } = await gql(SIMULATE, { channel: policy.channel, input, since });
    if (r.__typename === "ReturnError") {
      const name = (r.field || "").replace(/^input\./, "");
      if (name) form.fieldError(name, sentence(r.message));
      mount(result, h("div", { class: "alert critical", role: "alert", "data-code": r.code },
        h("p", { class: "alert-title" }, t("policyPreview.invalid")), h("p", {}, sentence(r.message))));
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
  const apart = r.notReplayable ? ` ${t("policyPreview.notReplayable", { count: r.notReplayable })}` : "";
  return h("div", { class: "stack", "data-simulation": "", "data-replayed": r.replayed },
    h("p", {}, h("strong", {}, t("policyPreview.replayed", { count: r.replayed, days })),
      `${r.changed.length ? t("policyPreview.changed", { count: r.changed.length })
        : t("policyPreview.noneChanged")}${apart}`),
    totalsTable(r),
    r.daily.length ? dailyChart(r) : null,
    r.changed.length ? changedTable(r) : null);
}

function outcome(code) {
  return OUTCOMES.includes(code) ? t(`policyPreview.outcome.${code}`) : code;
}

const WHY_PARTS = { "restocking fee": "restockingFee", "return shipping deducted": "shippingDeducted",
  "original shipping refunded": "shippingRefunded", refund: "refund" };
const WHY_PART = /^(restocking fee|return shipping deducted|original shipping refunded|refund): (\S+ [A-Z]{3}) → (\S+ [A-Z]{3})$/;

/** "12.00 USD" (the server's way of writing an amount) → "$12.00". */
function amountWords(text) {
  const m = /^(-?\d+(?:\.\d+)?) ([A-Z]{3})$/.exec(text);
  return m ? money({ amount: m[1], currency: m[2] }) : text;
}

function verdictWords(verdict) {
  return verdict === "not checked" ? t("policyPreview.why.notChecked") : verdictLabel(verdict);
}

/**
 * One reason a return would end differently, as the server writes it ("keep_item: KEEP_ITEM → SHIP_BACK (…)",
 * "restocking fee: 0.00 USD → 2.50 USD", "WINDOW_EXPIRED: …") in words, with the server's text as its code.
 */
function whyWords(w, timeZone) {
  const part = WHY_PART.exec(w);
  if (part) {
    return t("policyPreview.why.line", { what: t(`policyPreview.why.${WHY_PARTS[part[1]]}`),
      before: amountWords(part[2]), after: amountWords(part[3]) });
  }
  const rule = /^([a-z_]+(?:\[[^\]]*\])?): (not checked|\S+) → (not checked|\S+)(?: \((.*)\))?$/s.exec(w);
  if (rule) {
    const words = t("policyPreview.why.line", { what: ruleLabel(rule[1]), before: verdictWords(rule[2]),
      after: verdictWords(rule[3]) });
    return rule[4] ? `${words} (${humanizeMoments(rule[4], timeZone)})` : words;
  }
  const refused = /^([A-Z][A-Z_]+): /.exec(w);
  return refused ? codeLabel(refused[1]) : null;
}

function whyItem(w, timeZone) {
  const words = whyWords(w, timeZone);
  return words ? h("li", {}, words, h("span", { class: "code" }, ` ${w}`)) : h("li", {}, w);
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
    return d === 0 ? t("policyPreview.noChange") : `${d > 0 ? "+" : "−"}${text}`;
  });
  return parts.join(", ") || t("policyPreview.noChange");
}

function totalsTable(r) {
  const a = r.current, b = r.proposed;
  const count = (k) => {
    const d = b[k] - a[k];
    return [String(a[k]), String(b[k]), d === 0 ? t("policyPreview.noChange") : `${d > 0 ? "+" : "−"}${Math.abs(d)}`];
  };
  const rows = [
    [t("policyPreview.rows.keepItem"), ...count("keepItem")],
    [t("policyPreview.rows.shipBack"), ...count("shipBack")],
    [t("policyPreview.rows.review"), ...count("review")],
    [t("policyPreview.rows.rejected"), ...count("rejected")],
    [t("policyPreview.rows.refunds"), moneyList(a.refunds), moneyList(b.refunds), difference(a.refunds, b.refunds)],
    [t("policyPreview.rows.keepItemValue"), moneyList(a.keepItemValue), moneyList(b.keepItemValue),
      difference(a.keepItemValue, b.keepItemValue)],
    [t("policyPreview.rows.labelCost"), moneyList(a.labelCost), moneyList(b.labelCost), difference(a.labelCost, b.labelCost)],
  ];
  return h("table", { class: "table totals", "data-totals": "" },
    h("caption", { class: "visually-hidden" }, t("policyPreview.caption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col", class: "num" }, t("policyPreview.col.asDecided")),
      h("th", { scope: "col", class: "num" }, t("policyPreview.col.withChanges")),
      h("th", { scope: "col", class: "num" }, t("policyPreview.col.difference")))),
    h("tbody", {}, rows.map(([label, ...cells]) => h("tr", {}, h("th", { scope: "row" }, label),
      cells.map((c, i) => h("td", { class: "num", "data-col": ["current", "proposed", "change"][i] }, c))))));
}

function dailyChart(r) {
  const labels = r.daily.map((d) => day(`${d.date}T12:00:00Z`, "UTC"));
  const series = [
    { label: t("policyPreview.series.keptBefore"), data: r.daily.map((d) => d.current.keepItem), colour: 1 },
    { label: t("policyPreview.series.keptAfter"), data: r.daily.map((d) => d.proposed.keepItem), colour: 1, dash: true },
    { label: t("policyPreview.series.shippedBefore"), data: r.daily.map((d) => d.current.shipBack), colour: 0 },
    { label: t("policyPreview.series.shippedAfter"), data: r.daily.map((d) => d.proposed.shipBack), colour: 0, dash: true },
  ];
  if (r.daily.some((d) => d.current.review || d.proposed.review)) {
    series.push({ label: t("policyPreview.series.reviewBefore"), data: r.daily.map((d) => d.current.review), colour: 2 },
      { label: t("policyPreview.series.reviewAfter"), data: r.daily.map((d) => d.proposed.review), colour: 2, dash: true });
  }
  if (r.daily.some((d) => d.current.rejected || d.proposed.rejected)) {
    series.push({ label: t("policyPreview.series.refusedAfter"), data: r.daily.map((d) => d.proposed.rejected), colour: 3,
      dash: true });
  }
  return chartFigure({ key: "preview-daily", title: t("policyPreview.chartTitle", { zone: r.timezone }), type: "line",
    labels, series, labelHeading: t("policyPreview.col.day"), height: 220 });
}

function changedTable(r) {
  const shown = r.changed.slice(0, SHOWN);
  return h("div", { class: "stack" },
    h("h3", {}, t("policyPreview.changedTitle", { n: r.changed.length })),
    h("table", { class: "table changed", "data-changed": "" },
      h("thead", {}, h("tr", {}, ["return", "requested", "asDecided", "withChanges", "refund", "why"]
        .map((col) => h("th", { scope: "col" }, t(`policyPreview.col.${col}`))))),
      h("tbody", {}, shown.map((c) => h("tr", { "data-return-id": c.returnId },
        h("td", {}, h("a", { href: `#/returns/${encodeURIComponent(c.returnId)}` }, c.number)),
        h("td", {}, day(c.requestedAt, r.timezone)),
        h("td", {}, outcome(c.before)),
        h("td", {}, h("strong", {}, outcome(c.after))),
        h("td", { class: "num" }, c.refundBefore.amount === c.refundAfter.amount ? money(c.refundAfter)
          : `${money(c.refundBefore)} → ${money(c.refundAfter)}`),
        h("td", {}, h("ul", { class: "why" }, c.why.map((w) => whyItem(w, r.timezone)))))))),
    r.changed.length > SHOWN ? h("p", { class: "small muted" },
      t("policyPreview.more", { count: r.changed.length - SHOWN })) : null);
}
