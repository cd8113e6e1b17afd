// Words for codes. The API's codes are stable; the words live in the message catalogs (shared/locales/*.json)
// and may change freely. Codes without words (a custom reason, a code newer than this page) are humanized.
import { has, t } from "./i18n.js";

const KNOWN_ERRORS = ["ORDER_NOT_FOUND", "RETURN_NOT_FOUND", "INVALID_INPUT", "QUANTITY_EXCEEDED", "ALREADY_RETURNED",
  "UNKNOWN_REASON", "COMMENT_REQUIRED", "INVALID_TRANSITION", "FORBIDDEN", "GOODWILL_BUDGET_EXCEEDED", "REFUND_FAILED",
  "LABEL_FAILED", "UPSTREAM_UNAVAILABLE", "RATE_LIMITED", "REQUEST_TOO_LARGE", "INPUT_TOO_LARGE", "QUERY_TOO_COMPLEX",
  "NETWORK", "SERVER"];

/**
 * {title, detail} for an error code and the server's message. The title is in the page's language; the server's
 * message (English, for developers) is shown only on pages for staff (`withDetail`), never to shoppers.
 */
export function describeError(err, { withDetail = false } = {}) {
  const code = (err && err.code) || "SERVER";
  const title = t(`errors.${KNOWN_ERRORS.includes(code) ? code : "SERVER"}`);
  const raw = err && err.message && !["network", "timeout"].includes(err.message) && !/^HTTP \d+$/.test(err.message)
    ? err.message : "";
  const detail = withDetail && raw && raw !== title ? sentence(raw) : "";
  return { code, title, detail };
}

/** "reason OTHER needs a comment" → "Reason OTHER needs a comment." */
export function sentence(text) {
  const s = String(text).trim();
  if (!s) return s;
  const first = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?。]$/.test(first) ? first : `${first}.`;
}

function worded(group, code, fallback = humanize(code)) {
  const key = `${group}.${code}`;
  return has(key) ? t(key) : fallback;
}

/** A return reason code as a shopper reads it (custom reasons are shown in words). */
export function reasonLabel(code) {
  return worded("reasons", code);
}

/** "SOME_CODE" → "Some code". */
export function humanize(code) {
  const words = String(code || "").toLowerCase().replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const TONES = {
  PENDING_REVIEW: "warning", REFUNDED: "success", CLOSED: "success", REJECTED: "critical", REFUND_FAILED: "critical",
  CANCELLED: "",
};

/** A return status for the shopper ("shopper") or staff ("staff"). */
export function statusLabel(status, audience = "shopper") {
  return worded(`status.${audience}`, status);
}

export function statusTone(status) {
  return status in TONES ? TONES[status] : "info";
}

const REFUND_TONES = { PENDING: "info", SUCCEEDED: "success", FAILED: "critical", REQUIRES_ACTION: "warning" };

export function refundStatusLabel(status) {
  return worded("refundStatus", status);
}

export function refundStatusTone(status) {
  return REFUND_TONES[status] || "";
}

/** The words for an event type, or null when shoppers need not see it. */
export function eventLabel(type, audience = "shopper") {
  if (audience === "shopper" && type === "GOODWILL_SPENT") return null;
  return worded(`events.${audience}`, type);
}

/** Why a return waits for staff. */
export function reviewReasonLabel(code) {
  return worded("review", code);
}

/** A resolution (KEEP_ITEM, SHIP_BACK) in words. */
export function resolutionLabel(code) {
  return worded("resolution", code);
}

/** An eligibility code (WINDOW_EXPIRED, …) in words. */
export function codeLabel(code) {
  return worded("codes", code);
}

/** A trace verdict (PASS, a code, a status, a resolution) in words. */
export function verdictLabel(verdict) {
  if (has(`verdicts.${verdict}`)) return t(`verdicts.${verdict}`);
  if (has(`codes.${verdict}`)) return t(`codes.${verdict}`);
  if (has(`resolution.${verdict}`)) return t(`resolution.${verdict}`);
  return statusLabel(verdict, "staff");
}

/** A rule of the trace ("window[L-1001-1]") in words, with the product it ran for: "Return period · Laptop 14". */
export function ruleLabel(rule, lines = []) {
  const m = /^([a-z_]+)(?:\[(.+)\])?$/.exec(String(rule || ""));
  if (!m) return String(rule || "");
  const name = worded("rules", m[1]);
  if (!m[2]) return name;
  const line = lines.find((l) => l.orderLineId === m[2]);
  return `${name} · ${line ? line.productName : m[2]}`;
}

/** Who did it, as people say it: "shopper:eve@example.com" → "Shopper (eve@example.com)". */
export function actorLabel(actor) {
  const [kind, ...rest] = String(actor || "").split(":");
  const who = rest.join(":");
  if (kind === "system" || kind === "worker") return t("actors.system");
  if (kind === "shopper") return who ? t("actors.shopperNamed", { who }) : t("actors.shopper");
  if (kind === "staff") return who ? t("actors.staffNamed", { who }) : t("actors.staff");
  return String(actor || "");
}

/** An event's note in words: decision notes carry codes ("EXCEPTION_REQUESTED", "as SHIP_BACK; thanks"). */
export function eventNote(note) {
  if (!note) return "";
  const text = String(note);
  const as = /^as ([A-Z_]+)(?:; (.*))?$/s.exec(text);
  if (as) {
    const how = t("events.approvedAs", { resolution: resolutionLabel(as[1]) });
    return as[2] ? `${how} ${as[2]}` : how;
  }
  if (/^[A-Z_]+(, [A-Z_]+)*$/.test(text)) {
    return text.split(", ").map((code) => (has(`review.${code}`) ? reviewReasonLabel(code)
      : has(`resolution.${code}`) ? resolutionLabel(code) : humanize(code))).join("; ");
  }
  return text;
}
