// The GraphQL documents the portal sends (the public contract: API.md and api/portal.md).
import { createClient } from "../shared/gql.js";

const TOKEN_KEY = "saleor-returns.portal.customer-token";

/** A storefront's signed-in customer: their Saleor token, handed over in the URL fragment, kept for this tab. */
export function adoptCustomerToken() {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const token = fragment.get("customerToken");
  if (token) {
    window.sessionStorage.setItem(TOKEN_KEY, token);
    fragment.delete("customerToken"); // out of the address bar and the history
    const rest = fragment.toString();
    window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ""}`);
  }
}

/** Whether a signed-in customer is using the portal (then no e-mail is asked for). */
export function signedIn() {
  return Boolean(window.sessionStorage.getItem(TOKEN_KEY));
}

export function signOut() {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

export const gql = createClient({ token: () => window.sessionStorage.getItem(TOKEN_KEY) });

const LINE = `
  orderLineId productName sku quantityReturnable eligible inGrace codes reasons deadline graceDeadline
  unitRefund { amount currency }
  exchangeOptions { variantId name sku unitPrice { amount currency } available }`;

const ORDER_RETURNS = `
  returns { id number status resolution createdAt timezone customerEmail refundTotal { amount currency }
    lines { orderLineId productName quantity } label { url } }`;

const ORDER = `
  __typename
  ... on OrderReturnEligibility { orderId orderNumber channel timezone deadline graceDeadline lines { ${LINE} }
    refundMethods { method bonusPercent }
    ${ORDER_RETURNS} }
  ... on ReturnError { code message field }`;

export const FIND_ORDER = `query FindOrder($number: String!, $email: String) {
  orderReturnEligibilityByNumber(orderNumber: $number, email: $email) { ${ORDER} }
}`;

export const POLICY = `query PortalPolicy($channel: String!) {
  returnPolicy(channel: $channel) { channel timezone reasons commentRequired refundTiming windowDays graceDays }
}`;

export const STORE_LOOK = `query PortalLook($channel: String!) {
  storeLook(channel: $channel) { channel name logoUrl accentColor shopUrl }
}`;

export const PREVIEW = `query PortalPreview($input: RequestReturnInput!) {
  previewReturn(input: $input) {
    __typename
    ... on ReturnPreview {
      status resolution refundTotal { amount currency } reviewReasons splitWouldKeep
      lines { orderLineId productName quantity outcome keptAlone codes refund { amount currency } }
    }
    ... on ReturnError { code message field }
  }
}`;

export const RETURN_FIELDS = `
  id number orderId orderNumber channel status resolution createdAt deadline graceDeadline timezone shipBy
  customerEmail exceptionRequested emailUpdates
  refundTotal { amount currency }
  lines { orderLineId productName quantity reason comment refund { amount currency } exchangeVariantId }
  refunds { id status amount { amount currency } createdAt }
  refundMethod
  storeCredit { code status amount { amount currency } bonus { amount currency } }
  exchange { status orderNumber note priceDifference { amount currency } lines { variantId productName quantity } }
  label { carrier trackingNumber url expiresAt }
  labelError { code message }
  events { at actor type note }`;

export const REQUEST_RETURN = `mutation PortalRequestReturn($input: RequestReturnInput!) {
  requestReturn(input: $input) {
    __typename
    ... on ReturnRequested { returnRequest { ${RETURN_FIELDS} } }
    ... on ReturnNotEligible { lines { ${LINE} } }
    ... on ReturnError { code message field }
  }
}`;

export const RETURN_STATUS = `query PortalReturn($id: ID!, $email: String) {
  returnRequest(id: $id, email: $email) { ${RETURN_FIELDS} }
}`;

export const CANCEL_RETURN = `mutation PortalCancel($id: ID!, $email: String) {
  cancelReturn(id: $id, email: $email) {
    __typename
    ... on ReturnCancelled { returnRequest { ${RETURN_FIELDS} } }
    ... on ReturnError { code message field }
  }
}`;

/** Where a shopper follows a return: linkable, with the e-mail that proves it is theirs (none when signed in). */
export function statusUrl(ret, email) {
  const base = (document.querySelector('meta[name="returns-base"]') || {}).content || "";
  const params = new URLSearchParams();
  if (!signedIn()) params.set("email", email || ret.customerEmail || "");
  const current = new URLSearchParams(window.location.search);
  for (const keep of ["locale", "channel"]) if (current.get(keep)) params.set(keep, current.get(keep));
  if (!params.get("channel") && ret.channel) params.set("channel", ret.channel);
  const query = params.toString();
  return `${base}/portal/returns/${encodeURIComponent(ret.id)}${query ? `?${query}` : ""}`;
}
