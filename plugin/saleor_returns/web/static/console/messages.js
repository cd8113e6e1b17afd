// E-mail: the store's messages (#/messages), one message as its reader got it (#/messages/<id>), a retry for a
// FAILED or held one, the store's mail settings, and a return's own messages inside its case.
import { onSubmitOnce, once } from "../shared/busy.js";
import { field, focusOn, h, mount, setFieldError } from "../shared/dom.js";
import { moment } from "../shared/format.js";
import { has, t } from "../shared/i18n.js";
import { describeError, humanize } from "../shared/messages.js";
import { gql } from "./api.js";
import { toast } from "./notify.js";
import { errorPanel, loadingPanel } from "./views.js";

const FIELDS = "id kind to status delivery createdAt sentAt attempts error language returnId returnNumber";
const LIST = `query ConsoleMessages($delivery: NotificationDelivery, $after: String) {
  notifications(delivery: $delivery, first: 50, after: $after) { items { ${FIELDS} } hasNextPage endCursor }
}`;
const ONE = `query ConsoleMessage($id: ID!) {
  notification(id: $id) { ${FIELDS} rendered { subject text html } }
}`;
const OF_RETURN = `query ConsoleReturnMessages($id: ID!) { returnRequest(id: $id) { notifications { ${FIELDS} } } }`;
const RETRY = `mutation ConsoleRetryMessage($id: ID!) {
  retryNotification(id: $id) { __typename ... on Notification { ${FIELDS} } ... on ReturnError { code message } }
}`;
const SETTINGS_FIELDS = `enabled senderName senderAddress effectiveSenderName effectiveSenderAddress storeName
  delivering`;
const SETTINGS = `query ConsoleMailSettings { mailSettings { ${SETTINGS_FIELDS} } }`;
const SAVE = `mutation ConsoleSaveMailSettings($input: MailSettingsInput!) {
  updateMailSettings(input: $input) {
    __typename ... on MailSettings { ${SETTINGS_FIELDS} } ... on ReturnError { code message field }
  }
}`;

const DELIVERIES = ["", "PENDING", "SENT", "FAILED", "HELD"];
const TONES = { SENT: "success", FAILED: "critical", HELD: "warning", PENDING: "info" };
const RETRYABLE = ["FAILED", "HELD"];

function deliveryLabel(d) { return DELIVERIES.includes(d) ? t(`mail.delivery.${d || "ANY"}`) : humanize(d); }
function badge(n) { return h("span", { class: `badge ${TONES[n.delivery] || ""}`, "data-delivery": n.delivery }, deliveryLabel(n.delivery)); }
function kindLabel(kind) { return has(`mail.kinds.${kind}`) ? t(`mail.kinds.${kind}`) : humanize(kind); }

/** A message's language by its name in the page's language ("de" → "German"), or the code when unknown. */
function languageLabel(code) {
  if (!code) return t("mail.storeDefault");
  try {
    return new Intl.DisplayNames([document.documentElement.lang || "en"], { type: "language" }).of(code) || code;
  } catch {
    return code;
  }
}

/** #/messages?delivery=… : every e-mail of the store, newest first, and the store's mail settings. */
export function renderMessages(view, query) {
  const delivery = h("select", { name: "delivery" },
    DELIVERIES.map((v) => h("option", { value: v, selected: (query.get("delivery") || "") === v }, deliveryLabel(v))));
  const heading = h("h1", { id: "view-title" }, t("mail.title"));
  const results = h("div", { class: "results", "aria-live": "polite", "aria-busy": "true" });
  const settings = h("section", { class: "card stack", "aria-label": t("mail.settings.title") });
  mount(view, h("section", { class: "stack", "aria-labelledby": "view-title" },
    h("div", { class: "row view-head" }, heading),
    h("p", { class: "muted" }, t("mail.intro")),
    settings,
    h("form", { class: "filters", role: "search", "aria-label": t("mail.filterLabel") },
      field({ label: t("mail.status"), control: delivery, name: "delivery" })),
    results));
  focusOn(heading);
  delivery.addEventListener("change", () => {
    window.location.hash = delivery.value ? `#/messages?delivery=${delivery.value}` : "#/messages";
  });
  renderSettings(settings);
  load(results, delivery.value || null, null);
}

async function load(results, delivery, after, body = null) {
  if (!body) mount(results, loadingPanel(t("mail.loading")));
  let page;
  try {
    page = (await gql(LIST, { delivery, after })).notifications;
  } catch (err) {
    mount(results, errorPanel(err, () => load(results, delivery, after)));
    return;
  } finally {
    results.setAttribute("aria-busy", "false");
  }
  if (!body) {
    if (!page.items.length) {
      mount(results, h("div", { class: "empty" }, t("mail.none")));
      return;
    }
    body = h("tbody", {});
    mount(results, h("table", { class: "table messages-table" },
      h("caption", { class: "visually-hidden" }, t("mail.caption")),
      h("thead", {}, h("tr", {}, ["message", "to", "return", "status", "written"].map((col) =>
        h("th", { scope: "col" }, t(`mail.col.${col}`))))), body));
  }
  body.append(...page.items.map(row));
  results.querySelector(".more")?.remove();
  if (page.hasNextPage) {
    const more = h("button", { type: "button", class: "button more" }, t("mail.more"));
    more.addEventListener("click", () => once(more, more, () => load(results, delivery, page.endCursor, body)));
    results.append(more);
  }
}

function row(n) {
  return h("tr", { "data-notification-id": n.id },
    h("td", {}, h("a", { href: `#/messages/${encodeURIComponent(n.id)}` }, kindLabel(n.kind))),
    h("td", {}, n.to),
    h("td", {}, h("a", { href: `#/returns/${encodeURIComponent(n.returnId)}` }, n.returnNumber || t("mail.aReturn"))),
    h("td", {}, badge(n), n.error ? h("div", { class: "small muted" }, n.error) : null),
    h("td", { class: "muted" }, moment(n.createdAt)));
}

/** #/messages/<id>: one message as its reader got it (or would get it now), with a retry when it can be sent. */
export async function renderMessage(view, id) {
  const back = h("p", {}, h("a", { href: "#/messages" }, t("mail.back")));
  mount(view, back, loadingPanel(t("mail.loadingOne")));
  let n;
  try {
    n = (await gql(ONE, { id })).notification;
  } catch (err) {
    mount(view, back, errorPanel(err, () => renderMessage(view, id)));
    return;
  }
  if (!n) {
    mount(view, back, h("div", { class: "empty" }, t("mail.noSuch")));
    return;
  }
  const heading = h("h1", { id: "view-title" }, n.rendered.subject);
  const retry = RETRYABLE.includes(n.delivery)
    ? h("button", { type: "button", class: "button primary", "data-action": "retry" }, t("mail.sendAgain")) : null;
  retry?.addEventListener("click", () => once(retry, retry, async () => {
    const result = (await gql(RETRY, { id: n.id })).retryNotification;
    if (result.__typename === "ReturnError") toast("error", t("mail.notSent"), result.message);
    else toast(result.delivery === "SENT" ? "success" : "warning", deliveryLabel(result.delivery), result.error || "");
    await renderMessage(view, id);
  }));
  const html = h("div", { class: "mail-html", "aria-label": t("mail.htmlLabel") });
  showHtml(html, n.rendered.html);
  mount(view, back, h("article", { class: "stack", "aria-labelledby": heading.id },
    h("div", { class: "row view-head" }, heading, badge(n), retry),
    h("dl", { class: "meta" },
      h("div", {}, h("dt", {}, t("mail.col.message")), h("dd", {}, kindLabel(n.kind))),
      h("div", {}, h("dt", {}, t("mail.col.to")), h("dd", {}, n.to)),
      h("div", {}, h("dt", {}, t("mail.col.return")), h("dd", {}, h("a", { href: `#/returns/${encodeURIComponent(n.returnId)}` },
        n.returnNumber))),
      h("div", {}, h("dt", {}, t("mail.col.written")), h("dd", {}, moment(n.createdAt))),
      h("div", {}, h("dt", {}, t("mail.col.sent")), h("dd", {}, n.sentAt ? moment(n.sentAt) : "—")),
      h("div", {}, h("dt", {}, t("mail.col.attempts")), h("dd", {}, String(n.attempts))),
      h("div", {}, h("dt", {}, t("mail.col.language")), h("dd", {}, languageLabel(n.language)))),
    n.error ? h("div", { class: `alert ${n.delivery === "FAILED" ? "critical" : "warning"}`, role: "status" },
      h("p", {}, n.error)) : null,
    h("section", { class: "card stack", "aria-label": t("mail.htmlSection") }, h("h2", {}, t("mail.asSeen")), html),
    h("section", { class: "card stack", "aria-label": t("mail.plainText") }, h("h2", {}, t("mail.plainText")),
      h("pre", { class: "mail-text" }, n.rendered.text))));
  focusOn(heading);
}

// The e-mail's HTML, redrawn from an allow-list into a shadow root: no scripts, no links that leave as the
// console, and its inline styles applied through the CSSOM (the console's CSP forbids style attributes).
const TAGS = new Set(["table", "tbody", "thead", "tr", "td", "th", "p", "a", "ul", "ol", "li", "blockquote", "div",
  "span", "strong", "em", "b", "i", "br", "h1", "h2", "h3"]);
const ATTRS = new Set(["align", "width", "cellpadding", "cellspacing", "border", "role", "colspan"]);

function showHtml(host, html) {
  // style attributes renamed before parsing, so the parser applies nothing the CSP would refuse (values written
  // by our templates are escaped: a quote inside one is &#34;, never a real `style="`)
  const doc = new DOMParser().parseFromString(html.replace(/ style="/g, ' data-mail-style="'), "text/html");
  const root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  const page = h("div", {});
  const bodyStyle = doc.body.getAttribute("data-mail-style");
  if (bodyStyle) page.style.cssText = bodyStyle;
  for (const child of doc.body.childNodes) { const copy = redraw(child); if (copy) page.append(copy); }
  root.replaceChildren(page);
}

function redraw(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = node.tagName.toLowerCase();
  if (!TAGS.has(tag)) return null;
  const el = document.createElement(tag);
  for (const { name, value } of node.attributes) {
    if (ATTRS.has(name)) el.setAttribute(name, value);
  }
  const style = node.getAttribute("data-mail-style");
  if (style) el.style.cssText = style;
  if (tag === "a") {
    const href = node.getAttribute("href") || "";
    if (/^https?:\/\//i.test(href)) {
      el.setAttribute("href", href);
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "noopener noreferrer");
    }
  }
  for (const child of node.childNodes) { const copy = redraw(child); if (copy) el.append(copy); }
  return el;
}

async function renderSettings(box) {
  mount(box, h("h2", {}, t("mail.settings.title")), loadingPanel(t("common.loading")));
  let s;
  try {
    s = (await gql(SETTINGS)).mailSettings;
  } catch (err) {
    mount(box, h("h2", {}, t("mail.settings.title")), errorPanel(err, () => renderSettings(box)));
    return;
  }
  const enabled = h("input", { type: "checkbox", name: "enabled", checked: s.enabled });
  const name = h("input", { type: "text", name: "senderName", value: s.senderName || "", placeholder: s.effectiveSenderName });
  const address = h("input", { type: "email", name: "senderAddress", value: s.senderAddress || "",
    placeholder: s.effectiveSenderAddress });
  const form = h("form", { class: "stack", novalidate: true },
    h("label", { class: "check" }, enabled, ` ${t("mail.settings.enabled")}`),
    field({ label: t("mail.settings.senderName"), control: name, name: "senderName",
      hint: t("mail.settings.senderNameHint") }),
    field({ label: t("mail.settings.senderAddress"), control: address, name: "senderAddress",
      hint: t("mail.settings.senderAddressHint") }),
    h("button", { type: "submit", class: "button primary" }, t("mail.settings.save")));
  mount(box, h("h2", {}, t("mail.settings.title")),
    s.delivering ? null : h("div", { class: "alert warning", role: "status", "data-delivering": "false" },
      h("p", {}, t("mail.settings.noServer"))),
    h("p", { class: "muted" }, t("mail.settings.from", { name: s.effectiveSenderName,
      address: s.effectiveSenderAddress, store: s.storeName })),
    form);
  onSubmitOnce(form, async () => {
    const result = (await gql(SAVE, { input: { enabled: enabled.checked, senderName: name.value,
      senderAddress: address.value } })).updateMailSettings;
    if (result.__typename === "ReturnError") {
      const control = result.field === "senderAddress" ? address : result.field === "senderName" ? name : null;
      if (control) setFieldError(control, result.message);
      else toast("error", t("mail.settings.notSaved"), result.message);
      return;
    }
    toast("success", t("mail.settings.saved"), result.enabled ? t("mail.settings.on") : t("mail.settings.off"));
    await renderSettings(box);
  });
}

/** A return's messages, for its case: loaded on their own (the case draws at once without them). */
export function caseMessages(ret) {
  const box = h("section", { class: "card stack", "aria-label": t("mail.title") }, h("h3", {}, t("mail.title")),
    loadingPanel(t("mail.loading")));
  (async () => {
    try {
      const found = (await gql(OF_RETURN, { id: ret.id })).returnRequest;
      const list = found ? found.notifications : [];
      mount(box, h("h3", {}, t("mail.title")), list.length
        ? h("ul", { class: "plain" }, list.map((n) => h("li", { "data-notification-id": n.id },
          h("a", { href: `#/messages/${encodeURIComponent(n.id)}` }, kindLabel(n.kind)), ` ${t("mail.sentTo", { to: n.to })} `, badge(n),
          n.error ? h("div", { class: "small muted" }, n.error) : null)))
        : h("p", { class: "muted" }, t("mail.caseNone")));
    } catch (err) {
      mount(box, h("h3", {}, t("mail.title")), h("p", { class: "error-text" }, describeError(err).title));
    }
  })();
  return box;
}
