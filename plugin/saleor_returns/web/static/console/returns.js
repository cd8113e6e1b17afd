// All returns, newest first: filter by status and channel, search by return number, order number or e-mail.
import { onSubmitOnce, once } from "../shared/busy.js";
import { field, focusOn, h, mount } from "../shared/dom.js";
import { moment, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { statusLabel, statusTone } from "../shared/messages.js";
import { gql, RETURN, RETURNS } from "./api.js";
import { renderCase } from "./case.js";
import { errorPanel, loadingPanel } from "./views.js";

const STATUSES = ["PENDING_REVIEW", "REQUESTED", "APPROVED", "LABEL_ISSUED", "IN_TRANSIT", "RECEIVED", "REFUNDED",
  "CLOSED", "REJECTED", "CANCELLED", "REFUND_FAILED"];
const PAGE = 25;

/** #/returns?status=…&channel=…&q=… */
export function renderReturns(view, query, channels) {
  const status = h("select", { name: "status" }, h("option", { value: "" }, t("returns.anyStatus")),
    STATUSES.map((s) => h("option", { value: s, selected: query.get("status") === s }, statusLabel(s, "staff"))));
  const channel = h("select", { name: "channel" }, h("option", { value: "" }, t("returns.anyChannel")),
    channels.map((c) => h("option", { value: c.slug, selected: query.get("channel") === c.slug }, c.slug)));
  const search = h("input", { type: "search", name: "q", value: query.get("q") || "",
    placeholder: t("returns.searchPlaceholder") });
  const form = h("form", { class: "filters", role: "search", "aria-label": t("returns.filterLabel") },
    field({ label: t("returns.status"), control: status, name: "status" }),
    field({ label: t("returns.channel"), control: channel, name: "channel" }),
    field({ label: t("returns.search"), control: search, name: "search" }),
    h("button", { type: "submit", class: "button primary" }, t("returns.apply")));
  const results = h("div", { class: "results", "aria-live": "polite", "aria-busy": "true" });
  const heading = h("h1", { id: "view-title" }, t("returns.title"));
  const count = h("p", { class: "muted small", "data-returns-count": "", "aria-live": "polite" });
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading), form, count, results));
  focusOn(heading);
  const go = () => {
    const q = new URLSearchParams();
    if (status.value) q.set("status", status.value);
    if (channel.value) q.set("channel", channel.value);
    if (search.value.trim()) q.set("q", search.value.trim());
    const hash = `#/returns${q.toString() ? `?${q}` : ""}`;
    if (window.location.hash === hash) load(results, count, filterOf(q), null);
    else window.location.hash = hash;
  };
  onSubmitOnce(form, go);
  status.addEventListener("change", go);
  channel.addEventListener("change", go);
  load(results, count, filterOf(query), null);
}

function filterOf(q) {
  const f = {};
  if (q.get("status")) f.status = q.get("status");
  if (q.get("channel")) f.channel = q.get("channel");
  if (q.get("q")) f.search = q.get("q");
  return f;
}

async function load(results, count, filter, after, table = null) {
  if (!table) mount(results, loadingPanel(t("returns.loading")));
  results.setAttribute("aria-busy", "true");
  let page;
  try {
    page = (await gql(RETURNS, { filter, first: PAGE, after })).returnRequests;
  } catch (err) {
    mount(results, errorPanel(err, () => load(results, count, filter, after)));
    return;
  } finally {
    results.setAttribute("aria-busy", "false");
  }
  const rows = page.edges.map((e) => row(e.node));
  if (!table) {
    if (!rows.length) {
      mount(count);
      mount(results, h("div", { class: "empty" }, t("returns.none")));
      return;
    }
    table = h("tbody", {});
    mount(results, h("table", { class: "table returns-table" },
      h("caption", { class: "visually-hidden" }, t("returns.caption")),
      h("thead", {}, h("tr", {}, ["return", "order", "customer", "status", "refund", "asked"].map((c) =>
        h("th", { scope: "col", class: c === "refund" ? "num" : null }, t(`returns.col.${c}`))))),
      table));
  }
  table.append(...rows);
  const shown = table.querySelectorAll("tr").length;
  mount(count, t("returns.count", { shown, total: page.totalCount }));
  results.querySelector(".more")?.remove();
  if (page.pageInfo.hasNextPage) {
    const more = h("button", { type: "button", class: "button more" }, t("returns.more"));
    more.addEventListener("click", () => once(more, more, () => load(results, count, filter, page.pageInfo.endCursor, table)));
    results.append(more);
  }
}

function row(r) {
  return h("tr", { "data-return-id": r.id },
    h("td", {}, h("a", { href: `#/returns/${encodeURIComponent(r.id)}` }, r.number)),
    h("td", {}, `#${r.orderNumber}`),
    h("td", {}, r.customerEmail),
    h("td", {}, h("span", { class: `badge ${statusTone(r.status)}` }, statusLabel(r.status, "staff"))),
    h("td", { class: "num" }, money(r.refundTotal)),
    h("td", { class: "muted" }, moment(r.createdAt, r.timezone)));
}

/** #/returns/<id>: one return with its actions. */
export async function renderReturn(view, id) {
  mount(view, h("p", {}, h("a", { href: "#/returns" }, t("returns.back"))), loadingPanel(t("returns.loadingOne")));
  try {
    const { returnRequest: ret } = await gql(RETURN, { id });
    const body = h("div", {});
    mount(view, h("p", {}, h("a", { href: "#/returns" }, t("returns.back"))), ret ? body
      : h("div", { class: "empty" }, t("returns.noSuch")));
    if (ret) renderCase(body, ret, { focus: true });
  } catch (err) {
    mount(view, errorPanel(err, () => renderReturn(view, id)));
  }
}
