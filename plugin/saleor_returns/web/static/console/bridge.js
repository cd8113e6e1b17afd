// Saleor Dashboard app-bridge, by hand (the message shapes of @saleor/app-sdk's app-bridge, version 1):
// the Dashboard posts events {type, payload} to this iframe (handshake with the token, theme, tokenRefresh,
// redirect, localeChanged, response); the app posts actions {type, payload: {actionId, ...}} to the parent
// (notifyReady, notification, redirect).

export const embedded = window.parent !== window;

const params = new URLSearchParams(window.location.search);
const referrerOrigin = (() => {
  try { return document.referrer ? new URL(document.referrer).origin : null; } catch { return null; }
})();

const listeners = { handshake: [], tokenRefresh: [], theme: [], redirect: [], localeChanged: [] };

/** Subscribe to a Dashboard event; the callback gets the payload. */
export function on(type, callback) {
  (listeners[type] || (listeners[type] = [])).push(callback);
}

function trusted(event) {
  // Only the frame that embeds us, and (like app-sdk) only from the origin that loaded us when we know it.
  if (event.source !== window.parent) return false;
  return !referrerOrigin || event.origin === referrerOrigin;
}

window.addEventListener("message", (event) => {
  if (!embedded || !trusted(event)) return;
  const data = event.data;
  if (!data || typeof data !== "object" || typeof data.type !== "string") return;
  for (const callback of listeners[data.type] || []) callback(data.payload || {});
});

function actionId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/** Post an action to the Dashboard (no-op when standalone). */
export function dispatch(type, payload = {}) {
  if (!embedded) return false;
  window.parent.postMessage({ type, payload: { ...payload, actionId: actionId() } }, referrerOrigin || "*");
  return true;
}

/** A Dashboard toast: status is "info" | "success" | "warning" | "error". */
export function notify(status, title, text) {
  return dispatch("notification", { status, title, text });
}

/** Ask the Dashboard to navigate (e.g. "/orders/<id>"), or open an absolute URL in a new context. */
export function redirect(to, newContext = false) {
  return dispatch("redirect", { to, newContext });
}

/** The theme the Dashboard asked for in the iframe URL (?theme=light|dark), if any. */
export function initialTheme() {
  const theme = params.get("theme");
  return theme === "light" || theme === "dark" ? theme : null;
}

/** Apply a theme to the page ("light" | "dark"); null follows the system preference. */
export function applyTheme(theme) {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

/** Tell the Dashboard we listen; it answers with the handshake (the token) and the theme. */
export function ready() {
  dispatch("notifyReady");
}
