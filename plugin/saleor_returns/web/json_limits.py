"""A JSON body, decoded within bounds: nesting depth and the length of each list and object."""
from __future__ import annotations

import json

from ..graphql.document_limits import LimitExceeded

INPUT_TOO_LARGE = "INPUT_TOO_LARGE"


class NotJson(ValueError):
    """The body is not JSON at all: the GraphQL layer answers it as it always has (400)."""


def decode_bounded(data: bytes | str, max_depth: int, max_entries: int) -> object:
    """`json.loads`, then a walk (no recursion) that refuses nesting deeper than `max_depth` and lists or
    objects with more than `max_entries` entries: LimitExceeded (INPUT_TOO_LARGE, HTTP 400).

    A body nested past Python's recursion limit never decodes: json raises RecursionError, refused the same."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise _too_deep(max_depth) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotJson(str(exc)) from None
    stack: list[tuple[object, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            raise _too_deep(max_depth)
        if len(item) > max_entries:
            raise LimitExceeded(INPUT_TOO_LARGE, f"{path[:200] or 'The body'} has {len(item)} entries; at most "
                                                 f"{max_entries} are accepted.", "list_length", max_entries)
        for key, child in item.items() if isinstance(item, dict) else enumerate(item):
            if isinstance(child, dict | list):
                stack.append((child, depth + 1, f"{path}.{key}" if path else str(key)))
    return value


def _too_deep(max_depth: int) -> LimitExceeded:
    return LimitExceeded(INPUT_TOO_LARGE, f"The JSON body is nested more than {max_depth} levels.", "json_depth",
                         max_depth)
