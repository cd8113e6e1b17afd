"""Text input checked at the edge: every string a client sends to a root field, however deep in an input
object or list, is refused before the resolver runs when it holds a NUL or another control character (tab and
line breaks are text), half of a UTF-16 surrogate pair, or more than MAX_TEXT characters.

PostgreSQL cannot store a NUL in text and the drivers cannot encode a lone surrogate: without this check such a
string reached the database and came back as INTERNAL_ERROR there, while SQLite stored it. Now both answer the
same: INVALID_INPUT naming the field, as the union member `ReturnError` where the field has one, else as a
top-level error with the code in `extensions`.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField
from strawberry.types.union import StrawberryUnion
from strawberry.utils.str_converters import to_camel_case

from ..domain.codes import ReturnErrorCode

MAX_TEXT = 2000
# C0 and C1 controls except tab, line feed and carriage return; and lone surrogates
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# root fields whose errors name input fields without the "input." of their one input argument (API.md)
_BARE_INPUT = frozenset({"request_return"})


class BadText(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def check_text(value: str, field: str) -> None:
    if len(value) > MAX_TEXT:
        raise BadText(field, f"{field} is longer than {MAX_TEXT} characters")
    bad = _REFUSED.search(value)
    if bad is not None:
        raise BadText(field, f"{field} contains a character that is not text (U+{ord(bad.group()):04X})")


def check_value(value: Any, field: str) -> None:
    """Walk an argument: strings, lists, and strawberry input objects (by their GraphQL field names)."""
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_value(item, f"{field}[{i}]")
    elif not isinstance(value, type) and hasattr(value, "__strawberry_definition__"):
        definition: Any = value.__strawberry_definition__  # an input object
        for f in definition.fields:
            name = f.graphql_name or to_camel_case(f.python_name)
            check_value(getattr(value, f.python_name, None), f"{field}.{name}")


class CheckTextInput(FieldExtension):
    """Put on every root field with arguments by graphql/schema.py."""

    def __init__(self) -> None:
        self.union = False  # the field answers a union with ReturnError (set when strawberry applies it)
        self.bare_input = False

    def apply(self, field: StrawberryField) -> None:
        kind = field.type
        self.union = isinstance(kind, StrawberryUnion) and any(
            getattr(t, "__name__", "") == "ReturnError" for t in kind.types)
        self.bare_input = field.python_name in _BARE_INPUT

    def _refusal(self, kwargs: dict[str, Any]) -> Any:
        """None when every string is text; else the refusal (a ReturnError to return, or a GraphQLError raised)."""
        try:
            for name, value in kwargs.items():
                check_value(value, to_camel_case(name))
        except BadText as err:
            field = err.field.removeprefix("input.") if self.bare_input else err.field
            if self.union:
                from .types import ReturnError  # the union member clients already switch on

                return ReturnError(code=ReturnErrorCode.INVALID_INPUT, message=err.message, field=field)
            raise GraphQLError(err.message, extensions={"code": ReturnErrorCode.INVALID_INPUT.value,
                                                        "field": field}) from None
        return None

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        refused = self._refusal(kwargs)
        return refused if refused is not None else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any,
                            **kwargs: Any) -> Any:
        refused = self._refusal(kwargs)
        return refused if refused is not None else await next_(source, info, **kwargs)
