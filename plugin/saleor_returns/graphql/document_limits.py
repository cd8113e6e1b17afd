"""How big a GraphQL document may be, measured before it is validated or run.

A document is parsed with bounds (source length, tokens, comments), then measured: the deepest field,
the aliases, and the number of fields it would resolve with every fragment spread expanded. Fragments are
measured once each (a spread adds the fragment's figures), so a fragment "bomb" that doubles at every
level is measured in linear time and refused, instead of being expanded. Nothing here knows the schema:
validation comes after, on documents that are known to be small.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
# Introspection's list fields: each one nested in another multiplies the answer by the size of the schema
# (types > fields > type > fields > ... grows exponentially). The standard introspection query nests three
# (types > fields > args); nothing legitimate nests more. Our own schema has no fields of these names.
INTROSPECTION_LISTS = frozenset({"types", "fields", "inputFields", "interfaces", "possibleTypes", "enumValues",
                                 "args", "directives"})
MAX_INTROSPECTION_LISTS = 4


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """The most a client may send in one document (docs/operations.md, "Request limits")."""

    max_chars: int = 20_000  # the query text, comments and white space included
    max_tokens: int = 2_000  # names, punctuation and values, and comments (counted apart, same bound)
    max_depth: int = 20  # nested selections, fragments expanded; the root field is depth 1
    max_aliases: int = 20
    max_fields: int = 1_000  # fields resolved, fragments expanded, summed over the operations


class LimitExceeded(Exception):
    """A request is over a limit: refused with `status`, and `code` in the error's extensions."""

    def __init__(self, code: str, message: str, limit: str, maximum: int, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.limit, self.maximum, self.status = code, message, limit, maximum, status

    def extensions(self) -> dict[str, object]:
        return {"code": self.code, "limit": self.limit, "max": self.maximum}


@dataclass(frozen=True, slots=True)
class Shape:
    depth: int
    aliases: int
    fields: int
    lists: int = 0  # introspection list fields nested in one another, at most, along one path


NOTHING = Shape(0, 0, 0)


@dataclass
class _Measure:
    """Figures of selection sets, with each fragment measured once (and cycles cut: validation reports them)."""

    fragments: dict[str, FragmentDefinitionNode]
    done: dict[str, Shape] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def selection_set(self, node: SelectionSetNode | None) -> Shape:
        depth = aliases = fields = lists = 0
        for sel in node.selections if node else ():
            if isinstance(sel, FieldNode):
                inner = self.selection_set(sel.selection_set)
                depth = max(depth, inner.depth + 1)
                aliases += inner.aliases + (1 if sel.alias else 0)
                fields += inner.fields + 1
                lists = max(lists, inner.lists + (1 if sel.name.value in INTROSPECTION_LISTS else 0))
            else:
                inner = self.spread(sel) if isinstance(sel, FragmentSpreadNode) \
                    else self.selection_set(sel.selection_set) if isinstance(sel, InlineFragmentNode) else NOTHING
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                fields += inner.fields
                lists = max(lists, inner.lists)
        return Shape(depth, aliases, fields, lists)

    def spread(self, node: FragmentSpreadNode) -> Shape:
        name = node.name.value
        if name in self.done:
            return self.done[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return NOTHING
        self.visiting.add(name)
        shape = self.selection_set(fragment.selection_set)
        self.visiting.discard(name)
        self.done[name] = shape
        return shape


def parse_bounded(query: str, limits: DocumentLimits) -> DocumentNode:
    """Parse `query`, giving up as soon as it is longer than the limits allow (LimitExceeded).

    Other syntax errors are raised as GraphQLSyntaxError, for the GraphQL layer to report as usual."""
    if len(query) > limits.max_chars:
        raise LimitExceeded(QUERY_TOO_COMPLEX, f"The query is longer than {limits.max_chars} characters.",
                            "chars", limits.max_chars)
    try:
        return parse(query, max_lexical_tokens=limits.max_tokens, max_comments=limits.max_tokens)
    except GraphQLSyntaxError as err:
        if "nested too deeply" in err.message:  # graphql-core's own bound on the parser's recursion
            raise _too_deep(limits) from None
        if "Parsing aborted" in err.message:  # graphql-core's wording for its token and comment bounds
            raise LimitExceeded(QUERY_TOO_COMPLEX, f"The query has more than {limits.max_tokens} tokens.",
                                "tokens", limits.max_tokens) from None
        raise


def _too_deep(limits: DocumentLimits) -> LimitExceeded:
    return LimitExceeded(QUERY_TOO_COMPLEX, f"The query is nested more than {limits.max_depth} levels.", "depth",
                         limits.max_depth)


def measure(document: DocumentNode) -> Shape:
    """Depth (deepest operation), aliases and fields (summed over the operations), fragments expanded."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    m = _Measure(fragments)
    depth = aliases = fields = lists = 0
    for op in document.definitions:
        if isinstance(op, OperationDefinitionNode):
            shape = m.selection_set(op.selection_set)
            depth, aliases, fields = max(depth, shape.depth), aliases + shape.aliases, fields + shape.fields
            lists = max(lists, shape.lists)
    return Shape(depth, aliases, fields, lists)


def check_shape(shape: Shape, limits: DocumentLimits) -> None:
    """Raise LimitExceeded (QUERY_TOO_COMPLEX) naming the first limit `shape` is over."""
    for name, value, maximum, what in (("depth", shape.depth, limits.max_depth, "nested more than {} levels"),
                                       ("aliases", shape.aliases, limits.max_aliases, "more than {} aliases"),
                                       ("fields", shape.fields, limits.max_fields, "more than {} fields")):
        if value > maximum:
            raise LimitExceeded(QUERY_TOO_COMPLEX, f"The query has {what.format(maximum)} ({value}).", name, maximum)
    if shape.lists > MAX_INTROSPECTION_LISTS:
        raise LimitExceeded(QUERY_TOO_COMPLEX, f"The query nests introspection lists more than "
                                               f"{MAX_INTROSPECTION_LISTS} deep ({shape.lists}).",
                            "introspection_lists", MAX_INTROSPECTION_LISTS)


# Documents checked lately, by their text: clients send the same few documents over and over, so each is parsed
# and measured once, and strawberry takes the parsed document from here too (graphql/reuse_document.py). Only
# short documents are kept (every document of our clients is under 2,000 characters), so the cache stays small.
CACHE_SIZE = 256
CACHE_MAX_CHARS = 4000
_checked: OrderedDict[str, tuple[DocumentNode, DocumentLimits]] = OrderedDict()


def checked_document(query: str, limits: DocumentLimits) -> DocumentNode | None:
    """The parsed document when it is within `limits` (LimitExceeded otherwise); None when it does not parse
    (the GraphQL layer then reports the syntax error as it always has)."""
    hit = _checked.get(query)
    if hit is not None and hit[1] == limits:  # checked against these very limits
        _checked.move_to_end(query)
        return hit[0]
    try:
        document = parse_bounded(query, limits)
    except GraphQLSyntaxError:
        return None
    try:
        shape = measure(document)
    except RecursionError:  # fragments spread into fragments hundreds deep: far past any depth limit
        raise _too_deep(limits) from None
    check_shape(shape, limits)
    if len(query) <= CACHE_MAX_CHARS:
        _checked[query] = (document, limits)
        if len(_checked) > CACHE_SIZE:
            _checked.popitem(last=False)
    return document


def already_parsed(query: str) -> DocumentNode | None:
    """The document of `query` if it was checked lately (and so is within the limits)."""
    hit = _checked.get(query)
    return hit[0] if hit is not None else None
