// All returns, newest first: filter by status and channel, search by return number, order number or e-mail.
import { onSubmitOnce, once } from "../shared/busy.js";
import { field, focusOn, h, mount } from "../shared/dom.js";
import { moment, money } from "../shared/format.js";
import { statusLabel, statusTone } from "../shared/messages.js";
import { gql, RETURN, RETURNS } from "./api.js";
import { renderCase } from "./case.js";
import { errorPanel, loadingPanel } from "./views.js";

const STATUSES = ["PENDING_REVIEW", "REQUESTED", "APPROVED", "LABEL_ISSUED", "IN_TRANSIT", "RECEIVED", "REFUNDED",
  "CLOSED", "REJECTED", "CANCELLED", "REFUND_FAILED"];
const PAGE = 25;

/** #/returns?status=…&channel=…&q=… */
export function renderReturns(view, query, channels) {
  const status = h("select", { name: "status" }, h("option", { value: "" }, "Any status"),
    STATUSES.map((s) => h("option", { value: s, selected: query.get("status") === s }, statusLabel(s, "staff"))));
  const channel = h("select", { name: "channel" }, h("option", { value: "" }, "Any channel"),
    channels.map((c) => h("option", { value: c.slug, selected: query.get("channel") === c.slug }, c.slug)));
  const search = h("input", { type: "search", name: "q", value: query.get("q") || "",
    placeholder: "R-10001, 1001 or ada@example.com" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter returns" },
    field({ label: "Status", control: status, name: "status" }),
    field({ label: "Channel", control: channel, name: "channel" }),
    field({ label: "Search", control: search, name: "search" }),
    h("button", { type: "submit", class: "button primary" }, "Apply"));
  const results = h("div", { class: "results", "aria-live": "polite", "aria-busy": "true" });
  const heading = h("h1", { id: "view-title" }, "Returns");
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading), form, results));
  focusOn(heading);
  const go = () => {
    const q = new URLSearchParams();
    if (status.value) q.set("status", status.value);
    if (channel.value) q.set("channel", channel.value);
    if (search.value.trim()) q.set("q", search.value.trim());
    const hash = `#/returns${q.toString() ? `?${q}` : ""}`;
    if (window.location.hash === hash) load(results, filterOf(q), null);
    else window.location.hash = hash;
  };
  onSubmitOnce(form, go);
  status.addEventListener("change", go);
  channel.addEventListener("change", go);
  load(results, filterOf(query), null);
}

function filterOf(q) {
  const f = {};
  if (q.get("status")) f.status = q.get("status");
  if (q.get("channel")) f.channel = q.get("channel");
  if (q.get("q")) f.search = q.get("q");
  return f;
}

async function load(results, filter, after, table = null) {
  if (!table) mount(results, loadingPanel("Loading returns…"));
  results.setAttribute("aria-busy", "true");
  let page;
  try {
    page = (await gql(RETURNS, { filter, first: PAGE, after })).returnRequests;
  } catch (err) {
    mount(results, errorPanel(err, () => load(results, filter, after)));
    return;
  } finally {
    results.setAttribute("aria-busy", "false");
  }
  const rows = page.edges.map((e) => row(e.node));
  if (!table) {
    if (!rows.length) {
      mount(results, h("div", { class: "empty" }, "No returns match these filters."));
      return;
    }
    table = h("tbody", {});
    mount(results, h("table", { class: "table returns-table" },
      h("caption", { class: "visually-hidden" }, "Returns, newest first"),
      h("thead", {}, h("tr", {}, ["Return", "Order", "Customer", "Status", "Refund", "Asked"].map((t) =>
        h("th", { scope: "col", class: t === "Refund" ? "num" : null }, t)))),
      table));
  }
  table.append(...rows);
  results.querySelector(".more")?.remove();
  if (page.pageInfo.hasNextPage) {
    const more = h("button", { type: "button", class: "button more" }, "Load more");
    more.addEventListener("click", () => once(more, more, () => load(results, filter, page.pageInfo.endCursor, table)));
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
  mount(view, h("p", {}, h("a", { href: "#/returns" }, "← All returns")), loadingPanel("Loading the return…"));
  try {
    const { returnRequest: ret } = await gql(RETURN, { id });
    const body = h("div", {});
    mount(view, h("p", {}, h("a", { href: "#/returns" }, "← All returns")), ret ? body
      : h("div", { class: "empty" }, "There is no such return."));
    if (ret) renderCase(body, ret, { focus: true });
  } catch (err) {
    mount(view, errorPanel(err, () => renderReturn(view, id)));
  }
}
