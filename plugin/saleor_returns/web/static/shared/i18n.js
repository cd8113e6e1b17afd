// Words in the shopper's (or staff member's) language: message catalogs (shared/locales/<lang>.json) read by
// i18next (vendored in shared/vendor, MIT). Every string of the portal and the console is a key in them.
import i18next from "./vendor/i18next.js";

export const LANGUAGES = ["en", "de", "fr", "es", "ja"];
const FALLBACK = "en";

/** The locale asked for: ?locale=xx-YY, else the browser's languages, else en-US (a canonical BCP 47 tag). */
export function askedLocale() {
  const asked = new URLSearchParams(window.location.search).get("locale");
  const candidates = [asked, ...(navigator.languages || []), navigator.language, "en-US"].filter(Boolean);
  for (const candidate of candidates) {
    try {
      return Intl.getCanonicalLocales(candidate)[0];
    } catch {
      // not a locale tag: try the next one
    }
  }
  return "en-US";
}

/** The catalog language for a locale: "de-DE" → "de"; one we have no catalog for → null. */
export function languageOf(locale) {
  const lang = String(locale || "").toLowerCase().split("-")[0];
  return LANGUAGES.includes(lang) ? lang : null;
}

function catalogUrl(lang) {
  const base = (document.querySelector('meta[name="returns-base"]') || {}).content || "";
  return `${base}/static/shared/locales/${lang}.json`;
}

async function load(lang) {
  const response = await fetch(catalogUrl(lang), { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`catalog ${lang}: HTTP ${response.status}`);
  return response.json();
}

let current = FALLBACK;

/**
 * Load the catalogs and set the page language. The first supported language of the asked locale and the
 * browser's languages wins; `preferred` (e.g. the order's language) comes after an explicit ?locale=.
 */
export async function setupI18n({ preferred = null } = {}) {
  const explicit = new URLSearchParams(window.location.search).get("locale");
  const pick = [explicit, preferred, ...(navigator.languages || []), navigator.language]
    .map(languageOf).find(Boolean) || FALLBACK;
  const resources = { [FALLBACK]: { translation: await load(FALLBACK) } };
  if (pick !== FALLBACK) {
    try {
      resources[pick] = { translation: await load(pick) };
    } catch {
      // a missing catalog: English, rather than no page at all
    }
  }
  current = resources[pick] ? pick : FALLBACK;
  await i18next.init({
    lng: current, fallbackLng: FALLBACK, resources, returnNull: false,
    interpolation: { escapeValue: false }, // text goes into the DOM as text nodes (shared/dom.js), never as HTML
  });
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  return current;
}

/** The words for `key` with values filled in: t("order.title", {number: "1001"}). */
export function t(key, values) {
  return i18next.t(key, values);
}

/** Whether the catalogs have `key` (for codes that may have no words yet). */
export function has(key) {
  return i18next.exists(key);
}

/** The page's language ("en", "de", …). */
export function language() {
  return current;
}
