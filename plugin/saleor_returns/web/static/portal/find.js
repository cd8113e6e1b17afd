// Step 1: find the order by the number on the receipt (or its id) and the e-mail it was placed with.
// A shopper signed in on the storefront (customer token) needs no e-mail.
import { onSubmitOnce } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { FIND_ORDER, gql, POLICY, signedIn } from "./api.js";
import { applyLook } from "./look.js";
import { renderOrder } from "./order.js";
import { announce, errorBox, loading } from "./ui.js";

/** The "find your order" form; with the values given (a link from the storefront) it looks up at once. */
export function renderFind(app, { order = "", email = "" } = {}) {
  const customer = signedIn();
  const number = h("input", { type: "text", name: "order", autocomplete: "off", required: true, value: order || "",
    inputmode: "text", spellcheck: "false" });
  const mail = customer ? null
    : h("input", { type: "email", name: "email", autocomplete: "email", required: true, value: email || "" });
  const status = h("div", { class: "form-status" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, t("find.submit"));
  const form = h("form", { class: "panel stack", novalidate: true, "aria-labelledby": "find-title" },
    h("h1", { id: "find-title" }, t("find.title")),
    h("p", { class: "muted" }, customer ? t("find.introSignedIn") : t("find.intro")),
    field({ label: t("find.orderNumber"), control: number, hint: t("find.orderNumberHint"), name: "orderNumber" }),
    mail ? field({ label: t("find.email"), control: mail, name: "email" }) : null,
    status,
    submit);
  mount(app, form);
  onSubmitOnce(form, () => find(app, number, mail, status));
  if (order && (email || customer)) form.requestSubmit();
  else focusOn(form.querySelector("h1"));
}

async function find(app, number, mail, status) {
  setFieldError(number, null);
  if (mail) setFieldError(mail, null);
  const missing = [[number, t("find.needNumber")], [mail, t("find.needEmail")]]
    .filter(([input]) => input && !input.value.trim());
  if (missing.length) {
    missing.forEach(([input, text]) => setFieldError(input, text));
    missing[0][0].focus();
    return;
  }
  mount(status, loading(t("find.looking")));
  const email = mail ? mail.value.trim() : null;
  try {
    const data = await gql(FIND_ORDER, { number: number.value.trim(), email });
    const order = data.orderReturnEligibilityByNumber;
    if (order.__typename === "ReturnError") {
      mount(status, errorBox(order));
      number.setAttribute("aria-invalid", "true");
      if (mail) mail.setAttribute("aria-invalid", "true");
      number.focus();
      return;
    }
    applyLook(order.channel);
    const { returnPolicy } = await gql(POLICY, { channel: order.channel });
    announce(t("find.found", { number: order.orderNumber }));
    renderOrder(app, { order, policy: returnPolicy, email });
  } catch (err) {
    mount(status, errorBox(err));
  }
}
