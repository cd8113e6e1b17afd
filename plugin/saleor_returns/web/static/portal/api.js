// The GraphQL documents the portal sends (the public contract: ../shared/design/API.md).
import { createClient } from "../shared/gql.js";

export const gql = createClient();

const LINE = `
  orderLineId productName sku quantityReturnable eligible inGrace codes reasons deadline graceDeadline
  unitRefund { amount currency }`;

const ORDER = `
  __typename
  ... on OrderReturnEligibility { orderId orderNumber channel timezone deadline graceDeadline lines { ${LINE} } }
  ... on ReturnError { code message field }`;

export const FIND_ORDER = `query FindOrder($number: String!, $email: String) {
  orderReturnEligibilityByNumber(orderNumber: $number, email: $email) { ${ORDER} }
}`;

export const POLICY = `query PortalPolicy($channel: String!) {
  returnPolicy(channel: $channel) { channel timezone reasons commentRequired refundTiming windowDays graceDays }
}`;

export const RETURN_FIELDS = `
  id number orderId orderNumber status resolution createdAt deadline graceDeadline timezone shipBy
  customerEmail exceptionRequested
  refundTotal { amount currency }
  lines { orderLineId productName quantity reason comment refund { amount currency } }
  refunds { id status amount { amount currency } createdAt }
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

/** Where a shopper follows a return: linkable, with the e-mail that proves it is theirs. */
export function statusUrl(ret, email) {
  const base = (document.querySelector('meta[name="returns-base"]') || {}).content || "";
  const params = new URLSearchParams({ email: email || ret.customerEmail || "" });
  const locale = new URLSearchParams(window.location.search).get("locale");
  if (locale) params.set("locale", locale);
  return `${base}/portal/returns/${encodeURIComponent(ret.id)}?${params}`;
}
