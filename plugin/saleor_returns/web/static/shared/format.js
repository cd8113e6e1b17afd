// Amounts and dates for people: the shopper's (or staff member's) locale, with Intl.
// Deadlines are shown in the store's time zone, always with its name: one deadline, the same everywhere.

/** The locale to format with: ?locale=xx-YY, else the browser's first language. */
export function userLocale() {
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

const LOCALE = userLocale();

/** {amount: "19.99", currency: "USD"} → "$19.99" (the decimal string is formatted exactly, never as a float). */
export function money(m, locale = LOCALE) {
  if (!m) return "";
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: m.currency }).format(m.amount);
  } catch {
    return `${m.amount} ${m.currency}`;
  }
}

function format(iso, timeZone, options, locale) {
  if (!iso) return "";
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
