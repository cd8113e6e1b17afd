"""Stable codes: what clients switch on. Messages are for people; these values never change."""
from __future__ import annotations

from enum import Enum


class EligibilityCode(str, Enum):
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ORDER_NOT_PAID = "ORDER_NOT_PAID"
    NOT_FULFILLED = "NOT_FULFILLED"
    WINDOW_EXPIRED = "WINDOW_EXPIRED"
    IN_GRACE = "IN_GRACE"
    FINAL_SALE = "FINAL_SALE"
    QUANTITY_EXCEEDED = "QUANTITY_EXCEEDED"
    ALREADY_RETURNED = "ALREADY_RETURNED"
    NOT_REFUNDABLE = "NOT_REFUNDABLE"
    KEEP_ITEM_LIMIT_REACHED = "KEEP_ITEM_LIMIT_REACHED"
    NOT_YOUR_ORDER = "NOT_YOUR_ORDER"


# codes that flag a line without making it ineligible
INFORMATIONAL = frozenset({EligibilityCode.IN_GRACE, EligibilityCode.KEEP_ITEM_LIMIT_REACHED})


class ReturnErrorCode(str, Enum):
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    RETURN_NOT_FOUND = "RETURN_NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    QUANTITY_EXCEEDED = "QUANTITY_EXCEEDED"
    ALREADY_RETURNED = "ALREADY_RETURNED"
    UNKNOWN_REASON = "UNKNOWN_REASON"
    COMMENT_REQUIRED = "COMMENT_REQUIRED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    FORBIDDEN = "FORBIDDEN"
    GOODWILL_BUDGET_EXCEEDED = "GOODWILL_BUDGET_EXCEEDED"
    REFUND_FAILED = "REFUND_FAILED"
    LABEL_FAILED = "LABEL_FAILED"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"


class ReturnError(Exception):
    """An expected failure of a use case: a code, a message for people, and the input field."""

    def __init__(self, code: ReturnErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"ReturnError({self.code.value}, {self.message!r}, field={self.field!r})"
