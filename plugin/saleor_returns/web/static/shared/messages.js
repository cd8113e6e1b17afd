// Words for codes. The API's codes are stable; these sentences are for people and may change freely.

const ERRORS = {
  ORDER_NOT_FOUND: "We couldn't find an order with that number and e-mail address. Please check both against your order confirmation.",
  RETURN_NOT_FOUND: "We couldn't find that return for this e-mail address.",
  INVALID_INPUT: "Something in the form needs another look.",
  QUANTITY_EXCEEDED: "That is more than can be returned.",
  ALREADY_RETURNED: "That item is already in a return.",
  UNKNOWN_REASON: "Please choose a reason from the list.",
  COMMENT_REQUIRED: "Please tell us a little more about the reason.",
  INVALID_TRANSITION: "That can't be done at this stage of the return.",
  FORBIDDEN: "You are not signed in for this, or the token is no longer valid.",
  GOODWILL_BUDGET_EXCEEDED: "This is more than your goodwill budget left for today.",
  REFUND_FAILED: "The refund did not go through.",
  LABEL_FAILED: "We couldn't create the shipping label just now.",
  UPSTREAM_UNAVAILABLE: "The store can't be reached right now. Please try again in a minute.",
  NETWORK: "We couldn't reach the returns service. Please check your connection and try again.",
  SERVER: "Something went wrong on our side. Please try again in a minute.",
};

/** {title, detail} for an error code and the server's message (shown when it adds something). */
export function describeError(err) {
  const code = (err && err.code) || "SERVER";
  const title = ERRORS[code] || ERRORS.SERVER;
  const raw = err && err.message && !["network", "timeout"].includes(err.message) && !/^HTTP \d+$/.test(err.message)
    ? err.message : "";
  const detail = raw && raw !== title ? sentence(raw) : "";
  return { code, title, detail };
}

/** "reason OTHER needs a comment" → "Reason OTHER needs a comment." */
export function sentence(text) {
  const t = String(text).trim();
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

const REASONS = {
  DOES_NOT_FIT: "It doesn't fit",
  NOT_AS_DESCRIBED: "It isn't as described",
  DAMAGED: "It arrived damaged",
  DEFECTIVE: "It doesn't work properly",
  WRONG_ITEM: "We sent the wrong item",
  CHANGED_MIND: "I changed my mind",
  ARRIVED_LATE: "It arrived too late",
  OTHER: "Something else",
};

/** A return reason code as a shopper reads it (custom reasons are shown in words). */
export function reasonLabel(code) {
  return REASONS[code] || humanize(code);
}

/** "SOME_CODE" → "Some code". */
export function humanize(code) {
  const words = String(code || "").toLowerCase().replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// Return statuses: [shopper's words, staff words, tone of the badge]
const STATUSES = {
  REQUESTED: ["Requested", "Requested", "info"],
  PENDING_REVIEW: ["Being reviewed", "Needs review", "warning"],
  APPROVED: ["Approved", "Approved", "info"],
  LABEL_ISSUED: ["Label ready: waiting for your parcel", "Label issued", "info"],
  IN_TRANSIT: ["On its way to us", "In transit", "info"],
  RECEIVED: ["Received: refund on its way", "Received", "info"],
  REFUNDED: ["Refunded", "Refunded", "success"],
  CLOSED: ["Closed", "Closed", "success"],
  REJECTED: ["Not accepted", "Rejected", "critical"],
  CANCELLED: ["Cancelled", "Cancelled", ""],
  REFUND_FAILED: ["Refund delayed: our team is on it", "Refund failed", "critical"],
};

export function statusLabel(status, audience = "shopper") {
  const entry = STATUSES[status];
  if (!entry) return humanize(status);
  return audience === "staff" ? entry[1] : entry[0];
}

export function statusTone(status) {
  return (STATUSES[status] || [])[2] || "";
}

const REFUND_STATUSES = {
  PENDING: ["Processing", "info"],
  SUCCEEDED: ["Sent", "success"],
  FAILED: ["Failed", "critical"],
  REQUIRES_ACTION: ["Needs action", "warning"],
  CANCELED: ["Cancelled", ""],
};

export function refundStatusLabel(status) {
  return (REFUND_STATUSES[status] || [humanize(status)])[0];
}

export function refundStatusTone(status) {
  return (REFUND_STATUSES[status] || [])[1] || "";
}

// Timeline events: [shopper's words, staff words]
const EVENTS = {
  REQUESTED: ["You asked to return it", "Requested by the shopper"],
  PENDING_REVIEW: ["Waiting for a person on our team to review it", "Sent to review"],
  APPROVED: ["Approved", "Approved"],
  REJECTED: ["Not accepted", "Rejected"],
  LABEL_ISSUED: ["Your prepaid label is ready", "Label issued"],
  LABEL_FAILED: ["We are preparing your label", "Label failed"],
  IN_TRANSIT: ["Your parcel is on its way to us", "In transit"],
  RECEIVED: ["We received your parcel", "Marked received"],
  REFUND_REQUESTED: ["Refund started", "Refund requested"],
  REFUND_SUCCEEDED: ["Refund sent to your original payment", "Refund succeeded"],
  REFUND_DELAYED: ["Refund taking a little longer", "Refund delayed"],
  REFUND_FAILED: ["Refund delayed: our team is on it", "Refund failed"],
  REFUND_REQUIRES_ACTION: ["Refund needs attention from our team", "Refund requires action"],
  REFUND_RETRIED: ["Refund sent again", "Refund retried"],
  REFUNDED: ["Refunded", "Refunded"],
  CLOSED: ["Closed", "Closed"],
  CANCELLED: ["Cancelled", "Cancelled"],
  GOODWILL_SPENT: [null, "Goodwill spent"],
};

/** The words for an event type, or null when shoppers need not see it. */
export function eventLabel(type, audience = "shopper") {
  const entry = EVENTS[type];
  if (!entry) return humanize(type);
  return audience === "staff" ? entry[1] : entry[0];
}

const REVIEW_REASONS = {
  EXCEPTION_REQUESTED: "The shopper asked for an exception past the grace period",
  IN_GRACE_REVIEW: "In the grace period; the policy sends these to review",
  ABOVE_REVIEW_THRESHOLD: "The refund is above the review threshold",
};

export function reviewReasonLabel(code) {
  return REVIEW_REASONS[code] || humanize(code);
}
