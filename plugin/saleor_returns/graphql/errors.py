"""Unexpected errors (bugs, a database that is down) reach clients as a code, never as driver text."""
from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors


def unexpected(error: GraphQLError) -> bool:
    """Mask errors raised by code we did not mean to raise; keep validation and FORBIDDEN-style errors."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=unexpected,
                         error_message="Something went wrong on our side; it has been logged. Please try again.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_ERROR"}
        return masked
