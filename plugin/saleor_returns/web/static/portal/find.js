// Step 1: find the order by the number on the receipt (or its id) and the e-mail it was placed with.
import { onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { FIND_ORDER, gql, POLICY } from "./api.js";
import { renderOrder } from "./order.js";
import { announce, errorBox, loading } from "./ui.js";

/** The "find your order" form; with both values given (a link from the storefront) it looks up at once. */
export function renderFind(app, { order = "", email = "" } = {}) {
  const number = h("input", { type: "text", name: "order", autocomplete: "off", required: true, value: order || "",
    inputmode: "text", spellcheck: "false" });
  const mail = h("input", { type: "email", name: "email", autocomplete: "email", required: true, value: email || "" });
  const status = h("div", { class: "form-status" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, "Find my order");
  const form = h("form", { class: "panel stack", novalidate: true, "aria-labelledby": "find-title" },
    h("h1", { id: "find-title" }, "Return an item"),
    h("p", { class: "muted" }, "Enter your order number and the e-mail address you ordered with. "
      + "You'll see what can go back, until when, and what happens next, before you commit to anything."),
    field({ label: "Order number", control: number, hint: "As on your order confirmation, for example 1001.",
      name: "orderNumber" }),
    field({ label: "E-mail address", control: mail, name: "email" }),
    status,
    submit);
  mount(app, form);
  onSubmitOnce(form, () => find(app, form, number, mail, status));
  if (order && email) form.requestSubmit();
  else focusOn(form.querySelector("h1"));
}

async function find(app, form, number, mail, status) {
  setFieldError(number, null);
  setFieldError(mail, null);
  const missing = [[number, "Please enter your order number."], [mail, "Please enter your e-mail address."]]
    .filter(([input]) => !input.value.trim());
  if (missing.length) {
    missing.forEach(([input, text]) => setFieldError(input, text));
    missing[0][0].focus();
    return;
  }
  mount(status, loading("Looking up your order…"));
  const email = mail.value.trim();
  try {
    const data = await gql(FIND_ORDER, { number: number.value.trim(), email });
    const order = data.orderReturnEligibilityByNumber;
    if (order.__typename === "ReturnError") {
      mount(status, errorBox(order));
      number.setAttribute("aria-invalid", "true");
      mail.setAttribute("aria-invalid", "true");
      number.focus();
      return;
    }
    const { returnPolicy } = await gql(POLICY, { channel: order.channel });
    announce(`Order ${order.orderNumber} found.`);
    renderOrder(app, { order, policy: returnPolicy, email });
  } catch (err) {
    mount(status, errorBox(err));
  }
}
