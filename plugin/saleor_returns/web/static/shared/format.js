// Amounts and dates for people, with Intl, in the language the page speaks (shared/i18n.js): words and
// dates never disagree. Deadlines are shown in the store's time zone; the portal names that zone once.
import { askedLocale, language, languageOf } from "./i18n.js";

/** The locale to format with: the asked locale when the page speaks its language, else the page language. */
export function userLocale() {
  const asked = askedLocale();
  return languageOf(asked) === language() ? asked : language();
}

const LOCALE = undefined; // resolved per call: the page language is known only after the catalogs load

/** {amount: "19.99", currency: "USD"} → "$19.99" (the decimal string is formatted exactly, never as a float). */
export function money(m, locale = LOCALE) {
  if (!m) return "";
  locale = locale || userLocale();
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: m.currency }).format(m.amount);
  } catch {
    return `${m.amount} ${m.currency}`;
  }
}

/** A number with `digits` decimals in the page's language: decimal(3.25, 1) → "3.3" (de: "3,3"). */
export function decimal(value, digits = 0, locale = LOCALE) {
  return new Intl.NumberFormat(locale || userLocale(), {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(value);
}

function format(iso, timeZone, options, locale) {
  if (!iso) return "";
  locale = locale || userLocale();
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** A deadline: "Friday, November 27, 2026 at 11:59 PM EST (America/New_York)". */
export function deadline(iso, timeZone, locale = LOCALE) {
  const text = format(iso, timeZone, {
    weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
    timeZoneName: "short",
  }, locale);
  return timeZone ? `${text} (${timeZone})` : text;
}

/** A deadline without its time zone, for pages that name the zone once: "Friday, November 27, 2026 at 11:59 PM". */
export function deadlineLocal(iso, timeZone, locale = LOCALE) {
  return format(iso, timeZone, {
    weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
  }, locale);
}

/** The store's time zone as people read it: "Eastern Standard Time (America/New_York)". */
export function zoneName(timeZone, iso = null, locale = LOCALE) {
  if (!timeZone) return "";
  try {
    const parts = new Intl.DateTimeFormat(locale || userLocale(), { timeZone, timeZoneName: "long" })
      .formatToParts(iso ? new Date(iso) : new Date());
    const name = (parts.find((p) => p.type === "timeZoneName") || {}).value;
    return name ? `${name} (${timeZone})` : timeZone;
  } catch {
    return timeZone;
  }
}

/** The same deadline, shorter (for lists): "Fri, Nov 27, 2026, 11:59 PM EST (America/New_York)". */
export function deadlineShort(iso, timeZone, locale = LOCALE) {
  const text = format(iso, timeZone, {
    weekday: "short", year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    timeZoneName: "short",
  }, locale);
  return timeZone ? `${text} (${timeZone})` : text;
}

const ISO_MOMENT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Rule details mention moments as ISO 8601; show them as people read them, in the store's time zone. */
export function humanizeMoments(text, timeZone, locale = LOCALE) {
  return String(text || "").replace(ISO_MOMENT, (iso) => deadlineShort(iso, timeZone, locale));
}

/** A date without time, e.g. "Nov 24, 2026", in the given time zone. */
export function day(iso, timeZone, locale = LOCALE) {
  return format(iso, timeZone, { year: "numeric", month: "short", day: "numeric" }, locale);
}

/** A moment in a timeline: "Nov 25, 2026, 12:00 PM EST". */
export function moment(iso, timeZone, locale = LOCALE) {
  return format(iso, timeZone, {
    year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short",
  }, locale);
}
