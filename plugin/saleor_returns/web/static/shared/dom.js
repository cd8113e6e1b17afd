// Tiny DOM helpers. Text always goes in as text (never as HTML), so product names and notes are safe.

/**
 * Build an element: h("button", {class: "button", onclick: fn, "aria-label": "Close"}, "×").
 * Attributes: `class`, `text`, `on<event>` handlers, booleans (true sets, false/null skips), anything else
 * as an attribute. Children: nodes, strings, numbers, arrays; null/false/undefined are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "selected") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `el` with `children`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique id for label/field pairs. */
export function newId(prefix = "sr") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Move focus to a heading or region after the view changes (it gets tabindex=-1 if needed). */
export function focusOn(el) {
  if (!el) return;
  if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
  el.focus({ preventScroll: false });
}

/** A labelled form field: {label, control, hint, error}. Returns the wrapper; `control` gets aria wiring. */
export function field({ label, control, hint, name }) {
  const id = control.id || newId(name || "field");
  control.id = id;
  const hintEl = hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null;
  const errorEl = h("span", { class: "error-text", id: `${id}-error`, hidden: true });
  const described = [hintEl && hintEl.id, errorEl.id].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  const wrapper = h("div", { class: "field", "data-field": name || null },
    h("label", { for: id }, label), hintEl, control, errorEl);
  return wrapper;
}

/** Show (or clear, with null) a validation message under a field built by `field()`. */
export function setFieldError(control, message) {
  const errorEl = document.getElementById(`${control.id}-error`);
  if (message) {
    control.setAttribute("aria-invalid", "true");
    if (errorEl) { errorEl.textContent = message; errorEl.hidden = false; }
  } else {
    control.removeAttribute("aria-invalid");
    if (errorEl) { errorEl.textContent = ""; errorEl.hidden = true; }
  }
}
