// The review queue: returns waiting for a person, a page at a time with the count, each with why it is here.
// Pick one, decide. After a decision the case says what was done; the next case opens only when asked, so no
// button of another case ever appears under the pointer.
import { focusOn, h, mount } from "../shared/dom.js";
import { moment, money } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { reviewReasonLabel } from "../shared/messages.js";
import { gql, QUEUE, RETURN } from "./api.js";
import { renderCase } from "./case.js";
import { errorPanel, loadingPanel } from "./views.js";

export const QUEUE_PAGE = 25;

/** #/queue?after=<cursor>: one page of the queue. */
export async function renderQueue(view, { onCount = () => {}, after = null, from = 0, selected = null } = {}) {
  const heading = h("h1", { id: "view-title" }, t("queue.title"));
  const list = h("div", { class: "queue-list" }, loadingPanel(t("queue.loading")));
  const detail = h("div", { class: "queue-detail", "aria-live": "off" });
  const refresh = h("button", { type: "button", class: "button", onclick: () => renderQueue(view, { onCount, after, from }) },
    t("common.refresh"));
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading, h("span", { class: "spacer" }), refresh),
    h("p", { class: "muted" }, t("queue.intro")),
    h("div", { class: "queue" }, list, detail)));
  focusOn(heading);
  let page;
  try {
    page = (await gql(QUEUE, { first: QUEUE_PAGE, after })).returnRequests;
  } catch (err) {
    mount(list, errorPanel(err, () => renderQueue(view, { onCount, after, from })));
    return;
  }
  const cases = page.edges.map((e) => e.node);
  onCount(page.totalCount);
  if (!cases.length) {
    mount(list, h("div", { class: "empty" }, h("p", {}, t("queue.empty")), h("p", { class: "small" }, t("queue.emptyHelp"))));
    return;
  }
  const pick = async (ret, focus = false) => {
    for (const b of list.querySelectorAll("[aria-current]")) b.removeAttribute("aria-current");
    const item = list.querySelector(`[data-return-id="${CSS.escape(ret.id)}"]`);
    if (item) item.setAttribute("aria-current", "true");
    mount(detail, loadingPanel(t("queue.loadingCase")));
    try {
      const { returnRequest: full } = await gql(RETURN, { id: ret.id });
      if (!full) { mount(detail, h("div", { class: "empty" }, t("returns.noSuch"))); return; }
      renderCase(detail, full, { focus, onChange: (done) => afterDecision(view, list, detail, done, { onCount, after, from }) });
    } catch (err) {
      mount(detail, errorPanel(err, () => pick(ret, focus)));
    }
  };
  const first = after ? from : 0;
  mount(list,
    h("p", { class: "small muted", "data-queue-range": "" }, t("queue.range", {
      from: first + 1, to: first + cases.length, total: page.totalCount })),
    h("ul", { class: "case-list", role: "list", "aria-label": t("queue.listLabel") },
      cases.map((ret) => h("li", {},
        h("button", { type: "button", class: "case-item", "data-return-id": ret.id, onclick: () => pick(ret, true) },
          h("span", { class: "row" }, h("strong", {}, ret.number), h("span", { class: "spacer" }),
            h("strong", {}, money(ret.refundTotal))),
          h("span", { class: "small" }, t("queue.orderBy", { number: ret.orderNumber, email: ret.customerEmail })),
          h("span", { class: "small muted" }, ret.decision.reviewReasons.map(reviewReasonLabel).join("; ")),
          h("span", { class: "small muted" }, moment(ret.createdAt, ret.timezone)))))),
    pager(page, after, first + cases.length));
  pick(cases.find((c) => c.id === selected) || cases[0]);
}

function pager(page, after, next) {
  if (!after && !page.pageInfo.hasNextPage) return null;
  return h("nav", { class: "pager", "aria-label": t("queue.pages") },
    after ? h("a", { class: "button", href: "#/queue" }, t("queue.firstPage")) : null,
    page.pageInfo.hasNextPage ? h("a", { class: "button", href: `#/queue?after=${encodeURIComponent(page.pageInfo.endCursor)}&from=${next}`,
      "data-next-page": "" }, t("queue.nextPage")) : null);
}

/** After a decision: the case says what was done, the list is reloaded, and the next case waits to be asked for. */
async function afterDecision(view, list, detail, done, opts) {
  const heading = h("h2", {}, t("queue.doneTitle", { number: done.ret.number }));
  const next = h("button", { type: "button", class: "button", "data-open-next": "" }, t("queue.openNext"));
  mount(detail, h("div", { class: "done-box stack", "data-done": done.ret.id }, heading,
    h("p", {}, done.message), h("div", { class: "row" }, next)));
  focusOn(heading);
  next.addEventListener("click", () => renderQueue(view, opts));
  try {
    const page = (await gql(QUEUE, { first: QUEUE_PAGE, after: opts.after })).returnRequests;
    opts.onCount(page.totalCount);
    if (!page.edges.length) {
      next.remove();
      detail.querySelector(".done-box").append(h("p", { class: "empty" }, t("queue.empty")));
    }
    for (const item of list.querySelectorAll("[data-return-id]")) {
      if (item.dataset.returnId === done.ret.id) item.closest("li").remove();
    }
  } catch {
    // the list refreshes with the next view
  }
}
