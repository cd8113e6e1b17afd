// The status page of one return (/portal/returns/<id>?email=…): where it stands, the refund, the timeline.
import { once, onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount } from "../shared/dom.js";
import { deadline, moment, money } from "../shared/format.js";
import {
  eventLabel, reasonLabel, refundStatusLabel, refundStatusTone, statusLabel, statusTone,
} from "../shared/messages.js";
import { CANCEL_RETURN, gql, RETURN_STATUS } from "./api.js";
import { outcome } from "./outcome.js";
import { announce, errorBox, loading } from "./ui.js";

const CANCELLABLE = ["REQUESTED", "PENDING_REVIEW", "APPROVED", "LABEL_ISSUED"];
const OPEN = [...CANCELLABLE, "IN_TRANSIT"];

export async function renderStatus(app, id, email) {
  if (!email) {
    askEmail(app, id);
    return;
  }
  mount(app, loading("Loading your return…"));
  try {
    const { returnRequest: ret } = await gql(RETURN_STATUS, { id, email });
    if (!ret) {
      mount(app, h("div", { class: "panel stack" }, h("h1", {}, "Return not found"),
        errorBox({ code: "RETURN_NOT_FOUND", message: "" }), emailForm(app, id, email)));
      focusOn(app.querySelector("h1"));
      return;
    }
    show(app, ret, email);
  } catch (err) {
    mount(app, h("div", { class: "panel stack" }, h("h1", {}, "Your return"), errorBox(err),
      h("button", { type: "button", class: "button", onclick: () => renderStatus(app, id, email) }, "Try again")));
  }
}

function askEmail(app, id) {
  mount(app, h("div", { class: "panel stack" }, h("h1", {}, "Follow your return"),
    h("p", {}, "Enter the e-mail address you ordered with to see this return."), emailForm(app, id, "")));
  focusOn(app.querySelector("h1"));
}

function emailForm(app, id, email) {
  const mail = h("input", { type: "email", autocomplete: "email", required: true, value: email || "" });
  const form = h("form", { class: "stack", novalidate: true },
    field({ label: "E-mail address", control: mail, name: "email" }),
    h("button", { type: "submit", class: "button primary" }, "Show my return"));
  onSubmitOnce(form, async () => {
    const url = new URL(window.location.href);
    url.searchParams.set("email", mail.value.trim());
    window.history.replaceState(null, "", url);
    await renderStatus(app, id, mail.value.trim());
  });
  return form;
}

function show(app, ret, email) {
  const heading = h("h1", { id: "status-title" }, `Return ${ret.number}`);
  mount(app, h("section", { class: "stack", "aria-labelledby": "status-title" },
    h("div", { class: "panel stack" },
      h("div", { class: "row" }, heading, h("span", { class: "spacer" }),
        h("span", { class: `badge ${statusTone(ret.status)}`, "data-status": ret.status }, statusLabel(ret.status))),
      h("p", { class: "muted" }, `Order #${ret.orderNumber} · asked on ${moment(ret.createdAt, ret.timezone)}`),
      nextStep(ret, email),
      items(ret)),
    refunds(ret),
    timeline(ret),
    cancelBox(app, ret, email)));
  focusOn(heading);
}

function nextStep(ret, email) {
  const box = outcome(ret, null, email, { level: "h2" });
  if (box) return box;
  if (ret.status === "REJECTED") {
    const why = [...ret.events].reverse().find((e) => e.type === "REJECTED" && e.note);
    return h("div", { class: "alert critical" }, h("h2", {}, "We couldn't accept this return"),
      why ? h("p", {}, why.note) : null,
      h("p", {}, "If you think we got this wrong, reply to our e-mail: a person will look at it again."));
  }
  if (ret.status === "REFUNDED" || ret.status === "CLOSED") {
    return h("div", { class: "alert success" }, h("h2", {}, "Refunded"),
      h("p", { class: "amount" }, money(ret.refundTotal)),
      h("p", {}, "The money is on its way to your original payment method."));
  }
  if (ret.status === "RECEIVED") {
    return h("div", { class: "alert" }, h("h2", {}, "We have your parcel"),
      h("p", {}, `Your refund of ${money(ret.refundTotal)} is on its way.`));
  }
  if (ret.status === "REFUND_FAILED") {
    return h("div", { class: "alert warning" }, h("h2", {}, "Your refund is taking longer than usual"),
      h("p", {}, "Our team has been told and is on it. You don't need to do anything."));
  }
  if (ret.status === "CANCELLED") {
    return h("div", { class: "alert" }, h("h2", {}, "This return was cancelled"));
  }
  return null;
}

function items(ret) {
  return h("div", { class: "stack" }, h("h2", { class: "h3" }, "Items"),
    h("ul", { class: "plain-list" }, ret.lines.map((l) => h("li", { class: "item" },
      h("span", { class: "item-name" }, `${l.quantity} × ${l.productName}`,
        h("span", { class: "muted small" }, reasonLabel(l.reason))),
      h("span", {}, money(l.refund))))),
    h("p", { class: "total" }, "Refund total ", h("strong", { "data-refund-total": "" }, money(ret.refundTotal))),
    ret.deadline && OPEN.includes(ret.status) ? h("p", { class: "small muted" }, "Return period: until ",
      h("time", { datetime: ret.deadline }, deadline(ret.deadline, ret.timezone)), ".") : null);
}

function refunds(ret) {
  return h("section", { class: "panel stack", "aria-labelledby": "refunds-title" },
    h("h2", { id: "refunds-title" }, "Refund"),
    ret.refunds.length
      ? h("ul", { class: "plain-list" }, ret.refunds.map((r) => h("li", { "data-refund-status": r.status },
        h("span", {}, money(r.amount)), h("span", { class: "spacer" }),
        h("span", { class: `badge ${refundStatusTone(r.status)}` }, refundStatusLabel(r.status)),
        h("span", { class: "muted small" }, moment(r.createdAt, ret.timezone)))))
      : h("p", { class: "muted" }, "No refund yet: it starts "
        + (ret.resolution === "KEEP_ITEM" ? "as soon as the return is approved." : "when your parcel reaches us.")));
}

function timeline(ret) {
  const visible = ret.events.map((e) => ({ ...e, label: eventLabel(e.type) })).filter((e) => e.label);
  return h("section", { class: "panel stack", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, "Timeline"),
    h("ol", { class: "timeline" }, visible.map((e) => h("li", { class: "done" },
      h("div", {}, e.label),
      e.type === "REQUESTED" && e.note ? h("div", { class: "small" }, `“${e.note}”`) : null,
      h("time", { class: "when", datetime: e.at }, moment(e.at, ret.timezone))))));
}

function cancelBox(app, ret, email) {
  if (!CANCELLABLE.includes(ret.status)) return null;
  const status = h("div", { class: "form-status" });
  const confirm = h("button", { type: "button", class: "button danger", hidden: true }, "Yes, cancel my return");
  const start = h("button", { type: "button", class: "button" }, "Cancel this return");
  start.addEventListener("click", () => { confirm.hidden = false; confirm.focus(); });
  confirm.addEventListener("click", () => once(confirm, [confirm, start], async () => {
    mount(status, loading("Cancelling…"));
    try {
      const { cancelReturn: result } = await gql(CANCEL_RETURN, { id: ret.id, email });
      if (result.__typename === "ReturnError") { mount(status, errorBox(result)); return; }
      announce("Your return is cancelled.");
      show(app, result.returnRequest, email);
    } catch (err) {
      mount(status, errorBox(err));
    }
  }));
  return h("section", { class: "panel stack", "aria-labelledby": "cancel-title" },
    h("h2", { id: "cancel-title", class: "h3" }, "Changed your mind?"),
    h("p", { class: "small muted" }, "You can cancel until your parcel is on its way. Nothing is refunded then."),
    h("div", { class: "row" }, start, confirm), status);
}
