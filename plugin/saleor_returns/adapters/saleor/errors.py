"""What can go wrong talking to Saleor, each mapped to one of our stable codes (domain/codes.py)."""
from __future__ import annotations

from ...domain.codes import ReturnErrorCode
from ...ports import UpstreamUnavailable

# Saleor's error codes (mutation `errors[].code`) and what they mean for us
_MUTATION_CODES = {
    "NOT_FOUND": ReturnErrorCode.ORDER_NOT_FOUND,
    "AMOUNT_GREATER_THAN_AVAILABLE": ReturnErrorCode.REFUND_FAILED,
    "MISSING_TRANSACTION_ACTION_REQUEST_WEBHOOK": ReturnErrorCode.REFUND_FAILED,
    "REFUND_ALREADY_PROCESSED": ReturnErrorCode.REFUND_FAILED,
    "REFUND_IS_PENDING": ReturnErrorCode.REFUND_FAILED,
    "SHIPPING_COSTS_ALREADY_GRANTED": ReturnErrorCode.REFUND_FAILED,
    "NOT_CONFIGURED": ReturnErrorCode.REFUND_FAILED,
    "INVALID_QUANTITY": ReturnErrorCode.QUANTITY_EXCEEDED,
    "ZERO_QUANTITY": ReturnErrorCode.INVALID_INPUT,
}
# Saleor's top-level error classes (`extensions.exception.code`) that say "this token may not do that"
AUTH_EXCEPTIONS = frozenset({"PermissionDenied", "InvalidTokenError", "ExpiredSignatureError", "DecodeError",
                             "InvalidSignatureError", "JSONWebTokenError", "JSONWebTokenExpired"})


class SaleorError(Exception):
    """A Saleor call failed. `code` is ours; `saleor_codes` are Saleor's own, for logs and decisions."""

    code = ReturnErrorCode.INVALID_INPUT
    retryable = False

    def __init__(self, message: str, *, operation: str = "", saleor_codes: tuple[str, ...] = (),
                 code: ReturnErrorCode | None = None) -> None:
        super().__init__(message)
        self.operation = operation
        self.saleor_codes = saleor_codes
        if code is not None:
            self.code = code


class SaleorUnavailable(SaleorError, UpstreamUnavailable):
    """No answer in time, a network error, 429 or 5xx: trying again later may work."""

    code = ReturnErrorCode.UPSTREAM_UNAVAILABLE
    retryable = True


class SaleorAuthError(SaleorError):
    """Saleor refused our token or its permissions (the app was removed, or lost a permission)."""

    code = ReturnErrorCode.FORBIDDEN


class SaleorRequestError(SaleorError):
    """Saleor refused the document or its variables: a bug on our side, never retried."""


class SaleorMutationError(SaleorError):
    """A mutation answered with its own `errors` list."""


def mutation_error(operation: str, errors: list[dict]) -> SaleorMutationError:
    """One exception for a mutation's `errors` list; the first known code decides ours."""
    codes = tuple(str(e.get("code") or "") for e in errors)
    ours = next((_MUTATION_CODES[c] for c in codes if c in _MUTATION_CODES), ReturnErrorCode.INVALID_INPUT)
    message = "; ".join(f"{e.get('field') or '-'}: {e.get('message') or e.get('code')}" for e in errors)
    return SaleorMutationError(f"{operation}: {message}", operation=operation, saleor_codes=codes, code=ours)
