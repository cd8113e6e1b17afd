// The review queue: returns waiting for a person, each with why it is here; pick one, decide.
import { focusOn, h, mount } from "../shared/dom.js";
import { moment, money } from "../shared/format.js";
import { reviewReasonLabel } from "../shared/messages.js";
import { gql, QUEUE } from "./api.js";
import { renderCase } from "./case.js";
import { errorPanel, loadingPanel } from "./views.js";

export async function renderQueue(view, { selected = null, onCount = () => {} } = {}) {
  const heading = h("h1", { id: "view-title" }, "Review queue");
  const list = h("div", { class: "queue-list" }, loadingPanel("Loading the review queue…"));
  const detail = h("div", { class: "queue-detail", "aria-live": "off" });
  const refresh = h("button", { type: "button", class: "button", onclick: () => renderQueue(view, { selected, onCount }) },
    "Refresh");
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading, h("span", { class: "spacer" }), refresh),
    h("p", { class: "muted" }, "Edge cases land here with the reason each one needs a person. "
      + "Approve within your goodwill budget, convert to keep-item, or reject with a note the shopper sees."),
    h("div", { class: "queue" }, list, detail)));
  focusOn(heading);
  let cases;
  try {
    const data = await gql(QUEUE, {});
    cases = data.returnRequests.edges.map((e) => e.node);
  } catch (err) {
    mount(list, errorPanel(err, () => renderQueue(view, { selected, onCount })));
    return;
  }
  onCount(cases.length);
  if (!cases.length) {
    mount(list, h("div", { class: "empty" }, h("p", {}, "Nothing waiting for review."),
      h("p", { class: "small" }, "Returns in grace (when the policy asks), above the review threshold, or with an "
        + "exception request will appear here.")));
    return;
  }
  const pick = (ret, focus = false) => {
    for (const b of list.querySelectorAll("[aria-current]")) b.removeAttribute("aria-current");
    const item = list.querySelector(`[data-return-id="${CSS.escape(ret.id)}"]`);
    if (item) item.setAttribute("aria-current", "true");
    renderCase(detail, ret, { focus, onChange: () => renderQueue(view, { onCount }) });
  };
  mount(list, h("ul", { class: "case-list", role: "list", "aria-label": "Returns waiting for review" },
    cases.map((ret) => h("li", {},
      h("button", { type: "button", class: "case-item", "data-return-id": ret.id, onclick: () => pick(ret, true) },
        h("span", { class: "row" }, h("strong", {}, ret.number), h("span", { class: "spacer" }),
          h("strong", {}, money(ret.refundTotal))),
        h("span", { class: "small" }, `Order #${ret.orderNumber} · ${ret.customerEmail}`),
        h("span", { class: "small muted" }, ret.decision.reviewReasons.map(reviewReasonLabel).join("; ")),
        h("span", { class: "small muted" }, moment(ret.createdAt, ret.timezone)))))));
  pick(cases.find((c) => c.id === selected) || cases[0]);
}
