// No double submission: while an action is in flight its buttons are disabled and a second click does nothing.

/**
 * Run `action` unless it is already running for this key (a form, a button). The buttons are disabled and
 * marked aria-busy meanwhile. Returns the action's result, or undefined when it was ignored.
 */
export async function once(key, buttons, action) {
  if (key.dataset.inFlight === "true") return undefined;
  key.dataset.inFlight = "true";
  const list = (Array.isArray(buttons) ? buttons : [buttons]).filter(Boolean);
  const before = list.map((b) => b.disabled);
  for (const b of list) { b.disabled = true; b.setAttribute("aria-busy", "true"); }
  try {
    return await action();
  } finally {
    list.forEach((b, i) => { b.disabled = before[i]; b.removeAttribute("aria-busy"); });
    delete key.dataset.inFlight;
  }
}

/** A submit handler for `form` that calls `action(event)` at most once at a time. */
export function onSubmitOnce(form, action) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll('button[type="submit"], button:not([type])')];
    once(form, buttons, () => action(event));
  });
}
