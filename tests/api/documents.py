"""GraphQL documents the API tests send, as module constants (one place to read what clients send)."""

RETURN_FIELDS = """
  id number orderId status resolution createdAt deadline graceDeadline
  lines { orderLineId quantity reason refund { amount currency } }
  refundTotal { amount currency }
  refunds { id amount { amount currency } status gateway pspReference }
  label { carrier trackingNumber url cost { amount currency } expiresAt }
  decision { resolution policyVersion reviewReasons trace { rule verdict detail } }
  events { at actor type note }
"""

ELIGIBILITY = """
query Eligibility($orderId: ID!, $email: String) {
  orderReturnEligibility(orderId: $orderId, email: $email) {
    __typename
    ... on OrderReturnEligibility {
      orderId orderNumber channel timezone deadline graceDeadline
      lines { orderLineId productName sku quantityReturnable eligible inGrace codes deadline graceDeadline
              unitRefund { amount currency } }
    }
    ... on ReturnError { code message field }
  }
}"""

REQUEST_RETURN = """
mutation RequestReturn($input: RequestReturnInput!) {
  requestReturn(input: $input) {
    __typename
    ... on ReturnRequested { returnRequest { """ + RETURN_FIELDS + """ } }
    ... on ReturnNotEligible { lines { orderLineId eligible codes deadline graceDeadline } }
    ... on ReturnError { code message field }
  }
}"""

RETURN_REQUEST = """
query ReturnRequest($id: ID!, $email: String) { returnRequest(id: $id, email: $email) { """ + RETURN_FIELDS + " } }"

RETURN_REQUESTS = """
query ReturnRequests($filter: ReturnRequestFilter, $first: Int, $after: String) {
  returnRequests(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id number status orderId channel } }
    pageInfo { hasNextPage endCursor }
  }
}"""

STAFF_RESULT = """
    __typename
    ... on ReturnUpdated { returnRequest { """ + RETURN_FIELDS + """ } }
    ... on ReturnError { code message field }
"""

APPROVE = ("mutation Approve($id: ID!, $resolution: Resolution, $note: String) "
           "{ approveReturn(id: $id, resolution: $resolution, note: $note) { " + STAFF_RESULT + " } }")
REJECT = "mutation Reject($id: ID!, $note: String!) { rejectReturn(id: $id, note: $note) { " + STAFF_RESULT + " } }"
RECEIVED = ("mutation Received($id: ID!, $note: String) { markReturnReceived(id: $id, note: $note) { "
            + STAFF_RESULT + " } }")
RETRY = "mutation Retry($id: ID!) { retryRefund(id: $id) { " + STAFF_RESULT + " } }"

CANCEL = """
mutation Cancel($id: ID!, $email: String) {
  cancelReturn(id: $id, email: $email) {
    __typename
    ... on ReturnCancelled { returnRequest { id status } }
    ... on ReturnError { code message field }
  }
}"""

POLICY = """
query Policy($channel: String!) {
  returnPolicy(channel: $channel) {
    channel version windowDays graceDays graceMode refundTiming timezone reasons
    keepItemThresholds { amount currency } reviewAbove { amount currency }
  }
}"""

UPDATE_POLICY = """
mutation UpdatePolicy($channel: String!, $input: ReturnPolicyInput!) {
  updateReturnPolicy(channel: $channel, input: $input) {
    __typename
    ... on ReturnPolicy { channel version windowDays graceDays graceMode refundTiming
                          keepItemThresholds { amount currency } reviewAbove { amount currency } }
    ... on ReturnError { code message field }
  }
}"""


def line(order_line_id: str, quantity: int = 1, reason: str = "DOES_NOT_FIT", comment: str | None = None) -> dict:
    return {"orderLineId": order_line_id, "quantity": quantity, "reason": reason, "comment": comment}


def request(order_id: str, email: str | None, *lines: dict, exception: bool = False) -> dict:
    return {"input": {"orderId": order_id, "email": email, "lines": list(lines), "exceptionRequested": exception}}


# --- portal and console (issue 6) ------------------------------------------------------------------

ELIGIBILITY_BY_NUMBER = """
query EligibilityByNumber($number: String!, $email: String) {
  orderReturnEligibilityByNumber(orderNumber: $number, email: $email) {
    __typename
    ... on OrderReturnEligibility { orderId orderNumber channel timezone deadline lines { orderLineId eligible } }
    ... on ReturnError { code message field }
  }
}"""

GOODWILL_BUDGET = """
query GoodwillBudget($currency: String!, $channel: String) {
  goodwillBudget(currency: $currency, channel: $channel) {
    staff currency day timezone daily { amount currency } spent { amount currency } left { amount currency }
  }
}"""

RETURN_CHANNELS = "query { returnChannels { slug currency timezone policyVersion } }"

SHIP_BY = """
query ShipBy($id: ID!, $email: String) { returnRequest(id: $id, email: $email) { shipBy deadline graceDeadline } }"""
