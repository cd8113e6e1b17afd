// The console's GraphQL documents and its client (staff token: the Dashboard's, or the admin token).
import { createClient } from "../shared/gql.js";
import { embedded } from "./bridge.js";

let currentToken = null;

export function setToken(token) { currentToken = token || null; }
export function getToken() { return currentToken; }

// Inside the Dashboard the iframe URL names the store (?saleorApiUrl=); our API checks it against the token.
const saleorApiUrl = embedded ? new URLSearchParams(window.location.search).get("saleorApiUrl") : null;

export const gql = createClient({
  token: () => currentToken,
  extraHeaders: () => (saleorApiUrl ? { "saleor-api-url": saleorApiUrl } : {}),
});

export const RETURN_FIELDS = `
  id number orderId orderNumber channel status resolution createdAt updatedAt deadline graceDeadline timezone
  shipBy customerEmail exceptionRequested
  refundTotal { amount currency }
  lines { orderLineId productName sku quantity reason comment refund { amount currency } exchangeVariantId }
  refunds { id status amount { amount currency } gateway pspReference failureCode failureMessage createdAt }
  refundMethod
  storeCredit { code status amount { amount currency } bonus { amount currency } }
  exchange { status orderNumber note priceDifference { amount currency } lines { variantId productName quantity } }
  label { carrier trackingNumber url expiresAt cost { amount currency } }
  labelError { code message }
  decision { resolution policyVersion reviewReasons trace { rule verdict detail } }
  events { at actor type note }
  approvalCost { spends { amount currency } daily { amount currency } left { amount currency } allowed }
  keepItemCost: approvalCost(resolution: KEEP_ITEM) { spends { amount currency } left { amount currency } allowed }`;

const LIST_FIELDS = `
  id number orderNumber channel status resolution createdAt customerEmail exceptionRequested timezone
  refundTotal { amount currency } decision { reviewReasons }`;

export const CHANNELS = `query ConsoleChannels { returnChannels { slug currency timezone policyVersion } }`;

export const GOODWILL = `query ConsoleGoodwill($currency: String!, $channel: String) {
  goodwillBudget(currency: $currency, channel: $channel) {
    staff currency day timezone daily { amount currency } spent { amount currency } left { amount currency }
  }
}`;

export const RETURNS = `query ConsoleReturns($filter: ReturnRequestFilter, $first: Int, $after: String) {
  returnRequests(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { ${LIST_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const QUEUE = `query ConsoleQueue($first: Int, $after: String) {
  returnRequests(filter: {status: PENDING_REVIEW}, first: $first, after: $after) {
    totalCount
    edges { node { ${LIST_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const RETURN = `query ConsoleReturn($id: ID!) { returnRequest(id: $id) { ${RETURN_FIELDS} } }`;

const ACTION_RESULT = `
  __typename
  ... on ReturnUpdated { returnRequest { ${RETURN_FIELDS} } }
  ... on ReturnError { code message field }`;

export const APPROVE = `mutation ConsoleApprove($id: ID!, $resolution: Resolution, $note: String) {
  approveReturn(id: $id, resolution: $resolution, note: $note) { ${ACTION_RESULT} }
}`;

export const REJECT = `mutation ConsoleReject($id: ID!, $note: String!) {
  rejectReturn(id: $id, note: $note) { ${ACTION_RESULT} }
}`;

export const RECEIVED = `mutation ConsoleReceived($id: ID!, $note: String) {
  markReturnReceived(id: $id, note: $note) { ${ACTION_RESULT} }
}`;

export const SET_REFUND_METHOD = `mutation ConsoleRefundMethod($id: ID!, $method: RefundMethod!) {
  setReturnRefundMethod(id: $id, method: $method) { ${ACTION_RESULT} }
}`;

export const RETRY = `mutation ConsoleRetry($id: ID!) { retryRefund(id: $id) { ${ACTION_RESULT} } }`;

export const CANCEL = `mutation ConsoleCancel($id: ID!) {
  cancelReturn(id: $id) {
    __typename
    ... on ReturnCancelled { returnRequest { ${RETURN_FIELDS} } }
    ... on ReturnError { code message field }
  }
}`;

const POLICY_FIELDS = `
  channel version windowDays windowStarts graceDays graceMode refundTiming timezone currency reasons commentRequired
  keepItemThresholds { amount currency } reviewAbove { amount currency } keepItemCostAware
  expectedReturnCost { amount currency } keepItemLimitCount keepItemLimitDays restockingFeePercent returnShipping
  returnShippingFee { amount currency } refundShipping
  exchangeMode instantExchange storeCreditOffered storeCreditBonusPercent
  overrides { level key windowDays graceDays finalSale exchangeMode }
  seasonal { orderedFrom orderedUntil returnableUntil }`;

export const POLICY = `query ConsolePolicy($channel: String!) { returnPolicy(channel: $channel) { ${POLICY_FIELDS} } }`;

export const UPDATE_POLICY = `mutation ConsoleUpdatePolicy($channel: String!, $input: ReturnPolicyInput!) {
  updateReturnPolicy(channel: $channel, input: $input) {
    __typename
    ... on ReturnPolicy { ${POLICY_FIELDS} }
    ... on ReturnError { code message field }
  }
}`;

export const STORE_LOOK = `query ConsoleLook($channel: String!) {
  storeLook(channel: $channel) { channel name logoUrl accentColor shopUrl customized }
}`;

export const UPDATE_LOOK = `mutation ConsoleUpdateLook($channel: String!, $input: StoreLookInput!) {
  updateStoreLook(channel: $channel, input: $input) {
    __typename
    ... on StoreLook { channel name logoUrl accentColor shopUrl customized }
    ... on ReturnError { code message field }
  }
}`;

export const BUDGETS = `query ConsoleBudgets { goodwillBudgets { currency staff daily { amount currency } } }`;

export const SET_BUDGET = `mutation ConsoleSetBudget($currency: String!, $amount: String, $staff: String) {
  setGoodwillBudget(currency: $currency, amount: $amount, staff: $staff) {
    __typename
    ... on GoodwillBudgetSaved { budgets { currency staff daily { amount currency } } }
    ... on ReturnError { code message field }
  }
}`;
